import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from fanfold.social.models import Mute, Notification
from fanfold.social.services import (
    enqueue_subscriber_notifications,
    moderate_comment,
    post_comment,
    subscribe,
    update_comment_settings,
)
from fanfold.social.tasks import notify_subscribers
from fanfold.works.models import Chapter, Work

from .conftest import authored_work

# Real commits, so that the tasks enqueued on commit run.
pytestmark = pytest.mark.django_db(transaction=True)


def kinds(user):
    return list(Notification.objects.filter(user=user).values_list("kind", flat=True))


def test_a_comment_notifies_the_creators(work, author, reader, immediate_tasks):
    post_comment(work, "What a storm!", user=reader)
    assert kinds(author) == [Notification.Kind.COMMENT]
    assert kinds(reader) == []
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["author@example.org"]
    assert "gullwatcher left a comment on" in message.subject
    assert "What a storm!" in message.body
    assert f"/comments/{work.comments.get().pk}/" in message.body
    notification = Notification.objects.get(user=author)
    assert not notification.read
    assert notification.url == reverse("social:comment", args=[work.comments.get().pk])


def test_a_reply_notifies_the_parent_author_and_not_oneself(work, author, reader, other, immediate_tasks):
    top = post_comment(work, "Top", user=reader)
    mail.outbox.clear()
    post_comment(work, "Thanks!", user=author, parent=top)  # the creator replies: no self-notice
    assert kinds(reader) == [Notification.Kind.REPLY]
    assert [m.to for m in mail.outbox] == [["reader@example.org"]]
    post_comment(work, "Me too", user=other, parent=top)
    assert sorted(kinds(reader)) == [Notification.Kind.REPLY, Notification.Kind.REPLY]
    assert kinds(author).count(Notification.Kind.COMMENT) == 2  # reader's top comment and other's reply


def test_a_comment_awaiting_moderation_notifies_creators_then_approval_the_parent(
    work, author, reader, other, immediate_tasks
):
    top = post_comment(work, "Top", user=reader)
    update_comment_settings(author, work, moderate_comments=True)
    reply = post_comment(work, "Reply", user=other, parent=top)
    assert Notification.objects.filter(user=author, kind=Notification.Kind.MODERATION).count() == 1
    assert Notification.objects.filter(user=reader, kind=Notification.Kind.REPLY).count() == 0
    moderate_comment(author, reply, approve=True)
    assert Notification.objects.filter(user=reader, kind=Notification.Kind.REPLY).count() == 1
    assert Notification.objects.filter(user=author).count() == 2  # no second notice on approval


def test_a_creator_who_muted_the_commenter_hears_nothing(work, author, reader, immediate_tasks):
    Mute.objects.create(muter=author, muted=reader)
    post_comment(work, "Hi", user=reader)
    assert kinds(author) == []
    assert mail.outbox == []


def test_subscribers_to_a_creator_hear_of_a_new_work(author, reader, other, immediate_tasks):
    subscribe(reader, creator=author)
    work = authored_work(author, title="The Lighthouse Ledger")
    enqueue_subscriber_notifications(work)
    assert kinds(reader) == [Notification.Kind.NEW_WORK]
    assert kinds(other) == [] and kinds(author) == []
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["reader@example.org"]
    assert "lanternkeeper posted a new work: The Lighthouse Ledger" in mail.outbox[0].subject


def test_subscribers_to_a_work_hear_of_a_new_chapter(work, reader, other, immediate_tasks):
    subscribe(reader, work=work)
    subscribe(other, work=work)
    enqueue_subscriber_notifications(work)  # a new work is not news for the work's subscribers
    assert mail.outbox == []
    chapter = Chapter.objects.create(work=work, position=2, title="Low Tide", body="<p>Later.</p>")
    enqueue_subscriber_notifications(work, chapter)
    assert sorted(m.to[0] for m in mail.outbox) == ["other@example.org", "reader@example.org"]
    assert "Chapter 2: Low Tide" in mail.outbox[0].subject
    assert kinds(reader) == [Notification.Kind.NEW_CHAPTER]


def test_subscribers_to_a_series_hear_of_a_new_part(author, reader, immediate_tasks):
    from fanfold.works.tests.factories import series

    first = authored_work(author, series=[series("Tidewater")])
    subscribe(reader, series=first.series_memberships.get().series)
    second = authored_work(author, series=[series("Tidewater")])
    enqueue_subscriber_notifications(second)
    assert kinds(reader) == [Notification.Kind.NEW_WORK]


def test_no_notice_for_drafts_or_for_readers_who_muted_the_creator(author, reader, other, immediate_tasks):
    subscribe(reader, creator=author)
    subscribe(other, creator=author)
    Mute.objects.create(muter=other, muted=author)
    draft = authored_work(author, draft=True)
    assert notify_subscribers.call(draft.pk) == 0
    work = authored_work(author)
    assert notify_subscribers.call(work.pk) == 1
    assert kinds(other) == []


def test_no_mail_without_an_address_but_the_notification_is_there(work, author, reader, immediate_tasks):
    type(author).objects.filter(pk=author.pk).update(email="")
    post_comment(work, "Hi", user=reader)
    assert mail.outbox == []
    assert kinds(author) == [Notification.Kind.COMMENT]


def test_tasks_wait_for_the_commit(work, author, reader, immediate_tasks):
    with transaction.atomic():
        post_comment(work, "Hi", user=reader)
        assert mail.outbox == []
        assert Work.objects.get(pk=work.pk).comments_count == 1
    assert len(mail.outbox) == 1


def test_kudos_notify_the_creators_in_the_archive_without_mail(work, author, reader, immediate_tasks):
    from fanfold.social.services import give_kudos

    give_kudos(work, user=reader)
    give_kudos(work, ip="203.0.113.8")
    texts = list(Notification.objects.filter(user=author).order_by("pk").values_list("kind", "text"))
    assert texts == [
        (Notification.Kind.KUDOS, f"gullwatcher left kudos on {work.title}"),
        (Notification.Kind.KUDOS, f"A guest left kudos on {work.title}"),
    ]
    assert kinds(reader) == []
    assert mail.outbox == []


def test_kudos_from_a_muted_reader_make_no_notice(work, author, reader, immediate_tasks):
    from fanfold.social.services import give_kudos

    Mute.objects.create(muter=author, muted=reader)
    give_kudos(work, user=reader)
    assert kinds(author) == []


def test_an_invited_co_creator_hears_of_the_invitation_once(author, reader, immediate_tasks):
    from fanfold.works import posting
    from fanfold.works.tests.posting_support import work_input

    work = posting.post_work(
        author, work_input(title="Two Hands on the Tiller", co_creators=[reader.username])
    )
    notice = Notification.objects.get(user=reader)
    assert notice.kind == Notification.Kind.INVITATION
    assert work.title in notice.text and author.username in notice.text
    assert notice.url == reverse("works:invitations")
    assert [m.to for m in mail.outbox] == [[reader.email]]
    posting.update_work(author, work, {"co_creators": [reader.username], "summary": "Changed."})
    assert Notification.objects.filter(user=reader).count() == 1  # the invitation stands; no second notice


def test_an_invitee_who_muted_the_inviter_is_not_notified(author, reader, immediate_tasks):
    from fanfold.works import posting
    from fanfold.works.tests.posting_support import work_input

    Mute.objects.create(muter=reader, muted=author)
    posting.post_work(author, work_input(title="Unheard Invitation", co_creators=[reader.username]))
    assert kinds(reader) == []
    assert mail.outbox == []
