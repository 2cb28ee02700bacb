"""The synthetic archive generator: deterministic, AO3-shaped, and careful with existing data."""

from __future__ import annotations

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count

from fanfold.search.models import IndexChange, SearchDocument, WorkFilterTag
from fanfold.search.synthetic import CHUNK, GenerateError, _chunk, generate, plan_tags
from fanfold.tags.models import Tag
from fanfold.works.models import Chapter, Creatorship, Work, WorkTag

FIXED = {"rating": [1, 2, 3, 4, 5], "warning": [6, 7, 8, 9, 10, 11], "category": [12, 13, 14, 15, 16, 17]}


def test_the_same_seed_gives_the_same_archive_and_another_seed_another():
    def draw(seed: int):
        plan = plan_tags(2000, np.random.default_rng([seed, 1]), 100, FIXED)
        chunk = _chunk(plan, 1, 500, seed, 0, 40)
        return plan.names, chunk.columns["words"], chunk.work_tags[1]

    names, words, tags = draw(9)
    again = draw(9)
    assert names == again[0]
    assert np.array_equal(words, again[1]) and np.array_equal(tags, again[2])
    other = draw(10)
    assert not np.array_equal(words, other[1])


def test_tag_names_are_unique_per_type():
    plan = plan_tags(20_000, np.random.default_rng([1, 1]), 100, FIXED)
    from fanfold.core.text import normalize_key

    keys = {(t, normalize_key(n)) for n, t in zip(plan.names, plan.types, strict=True)}
    assert len(keys) == len(plan.names)
    fandoms = [c for t, c in zip(plan.types, plan.canonical, strict=True) if t == "fandom"]
    assert sum(fandoms) == 600  # canonical fandoms: about 30 per 1,000 works (as on AO3 at 1M)
    assert 0 < len(fandoms) - sum(fandoms) < 200  # and some synonyms


@pytest.mark.django_db
def test_a_generated_archive_has_ao3s_shape():
    counts = generate(CHUNK // 40, seed=2)  # 500 works
    n = counts["works"]
    assert Work.objects.count() == n == 500
    per_work = list(WorkTag.objects.values("work").annotate(n=Count("id")).values_list("n", flat=True))
    assert len(per_work) == n and min(per_work) >= 4 and max(per_work) <= 40
    assert 8 <= float(np.median(per_work)) <= 20
    ratings = WorkTag.objects.filter(tag__type="rating").values("work").annotate(n=Count("id"))
    assert {r["n"] for r in ratings} == {1} and ratings.count() == n
    assert WorkTag.objects.filter(tag__type="fandom").values("work").distinct().count() == n
    assert WorkTag.objects.filter(tag__merger__isnull=False).exists()  # some taggings use synonyms
    words = np.array(Work.objects.values_list("word_count", flat=True))
    assert 1500 <= np.median(words) <= 5000 and words.max() > 20_000
    assert Work.objects.values("language").distinct().count() >= 4
    assert Chapter.objects.count() > n  # chaptered works
    kudos = np.array(Work.objects.values_list("kudos_count", flat=True))
    assert kudos.max() > 10 * np.median(kudos)  # heavy-tailed
    years = {d.year for d in Work.objects.values_list("published", flat=True)}
    assert len(years) >= 12
    assert Creatorship.objects.count() >= n
    assert SearchDocument.objects.count() == n
    # Filter tags: the canonical form of each tag, and meta tags above.
    synonym_tagging = WorkTag.objects.filter(tag__merger__isnull=False).select_related("tag").first()
    assert WorkFilterTag.objects.filter(work_id=synonym_tagging.work_id, tag_id=synonym_tagging.tag.merger_id)
    assert not WorkFilterTag.objects.filter(tag__merger__isnull=False).exists()
    assert IndexChange.objects.filter(work_id=None).exists()  # indexes rebuild after a bulk load


@pytest.mark.django_db
def test_refuses_a_database_that_holds_works_unless_appending():
    generate(30, seed=1)
    with pytest.raises(GenerateError, match="already holds 30 works"):
        generate(30, seed=1)
    with pytest.raises(CommandError, match="already holds 30 works"):
        call_command("generate", "--works", "30")
    generate(30, seed=1, append=True)
    assert Work.objects.count() == 60
    assert (
        Tag.objects.filter(type="fandom").count()
        == 2 * Tag.objects.filter(type="fandom", name__endswith="]").count()
    )


@pytest.mark.django_db
def test_bodies_use_words_that_metadata_never_uses():
    generate(40, seed=4, bodies=True, body_words_per_work=50)
    document = SearchDocument.objects.exclude(body="").first()
    assert document is not None
    body_word = document.body.split()[0]
    assert set(body_word) & set("qxzj")
    assert not SearchDocument.objects.filter(title__icontains=body_word).exists()
    assert not SearchDocument.objects.filter(summary__icontains=body_word).exists()
