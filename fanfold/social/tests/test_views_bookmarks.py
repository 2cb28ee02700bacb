"""Bookmarks: the form on the work page, the listings and their filters, who sees what."""

import pytest
from django.urls import reverse

from fanfold.social.models import Bookmark
from fanfold.social.services import create_bookmark, mute_user

from .conftest import HTMX, authored_work, page_text

pytestmark = pytest.mark.django_db


def listing(client, **params):
    return page_text(client.get(reverse("social:bookmarks"), params))


def test_a_reader_bookmarks_from_the_work_page(client, work, reader):
    client.force_login(reader)
    response = client.post(
        reverse("social:bookmark", args=[work.pk]),
        {"notes": "Read on a *rainy* day.", "tags": "comfort, rainy day", "rec": "on"},
    )
    assert response.status_code == 302
    bookmark = Bookmark.objects.get()
    assert bookmark.tags == ["comfort", "rainy day"] and bookmark.rec and not bookmark.private
    page = listing(client)
    assert work.title in page
    assert "<em>rainy</em>" in page
    assert "★</span> Rec" in page
    assert ">rainy day</a>" in page
    assert f'href="{reverse("social:user_bookmarks", args=["gullwatcher"])}"' in page


def test_htmx_bookmark_returns_the_actions_block(client, work, reader):
    client.force_login(reader)
    response = client.post(reverse("social:bookmark", args=[work.pk]), {"notes": "Short note"}, **HTMX)
    fragment = page_text(response)
    assert fragment.lstrip().startswith('<section class="work-actions" id="work-actions"')
    assert "Bookmark saved." in fragment and "Edit your bookmark" in fragment


def test_the_same_form_updates_my_bookmark(client, work, reader):
    create_bookmark(reader, work, notes="First")
    client.force_login(reader)
    client.post(reverse("social:bookmark", args=[work.pk]), {"notes": "Second", "private": "on"})
    bookmark = Bookmark.objects.get()
    assert bookmark.notes == "<p>Second</p>" and bookmark.private
    work.refresh_from_db()
    assert work.bookmarks_count == 0


def test_a_bad_bookmark_keeps_what_was_typed(client, work, reader):
    client.force_login(reader)
    response = client.post(
        reverse("social:bookmark", args=[work.pk]), {"notes": "Kept notes", "tags": "x" * 151}, **HTMX
    )
    assert response.status_code == 400
    fragment = response.content.decode()
    assert "at most 150 characters" in fragment and "Kept notes</textarea>" in fragment
    assert not Bookmark.objects.exists()


def test_guests_are_sent_to_log_in(client, work):
    response = client.post(reverse("social:bookmark", args=[work.pk]), {"notes": "Hi"})
    assert response.status_code == 302 and "login" in response["Location"]
    assert not Bookmark.objects.exists()


def test_a_guest_cannot_see_a_private_bookmark(client, work, reader):
    create_bookmark(reader, work, notes="Secret shelf", private=True)
    user_page = reverse("social:user_bookmarks", args=["gullwatcher"])
    assert "Secret shelf" not in listing(client)
    assert "Secret shelf" not in page_text(client.get(user_page))
    client.force_login(reader)
    page = page_text(client.get(user_page))
    assert "Secret shelf" in page and "bookmark__private" in page


def test_another_reader_sees_public_bookmarks_only(client, author, reader, other):
    public_work, private_work = (
        authored_work(author, title="Open Door"),
        authored_work(author, title="Shut Door"),
    )
    create_bookmark(reader, public_work)
    create_bookmark(reader, private_work, private=True)
    client.force_login(other)
    page = page_text(client.get(reverse("social:user_bookmarks", args=["gullwatcher"])))
    assert "Open Door" in page and "Shut Door" not in page
    assert "1 Bookmark by" in page


def test_a_muted_creators_work_is_absent_from_my_bookmark_listing(client, author, reader, other):
    muted_work = authored_work(author, title="Muted Harbour")
    kept_work = authored_work(other, title="Open Sea")
    create_bookmark(other, muted_work)
    create_bookmark(reader, kept_work)
    mute_user(reader, author)
    client.force_login(reader)
    page = listing(client)
    assert "Muted Harbour" not in page and "Open Sea" in page
    assert "1 Bookmark" in page
    client.force_login(other)
    assert "Muted Harbour" in listing(client)


