import pytest

from fanfold.core.ratelimit import Rate
from fanfold.social.models import Comment, CommentPermission
from fanfold.social.services import (
    block_user,
    delete_comment,
    freeze_thread,
    mute_user,
    post_comment,
    update_comment_settings,
)
from fanfold.social.tests.conftest import authored_work
from fanfold.works.tests.factories import chapter

pytestmark = pytest.mark.django_db

GUEST = {"name": "Heron Watcher", "email": "heron@example.org"}


def comment(api, work, body="Lovely lighthouse.", **kwargs):
    payload = {"body": body}
    payload.update(kwargs.pop("fields", {}))
    return api.post(f"works/{work.pk}/comments", payload, **kwargs)


def test_a_user_comments_and_the_comment_is_listed(api, work, reader):
    response = comment(api, work, "The storm scene!", user=reader)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["body"] == "<p>The storm scene!</p>"
    assert data["author"] == "reader"
    assert (data["parent_id"], data["depth"], data["chapter"]) == (None, 0, None)
    assert data["status"] == "published"
    listing = api.get(f"works/{work.pk}/comments").json()
    assert listing["count"] == 1
    assert listing["results"][0]["id"] == data["id"]


def test_a_guest_comments_with_name_and_email(api, work):
    response = comment(api, work, fields=GUEST)
    assert response.status_code == 201
    assert response.json()["author"] == "Heron Watcher"
    assert response.json()["guest"] is True
    listed = api.get(f"works/{work.pk}/comments").json()["results"][0]
    assert "heron@example.org" not in str(listed)  # a guest's email is never shown


def test_a_guest_without_name_gets_a_400(api, work):
    response = comment(api, work)
    assert response.status_code == 400
    assert response.json() == {"detail": "Please give a name and an email address to comment as a guest."}
    assert Comment.objects.count() == 0


def test_empty_and_too_long_comments_are_400(api, work, reader):
    empty = comment(api, work, "   ", user=reader)
    assert empty.status_code == 400
    assert empty.json() == {"detail": "Your comment is empty."}
    long = comment(api, work, "word " * 3000, user=reader)
    assert long.status_code == 400
    assert "at most 10,000 characters" in long.json()["detail"]


def test_replies_and_chapters(api, author, reader, other):
    work = authored_work(author, chapters=[chapter(), chapter("<p>Second.</p>")])
    top = comment(api, work, "On chapter two.", user=reader, fields={"chapter": 2}).json()
    assert top["chapter"] == 2
    reply = comment(api, work, "Agreed.", user=other, fields={"parent_id": top["id"]})
    assert reply.status_code == 201
    assert reply.json()["parent_id"] == top["id"]
    assert reply.json()["chapter"] == 2  # a reply is on its parent's chapter
    missing_chapter = comment(api, work, user=reader, fields={"chapter": 9})
    assert missing_chapter.status_code == 400
    assert missing_chapter.json() == {"detail": "chapter: this work has no chapter 9."}
    elsewhere = authored_work(author)
    stray = comment(api, elsewhere, user=reader, fields={"parent_id": top["id"]})
    assert stray.status_code == 400
    assert stray.json()["detail"].startswith("parent_id:")


def test_the_list_is_threaded_depth_first(api, work, reader, other):
    first = post_comment(work, "First thread.", user=reader)
    second = post_comment(work, "Second thread.", user=other)
    reply = post_comment(work, "Reply to first.", user=other, parent=first)
    deeper = post_comment(work, "Reply to the reply.", user=reader, parent=reply)
    results = api.get(f"works/{work.pk}/comments").json()["results"]
    assert [(r["id"], r["parent_id"], r["depth"]) for r in results] == [
        (first.pk, None, 0),
        (reply.pk, first.pk, 1),
        (deeper.pk, reply.pk, 2),
        (second.pk, None, 0),
    ]


