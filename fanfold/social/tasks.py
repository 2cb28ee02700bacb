"""Background tasks: notification emails plus the matching in-app Notification rows.

Services enqueue these after their transaction commits (``transaction.on_commit``). Each task takes
ids, reloads what it needs, and skips quietly what has vanished in the meantime.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django_tasks import task

from fanfold.core.html import html_to_text
from fanfold.core.permissions import creator_user_ids
from fanfold.social.models import Block, Comment, Kudo, Mute, Notification, Subscription
from fanfold.works.models import Chapter, Work

logger = logging.getLogger(__name__)


def _url(name: str, *args) -> str:
    """A site-relative link, kept in notifications; mail makes it absolute with FANFOLD_BASE_URL."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _work_url(work: Work, chapter: Chapter | None = None) -> str:
    if chapter is not None:
        return _url("works:chapter", work.pk, chapter.position)
    return _url("works:detail", work.pk)


def _deliver(recipients: list[tuple], body_extra: str = "", *, mail: bool = True) -> int:
    """Write one Notification per (user, kind, text, url), then mail those with an address."""
    with transaction.atomic():
        Notification.objects.bulk_create(
            Notification(user=user, kind=kind, text=text[:500], url=url[:500])
            for user, kind, text, url in recipients
        )
    if not mail:
        return 0
    sent = 0
    for user, _kind, text, url in recipients:
        if not user.email:
            continue
        message = f"{text}\n\n{body_extra}".strip() + (f"\n\n{settings.BASE_URL}{url}" if url else "")
        try:
            send_mail(f"[{settings.SITE_NAME}] {text}"[:200], message, None, [user.email])
        except Exception:  # one bad address must not stop the others; the Notification is there
            logger.exception("could not mail notification to user %s", user.pk)
            continue
        sent += 1
    return sent


def _ignores(recipient_id: int, author_id: int | None) -> bool:
    """Whether the recipient muted or blocked the author (then they don't hear from them)."""
    if author_id is None:
        return False
    return (
        Mute.objects.filter(muter_id=recipient_id, muted_id=author_id).exists()
        or Block.objects.filter(blocker_id=recipient_id, blocked_id=author_id).exists()
    )


@task()
def send_comment_notification(comment_id: int, event: str = "posted") -> int:
    """Tell the work's creators about a comment ("posted"), and the parent's author about a reply.

    ``event="approved"``: a moderated comment was approved; the creators knew already, so only the
    parent comment's author hears. Returns the number of emails sent.
    """
    comment = (
        Comment.objects.select_related("work", "chapter", "parent", "user", "pseud")
        .filter(pk=comment_id)
        .first()
    )
    if comment is None or comment.deleted or comment.status == Comment.Status.SPAM:
        return 0
    work = comment.work
    name = comment.author_name
    if comment.status == Comment.Status.PUBLISHED:
        url = _url("social:comment", comment.pk)  # leads to the page of threads that holds it
    else:  # awaiting moderation: not at its address yet
        url = _work_url(work, comment.chapter) + f"#comment-{comment.pk}"
    users = get_user_model()
    recipients: list[tuple] = []
    seen: set[int] = set()
    if comment.user_id:
        seen.add(comment.user_id)
    if event == "posted":
        for user in users.objects.filter(pk__in=creator_user_ids(work), is_active=True).order_by("pk"):
            if user.pk in seen or _ignores(user.pk, comment.user_id):
                continue
            seen.add(user.pk)
            if comment.status == Comment.Status.PENDING:
                text = f"A comment by {name} on {work.title} is waiting for your approval"
                recipients.append((user, Notification.Kind.MODERATION, text, url))
            else:
                text = f"{name} left a comment on {work.title}"
                recipients.append((user, Notification.Kind.COMMENT, text, url))
    parent = comment.parent
    if (
        comment.status == Comment.Status.PUBLISHED
        and parent is not None
        and parent.user_id
        and parent.user_id not in seen
        and not _ignores(parent.user_id, comment.user_id)
    ):
        parent_author = users.objects.filter(pk=parent.user_id, is_active=True).first()
        if parent_author is not None:
            text = f"{name} replied to your comment on {work.title}"
            recipients.append((parent_author, Notification.Kind.REPLY, text, url))
    if not recipients:
        return 0
    return _deliver(recipients, html_to_text(comment.body))


