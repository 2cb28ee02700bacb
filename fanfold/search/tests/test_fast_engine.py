"""The fast engine answers exactly what OrmEngine answers, and sees every write at the next query,
in every process (two engine instances with their own indexes stand for two server processes)."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.contrib.auth.models import AnonymousUser

from fanfold.accounts.models import Preference, User
from fanfold.search import engine as engine_module
from fanfold.search.engine import OrmEngine, search_works
from fanfold.search.fast import engine as fast_module
from fanfold.search.fast.changes import note_changed
from fanfold.search.fast.engine import FastEngine
from fanfold.search.fast.index import Index, snapshot_path
from fanfold.search.filtertags import recompute_for_tags
from fanfold.search.query import SORTS, Scope, WorkQuery
from fanfold.search.synthetic import generate, meta_words
from fanfold.social.models import Mute
from fanfold.tags import vocabulary as vocab
from fanfold.tags.models import Tag
from fanfold.works.models import Creatorship, Work
from fanfold.works.tests.factories import make_work

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def synthetic(db):
    generate(300, seed=3)
    return Work.objects.count()


def answer(page):
    return (
        [w.id for w in page.results],
        page.count,
        {k: [(f.name, f.count, f.state) for f in v] for k, v in page.facets.items()},
        page.unknown_tags,
        page.snippets,
    )


def assert_same(fast: FastEngine, query: WorkQuery, viewer) -> None:
    got = answer(fast.run(query, viewer))
    want = answer(OrmEngine().run(query, viewer))
    assert got == want, query


def random_query(rng: random.Random, names: list[str], words: list[str]) -> WorkQuery:
    fields: dict = {
        "include": tuple(rng.sample(names[:80], rng.choice((0, 1, 1, 2, 3)))),
        "exclude": tuple(rng.sample(names, rng.choice((0, 0, 1, 2, 5)))),
        "sort": rng.choice([*SORTS, ""]),
        "page": rng.choice((1, 1, 2, 3)),
        "per_page": rng.choice((5, 20)),
    }
    if rng.random() < 0.1:
        fields["include"] += ("No Such Tag Anywhere",)
    if rng.random() < 0.1:
        fields["exclude"] += ("Nor This One",)
    if rng.random() < 0.3:
        fields["rating"] = tuple(rng.sample(vocab.RATINGS, rng.choice((1, 2))))
    if rng.random() < 0.3:
        fields["complete"] = rng.random() < 0.5
    if rng.random() < 0.3:
        fields["words_from"] = rng.choice((None, 500, 3000))
        fields["words_to"] = rng.choice((None, 2000, 10000))
    if rng.random() < 0.2:
        fields["updated_from"] = dt.date(2011, 1, 1) + dt.timedelta(days=rng.randrange(0, 4000))
        fields["updated_to"] = rng.choice((None, fields["updated_from"] + dt.timedelta(days=900)))
    if rng.random() < 0.15:
        fields["language"] = rng.choice(("en", "es", "zh", "xx"))
    if rng.random() < 0.2:
        fields["crossover"] = rng.choice(("exclude", "only"))
    if rng.random() < 0.25:
        terms = rng.sample(words, rng.choice((1, 2)))
        if rng.random() < 0.2:
            terms.append("-" + rng.choice(words))
        fields["q"] = " ".join(terms)
    return WorkQuery(**fields)


def tag_names() -> list[str]:
    # Popular tags first (filters on them have results), synonyms and rare tags after.
    common = list(
        Tag.objects.filter(type__in=["fandom", "character", "relationship", "additional", "warning"])
        .order_by("id")
        .values_list("name", flat=True)
    )
    return common[:60] + random.Random(5).sample(common[60:], min(200, len(common) - 60))


@pytest.mark.parametrize("dense", [False, True], ids=["sparse-paths", "dense-paths"])
def test_random_queries_match_the_orm(synthetic, monkeypatch, dense):
    if dense:  # force the large-result code paths (order walk, pruned facet counts) on small data
        monkeypatch.setattr(fast_module, "SPARSE", 0)
        monkeypatch.setattr(fast_module, "SPARSE_FACETS", 0)
    reader = User.objects.filter(username__startswith="synthetic").order_by("id").first()
    muted = User.objects.filter(username__startswith="synthetic").order_by("id")[1]
    Mute.objects.create(muter=reader, muted=muted)
    preference, _ = Preference.objects.get_or_create(user=reader)
    preference.excluded_tags.add(Tag.objects.get(name=vocab.VIOLENCE))
    staff = User.objects.create(username="staffer", is_staff=True)
    viewers = [AnonymousUser(), reader, staff]
    fast = FastEngine(Index.build())
    rng = random.Random(11 if dense else 7)
    names = tag_names()
    words = meta_words()[:300]
    for i in range(100):
        assert_same(fast, random_query(rng, names, words), viewers[i % 3])


def test_tag_scope_matches_and_other_scopes_fall_back(synthetic):
    fast = FastEngine(Index.build())
    fandom = Tag.objects.filter(type="fandom").order_by("id").first()
    assert_same(fast, WorkQuery(scope=Scope("tag", fandom.id), sort="kudos"), AnonymousUser())
    pseud_id = Creatorship.objects.values_list("pseud_id", flat=True).first()
    with pytest.raises(fast_module.Unsupported):
        fast.run(WorkQuery(scope=Scope("pseud", pseud_id)), AnonymousUser())


def test_generated_synonyms_filter_like_their_canonical_tag(synthetic):
    fast = FastEngine(Index.build())
    synonym = Tag.objects.filter(merger__isnull=False, works__isnull=False).order_by("id").first()
    assert synonym is not None
    by_synonym = fast.run(WorkQuery(include=(synonym.name,)), AnonymousUser())
    by_canonical = fast.run(WorkQuery(include=(synonym.merger.name,)), AnonymousUser())
    assert by_synonym.count == by_canonical.count > 0
    assert_same(fast, WorkQuery(include=(synonym.name,)), AnonymousUser())


def two_processes() -> tuple[FastEngine, FastEngine]:
    return FastEngine(Index.build()), FastEngine(Index.build())


def assert_both_same(engines, query, viewer=None) -> None:
    for fast in engines:
        assert_same(fast, query, viewer or AnonymousUser())


def test_new_and_edited_works_are_seen_by_every_process(synthetic):
    engines = two_processes()
    work = make_work(fandoms=["Lanternfall (Original Work)"], characters=["Pell Orrin"], title="Zzyzx Lane")
    query = WorkQuery(include=("Lanternfall (Original Work)",), sort="title")
    assert [w.id for w in engines[0].run(query, AnonymousUser()).results] == [work.id]
    assert_both_same(engines, query)
    assert_both_same(engines, WorkQuery(sort="title", page=1))
    # An edit through the posting service (tags and title).
    from fanfold.works.posting import update_work

    owner = User.objects.create(username="lanternfall")
    Creatorship.objects.filter(work=work).update(pseud=owner.pseuds.first() or _pseud(owner))
    update_work(owner, work, {"characters": ["Pell Orrin", "Ana Vey"], "title": "Aardvark Lane"})
    for fast in engines:
        page = fast.run(WorkQuery(include=("Ana Vey",)), AnonymousUser())
        assert [w.id for w in page.results] == [work.id]
    assert_both_same(engines, WorkQuery(sort="title"))
    assert_both_same(engines, WorkQuery(include=("Lanternfall (Original Work)",)))


def _pseud(user):
    from fanfold.accounts.models import Pseud

    return Pseud.objects.create(user=user, name=user.username, is_default=True)


def _top_by(field: str) -> int:
    return Work.objects.order_by(f"-{field}").values_list(field, flat=True).first() or 0


def test_counter_changes_through_the_services_are_seen(synthetic, settings):
    """Kudos, comments, bookmarks and hits reach every process's index through the services' own
    change-log entries: the counter is first raised to the top by a bare update (which the index does
    not hear of), then the service's +1 must make the work first in that sort."""
    from fanfold.social import services as social

    settings.FANFOLD_RATE_LIMITS_ENABLED = False
    engines = two_processes()
    listed = Work.objects.filter(draft=False, hidden_by_admin=False, restricted=False)
    reader = User.objects.create_user("counter_reader", password="x-long-enough-password")
    works = list(listed.order_by("-id")[:4])
    actions = [
        ("kudos_count", "kudos", lambda w: social.give_kudos(w, ip="203.0.113.9")),
        ("comments_count", "comments", lambda w: social.post_comment(w, "Counted.", user=reader)),
        ("bookmarks_count", "bookmarks", lambda w: social.create_bookmark(reader, w, notes="")),
        ("hits", "hits", lambda w: social.record_hit(w, ip="203.0.113.10")),
    ]
    for work, (field, sort, act) in zip(works, actions, strict=True):
        Work.objects.filter(pk=work.pk).update(**{field: _top_by(field)})
        act(work)
        for fast in engines:
            assert fast.run(WorkQuery(sort=sort), AnonymousUser()).results[0].id == work.id, sort
        assert_both_same(engines, WorkQuery(sort=sort, page=2))


