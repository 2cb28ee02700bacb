"""Filtering by a meta tag finds works tagged with its sub tags (transitively) and their synonyms."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fanfold.search.engine import filter_tag_ids, filter_tag_ids_for_tags, search_works
from fanfold.search.query import Scope, WorkQuery
from fanfold.tags.models import Tag, TagType
from fanfold.works.tests.factories import make_work

GUEST = AnonymousUser()


def titles(query: WorkQuery) -> list[str]:
    return sorted(w.title for w in search_works(query, GUEST).results)


def canonical(name: str) -> Tag:
    return Tag.objects.create(name=name, type=TagType.ADDITIONAL, canonical=True)


@pytest.fixture
def hierarchy(archive):
    """Seaside Settings > Lighthouse AU > Foghorn Keeper AU (synonym "Keeper of the Foghorn")."""
    top = canonical("Seaside Settings")
    middle = canonical("Lighthouse AU")
    bottom = canonical("Foghorn Keeper AU")
    middle.meta_tags.add(top)
    bottom.meta_tags.add(middle)
    synonym = Tag.objects.create(name="Keeper of the Foghorn", type=TagType.ADDITIONAL, merger=bottom)
    unrelated = canonical("Desert Caravans")
    make_work(title="Salt on the Glass", fandoms=["Naruto"], additional_tags=["Keeper of the Foghorn"])
    make_work(title="Beacon Shift", fandoms=["Naruto"], additional_tags=["Lighthouse AU"])
    make_work(title="Dune Songs", fandoms=["Naruto"], additional_tags=["Desert Caravans"])
    return {"top": top, "middle": middle, "bottom": bottom, "synonym": synonym, "unrelated": unrelated}


def test_meta_tag_filter_finds_sub_tags_of_sub_tags_and_their_synonyms(hierarchy):
    assert titles(WorkQuery(include=("Seaside Settings",))) == ["Beacon Shift", "Salt on the Glass"]
    assert titles(WorkQuery(include=("Lighthouse AU",))) == ["Beacon Shift", "Salt on the Glass"]
    # A sub tag does not find its meta tag's works.
    assert titles(WorkQuery(include=("Foghorn Keeper AU",))) == ["Salt on the Glass"]


def test_excluding_a_meta_tag_excludes_its_sub_tags(hierarchy):
    assert titles(WorkQuery(exclude=("Seaside Settings",))) == ["Dune Songs"]


def test_a_tag_listing_of_a_meta_tag_includes_sub_tag_works(hierarchy):
    scope = Scope("tag", hierarchy["top"].id)
    assert titles(WorkQuery(scope=scope)) == ["Beacon Shift", "Salt on the Glass"]


def test_filter_ids_through_a_synonym_of_the_meta_tag(hierarchy):
    alias = Tag.objects.create(name="Coastal Stories", type=TagType.ADDITIONAL, merger=hierarchy["top"])
    expected = {hierarchy[k].id for k in ("top", "middle", "bottom", "synonym")} | {alias.id}
    assert filter_tag_ids_for_tags([alias.id]) == expected
    assert filter_tag_ids(["coastal stories"]) == {"coastal stories": expected}


def test_filter_ids_use_one_query_per_meta_level_not_per_tag(archive):
    top = canonical("Harbour Tales")
    level = [top]
    for depth in range(3):
        below = [canonical(f"Harbour Tale {depth}-{i}") for i in range(6)]
        for tag in below:
            tag.meta_tags.add(*level)
        level = below
    with CaptureQueriesContext(connection) as queries:
        ids = filter_tag_ids_for_tags([top.id])
    assert len(ids) == 1 + 18
    # name lookup, one per level (3 levels, plus the empty one that ends the walk), synonyms
    assert len(queries) <= 6
