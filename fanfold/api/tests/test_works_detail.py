import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fanfold.tags import vocabulary as vocab
from fanfold.works.models import Work
from fanfold.works.tests.factories import chapter, collection, make_work, series

pytestmark = pytest.mark.django_db


def rich_work(**overrides):
    fields = {
        "title": "The Cartographer's Apprentice",
        "creators": ["inkwell_fox", "brambleby"],
        "rating": vocab.TEEN,
        "warnings": [vocab.VIOLENCE, vocab.CHARACTER_DEATH],
        "categories": ["F/M", "Gen"],
        "fandoms": ["Glasswing Saga (Original Work)"],
        "relationships": ["Wren Alder/Tobias Fenn"],
        "characters": ["Wren Alder", "Tobias Fenn"],
        "additional_tags": ["Slow Burn", "Map Making"],
        "summary": "<p>Wren draws the <em>edges</em> of the world.</p>",
        "notes": "<p>For the autumn exchange.</p>",
        "end_notes": "<p>Thank you for reading.</p>",
        "series": [series("Ink and Compass", 2)],
        "collections": [collection("Whumptober 2024", 24, "One down, two to go"), collection("Maps")],
        "gifts": ["misschih", "pell"],
        "chapters": [
            chapter("<p>The coast bends.</p>", title="Shoreline", summary="<p>One.</p>", word_count=3),
            chapter(
                "<p>The river forks.</p>",
                notes="<p>Note on two.</p>",
                end_notes="<p>End of two.</p>",
                word_count=3,
            ),
        ],
        "word_count": 6,
        "complete": False,
        "chapters_expected": 5,
        "published": dt.date(2024, 3, 1),
        "updated": dt.date(2024, 3, 9),
        "language": "en",
        "source_format": "ao3_html",
    }
    fields.update(overrides)
    return make_work(**fields)


def test_work_detail_fields(client, archive):
    work = rich_work()
    Work.objects.filter(pk=work.pk).update(kudos_count=7, hits=120, bookmarks_count=3, comments_count=2)

    response = client.get(f"/api/v1/works/{work.pk}")

    assert response.status_code == 200
    data = response.json()
    chapters = data.pop("chapters")
    assert data == {
        "id": work.pk,
        "title": "The Cartographer's Apprentice",
        "creators": ["inkwell_fox", "brambleby"],
        "rating": vocab.TEEN,
        "warnings": [vocab.VIOLENCE, vocab.CHARACTER_DEATH],  # AO3's order, not the order given
        "categories": ["Gen", "F/M"],
        "fandoms": ["Glasswing Saga (Original Work)"],
        "relationships": ["Wren Alder/Tobias Fenn"],
        "characters": ["Tobias Fenn", "Wren Alder"],
        "additional_tags": ["Map Making", "Slow Burn"],
        "language": "en",
        "summary": "<p>Wren draws the <em>edges</em> of the world.</p>",
        "word_count": 6,
        "chapters_posted": 2,
        "chapters_expected": 5,
        "complete": False,
        "published": "2024-03-01",
        "updated": "2024-03-09",
        "kudos": 7,
        "hits": 120,
        "bookmarks": 3,
        "comments": 2,
        "url": f"/works/{work.pk}/",
        "series": [{"id": work.series_memberships.get().series_id, "name": "Ink and Compass", "position": 2}],
        "collections": [
            {"name": "maps", "title": "Maps", "prompt": None},
            {
                "name": "whumptober-2024",
                "title": "Whumptober 2024",
                "prompt": {"day": 24, "text": "One down, two to go", "tags": []},
            },
        ],
        "gifts": ["misschih", "pell"],
        "notes": "<p>For the autumn exchange.</p>",
        "end_notes": "<p>Thank you for reading.</p>",
        "source_format": "ao3_html",
    }
    assert chapters == [
        {
            "position": 1,
            "title": "Shoreline",
            "summary": "<p>One.</p>",
            "notes": "",
            "end_notes": "",
            "word_count": 3,
            "body": "<p>The coast bends.</p>",
        },
        {
            "position": 2,
            "title": "",
            "summary": "",
            "notes": "<p>Note on two.</p>",
            "end_notes": "<p>End of two.</p>",
            "word_count": 3,
            "body": "<p>The river forks.</p>",
        },
    ]


def test_work_detail_queries_do_not_grow_with_chapters(client, archive):
    short = rich_work(chapters=[chapter()])
    long = rich_work(chapters=[chapter(f"<p>Part {i}.</p>") for i in range(12)])
    with CaptureQueriesContext(connection) as one:
        assert client.get(f"/api/v1/works/{short.pk}").status_code == 200
    with CaptureQueriesContext(connection) as twelve:
        assert client.get(f"/api/v1/works/{long.pk}").status_code == 200
    assert len(one) == len(twelve)


@pytest.mark.parametrize("flags", [{"draft": True}, {"hidden_by_admin": True}])
def test_drafts_and_hidden_works_are_not_found(client, reader, archive, flags):
    work = make_work(**flags)
    for user in (None, reader):
        if user:
            client.force_login(user)
        response = client.get(f"/api/v1/works/{work.pk}")
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found"}


def test_hidden_and_missing_works_look_the_same(client, archive):
    hidden = make_work(draft=True)
    missing = client.get(f"/api/v1/works/{hidden.pk + 1000}")
    assert client.get(f"/api/v1/works/{hidden.pk}").content == missing.content


def test_restricted_work_is_for_logged_in_readers(client, reader, archive):
    work = make_work(restricted=True)
    assert client.get(f"/api/v1/works/{work.pk}").status_code == 404
    client.force_login(reader)
    response = client.get(f"/api/v1/works/{work.pk}")
    assert response.status_code == 200
    assert response.json()["id"] == work.pk


def test_staff_see_drafts(client, staff, archive):
    work = make_work(draft=True)
    client.force_login(staff)
    assert client.get(f"/api/v1/works/{work.pk}").status_code == 200


@pytest.mark.parametrize("work_id", ["0", "-1", "99999999999999999999999"])
def test_impossible_ids_are_not_found(client, archive, work_id):
    response = client.get(f"/api/v1/works/{work_id}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found"}


def test_non_numeric_id_is_a_json_400(client, archive):
    response = client.get("/api/v1/works/abc")
    assert response.status_code == 400
    assert response.json()["detail"][0].startswith("work_id:")
