import datetime as dt

import pytest

from fanfold.search.models import SearchDocument
from fanfold.social.models import CommentSettings, Notification
from fanfold.social.services import subscribe
from fanfold.social.tests.conftest import authored_work
from fanfold.tags import vocabulary as vocab
from fanfold.works.models import Chapter, Work

pytestmark = pytest.mark.django_db

NEW_WORK = {
    "title": "Salt on the Lantern Glass",
    "fandoms": ["Naruto"],
    "rating": vocab.TEEN,
    "warnings": [vocab.NO_WARNINGS],
    "categories": ["F/M"],
    "relationships": ["Haruno Sakura/Uchiha Sasuke"],
    "characters": ["Haruno Sakura"],
    "additional_tags": ["Slow Burn"],
    "summary": "Two keepers, one *lighthouse*.",
    "text_format": "markdown",
    "chapters_expected": 3,
    "chapters": [
        {"title": "Low Tide", "body": "<p>The tide went out.</p><script>alert(1)</script>"},
        {"body": "The tide came back.\n\nIt always does.", "text_format": "plain"},
    ],
}


def test_post_a_work_with_chapters_and_tags(api, archive, author):
    response = api.post("works", NEW_WORK, user=author)
    assert response.status_code == 201, response.content
    data = response.json()
    work = Work.objects.get()
    assert data["id"] == work.pk
    assert data == api.get(f"works/{work.pk}").json()  # the work as GET shows it
    assert data["title"] == "Salt on the Lantern Glass"
    assert data["creators"] == ["quillmoth"]
    assert data["rating"] == vocab.TEEN
    assert data["fandoms"] == ["Naruto"]
    assert data["relationships"] == ["Haruno Sakura/Uchiha Sasuke"]
    assert data["summary"] == "<p>Two keepers, one <em>lighthouse</em>.</p>"
    assert (data["chapters_posted"], data["chapters_expected"], data["complete"]) == (2, 3, False)
    first, second = data["chapters"]
    assert first["title"] == "Low Tide"
    assert "<script>" not in first["body"]
    assert "<p>It always does.</p>" in second["body"]  # plain text: paragraphs kept
    assert SearchDocument.objects.filter(work_id=work.pk).exists()  # searchable at once


def test_a_draft_is_seen_only_by_its_creator(api, author, reader):
    response = api.post("works", {**NEW_WORK, "draft": True}, user=author)
    assert response.status_code == 201
    work_id = response.json()["id"]
    assert api.get(f"works/{work_id}", user=reader).status_code == 404
    assert api.get(f"works/{work_id}", user=author).status_code == 200


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"fandoms": []}, "fandoms"),
        ({"chapters": []}, "chapters"),
        ({"chapters": [{"body": "   "}]}, "chapters.0.body"),
        ({"published": (dt.date.today() + dt.timedelta(days=3)).isoformat()}, "published"),
    ],
)
def test_bad_posts_are_400_with_the_field_and_save_nothing(api, author, change, field):
    response = api.post("works", {**NEW_WORK, **change}, user=author)
    assert response.status_code == 400, response.content
    data = response.json()
    assert data["field"] == field
    assert data["detail"] and "\n" not in data["detail"]
    assert not Work.objects.exists()
    assert not Chapter.objects.exists()


def test_schema_errors_are_400(api, author):
    missing = api.post("works", {"title": "No chapters key", "fandoms": ["Naruto"]}, user=author)
    assert missing.status_code == 400
    assert missing.json()["detail"] == ["chapters: Field required"]
    wrong = api.post("works", {**NEW_WORK, "text_format": "rtf", "bogus": 1}, user=author)
    assert wrong.status_code == 400
    assert sorted(wrong.json()["detail"]) == [
        "bogus: Extra inputs are not permitted",
        "text_format: Input should be 'html', 'markdown' or 'plain'",
    ]


def test_patch_changes_only_the_given_fields(api, author):
    work_id = api.post("works", NEW_WORK, user=author).json()["id"]
    before = api.get(f"works/{work_id}").json()
    response = api.patch(
        f"works/{work_id}",
        {
            "title": "Salt on the Harbour Glass",
            "additional_tags": ["Fluff"],
            "comment_permission": "registered",
        },
        user=author,
    )
    assert response.status_code == 200, response.content
    after = response.json()
    assert after["title"] == "Salt on the Harbour Glass"
    assert after["additional_tags"] == ["Fluff"]
    changed = {"title", "additional_tags", "updated"}
    assert {k: v for k, v in after.items() if k not in changed} == {
        k: v for k, v in before.items() if k not in changed
    }
    assert CommentSettings.objects.get(work_id=work_id).comment_permission == "registered"


def test_patch_publishes_a_draft_and_refuses_bad_values(api, author):
    work_id = api.post("works", {**NEW_WORK, "draft": True}, user=author).json()["id"]
    assert api.patch(f"works/{work_id}", {"draft": False}, user=author).status_code == 200
    assert Work.objects.get(pk=work_id).draft is False
    back = api.patch(f"works/{work_id}", {"draft": True}, user=author)
    assert back.status_code == 400
    assert back.json() == {"detail": "A posted work can't become a draft again.", "field": "draft"}
    chapters = api.patch(f"works/{work_id}", {"chapters": []}, user=author)
    assert chapters.status_code == 400
    assert chapters.json()["detail"] == ["chapters: Extra inputs are not permitted"]
    null_title = api.patch(f"works/{work_id}", {"title": None}, user=author)
    assert null_title.status_code == 400
    assert Work.objects.get(pk=work_id).title == "Salt on the Lantern Glass"


def test_delete_a_work(api, author):
    work = authored_work(author)
    response = api.delete(f"works/{work.pk}", user=author)
    assert response.status_code == 204
    assert not Work.objects.filter(pk=work.pk).exists()
    assert api.delete(f"works/{work.pk}", user=author).status_code == 404


def test_someone_elses_pseud_is_refused(api, author, other):
    theirs = other.pseuds.get().pk
    response = api.post("works", {**NEW_WORK, "pseud_ids": [theirs]}, user=author)
    assert response.status_code == 400
    assert response.json() == {"detail": "You can only post under your own pseuds.", "field": "pseud_ids"}
    huge = api.post("works", {**NEW_WORK, "pseud_ids": [10**30]}, user=author)
    assert huge.status_code == 400
    assert huge.json()["detail"][0].startswith("pseud_ids.0:")
    assert not Work.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_posting_through_the_api_tells_subscribers_but_a_draft_does_not(api, author, reader, immediate_tasks):
    subscribe(reader, creator=author)
    assert api.post("works", {**NEW_WORK, "draft": True}, user=author).status_code == 201
    assert not Notification.objects.filter(user=reader).exists()
    assert api.post("works", NEW_WORK, user=author).status_code == 201
    notice = Notification.objects.get(user=reader)
    assert notice.kind == Notification.Kind.NEW_WORK