def test_deleted_works_are_seen(synthetic):
    from fanfold.works import posting

    engines = two_processes()
    work = Work.objects.filter(draft=False, hidden_by_admin=False, restricted=False).order_by("-id").first()
    creator = Creatorship.objects.filter(work=work).select_related("pseud__user").first().pseud.user
    Work.objects.filter(pk=work.pk).update(kudos_count=_top_by("kudos_count") + 1)
    note_changed([work.pk])
    for fast in engines:
        assert fast.run(WorkQuery(sort="kudos"), AnonymousUser()).results[0].id == work.id
    work_id = work.pk
    posting.delete_work(creator, work)
    for fast in engines:
        assert work_id not in [w.id for w in fast.run(WorkQuery(sort="kudos"), AnonymousUser()).results]
    assert_both_same(engines, WorkQuery(sort="kudos"))
    assert_both_same(engines, WorkQuery(sort="kudos", include=("General Audiences",)))


def test_wrangling_is_seen_after_the_recompute(synthetic):
    engines = two_processes()
    fandoms = list(Tag.objects.filter(type="fandom", canonical=True).order_by("id")[:2])
    big, small = fandoms
    # Make the second fandom a synonym of the first, as the wrangling service does, then run the
    # background recompute it enqueues.
    Tag.objects.filter(pk=small.pk).update(canonical=False, merger=big)
    recompute_for_tags([small.pk, big.pk])
    query = WorkQuery(include=(big.name,))
    assert_both_same(engines, query)
    assert_both_same(engines, WorkQuery(include=(small.name,)))
    assert (
        engines[1].run(query, AnonymousUser()).count
        == engines[1].run(WorkQuery(include=(small.name,)), AnonymousUser()).count
    )


def test_a_rolled_back_log_rebuilds(synthetic):
    fast = FastEngine(Index.build())
    before = fast.index()
    applied = before.applied
    from fanfold.search.models import IndexChange

    IndexChange.objects.filter(id__gte=applied).delete()  # as if the log went back
    IndexChange.objects.create(work_id=None, nonce=1)
    assert fast.index() is not before


def test_search_works_dispatches_by_setting(synthetic, monkeypatch, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    query = WorkQuery(sort="hits")
    monkeypatch.setenv("FANFOLD_SEARCH_ENGINE", "fast")
    assert engine_module._use_fast_engine()
    fast_page = answer(search_works(query, AnonymousUser()))
    monkeypatch.setenv("FANFOLD_SEARCH_ENGINE", "orm")
    assert not engine_module._use_fast_engine()
    assert answer(search_works(query, AnonymousUser())) == fast_page
    monkeypatch.setenv("FANFOLD_SEARCH_ENGINE", "auto")
    assert not engine_module._use_fast_engine()  # no snapshot: a small archive stays on the ORM
    Index.build().save(snapshot_path())
    assert engine_module._use_fast_engine()
    assert answer(search_works(query, AnonymousUser())) == fast_page
