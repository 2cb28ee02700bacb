"""Writes for readers' actions. The HTML views, the API and commands all call these functions.

Every function checks its permission in ``fanfold.core.permissions`` and raises a ``SocialError``
subclass whose ``message`` is one line fit to show the user. Each call is one transaction; mail goes
out through tasks enqueued after the commit (``social.tasks``), never from ``save()`` or signals.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from fanfold.accounts.models import Preference, Pseud
from fanfold.core import ratelimit
from fanfold.core.html import sanitize, text_to_html
from fanfold.core.permissions import (
    can_delete_bookmark,
    can_delete_comment,
    can_edit_bookmark,
    can_moderate_comments,
    can_view_work,
    comment_refusal,
    edit_comment_refusal,
    is_creator,
    kudos_refusal,
)
from fanfold.core.ratelimit import RateLimited
from fanfold.search.fast.changes import note_changed
from fanfold.social.models import (
    Block,
    Bookmark,
    Comment,
    CommentPermission,
    CommentSettings,
    Hit,
    Kudo,
    MarkedForLater,
    Mute,
    Notification,
    Reading,
    Subscription,
    guest_ip_hash,
    hash_visitor,
    is_blocked,
    muted_user_ids,
)
from fanfold.works.models import Chapter, Series, Work

__all__ = [
    "BlockRefused",
    "BookmarkRefused",
    "CommentRefused",
    "KudosRefused",
    "RateLimited",
    "SocialError",
    "SubscriptionRefused",
    "block_user",
    "clear_history",
    "create_bookmark",
    "delete_bookmark",
    "delete_comment",
    "edit_comment",
    "enqueue_subscriber_notifications",
    "freeze_thread",
    "give_kudos",
    "is_blocked",
    "mark_notifications_read",
    "moderate_comment",
    "mute_user",
    "muted_user_ids",
    "post_comment",
    "prune_hits",
    "record_hit",
    "record_reading",
    "subscribe",
    "toggle_marked_for_later",
    "unblock_user",
    "unfreeze_thread",
    "unmute_user",
    "unsubscribe",
    "update_bookmark",
    "update_comment_settings",
]

ALREADY_LEFT_KUDOS = "You have already left kudos here :)"
MAX_COMMENT_LENGTH = 10_000
MAX_BOOKMARK_NOTES_LENGTH = 5_000
MAX_BOOKMARK_TAGS = 75
MAX_BOOKMARK_TAG_LENGTH = 150


class SocialError(Exception):
    """A refused action; ``message`` is one line for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class KudosRefused(SocialError):
    pass


class CommentRefused(SocialError):
    pass


class BookmarkRefused(SocialError):
    pass


class SubscriptionRefused(SocialError):
    pass


class BlockRefused(SocialError):
    pass


def _account(user):
    """The user when logged in, else None (AnonymousUser and None both mean a guest)."""
    return user if user is not None and user.is_authenticated else None


def _require_account(user, error: type[SocialError], what: str):
    account = _account(user)
    if account is None:
        raise error(f"Please log in to {what}.")
    return account


_LOOKS_LIKE_HTML = re.compile(r"<\s*/?\s*[a-zA-Z][a-zA-Z0-9]*(\s[^>]*)?/?\s*>")


def user_text_to_html(text: str, *, max_length: int, what: str, error: type[SocialError]) -> str:
    """Safe HTML from what a user typed: HTML is sanitised, plain text becomes paragraphs."""
    text = (text or "").strip()
    if len(text) > max_length:
        raise error(f"{what} can be at most {max_length:,} characters long (this one has {len(text):,}).")
    if not text:
        return ""
    return sanitize(text if _LOOKS_LIKE_HTML.search(text) else text_to_html(text))


# --- Kudos -------------------------------------------------------------------------------------------


def give_kudos(work: Work, *, user=None, ip: str | None = None) -> Kudo:
    """Leave kudos: a user once per work, a guest once per IP per work.

    Raises KudosRefused, or ``ratelimit.RateLimited`` when this IP or account gives kudos too fast
    (checked here, not in the views, so the HTML pages and the API share the limit).
    """
    account = _account(user)
    refusal = kudos_refusal(account, work)
    if refusal:
        raise KudosRefused(refusal)
    if account is None and not ip:
        raise KudosRefused("Kudos from a guest need the visitor's IP address.")
    ratelimit.check("kudos", ip=ip, user=account)
    ip_hash = guest_ip_hash(ip) if account is None and ip else ""
    try:
        with transaction.atomic():
            kudo = Kudo.objects.create(work=work, user=account, ip_hash=ip_hash)
            Work.objects.filter(pk=work.pk).update(kudos_count=F("kudos_count") + 1)
            note_changed([work.pk])
    except IntegrityError:
        raise KudosRefused(ALREADY_LEFT_KUDOS) from None
    work.refresh_from_db(fields=["kudos_count"])
    from fanfold.social.tasks import send_kudos_notification

    kudo_id = kudo.pk
    transaction.on_commit(lambda: send_kudos_notification.enqueue(kudo_id))
    return kudo


