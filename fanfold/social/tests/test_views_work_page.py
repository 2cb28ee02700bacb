"""The work page: readers' actions below the chapters, hits and history recorded on each view."""

import pytest
from django.urls import reverse

from fanfold.accounts.models import Preference
from fanfold.social.models import Comment, Hit, Reading
from fanfold.social.services import block_user, give_kudos, post_comment

from .conftest import HTMX, authored_work, page_text

pytestmark = pytest.mark.django_db


def work_page(client, work, **extra):
    return client.get(reverse("works:detail", args=[work.pk]), **extra)


def test_a_guest_sees_kudos_and_a_guest_comment_form_but_no_bookmark_form(client, work):
    page = page_text(work_page(client, work))
    assert f'action="{reverse("social:kudos", args=[work.pk])}"' in page
    assert 'name="guest_name"' in page and 'name="guest_email"' in page
    assert "Log in</a> to bookmark this work" in page
    assert 'name="notes"' not in page
    assert "htmx-2.min.js" in page


def test_a_reader_sees_bookmark_later_and_subscribe(client, work, reader):
    client.force_login(reader)
    page = page_text(work_page(client, work))
    assert "Bookmark this work" in page and 'name="notes"' in page
    assert "Mark for later" in page
    assert "Subscribe to this work" in page
    assert 'Subscribe to <span class="work-actions__name">lanternkeeper</span>' in page
    assert 'name="guest_name"' not in page


def test_the_author_sees_moderation_links_and_no_kudos_button(client, work, author):
    client.force_login(author)
    page = page_text(work_page(client, work))
    assert "You can&#x27;t leave kudos on your own work." in page
    assert f'action="{reverse("social:kudos", args=[work.pk])}"' not in page
    assert reverse("social:comment_queue", args=[work.pk]) in page
    assert reverse("social:comment_settings", args=[work.pk]) in page
    assert "Subscribe to this work" not in page  # not on one's own work


def test_a_blocked_reader_sees_the_refusals_instead_of_the_forms(client, work, author, reader):
    block_user(author, reader)
    client.force_login(reader)
    page = page_text(work_page(client, work))
    assert page.count("Sorry, you have been blocked by one of this work&#x27;s creators.") == 2
    assert 'name="body"' not in page


def test_kudos_already_left_is_shown(client, work, reader):
    give_kudos(work, user=reader)
    give_kudos(work, ip="198.51.100.20")
    client.force_login(reader)
    page = page_text(work_page(client, work))
    assert "You have already left kudos here :)" in page
    assert ">gullwatcher</a> as well as 1 guest left kudos on this work!" in page


def test_a_hit_is_counted_once_per_visitor_per_day(client, work, reader, author):
    for _ in range(3):
        work_page(client, work, REMOTE_ADDR="198.51.100.1")
    work_page(client, work, REMOTE_ADDR="198.51.100.2")
    client.force_login(reader)
    work_page(client, work)
    work_page(client, work)
    client.force_login(author)  # the creator's own visits do not count
    work_page(client, work)
    work.refresh_from_db()
    assert work.hits == 3
    assert Hit.objects.count() == 3
    page = page_text(work_page(client, work))
    assert "<dt>Hits:</dt> <dd>3</dd>" in page


def test_reading_is_recorded_with_the_chapter(client, multi_chapter_work, reader):
    client.force_login(reader)
    client.get(reverse("works:chapter", args=[multi_chapter_work.pk, 2]))
    reading = Reading.objects.get(user=reader, work=multi_chapter_work)
    assert reading.last_chapter.position == 2
    client.get(reverse("works:detail", args=[multi_chapter_work.pk]))
    reading.refresh_from_db()
    assert reading.views == 2


def test_history_off_records_nothing(client, work, reader):
    Preference.objects.create(user=reader, history_enabled=False)
    client.force_login(reader)
    page_text(work_page(client, work))
    assert not Reading.objects.exists()


def test_guests_leave_no_history(client, work):
    page_text(work_page(client, work))
    assert not Reading.objects.exists()


def test_the_page_costs_the_same_queries_with_many_comments(
    client, work, reader, other, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(reader)
    post_comment(work, "One thought.", user=other)
    work_page(client, work)  # the first visit writes the hit and history rows
    with CaptureQueriesContext(connection) as few:
        page_text(work_page(client, work))
    top = Comment.objects.get()
    for n in range(12):
        parent = top if n % 2 else None
        post_comment(work, f"Thought number {n}.", user=other if n % 3 else reader, parent=parent)
    with CaptureQueriesContext(connection) as many:
        page = page_text(work_page(client, work))
    assert "Thought number 11." in page
    assert len(many.captured_queries) == len(few.captured_queries)


def test_a_restricted_work_is_not_shown_to_guests(client, author):
    restricted = authored_work(author, restricted=True)
    assert work_page(client, restricted).status_code == 404
    assert not Hit.objects.exists()


def test_an_htmx_request_to_the_page_counts_no_extra_visit(client, work):
    work_page(client, work, REMOTE_ADDR="198.51.100.9", **HTMX)
    assert not Hit.objects.exists()
