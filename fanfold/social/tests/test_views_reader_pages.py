"""The reader's own pages: marked for later, history, subscriptions, notifications, blocked, muted."""

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from fanfold.accounts.models import Preference
from fanfold.social.context_processors import unread_notifications
from fanfold.social.models import Block, MarkedForLater, Mute, Notification, Reading, Subscription
from fanfold.social.services import block_user, mute_user, record_reading, subscribe

from .conftest import HTMX, authored_work, page_text

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["later", "history", "subscriptions", "notifications", "blocked", "muted"])
def test_guests_are_sent_to_log_in(client, name):
    response = client.get(reverse(f"social:{name}"))
    assert response.status_code == 302 and "login" in response["Location"]


# --- marked for later ----------------------------------------------------------------------------------


def test_mark_for_later_from_the_work_page_and_back(client, work, reader):
    client.force_login(reader)
    fragment = page_text(client.post(reverse("social:toggle_later", args=[work.pk]), **HTMX))
    assert "Marked for later." in fragment and "Mark as read" in fragment
    page = page_text(client.get(reverse("social:later")))
    assert work.title in page and "Marked for later (1)" in page
    response = client.post(reverse("social:toggle_later", args=[work.pk]), {"next": reverse("social:later")})
    assert response["Location"] == reverse("social:later")
    assert not MarkedForLater.objects.exists()


def test_later_leaves_out_works_that_became_drafts(client, author, reader):
    work = authored_work(author, title="Soon Hidden")
    MarkedForLater.objects.create(user=reader, work=work)
    type(work).objects.filter(pk=work.pk).update(draft=True)
    client.force_login(reader)
    assert "Soon Hidden" not in page_text(client.get(reverse("social:later")))


# --- history -----------------------------------------------------------------------------------------


def test_history_lists_works_with_the_last_chapter(client, multi_chapter_work, work, reader):
    record_reading(reader, work)
    record_reading(reader, multi_chapter_work, multi_chapter_work.chapters.get(position=2))
    client.force_login(reader)
    page = page_text(client.get(reverse("social:history")))
    assert page.index("Two Tides") < page.index(work.title)  # most recent first
    assert "Chapter 2: Gold</a>" in page


def test_clearing_one_work_then_everything(client, work, multi_chapter_work, reader):
    record_reading(reader, work)
    record_reading(reader, multi_chapter_work)
    client.force_login(reader)
    client.post(reverse("social:history_clear"), {"work": work.pk})
    assert list(Reading.objects.values_list("work_id", flat=True)) == [multi_chapter_work.pk]
    response = client.post(reverse("social:history_clear"), {"all": "1"}, follow=True)
    assert "Your reading history was cleared." in page_text(response)
    assert not Reading.objects.exists()


def test_history_page_says_when_history_is_off(client, reader):
    Preference.objects.create(user=reader, history_enabled=False)
    client.force_login(reader)
    page = page_text(client.get(reverse("social:history")))
    assert "Your reading history is turned off" in page
    assert f'href="{reverse("accounts:preferences")}"' in page


# --- subscriptions --------------------------------------------------------------------------------------


def test_subscribe_to_a_work_and_unsubscribe_from_the_list(client, work, reader):
    client.force_login(reader)
    fragment = page_text(
        client.post(reverse("social:subscribe_work", args=[work.pk]), {"work": work.pk}, **HTMX)
    )
    assert "Unsubscribe from this work" in fragment
    subscription = Subscription.objects.get()
    page = page_text(client.get(reverse("social:subscriptions")))
    assert work.title in page
    client.post(reverse("social:subscription_delete", args=[subscription.pk]))
    assert not Subscription.objects.exists()


def test_subscribe_to_a_series_and_a_creator(client, author, reader):
    from fanfold.works.tests.factories import series

    work = authored_work(author, series=[series("Lantern Cycle", 1)])
    client.force_login(reader)
    page = page_text(client.get(reverse("works:detail", args=[work.pk])))
    assert 'the series <span class="work-actions__name">Lantern Cycle</span>' in page
    membership = work.series_memberships.get()
    client.post(reverse("social:subscribe_series", args=[membership.series_id]), {"work": work.pk})
    client.post(reverse("social:subscribe_creator", args=["lanternkeeper"]))
    kinds = set(Subscription.objects.filter(user=reader).values_list("kind", flat=True))
    assert kinds == {"series", "creator"}
    client.post(reverse("social:subscribe_creator", args=["lanternkeeper"]), {"action": "unsubscribe"})
    assert not Subscription.objects.filter(kind="creator").exists()


def test_one_cannot_subscribe_to_oneself(client, author):
    client.force_login(author)
    response = client.post(reverse("social:subscribe_creator", args=["lanternkeeper"]), follow=True)
    assert "You can&#x27;t subscribe to yourself." in page_text(response)
    assert not Subscription.objects.exists()


def test_another_users_subscription_cannot_be_removed(client, work, reader, other):
    subscription = subscribe(reader, work=work)
    client.force_login(other)
    assert client.post(reverse("social:subscription_delete", args=[subscription.pk])).status_code == 404
    assert Subscription.objects.exists()


# --- notifications -------------------------------------------------------------------------------------