def test_a_muted_bookmarkers_bookmarks_are_left_out(client, work, reader, other):
    create_bookmark(other, work, notes="Their note")
    mute_user(reader, other)
    client.force_login(reader)
    assert "Their note" not in listing(client)


def test_bookmarks_of_restricted_works_are_hidden_from_guests(client, author, reader):
    restricted = authored_work(author, restricted=True, title="Members Lounge")
    create_bookmark(reader, restricted)
    assert "Members Lounge" not in listing(client)
    client.force_login(reader)
    assert "Members Lounge" in listing(client)


def test_filters_by_bookmarker_tag_rec_notes_and_work_tag(client, archive, author, reader):
    from fanfold.tags import vocabulary as vocab

    marsh = authored_work(author, title="Marsh Story")
    other_fandom = authored_work(
        author, title="Desert Story", fandoms=["Dune Songs (Original Work)"], characters=[], rating=vocab.TEEN
    )
    create_bookmark(reader, marsh, notes="Salt and reeds", tags="cosy", rec=True)
    create_bookmark(reader, other_fandom, notes="Sand everywhere", tags="epic")
    client.force_login(reader)
    assert "Desert Story" not in listing(client, tag="cosy")
    assert "Marsh Story" in listing(client, tag="cosy")
    page = listing(client, rec="on")
    assert "Marsh Story" in page and "Desert Story" not in page
    page = listing(client, q="sand")
    assert "Desert Story" in page and "Marsh Story" not in page
    page = listing(client, work_tags="Dune Songs (Original Work)")
    assert "Desert Story" in page and "Marsh Story" not in page
    page = listing(client, work_tags="Saltmarsh Almanac (Original Work), Odile Marsh")
    assert "Marsh Story" in page and "Desert Story" not in page
    page = listing(client, work_tags="No Such Fandom Anywhere")
    assert "No tag in this archive is called <q>No Such Fandom Anywhere</q>" in page
    assert "No bookmarks to show with these filters." in page


def test_bookmark_listing_is_paginated(client, author, reader):
    for n in range(22):
        create_bookmark(reader, authored_work(author, title=f"Tide Table {n:02d}"))
    first = listing(client)
    assert "1 – 20 of 22 Bookmarks" in first
    assert "Tide Table 21" in first and "Tide Table 01" not in first  # newest first
    second = listing(client, page=2)
    assert "Tide Table 01" in second and "Tide Table 00" in second


def test_only_the_owner_or_staff_delete_a_bookmark(client, work, reader, other, staff):
    bookmark = create_bookmark(reader, work)
    client.force_login(other)
    assert client.post(reverse("social:bookmark_delete", args=[bookmark.pk])).status_code == 403
    assert Bookmark.objects.exists()
    client.force_login(reader)
    confirm = page_text(client.get(reverse("social:bookmark_delete", args=[bookmark.pk])))
    assert "Delete this bookmark?" in confirm
    client.force_login(staff)
    response = client.post(reverse("social:bookmark_delete", args=[bookmark.pk]))
    assert response.status_code == 302
    assert not Bookmark.objects.exists()


def test_deleting_from_the_work_page_with_htmx(client, work, reader):
    bookmark = create_bookmark(reader, work)
    client.force_login(reader)
    response = client.post(reverse("social:bookmark_delete", args=[bookmark.pk]), {"work": work.pk}, **HTMX)
    fragment = page_text(response)
    assert "Bookmark deleted." in fragment and "Bookmark this work" in fragment
    assert not Bookmark.objects.exists()


def test_a_private_bookmark_cannot_be_deleted_by_others_who_cannot_see_it(client, work, reader, other):
    bookmark = create_bookmark(reader, work, private=True)
    client.force_login(other)
    assert client.post(reverse("social:bookmark_delete", args=[bookmark.pk])).status_code == 404
    assert Bookmark.objects.exists()


def test_listing_query_count_does_not_grow_with_the_page(
    client, author, reader, django_assert_max_num_queries
):
    for n in range(15):
        create_bookmark(reader, authored_work(author, title=f"Buoy {n}"), tags="a, b")
    client.force_login(reader)
    with django_assert_max_num_queries(20):
        page_text(client.get(reverse("social:bookmarks")))