# --- Comments ----------------------------------------------------------------------------------------


def _counted(comment: Comment) -> bool:
    return comment.status == Comment.Status.PUBLISHED and not comment.deleted


def _count_change(work_id: int, before: bool, after: bool) -> None:
    if before != after:
        delta = 1 if after else -1
        Work.objects.filter(pk=work_id).update(comments_count=F("comments_count") + delta)
        note_changed([work_id])


def _notify_comment(comment: Comment, event: str) -> None:
    from fanfold.social.tasks import send_comment_notification

    comment_id = comment.pk
    transaction.on_commit(lambda: send_comment_notification.enqueue(comment_id, event))


def update_comment_settings(
    user, work: Work, *, comment_permission: str | None = None, moderate_comments: bool | None = None
) -> CommentSettings:
    """Who may comment on the work (everyone / registered / nobody) and whether comments wait for approval."""
    if not can_moderate_comments(_account(user), work):
        raise CommentRefused("Only the work's creators can change its comment settings.")
    if comment_permission is not None and comment_permission not in CommentPermission.values:
        choices = ", ".join(CommentPermission.values)
        raise CommentRefused(f"Unknown comment permission {comment_permission!r}: use one of {choices}.")
    with transaction.atomic():
        settings, _ = CommentSettings.objects.get_or_create(work=work)
        if comment_permission is not None:
            settings.comment_permission = comment_permission
        if moderate_comments is not None:
            settings.moderate_comments = moderate_comments
        settings.save()
    return settings


def post_comment(
    work: Work,
    body: str,
    *,
    user=None,
    pseud: Pseud | None = None,
    guest_name: str = "",
    guest_email: str = "",
    chapter: Chapter | None = None,
    parent: Comment | None = None,
    ip: str | None = None,
) -> Comment:
    """Comment on a work (or one of its chapters), or reply to ``parent``. Raises CommentRefused.

    Raises ``ratelimit.RateLimited`` when this IP or account comments too fast; only comments that
    would be written count, so fixing a refused one costs nothing. On a moderated work, comments by anyone but the creators and staff wait in the queue (pending).
    The creators, and the parent comment's author on a reply, are notified by a task.
    """
    account = _account(user)
    refusal = comment_refusal(account, work, parent)
    if refusal:
        raise CommentRefused(refusal)
    if parent is not None:
        chapter = parent.chapter
    elif chapter is not None and chapter.work_id != work.pk:
        raise CommentRefused("That chapter belongs to another work.")
    if account is None:
        guest_name = guest_name.strip()
        guest_email = guest_email.strip()
        if not guest_name or not guest_email:
            raise CommentRefused("Please give a name and an email address to comment as a guest.")
        if len(guest_name) > 100:
            raise CommentRefused("Your name can be at most 100 characters long.")
        try:
            validate_email(guest_email)
        except ValidationError:
            raise CommentRefused(f"{guest_email!r} is not a valid email address.") from None
        pseud = None
    else:
        guest_name = guest_email = ""
        if pseud is None:
            pseud = account.pseuds.order_by("-is_default", "id").first()
        elif pseud.user_id != account.pk:
            raise CommentRefused("You can only comment under one of your own pseuds.")
    html = user_text_to_html(body, max_length=MAX_COMMENT_LENGTH, what="A comment", error=CommentRefused)
    if not html:
        raise CommentRefused("Your comment is empty.")
    ratelimit.check("comment", ip=ip, user=account)
    settings = CommentSettings.for_work(work)
    moderated = settings.moderate_comments and not can_moderate_comments(account, work)
    with transaction.atomic():
        comment = Comment.objects.create(
            work=work,
            chapter=chapter,
            parent=parent,
            user=account,
            pseud=pseud,
            guest_name=guest_name,
            guest_email=guest_email,
            body=html,
            status=Comment.Status.PENDING if moderated else Comment.Status.PUBLISHED,
        )
        _count_change(work.pk, False, _counted(comment))
        _notify_comment(comment, "posted")
    return comment