def notify(user, text, read=False):
    return Notification.objects.create(user=user, kind="comment", text=text, url="/works/1/", read=read)


def test_notifications_unread_first_and_marked_read(client, reader, other):
    old_unread = notify(reader, "Unread and older")
    notify(reader, "Already read and newer", read=True)
    notify(other, "Someone else's news")
    client.force_login(reader)
    page = page_text(client.get(reverse("social:notifications")))
    assert page.index("Unread and older") < page.index("Already read and newer")
    assert "Someone else" not in page and "(1 unread)" in page
    client.post(reverse("social:notifications_read"), {"id": old_unread.pk})
    old_unread.refresh_from_db()
    assert old_unread.read


def test_mark_all_notifications_read(client, reader, other):
    for n in range(3):
        notify(reader, f"News {n}")
    theirs = notify(other, "Theirs")
    client.force_login(reader)
    response = client.post(reverse("social:notifications_read"), follow=True)
    assert "Marked 3 notifications as read." in page_text(response)
    assert not Notification.objects.filter(user=reader, read=False).exists()
    theirs.refresh_from_db()
    assert not theirs.read


def test_the_unread_count_costs_one_query_and_none_for_guests(reader, django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    notify(reader, "One")
    notify(reader, "Two")
    notify(reader, "Seen", read=True)
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        assert unread_notifications(request) == {"unread_notifications": 0}
    request.user = reader
    with django_assert_num_queries(0):
        context = unread_notifications(request)  # lazy: nothing until a template asks
    with django_assert_num_queries(1):
        assert int(str(context["unread_notifications"])) == 2


# --- blocking and muting -------------------------------------------------------------------------------


def test_block_by_username_and_unblock(client, reader, other):
    client.force_login(reader)
    response = client.post(
        reverse("social:blocked"), {"username": "DRIFTWOOD", "action": "block"}, follow=True
    )
    page = page_text(response)
    assert "You blocked driftwood." in page
    assert Block.objects.filter(blocker=reader, blocked=other).exists()
    assert ">driftwood</a>" in page and "Unblock" in page
    client.post(reverse("social:blocked"), {"username": "driftwood", "action": "unblock"})
    assert not Block.objects.exists()


def test_blocking_an_unknown_user_or_staff_says_why(client, reader, staff):
    client.force_login(reader)
    response = client.post(reverse("social:blocked"), {"username": "nobody-here", "action": "block"})
    assert response.status_code == 400
    assert "There is no account called" in response.content.decode()
    response = client.post(reverse("social:blocked"), {"username": staff.username}, follow=True)
    assert "Site staff can&#x27;t be blocked." in page_text(response)
    assert not Block.objects.exists()


def test_mute_and_unmute(client, reader, other):
    client.force_login(reader)
    client.post(reverse("social:muted"), {"username": "driftwood", "action": "mute"})
    assert Mute.objects.filter(muter=reader, muted=other).exists()
    assert ">driftwood</a>" in page_text(client.get(reverse("social:muted")))
    client.post(reverse("social:muted"), {"username": "driftwood", "action": "unmute"})
    assert not Mute.objects.exists()


def render_user_actions(viewer, profile_user):
    request = RequestFactory().get(f"/users/{profile_user.username}/")
    request.user = viewer
    return render_to_string("social/_user_actions.html", {"profile_user": profile_user}, request=request)


def test_user_actions_on_a_profile(reader, other, django_assert_num_queries):
    with django_assert_num_queries(1):
        html = render_user_actions(reader, other)
    assert ">Block<" in html and ">Mute<" in html and ">Subscribe<" in html
    assert 'name="csrfmiddlewaretoken"' in html
    block_user(reader, other)
    mute_user(reader, other)
    subscribe(reader, creator=other)
    html = render_user_actions(reader, other)
    assert ">Unblock<" in html and ">Unmute<" in html and ">Unsubscribe<" in html


def test_user_actions_are_hidden_for_guests_and_on_ones_own_profile(reader):
    from django.contrib.auth.models import AnonymousUser

    assert "form" not in render_user_actions(AnonymousUser(), reader)
    assert "form" not in render_user_actions(reader, reader)


def test_profile_buttons_answer_htmx_with_the_fragment(client, reader, other):
    client.force_login(reader)
    response = client.post(
        reverse("social:blocked"), {"username": "driftwood", "action": "block", "profile": "1"}, **HTMX
    )
    fragment = page_text(response)
    assert fragment.lstrip().startswith('<div class="user-actions"')
    assert "You blocked driftwood." in fragment and ">Unblock<" in fragment
    response = client.post(reverse("social:subscribe_creator", args=["driftwood"]), **HTMX)
    assert ">Unsubscribe<" in page_text(response)


def test_a_blocked_user_cannot_comment_on_the_blockers_work_after_blocking_from_the_page(
    client, author, reader
):
    work = authored_work(author)
    client.force_login(author)
    client.post(reverse("social:blocked"), {"username": "gullwatcher", "action": "block"})
    client.force_login(reader)
    response = client.post(reverse("social:comment_post", args=[work.pk]), {"body": "Hello?"})
    assert response.status_code == 403
