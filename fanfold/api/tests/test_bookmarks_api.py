import pytest

from fanfold.accounts.models import User
from fanfold.social.models import Bookmark
from fanfold.social.services import create_bookmark, mute_user
from fanfold.social.tests.conftest import authored_work

pytestmark = pytest.mark.django_db


def test_create_a_bookmark(api, work, reader):
    response = api.post(
        "bookmarks",
        {
            "work_id": work.pk,
            "notes": "Read in one sitting.",
            "tags": ["comfort", " Comfort ", "sea"],
            "rec": True,
        },
        user=reader,
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["work_id"] == work.pk
    assert data["work_title"] == "The Lighthouse Ledger"
    assert data["work_url"] == f"/works/{work.pk}/"
    assert data["user"] == "reader"
    assert data["notes"] == "<p>Read in one sitting.</p>"
    assert data["tags"] == ["comfort", "sea"]
    assert (data["rec"], data["private"]) == (True, False)
    work.refresh_from_db()
    assert work.bookmarks_count == 1


def test_a_second_bookmark_of_the_same_work_is_409(api, work, reader):
    assert api.post("bookmarks", {"work_id": work.pk}, user=reader).status_code == 201
    again = api.post("bookmarks", {"work_id": work.pk, "notes": "Twice"}, user=reader)
    assert again.status_code == 409
    assert again.json()["detail"].startswith("You have already bookmarked this work")
    assert Bookmark.objects.count() == 1


def test_bad_input_is_400_and_unseen_works_404(api, author, reader):
    work = authored_work(author)
    too_long = api.post("bookmarks", {"work_id": work.pk, "tags": ["x" * 151]}, user=reader)
    assert too_long.status_code == 400
    assert "at most 150 characters" in too_long.json()["detail"]
    draft = authored_work(author, draft=True)
    assert api.post("bookmarks", {"work_id": draft.pk}, user=reader).status_code == 404
    assert api.post("bookmarks", {"work_id": 10**30}, user=reader).status_code == 404  # no such work
    assert Bookmark.objects.count() == 0


def test_own_list_includes_private_and_others_see_public_only(api, author, reader, other):
    public = authored_work(author, title="Public Pick")
    secret = authored_work(author, title="Secret Pick")
    create_bookmark(reader, public, rec=True)
    create_bookmark(reader, secret, private=True)

    own = api.get("bookmarks", user=reader).json()
    assert own["count"] == 2
    assert {b["work_title"] for b in own["results"]} == {"Public Pick", "Secret Pick"}

    seen_by_other = api.get("bookmarks", {"user": "reader"}, user=other).json()
    assert [b["work_title"] for b in seen_by_other["results"]] == ["Public Pick"]
    assert api.get("bookmarks", {"user": "reader"}).json()["count"] == 1  # a guest

    missing = api.get("bookmarks", {"user": "nobody-by-that-name"})
    assert missing.status_code == 404
    assert missing.json() == {"detail": "There is no user named 'nobody-by-that-name'."}


def test_a_restricted_works_bookmark_is_hidden_from_guests(api, author, reader):
    create_bookmark(reader, authored_work(author, restricted=True))
    assert api.get("bookmarks", {"user": "reader"}).json()["count"] == 0
    assert api.get("bookmarks", {"user": "reader"}, user=author).json()["count"] == 1


def test_muting_hides_bookmarks_for_the_muter(api, author, reader, other):
    by_author = authored_work(author, title="By The Muted Author")
    by_other = authored_work(other, title="By Someone Else")
    create_bookmark(reader, by_author)
    create_bookmark(reader, by_other)
    create_bookmark(author, by_other)
    viewer = User.objects.create_user("lookout")
    mute_user(viewer, author)
    listed = api.get("bookmarks", {"user": "reader"}, user=viewer).json()
    assert [b["work_title"] for b in listed["results"]] == ["By Someone Else"]  # a muted creator's work
    assert (
        api.get("bookmarks", {"user": author.username}, user=viewer).json()["count"] == 0
    )  # muted bookmarker
    assert api.get("bookmarks", {"user": "reader"}, user=other).json()["count"] == 2


def test_list_pages(api, author, reader):
    for n in range(21):
        create_bookmark(reader, authored_work(author, title=f"Tide Table {n}"))
    first = api.get("bookmarks", user=reader).json()
    assert (first["count"], first["num_pages"], len(first["results"])) == (21, 2, 20)
    second = api.get("bookmarks", {"page": 2}, user=reader).json()
    assert len(second["results"]) == 1
    assert {b["id"] for b in first["results"]}.isdisjoint(b["id"] for b in second["results"])


def test_patch_changes_only_the_given_fields(api, work, reader):
    bookmark = create_bookmark(reader, work, notes="Keep me.", tags=["sea"], rec=True)
    response = api.patch(f"bookmarks/{bookmark.pk}", {"private": True}, user=reader)
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["notes"], data["tags"], data["rec"], data["private"]) == (
        "<p>Keep me.</p>",
        ["sea"],
        True,
        True,
    )
    work.refresh_from_db()
    assert work.bookmarks_count == 0  # private bookmarks are not counted
    response = api.patch(f"bookmarks/{bookmark.pk}", {"tags": [], "notes": ""}, user=reader)
    assert (response.json()["tags"], response.json()["notes"]) == ([], "")
    bad = api.patch(f"bookmarks/{bookmark.pk}", {"tags": ["y" * 200]}, user=reader)
    assert bad.status_code == 400
    assert bad.json()["detail"].startswith("A bookmark tag can be at most")


def test_delete(api, work, reader):
    bookmark = create_bookmark(reader, work)
    response = api.delete(f"bookmarks/{bookmark.pk}", user=reader)
    assert response.status_code == 204
    assert response.content == b""
    assert not Bookmark.objects.exists()
    work.refresh_from_db()
    assert work.bookmarks_count == 0
    assert api.delete(f"bookmarks/{bookmark.pk}", user=reader).status_code == 404


def test_someone_elses_private_bookmark_is_not_found(api, work, reader, other, staff):
    bookmark = create_bookmark(reader, work, private=True)
    for user in (other, staff):
        assert api.patch(f"bookmarks/{bookmark.pk}", {"rec": True}, user=user).status_code == 404
        assert api.delete(f"bookmarks/{bookmark.pk}", user=user).status_code == 404
    assert Bookmark.objects.filter(rec=False).count() == 1
