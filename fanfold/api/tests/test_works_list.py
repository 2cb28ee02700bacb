import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fanfold.tags import vocabulary as vocab
from fanfold.works.tests.factories import chapter, make_work

pytestmark = pytest.mark.django_db

FACET_KEYS = {"rating", "warnings", "categories", "fandoms", "relationships", "characters", "additional_tags"}
RESULT_KEYS = {
    "id", "title", "creators", "rating", "warnings", "categories", "fandoms", "relationships",
    "characters", "additional_tags", "language", "summary", "word_count", "chapters",
    "chapters_posted", "chapters_expected", "complete", "published", "updated", "kudos", "hits",
    "bookmarks", "comments", "url",
}  # fmt: skip


def listing(client, params=None, status=200):
    response = client.get("/api/v1/works", params or {})
    assert response.status_code == status, response.content
    return response.json()


def naruto_work(**overrides):
    fields = {
        "fandoms": ["Naruto"],
        "categories": ["F/M"],
        "relationships": ["Haruno Sakura/Uchiha Sasuke"],
        "characters": ["Haruno Sakura", "Uchiha Sasuke"],
        "additional_tags": ["Angst"],
    }
    fields.update(overrides)
    return make_work(**fields)


def test_list_shape(client, archive):
    work = naruto_work(
        title="Cherry Blossom Season",
        rating=vocab.TEEN,
        complete=False,
        chapters_expected=None,
        chapters=[chapter(), chapter()],
        updated=dt.date(2024, 5, 1),
    )
    make_work(title="Members Only", restricted=True)
    make_work(title="Unfinished Draft", draft=True)

    data = listing(client)

    assert data["count"] == 1
    assert data["page"] == 1
    assert data["num_pages"] == 1
    (result,) = data["results"]
    assert set(result) == RESULT_KEYS  # no "snippet" without q
    assert result["id"] == work.pk
    assert result["title"] == "Cherry Blossom Season"
    assert result["creators"] == ["tidewriter"]
    assert result["rating"] == vocab.TEEN
    assert result["fandoms"] == ["Naruto"]
    assert result["relationships"] == ["Haruno Sakura/Uchiha Sasuke"]
    assert result["characters"] == ["Haruno Sakura", "Uchiha Sasuke"]
    assert result["chapters"] == "2/?"
    assert (result["chapters_posted"], result["chapters_expected"]) == (2, None)
    assert result["updated"] == "2024-05-01"
    assert result["url"] == f"/works/{work.pk}/"
    assert set(data["facets"]) == FACET_KEYS
    assert {"name": "Naruto", "count": 1, "state": ""} in data["facets"]["fandoms"]
    assert data["facets"]["rating"] == [{"name": vocab.TEEN, "count": 1, "state": ""}]


def test_logged_in_reader_sees_restricted_works(client, reader, archive):
    make_work(title="Open Water")
    make_work(title="Members Only", restricted=True)
    assert listing(client)["count"] == 1
    client.force_login(reader)
    assert {r["title"] for r in listing(client)["results"]} == {"Open Water", "Members Only"}


def test_include_and_exclude_by_tag_name(client, archive):
    naruto_work(title="Angsty")
    naruto_work(title="Fluffy", additional_tags=["Fluff"])
    make_work(title="Elsewhere")

    def titles(params):
        return sorted(r["title"] for r in listing(client, params)["results"])

    assert titles({"include": "Naruto"}) == ["Angsty", "Fluffy"]
    assert titles({"include": "Sakura Haruno"}) == ["Angsty", "Fluffy"]  # a synonym
    assert titles({"include": "Naruto,Angst"}) == ["Angsty"]  # comma-separated
    assert titles({"include": ["Naruto", "Angst"]}) == ["Angsty"]  # repeated
    assert titles({"include": "Naruto", "exclude": "Angst"}) == ["Fluffy"]
    data = listing(client, {"include": "Naruto", "exclude": "Angst"})
    assert {"name": "Angst", "count": 0, "state": "exclude"} in data["facets"]["additional_tags"]
    assert {"name": "Naruto", "count": 1, "state": "include"} in data["facets"]["fandoms"]


def test_search_gives_snippets(client, archive):
    make_work(title="Lanterns", chapters=[chapter("<p>The paper lanterns drifted over the harbour.</p>")])
    make_work(title="Kettles")
    data = listing(client, {"q": "lanterns"})
    (result,) = data["results"]
    assert result["title"] == "Lanterns"
    assert "<mark>" in result["snippet"]


def test_other_parameters(client, archive):
    make_work(title="Short", word_count=100, complete=True)
    make_work(title="Long", word_count=50_000, complete=False, rating=vocab.EXPLICIT)
    assert [r["title"] for r in listing(client, {"words_from": "1,000"})["results"]] == ["Long"]
    assert [r["title"] for r in listing(client, {"complete": "true"})["results"]] == ["Short"]
    assert [r["title"] for r in listing(client, {"rating": "explicit"})["results"]] == ["Long"]
    assert [r["title"] for r in listing(client, {"sort": "words"})["results"]] == ["Long", "Short"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"page": "two"}, "page: 'two' is not a whole number"),
        ({"sort": "random"}, "sort: 'random' is not one of"),
        ({"rating": "PG"}, "rating: 'PG' is not one of"),
        ({"updated_from": "yesterday"}, "updated_from: 'yesterday' is not a date"),
        ({"complete": "maybe"}, "complete: 'maybe' is not true or false"),
        ({"crossover": "sometimes"}, "crossover: 'sometimes' is not include, exclude or only"),
    ],
)
def test_bad_parameters_are_a_400_with_the_listings_messages(client, archive, params, message):
    data = listing(client, params, status=400)
    assert isinstance(data["detail"], list)
    assert data["detail"][0].startswith(message)


def test_every_bad_parameter_is_reported(client, archive):
    data = listing(client, {"page": "0", "words_to": "-5"}, status=400)
    assert len(data["detail"]) == 2


def test_listing_queries_do_not_grow_with_works(client, archive):
    def queries_for_listing(expected):
        with CaptureQueriesContext(connection) as queries:
            data = listing(client, {"include": "Naruto"})
        assert len(data["results"]) == expected
        return len(queries)

    def add(works, start):
        for i in range(start, start + works):
            naruto_work(title=f"Work {i}", creators=[f"writer{i}", "shared"], gifts=[f"friend{i}"])

    add(3, 0)
    three = queries_for_listing(3)
    add(9, 3)
    assert queries_for_listing(12) == three


def test_unknown_tag_names_are_reported(client, archive):
    naruto_work()
    body = listing(client, {"include": "Naruto", "exclude": "No Such Tag Anywhere"})
    assert body["count"] == 1
    assert body["unknown_tags"] == ["No Such Tag Anywhere"]
    assert listing(client, {"include": "Also Not A Tag"})["count"] == 0