@task()
def send_kudos_notification(kudo_id: int) -> int:
    """Tell the work's creators about kudos, in their notifications only: a mail for every kudos would
    bury people (AO3 sends one digest a day instead). Returns the number of notifications written."""
    kudo = Kudo.objects.select_related("work", "user").filter(pk=kudo_id).first()
    if kudo is None:
        return 0
    work = kudo.work
    giver = kudo.user.username if kudo.user_id and kudo.user else "A guest"
    text = f"{giver} left kudos on {work.title}"
    users = get_user_model()
    recipients = [
        (user, Notification.Kind.KUDOS, text, _work_url(work))
        for user in users.objects.filter(pk__in=creator_user_ids(work), is_active=True).order_by("pk")
        if user.pk != kudo.user_id and not _ignores(user.pk, kudo.user_id)
    ]
    _deliver(recipients, mail=False)
    return len(recipients)


@task()
def send_invitation_notification(invitation_id: int) -> int:
    """Tell an invited co-creator, in their notifications and by mail, that a work waits for their
    answer. Returns the number of emails sent."""
    from fanfold.works.models import CreatorInvitation

    invitation = (
        CreatorInvitation.objects.select_related("work", "user", "invited_by")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or not invitation.user.is_active:
        return 0
    if _ignores(invitation.user_id, invitation.invited_by_id):
        return 0
    inviter = invitation.invited_by.username if invitation.invited_by else "Someone"
    text = f"{inviter} invited you to be credited as a co-creator of {invitation.work.title}"
    recipients = [(invitation.user, Notification.Kind.INVITATION, text, _url("works:invitations"))]
    return _deliver(recipients, "Accept or decline the invitation on your invitations page.")


@task()
def notify_subscribers(work_id: int, chapter_id: int | None = None) -> int:
    """Tell subscribers about a new work (chapter_id None) or a new chapter. Returns emails sent.

    A new work reaches the subscribers of its creators and of its series; a new chapter also
    reaches the work's own subscribers. Creators, inactive accounts and readers who muted a
    creator are left out; nothing is sent for drafts or hidden works.
    """
    work = Work.objects.filter(pk=work_id).first()
    if work is None or work.draft or work.hidden_by_admin:
        return 0
    chapter = Chapter.objects.filter(pk=chapter_id, work=work).first() if chapter_id else None
    if chapter_id and chapter is None:
        return 0
    creators = creator_user_ids(work)
    targets = Q(kind=Subscription.Kind.CREATOR, creator_id__in=creators) | Q(
        kind=Subscription.Kind.SERIES, series__memberships__work=work
    )
    if chapter is not None:
        targets |= Q(kind=Subscription.Kind.WORK, work=work)
    subscriber_ids = (
        set(Subscription.objects.filter(targets).values_list("user_id", flat=True).distinct()) - creators
    )
    if creators:
        subscriber_ids -= set(
            Mute.objects.filter(muter_id__in=subscriber_ids, muted_id__in=creators).values_list(
                "muter_id", flat=True
            )
        )
    if not subscriber_ids:
        return 0
    names = ", ".join(p.name for p in work.creator_pseuds) or "Anonymous"
    if chapter is not None:
        kind = Notification.Kind.NEW_CHAPTER
        text = f"{names} posted {chapter.display_title} of {work.title}"
    else:
        kind = Notification.Kind.NEW_WORK
        text = f"{names} posted a new work: {work.title}"
    url = _work_url(work, chapter)
    users = get_user_model().objects.filter(pk__in=subscriber_ids, is_active=True).order_by("pk")
    return _deliver([(user, kind, text, url) for user in users], html_to_text(work.summary))
