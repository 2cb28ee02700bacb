"""Filter tags: facets count sub tags' works under their meta tags, and wrangling refreshes the
denormalised filter tags and searchable tag names in one background task after its commit."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from fanfold.accounts.models import User
from fanfold.search.engine import search_works
from fanfold.search.filtertags import filter_tags_of, works_affected_by
from fanfold.search.models import WorkFilterTag
from fanfold.search.query import WorkQuery
from fanfold.tags import wrangling
from fanfold.tags.models import Tag, TagType
from fanfold.works.tests.factories import make_work

GUEST = AnonymousUser()


def facet_counts(key: str, query: WorkQuery | None = None) -> dict[str, int]:
    page = search_works(query or WorkQuery(), GUEST)
    return {f.name: f.count for f in page.facets[key]}


def canonical(name: str, tag_type: str = TagType.ADDITIONAL) -> Tag:
    return Tag.objects.create(name=name, type=tag_type, canonical=True)


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def staff(db):
    return User.objects.create_user("tidekeeper", email="tide@example.org", password="pw", is_staff=True)


@pytest.fixture
def harbour(archive):
    """Harbour AUs > Lighthouse AU; "Lighthouse Keeper AU" is typed raw on one work."""
    top = canonical("Harbour AUs")
    middle = canonical("Lighthouse AU")
    middle.meta_tags.add(top)
    make_work(title="Beacon Shift", fandoms=["Naruto"], additional_tags=["Lighthouse AU"])
    make_work(title="Harbour Lights", fandoms=["Naruto"], additional_tags=["Harbour AUs"])
    make_work(title="Keeper's Log", fandoms=["Naruto"], additional_tags=["Lighthouse Keeper AU"])
    make_work(title="Dune Songs", fandoms=["Naruto"], additional_tags=["Desert Caravans"])
    return {"top": top, "middle": middle}


def test_a_meta_tag_facet_counts_its_sub_tags_works(harbour):
    counts = facet_counts("additional_tags")
    assert counts["Harbour AUs"] == 2  # its own work and the Lighthouse AU one
    assert counts["Lighthouse AU"] == 1


def test_filter_tags_hold_the_canonical_tag_and_every_meta_tag_above_it(harbour):
    beacon = WorkFilterTag.objects.filter(work__title="Beacon Shift", tag_type=TagType.ADDITIONAL)
    assert {row.tag.name for row in beacon} == {"Lighthouse AU", "Harbour AUs"}


def test_making_a_synonym_refreshes_facets_and_search_after_the_commit(
    harbour, staff, immediate_tasks, django_capture_on_commit_callbacks
):
    raw = Tag.objects.get(name="Lighthouse Keeper AU")
    assert facet_counts("additional_tags")["Harbour AUs"] == 2
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        wrangling.make_synonym(staff, raw, harbour["middle"])
    assert len(callbacks) == 1
    counts = facet_counts("additional_tags")
    assert counts["Lighthouse AU"] == 2
    assert counts["Harbour AUs"] == 3
    assert "Lighthouse Keeper AU" not in counts
    # The work is found by its new canonical tag's name in a metadata search, too.
    found = search_works(WorkQuery(q='"Lighthouse AU"'), GUEST).results
    assert "Keeper's Log" in {w.title for w in found}


def test_adding_and_removing_a_meta_tag_moves_the_counts(
    harbour, staff, immediate_tasks, django_capture_on_commit_callbacks
):
    coastal = canonical("Coastal Stories")
    with django_capture_on_commit_callbacks(execute=True):
        wrangling.add_meta_tag(staff, harbour["top"], coastal)
    assert facet_counts("additional_tags")["Coastal Stories"] == 2
    with django_capture_on_commit_callbacks(execute=True):
        wrangling.remove_meta_tag(staff, harbour["middle"], harbour["top"])
    counts = facet_counts("additional_tags")
    assert counts["Coastal Stories"] == 1
    assert counts["Harbour AUs"] == 1


def test_a_mass_action_enqueues_one_task_for_all_its_tags(harbour, staff, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    first = Tag.objects.create(name="lighthouse au!", type=TagType.ADDITIONAL)
    second = Tag.objects.create(name="LIGHTHOUSE-AU", type=TagType.ADDITIONAL)
    with django_capture_on_commit_callbacks(execute=True):
        result = wrangling.mass_wrangle(staff, [first.id, second.id], "make_synonym", harbour["middle"])
    assert not result.failures and len(result.done) == 2
    tasks = DBTaskResult.objects.all()
    assert tasks.count() == 1
    assert set(tasks.get().args_kwargs["args"][0]) == {first.id, second.id}


def test_a_refused_action_enqueues_nothing(harbour, staff, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    rating = Tag.objects.filter(type=TagType.RATING).first()
    assert rating is not None
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(wrangling.WranglingError):
        wrangling.make_synonym(staff, rating, harbour["middle"])
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(ValueError),
        transaction.atomic(),
    ):
        wrangling.add_meta_tag(staff, harbour["middle"], canonical("Rolled Back"))
        raise ValueError("the surrounding unit of work fails")
    assert DBTaskResult.objects.count() == 0


def test_works_affected_by_a_tag_include_synonyms_and_sub_tags(harbour):
    Tag.objects.create(name="Lighthouses AU", type=TagType.ADDITIONAL, merger=harbour["middle"])
    make_work(title="Foghorn", fandoms=["Naruto"], additional_tags=["Lighthouses AU"])
    affected = {w for w in works_affected_by([harbour["top"].id])}
    titles = set(
        WorkFilterTag.objects.filter(work_id__in=affected).values_list("work__title", flat=True).distinct()
    )
    assert titles == {"Beacon Shift", "Harbour Lights", "Foghorn"}


def test_filter_tags_of_a_work_without_tags_is_empty(archive):
    work = make_work(title="Untagged", fandoms=["Naruto"])
    work.tags.through.objects.filter(work=work).delete()
    assert filter_tags_of([work.id]) == {work.id: {}}