def edit_comment(user, comment: Comment, body: str) -> Comment:
    refusal = edit_comment_refusal(_account(user), comment)
    if refusal:
        raise CommentRefused(refusal)
    html = user_text_to_html(body, max_length=MAX_COMMENT_LENGTH, what="A comment", error=CommentRefused)
    if not html:
        raise CommentRefused("A comment can't be empty; delete it instead.")
    comment.body = html
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "edited_at"])
    return comment


@transaction.atomic
def delete_comment(user, comment: Comment) -> None:
    """Delete a comment. One with replies keeps its place as "(deleted comment)"; others go."""
    if not can_delete_comment(_account(user), comment):
        raise CommentRefused("You can't delete this comment.")
    if comment.deleted:
        return
    _count_change(comment.work_id, _counted(comment), False)
    if comment.replies.exists():
        comment.deleted = True
        comment.body = ""
        comment.save(update_fields=["deleted", "body"])
        return
    parent = comment.parent
    comment.delete()
    # A deleted placeholder whose last reply just went has nothing left to hold up.
    while parent is not None and parent.deleted and not parent.replies.exists():
        grandparent = parent.parent
        parent.delete()
        parent = grandparent


@transaction.atomic
def moderate_comment(user, comment: Comment, *, approve: bool) -> Comment:
    """Approve (publish) or reject (mark as spam) a comment on one of the user's works."""
    if not can_moderate_comments(_account(user), comment.work):
        raise CommentRefused("Only the work's creators can moderate its comments.")
    before = _counted(comment)
    was_published = comment.status == Comment.Status.PUBLISHED
    comment.status = Comment.Status.PUBLISHED if approve else Comment.Status.SPAM
    comment.save(update_fields=["status"])
    _count_change(comment.work_id, before, _counted(comment))
    if approve and not was_published:
        _notify_comment(comment, "approved")
    return comment


