import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fanfold.tags.models import Tag
from fanfold.works.tests.factories import make_work

pytestmark = pytest.mark.django_db

SASUSAKU = "Haruno Sakura/Uchiha Sasuke"


def naruto_work(**overrides):
    fields = {
        "fandoms": ["Naruto"],
        "categories": ["F/M"],
        "relationships": [SASUSAKU],
        "characters": ["Haruno Sakura", "Uchiha Sasuke"],
        "additional_tags": [],
    }
    fields.update(overrides)
    return make_work(**fields)


def lookup(client, **params):
    response = client.get("/api/v1/tags", params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_prefix_match_on_canonical_names(client, archive):
    results = lookup(client, q="haru", type="character")
    assert results[0] == {
        "name": "Haruno Sakura",
        "type": "character",
        "canonical": True,
        "matched": "Haruno Sakura",
        "fandoms": ["Naruto"],
        "works": 0,
    }
    assert all(r["canonical"] for r in results)


def test_word_start_match(client, archive):
    names = [r["name"] for r in lookup(client, q="sasuke", type="character")]
    assert "Uchiha Sasuke" in names


def test_synonym_resolves_to_its_canonical_tag(client, archive):
    results = lookup(client, q="Sakura Haruno")
    assert results[0]["name"] == "Haruno Sakura"
    assert results[0]["matched"] == "Sakura Haruno"
    assert results[0]["type"] == "character"


def test_synonym_prefix_match_names_the_synonym(client, archive):
    results = lookup(client, q="sakura har", type="character")
    assert [(r["name"], r["matched"]) for r in results] == [("Haruno Sakura", "Sakura Haruno")]


def test_ship_shorthand(client, archive):
    results = lookup(client, q="SasuSaku")
    assert results[0]["name"] == SASUSAKU
    assert results[0]["type"] == "relationship"
    assert results[0]["matched"] == "SasuSaku"
    assert results[0]["fandoms"] == ["Naruto"]


def test_resolver_understands_what_no_tag_is_named(client, archive):
    assert not Tag.objects.filter(name_key__contains="sasukexsakura").exists()
    results = lookup(client, q="SasukexSakura")
    assert results[0]["name"] == SASUSAKU
    assert results[0]["matched"] == "SasukexSakura"


def test_resolver_results_exist_as_tags(client, archive):
    # "KakaIno" resolves to a composed name that no tag has: nothing to return.
    assert lookup(client, q="KakaIno", type="relationship") == []


def test_work_counts_include_synonyms_and_respect_visibility(client, reader, staff, archive):
    naruto_work()
    naruto_work(relationships=["Sakura/Sasuke"])  # a synonym: counts for the canonical tag
    naruto_work(relationships=[SASUSAKU, "SasuSaku"])  # both: still one work
    naruto_work(restricted=True)
    naruto_work(draft=True)

    def count(user=None):
        client.logout()
        if user:
            client.force_login(user)
        return next(r for r in lookup(client, q=SASUSAKU) if r["name"] == SASUSAKU)["works"]

    assert count() == 3
    assert count(reader) == 4
    assert count(staff) == 4  # staff see hidden works too, but drafts are never listed or counted


def test_exact_first_then_most_used(client, archive):
    naruto_work(characters=["Uchiha Itachi"])
    naruto_work(characters=["Uchiha Itachi"])
    naruto_work(characters=["Uchiha Sasuke"])
    results = lookup(client, q="Uchiha", type="character")
    names = [r["name"] for r in results]
    assert names[:2] == ["Uchiha Itachi", "Uchiha Sasuke"]
    assert [r["works"] for r in results[:2]] == [2, 1]

    exact = lookup(client, q="Uchiha Sasuke")
    assert exact[0]["name"] == "Uchiha Sasuke"


def test_type_filter_and_limit(client, archive):
    results = lookup(client, q="a", type="fandom", limit=3)
    assert len(results) == 3
    assert {r["type"] for r in results} == {"fandom"}
    assert len(lookup(client, q="a", limit=500)) == 50


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "q: "),
        ({"q": "   "}, "q: "),
        ({"q": "x" * 151}, "q: at most 150"),
    ],
)
def test_empty_or_long_q_is_a_400(client, archive, params, message):
    response = client.get("/api/v1/tags", params)
    assert response.status_code == 400
    assert response.json()["detail"].startswith(message)


@pytest.mark.parametrize(
    ("params", "field"), [({"q": "a", "type": "planet"}, "type"), ({"q": "a", "limit": "x"}, "limit")]
)
def test_bad_parameters_are_a_json_400(client, archive, params, field):
    response = client.get("/api/v1/tags", params)
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert isinstance(detail, list)
    assert detail[0].startswith(f"{field}: ")


def test_queries_do_not_grow_with_results(client, archive):
    for _ in range(3):
        naruto_work()
    lookup(client, q="Naruto")  # builds the resolver once
    with CaptureQueriesContext(connection) as few:
        assert len(lookup(client, q="Hatake Kakashi", type="character")) == 1
    with CaptureQueriesContext(connection) as many:
        assert len(lookup(client, q="a", limit=50)) == 50
    # Exact-name lookup, resolver names, the ranked matches with their counts, fandoms, the index check.
    assert len(few) <= 5
    assert len(many) <= 5


def test_resolver_is_cached_between_requests(client, archive, django_assert_max_num_queries):
    lookup(client, q="Sakura")
    with django_assert_max_num_queries(6):
        lookup(client, q="Kakashi")


def test_many_candidates_are_counted_the_same_way(client, archive, monkeypatch):
    from fanfold.api import tags

    naruto_work()
    naruto_work(relationships=["SasuSaku"])
    naruto_work(draft=True)
    expected = lookup(client, q="Haruno")
    monkeypatch.setattr(tags, "_MAX_COUNTED_IDS", 1)  # count every tag in one aggregate instead
    assert lookup(client, q="Haruno") == expected
    assert next(r for r in expected if r["name"] == SASUSAKU)["works"] == 2
