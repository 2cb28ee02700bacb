import pytest
from django.contrib.auth.models import AnonymousUser

from fanfold.core.permissions import can_delete_bookmark, can_edit_bookmark, can_view_bookmark
from fanfold.social.models import Bookmark, MarkedForLater
from fanfold.social.services import (
    BookmarkRefused,
    create_bookmark,
    delete_bookmark,
    toggle_marked_for_later,
    update_bookmark,
)

from .conftest import authored_work

pytestmark = pytest.mark.django_db


def count(work):
    work.refresh_from_db()
    return work.bookmarks_count


def test_a_bookmark_with_notes_and_own_tags(work, reader):
    bookmark = create_bookmark(
        reader,
        work,
        notes="Read this *twice*.",
        tags="comfort,  Slow Burn , comfort",
        rec=True,
    )
    assert bookmark.tags == ["comfort", "Slow Burn"]
    assert bookmark.notes == "<p>Read this <em>twice</em>.</p>"
    assert bookmark.rec and not bookmark.private
    assert count(work) == 1
    assert list(Bookmark.objects.with_tag("Slow Burn")) == [bookmark]
    assert list(Bookmark.objects.recs()) == [bookmark]


def test_html_notes_are_sanitised(work, reader):
    bookmark = create_bookmark(reader, work, notes="<p>Keep <i>this</i></p><script>alert(1)</script>")
    assert bookmark.notes == "<p>Keep <i>this</i></p>"


def test_one_bookmark_per_user_and_work(work, reader):
    create_bookmark(reader, work)
    with pytest.raises(BookmarkRefused, match="already bookmarked"):
        create_bookmark(reader, work)
    assert count(work) == 1


def test_guests_cannot_bookmark(work):
    with pytest.raises(BookmarkRefused, match="log in"):
        create_bookmark(AnonymousUser(), work)


def test_bookmarks_count_public_bookmarks_only(work, reader, other):
    private = create_bookmark(reader, work, private=True)
    assert count(work) == 0
    public = create_bookmark(other, work)
    assert count(work) == 1
    update_bookmark(reader, private, private=False)
    assert count(work) == 2
    update_bookmark(other, public, private=True)
    assert count(work) == 1
    delete_bookmark(reader, private)
    assert count(work) == 0
    delete_bookmark(other, public)
    assert count(work) == 0


def test_private_bookmarks_are_seen_by_their_owner_only(work, author, reader, other, staff):
    private = create_bookmark(reader, work, private=True)
    public = create_bookmark(other, work)
    assert set(Bookmark.objects.visible_to(reader)) == {private, public}
    for viewer in (None, AnonymousUser(), author, other, staff):
        assert list(Bookmark.objects.visible_to(viewer)) == [public]
        assert not can_view_bookmark(viewer, private)
    assert can_view_bookmark(reader, private)


def test_bookmarks_of_works_one_cannot_see_are_hidden(author, reader):
    restricted = authored_work(author, restricted=True)
    bookmark = create_bookmark(reader, restricted)
    assert not Bookmark.objects.visible_to(None).exists()
    assert list(Bookmark.objects.visible_to(reader)) == [bookmark]
    draft = authored_work(author, draft=True)
    with pytest.raises(BookmarkRefused, match="not available"):
        create_bookmark(reader, draft)


def test_only_the_owner_edits_and_owner_or_staff_delete(work, reader, other, staff):
    bookmark = create_bookmark(reader, work)
    assert can_edit_bookmark(reader, bookmark) and not can_edit_bookmark(other, bookmark)
    assert not can_edit_bookmark(staff, bookmark)
    with pytest.raises(BookmarkRefused, match="your own bookmarks"):
        update_bookmark(other, bookmark, notes="mine now")
    with pytest.raises(BookmarkRefused, match="your own bookmarks"):
        delete_bookmark(other, bookmark)
    update_bookmark(reader, bookmark, notes="Changed", tags=["new"])
    bookmark.refresh_from_db()
    assert bookmark.notes == "<p>Changed</p>" and bookmark.tags == ["new"]
    assert can_delete_bookmark(staff, bookmark)
    delete_bookmark(staff, bookmark)
    assert not Bookmark.objects.exists()


def test_bad_bookmark_input_is_refused_with_a_message(work, reader):
    with pytest.raises(BookmarkRefused, match="at most 150 characters"):
        create_bookmark(reader, work, tags=["x" * 151])
    with pytest.raises(BookmarkRefused, match="at most 75 tags"):
        create_bookmark(reader, work, tags=[f"t{i}" for i in range(76)])
    with pytest.raises(BookmarkRefused, match="at most 5,000 characters"):
        create_bookmark(reader, work, notes="x" * 5001)
    assert not Bookmark.objects.exists()


def test_marked_for_later_toggles(work, reader, author):
    assert toggle_marked_for_later(reader, work) is True
    assert MarkedForLater.objects.filter(user=reader, work=work).exists()
    assert toggle_marked_for_later(reader, work) is False
    assert not MarkedForLater.objects.exists()
    with pytest.raises(BookmarkRefused, match="log in"):
        toggle_marked_for_later(None, work)
    draft = authored_work(author, draft=True)
    with pytest.raises(BookmarkRefused, match="not available"):
        toggle_marked_for_later(reader, draft)