def _thread_ids(comment: Comment) -> list[int]:
    ids = [comment.pk]
    frontier = [comment.pk]
    while frontier:
        frontier = list(Comment.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids += frontier
    return ids


def _set_frozen(user, comment: Comment, frozen: bool) -> int:
    if not can_moderate_comments(_account(user), comment.work):
        raise CommentRefused("Only the work's creators can freeze or unfreeze its threads.")
    with transaction.atomic():
        changed = Comment.objects.filter(pk__in=_thread_ids(comment)).update(frozen=frozen)
    comment.frozen = frozen
    return changed


def freeze_thread(user, comment: Comment) -> int:
    """Freeze a comment and every reply under it: no new replies, no edits. Returns how many."""
    return _set_frozen(user, comment, True)


def unfreeze_thread(user, comment: Comment) -> int:
    return _set_frozen(user, comment, False)


# --- Bookmarks and marked for later ------------------------------------------------------------------


def _bookmark_tags(tags: str | Iterable[str]) -> list[str]:
    """Tag names from a comma-separated string or a list: trimmed, de-duplicated ignoring case."""
    raw = tags.split(",") if isinstance(tags, str) else list(tags)
    names: list[str] = []
    seen: set[str] = set()
    for item in raw:
        name = " ".join(str(item).split())
        if not name or name.lower() in seen:
            continue
        if len(name) > MAX_BOOKMARK_TAG_LENGTH:
            raise BookmarkRefused(f"A bookmark tag can be at most {MAX_BOOKMARK_TAG_LENGTH} characters long.")
        seen.add(name.lower())
        names.append(name)
    if len(names) > MAX_BOOKMARK_TAGS:
        raise BookmarkRefused(f"A bookmark can have at most {MAX_BOOKMARK_TAGS} tags.")
    return names


def _bookmark_count_change(work_id: int, was_public: bool, is_public: bool) -> None:
    if was_public != is_public:
        delta = 1 if is_public else -1
        Work.objects.filter(pk=work_id).update(bookmarks_count=F("bookmarks_count") + delta)
        note_changed([work_id])


def create_bookmark(
    user,
    work: Work,
    *,
    notes: str = "",
    tags: str | Iterable[str] = (),
    rec: bool = False,
    private: bool = False,
) -> Bookmark:
    account = _require_account(user, BookmarkRefused, "bookmark a work")
    if not can_view_work(account, work):
        raise BookmarkRefused("This work is not available.")
    html = user_text_to_html(
        notes, max_length=MAX_BOOKMARK_NOTES_LENGTH, what="Bookmark notes", error=BookmarkRefused
    )
    names = _bookmark_tags(tags)
    try:
        with transaction.atomic():
            bookmark = Bookmark.objects.create(
                user=account, work=work, notes=html, tags=names, rec=rec, private=private
            )
            _bookmark_count_change(work.pk, False, not private)
    except IntegrityError:
        raise BookmarkRefused("You have already bookmarked this work; edit that bookmark instead.") from None
    return bookmark


def update_bookmark(
    user,
    bookmark: Bookmark,
    *,
    notes: str | None = None,
    tags: str | Iterable[str] | None = None,
    rec: bool | None = None,
    private: bool | None = None,
) -> Bookmark:
    """Change the given fields of a bookmark (None leaves a field as it is)."""
    if not can_edit_bookmark(_account(user), bookmark):
        raise BookmarkRefused("You can only edit your own bookmarks.")
    was_public = not bookmark.private
    if notes is not None:
        bookmark.notes = user_text_to_html(
            notes, max_length=MAX_BOOKMARK_NOTES_LENGTH, what="Bookmark notes", error=BookmarkRefused
        )
    if tags is not None:
        bookmark.tags = _bookmark_tags(tags)
    if rec is not None:
        bookmark.rec = rec
    if private is not None:
        bookmark.private = private
    with transaction.atomic():
        bookmark.save()
        _bookmark_count_change(bookmark.work_id, was_public, not bookmark.private)
    return bookmark


@transaction.atomic
def delete_bookmark(user, bookmark: Bookmark) -> None:
    if not can_delete_bookmark(_account(user), bookmark):
        raise BookmarkRefused("You can only delete your own bookmarks.")
    _bookmark_count_change(bookmark.work_id, not bookmark.private, False)
    bookmark.delete()


def toggle_marked_for_later(user, work: Work) -> bool:
    """Mark the work for later, or unmark it if it was marked. Returns whether it is marked now."""
    account = _require_account(user, BookmarkRefused, "mark works for later")
    with transaction.atomic():
        deleted, _ = MarkedForLater.objects.filter(user=account, work=work).delete()
        if deleted:
            return False
        if not can_view_work(account, work):
            raise BookmarkRefused("This work is not available.")
        MarkedForLater.objects.get_or_create(user=account, work=work)
    return True


# --- Reading history and hits --------------------------------------------------------------------------


def history_enabled(user) -> bool:
    account = _account(user)
    if account is None:
        return False
    enabled = Preference.objects.filter(user=account).values_list("history_enabled", flat=True).first()
    return enabled is not False


def record_reading(user, work: Work, chapter: Chapter | None = None) -> Reading | None:
    """Note that the user read the work (at that chapter). Nothing for guests or when history is off."""
    if not history_enabled(user):
        return None
    now = timezone.now()
    changes: dict[str, Any] = {"last_read_at": now, "views": F("views") + 1}
    if chapter is not None:
        changes["last_chapter"] = chapter
    with transaction.atomic():
        if not Reading.objects.filter(user=user, work=work).update(**changes):
            try:
                with transaction.atomic():
                    Reading.objects.create(user=user, work=work, last_chapter=chapter, last_read_at=now)
            except IntegrityError:  # the same user in another tab, at the same moment
                Reading.objects.filter(user=user, work=work).update(**changes)
    return Reading.objects.get(user=user, work=work)


def clear_history(user, work: Work | None = None) -> int:
    """Forget the user's reading of one work, or the whole history. Returns how many lines went."""
    readings = Reading.objects.filter(user=user)
    if work is not None:
        readings = readings.filter(work=work)
    deleted, _ = readings.delete()
    return deleted


def record_hit(work: Work, *, user=None, ip: str | None = None, today: dt.date | None = None) -> bool:
    """Count a visit once per visitor (account, else IP) per work per day. Returns whether it counted.

    The work's own creators don't add hits to it.
    """
    account = _account(user)
    if account is not None:
        if is_creator(account, work):
            return False
        visitor = hash_visitor(f"user:{account.pk}")
    elif ip:
        visitor = hash_visitor(f"ip:{ip}")
    else:
        return False
    day = today or timezone.localdate()
    try:
        with transaction.atomic():
            Hit.objects.create(work=work, visitor_hash=visitor, day=day)
            Work.objects.filter(pk=work.pk).update(hits=F("hits") + 1)
            note_changed([work.pk])
    except IntegrityError:
        return False
    return True


def prune_hits(before: dt.date | None = None) -> int:
    """Drop the per-day visitor rows older than ``before`` (default: yesterday); the counts stay."""
    before = before or timezone.localdate() - dt.timedelta(days=1)
    deleted, _ = Hit.objects.filter(day__lt=before).delete()
    return deleted


# --- Subscriptions and notifications -------------------------------------------------------------------


def _target(work: Work | None, series: Series | None, creator) -> tuple[str, dict]:
    given = [(kind, value) for kind, value in (("work", work), ("series", series), ("creator", creator))]
    chosen = [(kind, value) for kind, value in given if value is not None]
    if len(chosen) != 1:
        raise SubscriptionRefused("Subscribe to exactly one work, series or creator.")
    kind, value = chosen[0]
    return kind, {kind: value}


def subscribe(user, *, work: Work | None = None, series: Series | None = None, creator=None) -> Subscription:
    """Subscribe to a work (new chapters), a series or a creator (new works). Idempotent."""
    account = _require_account(user, SubscriptionRefused, "subscribe")
    kind, target = _target(work, series, creator)
    if work is not None:
        if not can_view_work(account, work):
            raise SubscriptionRefused("This work is not available.")
        if is_creator(account, work):
            raise SubscriptionRefused("You can't subscribe to your own work.")
    if creator is not None and creator.pk == account.pk:
        raise SubscriptionRefused("You can't subscribe to yourself.")
    try:
        with transaction.atomic():
            subscription, _ = Subscription.objects.get_or_create(user=account, kind=kind, **target)
    except IntegrityError:  # created by a simultaneous request
        subscription = Subscription.objects.get(user=account, kind=kind, **target)
    return subscription


def unsubscribe(user, *, work: Work | None = None, series: Series | None = None, creator=None) -> bool:
    """Returns whether there was a subscription to remove."""
    account = _require_account(user, SubscriptionRefused, "manage subscriptions")
    kind, target = _target(work, series, creator)
    deleted, _ = Subscription.objects.filter(user=account, kind=kind, **target).delete()
    return bool(deleted)


def enqueue_subscriber_notifications(work: Work, chapter: Chapter | None = None) -> None:
    """Call from the service that posts a work (chapter=None) or a new chapter, inside its transaction.

    Subscribers to the creators and to the work's series hear of a new work; subscribers to the work
    hear of a new chapter too. The task runs after the commit, so it sees what was written.
    """
    from fanfold.social.tasks import notify_subscribers

    work_id = work.pk
    chapter_id = chapter.pk if chapter is not None else None
    transaction.on_commit(lambda: notify_subscribers.enqueue(work_id, chapter_id))


def mark_notifications_read(user, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications (all, or those ids) as read. Returns how many changed."""
    notifications = Notification.objects.filter(user=user, read=False)
    if ids is not None:
        notifications = notifications.filter(pk__in=list(ids))
    return notifications.update(read=True)


# --- Blocking and muting ---------------------------------------------------------------------------------


def _check_other(account, user, verb: str) -> None:
    if user is None or not getattr(user, "pk", None):
        raise BlockRefused(f"There is no such user to {verb}.")
    if user.pk == account.pk:
        raise BlockRefused(f"You can't {verb} yourself.")


def block_user(blocker, user) -> Block:
    """Block a user: they can no longer comment on, reply to, kudos or gift the blocker. Idempotent."""
    account = _require_account(blocker, BlockRefused, "block users")
    _check_other(account, user, "block")
    if user.is_staff:
        raise BlockRefused("Site staff can't be blocked.")
    try:
        with transaction.atomic():
            block, _ = Block.objects.get_or_create(blocker=account, blocked=user)
    except IntegrityError:
        block = Block.objects.get(blocker=account, blocked=user)
    return block


def unblock_user(blocker, user) -> bool:
    account = _require_account(blocker, BlockRefused, "unblock users")
    deleted, _ = Block.objects.filter(blocker=account, blocked=user).delete()
    return bool(deleted)


def mute_user(muter, user) -> Mute:
    """Mute a user: their works, bookmarks and comments disappear from the muter's pages. Idempotent."""
    account = _require_account(muter, BlockRefused, "mute users")
    _check_other(account, user, "mute")
    if user.is_staff:
        raise BlockRefused("Site staff can't be muted.")
    try:
        with transaction.atomic():
            mute, _ = Mute.objects.get_or_create(muter=account, muted=user)
    except IntegrityError:
        mute = Mute.objects.get(muter=account, muted=user)
    return mute


def unmute_user(muter, user) -> bool:
    account = _require_account(muter, BlockRefused, "unmute users")
    deleted, _ = Mute.objects.filter(muter=account, muted=user).delete()
    return bool(deleted)