def test_pages_hold_twenty_threads_with_their_replies(api, work, reader, other, settings):
    settings.FANFOLD_RATE_LIMITS_ENABLED = False
    threads = [post_comment(work, f"Thread {n}.", user=reader) for n in range(21)]
    post_comment(work, "A reply on page one.", user=other, parent=threads[0])
    first = api.get(f"works/{work.pk}/comments").json()
    assert (first["count"], first["num_pages"]) == (22, 2)
    assert len(first["results"]) == 21  # 20 threads and one reply
    second = api.get(f"works/{work.pk}/comments", {"page": 2}).json()
    assert [r["id"] for r in second["results"]] == [threads[20].pk]
    assert api.get(f"works/{work.pk}/comments", {"page": 3}).json()["results"] == []
    bad = api.get(f"works/{work.pk}/comments", {"page": "0"})
    assert bad.status_code == 400
    assert bad.json()["detail"][0].startswith("page:")


def test_pending_comments_are_not_listed_and_deleted_ones_are_placeholders(api, author, reader, other):
    work = authored_work(author)
    kept = post_comment(work, "Kept as a placeholder.", user=reader)
    post_comment(work, "A reply keeps it.", user=other, parent=kept)
    delete_comment(reader, kept)
    update_comment_settings(author, work, moderate_comments=True)
    pending = comment(api, work, "Waiting.", user=other)
    assert pending.status_code == 201
    assert pending.json()["status"] == "pending"
    results = api.get(f"works/{work.pk}/comments").json()["results"]
    placeholder = {key: results[0][key] for key in ("id", "deleted", "body", "author")}
    assert placeholder == {"id": kept.pk, "deleted": True, "body": "", "author": ""}
    assert pending.json()["id"] not in [r["id"] for r in results]


def test_muted_users_comments_are_left_out_for_the_muter(api, work, reader, other):
    post_comment(work, "From the muted one.", user=other)
    post_comment(work, "From someone else.", user=reader)
    mute_user(reader, other)
    assert api.get(f"works/{work.pk}/comments", user=reader).json()["count"] == 1
    assert api.get(f"works/{work.pk}/comments").json()["count"] == 2


@pytest.mark.parametrize(
    ("permission", "user_status", "guest_status", "message"),
    [
        (CommentPermission.NOBODY, 403, 403, "Comments are turned off on this work."),
        (CommentPermission.REGISTERED, 201, 403, "Only logged-in users can comment on this work."),
    ],
)
def test_comment_permissions(api, author, reader, permission, user_status, guest_status, message):
    work = authored_work(author)
    update_comment_settings(author, work, comment_permission=permission)
    assert comment(api, work, user=reader).status_code == user_status
    response = comment(api, work, fields=GUEST)
    assert response.status_code == guest_status
    assert response.json() == {"detail": message}


def test_blocked_user_and_frozen_thread_are_403(api, work, author, reader, other):
    top = post_comment(work, "Top.", user=other)
    freeze_thread(author, top)
    frozen = comment(api, work, user=reader, fields={"parent_id": top.pk})
    assert frozen.status_code == 403
    assert "frozen" in frozen.json()["detail"]
    block_user(author, reader)
    blocked = comment(api, work, user=reader)
    assert blocked.status_code == 403
    assert "blocked" in blocked.json()["detail"]


def test_rate_limit_is_a_429(api, work, reader, settings):
    settings.FANFOLD_RATE_LIMITS = {"comment": (None, Rate(1, 60))}
    assert comment(api, work, user=reader).status_code == 201
    response = comment(api, work, "Again.", user=reader)
    assert response.status_code == 429
    assert response.json()["detail"].startswith("Too many comments")
    assert int(response["Retry-After"]) > 0
    assert Comment.objects.count() == 1


def test_unknown_fields_and_wrong_types_are_400(api, work, reader):
    typo = comment(api, work, user=reader, fields={"bdy": "oops"})
    assert typo.status_code == 400
    assert typo.json()["detail"] == ["bdy: Extra inputs are not permitted"]
    wrong = api.post(f"works/{work.pk}/comments", {"body": 12}, user=reader)
    assert wrong.status_code == 400
    assert wrong.json()["detail"][0].startswith("body:")


@pytest.mark.parametrize("field", ["chapter", "parent_id"])
def test_impossible_ids_are_a_400_not_a_crash(api, work, reader, field):
    response = comment(api, work, user=reader, fields={field: 10**30})
    assert response.status_code == 400
    assert response.json()["detail"][0].startswith(f"{field}:")
