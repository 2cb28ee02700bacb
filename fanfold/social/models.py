"""Readers' actions on works: kudos, comments, bookmarks, history, hits, subscriptions, blocks, mutes.

No side effects here: counters, mail and tasks are the business of ``social.services``.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Prefetch, Q

from fanfold.works.models import Chapter, Creatorship, Series, Work, WorkTag

USER = settings.AUTH_USER_MODEL


def hash_visitor(value: str) -> str:
    """A salted SHA-256 (HMAC keyed with SECRET_KEY) of an IP address or visitor key; never store the raw IP."""
    return hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


def guest_ip_hash(ip: str) -> str:
    """How a guest's IP is stored on their kudos (one place, so reads and writes agree)."""
    return hash_visitor(f"ip:{ip}")


# --- Blocking and muting ---------------------------------------------------------------------------


class Block(models.Model):
    """The blocked user cannot comment on, reply to, give kudos to or gift the blocker."""

    blocker = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="blocks")
    blocked = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="blocked_by")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint("blocker", "blocked", name="block_unique"),
            models.CheckConstraint(condition=~Q(blocker=models.F("blocked")), name="block_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.blocker_id} blocks {self.blocked_id}"


class Mute(models.Model):
    """The muted user's works, bookmarks and comments disappear from the muter's pages and counts."""

    muter = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="mutes")
    muted = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="muted_by")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint("muter", "muted", name="mute_unique"),
            models.CheckConstraint(condition=~Q(muter=models.F("muted")), name="mute_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.muter_id} mutes {self.muted_id}"


def _authenticated(user) -> bool:
    return bool(user is not None and user.is_authenticated)


def muted_user_ids(viewer) -> set[int]:
    """Ids of the users this viewer muted (empty for a guest)."""
    if not _authenticated(viewer):
        return set()
    return set(Mute.objects.filter(muter=viewer).values_list("muted_id", flat=True))


def is_blocked(by_user, user) -> bool:
    """Whether ``by_user`` has blocked ``user``. Guests are never blocked (they have no account)."""
    if not _authenticated(user) or by_user is None:
        return False
    return Block.objects.filter(blocker=by_user, blocked=user).exists()


# --- Kudos -------------------------------------------------------------------------------------------


class KudoQuerySet(models.QuerySet["Kudo"]):
    def from_users(self) -> KudoQuerySet:
        return self.filter(user__isnull=False)

    def from_guests(self) -> KudoQuerySet:
        return self.filter(user__isnull=True)

    def from_visitor(self, user=None, ip: str | None = None) -> KudoQuerySet:
        """Kudos left by this visitor: the account when logged in, else the guest's IP."""
        if _authenticated(user):
            return self.filter(user=user)
        if ip:
            return self.filter(user__isnull=True, ip_hash=guest_ip_hash(ip))
        return self.none()


class Kudo(models.Model):
    """One kudos: from a user (once per work), or from a guest (once per IP per work)."""

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="kudos")
    # SET_NULL keeps the kudos (and work.kudos_count) when the account is deleted.
    user = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="kudos")
    ip_hash = models.CharField(max_length=64, blank=True)  # hash_visitor(ip) for guests, "" for users
    created_at = models.DateTimeField(auto_now_add=True)

    objects = KudoQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint("work", "user", condition=Q(user__isnull=False), name="kudo_unique_user"),
            models.UniqueConstraint("work", "ip_hash", condition=~Q(ip_hash=""), name="kudo_unique_guest_ip"),
        ]

    def __str__(self) -> str:
        return f"kudos on {self.work_id}"


# --- Comments ----------------------------------------------------------------------------------------


class CommentPermission(models.TextChoices):
    EVERYONE = "everyone", "Everyone, guests included"
    REGISTERED = "registered", "Logged-in users only"
    NOBODY = "nobody", "Nobody (comments off)"


class CommentSettings(models.Model):
    """A work's comment settings; a work without a row has the defaults (everyone, not moderated)."""

    work = models.OneToOneField(Work, on_delete=models.CASCADE, related_name="comment_settings")
    comment_permission = models.CharField(
        max_length=10, choices=CommentPermission.choices, default=CommentPermission.EVERYONE
    )
    moderate_comments = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"comment settings of {self.work_id}"

    @classmethod
    def for_work(cls, work: Work) -> CommentSettings:
        """The saved settings, or an unsaved row with the defaults (reading never writes)."""
        found = cls.objects.filter(work=work).first()
        return found or cls(work=work)


class CommentQuerySet(models.QuerySet["Comment"]):
    def published(self) -> CommentQuerySet:
        return self.filter(status=Comment.Status.PUBLISHED)

    def pending(self) -> CommentQuerySet:
        """The moderation queue."""
        return self.filter(status=Comment.Status.PENDING)

    def counted(self) -> CommentQuerySet:
        """What work.comments_count counts: published and not deleted."""
        return self.filter(status=Comment.Status.PUBLISHED, deleted=False)

    def visible_to(self, viewer) -> CommentQuerySet:
        """Published comments (deleted ones with replies stay as placeholders), minus muted users'."""
        comments = self.published()
        muted = muted_user_ids(viewer)
        if muted:
            comments = comments.exclude(user_id__in=muted)
        return comments

    def with_reply_flag(self) -> CommentQuerySet:
        return self.annotate(has_replies=Exists(Comment.objects.filter(parent=OuterRef("pk"))))

    def thread_order(self) -> CommentQuerySet:
        # The chapter is joined for its number and title only, never its text.
        return (
            self.select_related("user", "pseud", "chapter")
            .defer("chapter__body", "chapter__summary", "chapter__notes", "chapter__end_notes")
            .order_by("created_at", "id")
        )


class Comment(models.Model):
    class Status(models.TextChoices):
        PUBLISHED = "published", "Published"
        PENDING = "pending", "Awaiting moderation"
        SPAM = "spam", "Spam"

    DELETED_TEXT = "(deleted comment)"
    ACCOUNT_DELETED = "(Account deleted)"

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="comments")
    # SET_NULL: deleting a chapter leaves its comments on the work (and the counts right).
    chapter = models.ForeignKey(
        Chapter, null=True, blank=True, on_delete=models.SET_NULL, related_name="comments"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    user = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="comments")
    pseud = models.ForeignKey(
        "accounts.Pseud", null=True, blank=True, on_delete=models.SET_NULL, related_name="comments"
    )
    guest_name = models.CharField(max_length=100, blank=True)
    guest_email = models.EmailField(blank=True)
    body = models.TextField(blank=True)  # safe HTML; emptied when deleted
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    deleted = models.BooleanField(default=False)  # kept only while it has replies
    frozen = models.BooleanField(default=False)  # no replies under a frozen comment
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["work", "status", "created_at"])]

    def __str__(self) -> str:
        return f"comment {self.pk} on {self.work_id}"

    @property
    def display_body(self) -> str:
        return "" if self.deleted else self.body

    @property
    def author_name(self) -> str:
        if self.deleted:
            return ""
        if self.pseud_id and self.pseud:
            return self.pseud.name
        if self.user_id and self.user:
            return self.user.username
        return self.guest_name or self.ACCOUNT_DELETED

    @property
    def is_guest(self) -> bool:
        return self.user_id is None and bool(self.guest_name)

    @property
    def account_deleted(self) -> bool:
        """Written by an account that has since been deleted (the user link was set to NULL)."""
        return not self.deleted and self.user_id is None and not self.guest_name


# --- Bookmarks, marked for later, history ------------------------------------------------------------


def _work_blurbs() -> Prefetch:
    """The rows' works with what a blurb shows (works/_blurb.html), without the long fields."""
    return Prefetch(
        "work", queryset=Work.objects.with_listing_data().defer("notes", "end_notes", "source_fields")
    )


class BookmarkQuerySet(models.QuerySet["Bookmark"]):
    def visible_to(self, viewer) -> BookmarkQuerySet:
        """Public bookmarks of works the viewer may see; private ones only to their owner."""
        from fanfold.core.permissions import bookmark_visibility_q

        return self.filter(bookmark_visibility_q(viewer))

    def public(self) -> BookmarkQuerySet:
        return self.filter(private=False)

    def recs(self) -> BookmarkQuerySet:
        return self.filter(rec=True)

    def with_tag(self, name: str) -> BookmarkQuerySet:
        # JSON containment is not on SQLite; the tag list is small, so match the stored text.
        return self.filter(tags__icontains=f'"{name}"')

    def without_muted(self, viewer) -> BookmarkQuerySet:
        """Leave out bookmarks by users the viewer muted and bookmarks of their works."""
        muted = muted_user_ids(viewer)
        if not muted:
            return self
        muted_works = Creatorship.objects.filter(work=OuterRef("work_id"), pseud__user_id__in=muted)
        return self.exclude(user_id__in=muted).exclude(Exists(muted_works))

    def on_works_with_tags(self, tag_ids) -> BookmarkQuerySet:
        """Bookmarks of works carrying any of these tags (give the filter ids: synonyms included)."""
        return self.filter(Exists(WorkTag.objects.filter(work=OuterRef("work_id"), tag_id__in=list(tag_ids))))

    def notes_matching(self, text: str) -> BookmarkQuerySet:
        return self.filter(notes__icontains=text)

    def for_listing(self) -> BookmarkQuerySet:
        """With the bookmarker and the work's blurb data, newest first."""
        return self.select_related("user").prefetch_related(_work_blurbs()).order_by("-created_at", "-id")


class Bookmark(models.Model):
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="bookmarks")
    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="bookmarks")
    notes = models.TextField(blank=True)  # safe HTML
    tags = models.JSONField(default=list, blank=True)  # the bookmarker's own tag names
    rec = models.BooleanField(default=False)
    private = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BookmarkQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [models.UniqueConstraint("user", "work", name="bookmark_unique")]

    def __str__(self) -> str:
        return f"bookmark of {self.work_id} by {self.user_id}"


class MarkedForLaterQuerySet(models.QuerySet["MarkedForLater"]):
    def for_listing(self) -> MarkedForLaterQuerySet:
        return self.prefetch_related(_work_blurbs())


class MarkedForLater(models.Model):
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="marked_for_later")
    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MarkedForLaterQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint("user", "work", name="marked_for_later_unique")]

    def __str__(self) -> str:
        return f"{self.work_id} marked by {self.user_id}"


class ReadingQuerySet(models.QuerySet["Reading"]):
    def for_listing(self) -> ReadingQuerySet:
        return (
            self.select_related("last_chapter")
            .defer(
                "last_chapter__body",
                "last_chapter__summary",
                "last_chapter__notes",
                "last_chapter__end_notes",
            )
            .prefetch_related(_work_blurbs())
        )


class Reading(models.Model):
    """One line of a user's reading history (kept only while history is on)."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="readings")
    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="+")
    last_chapter = models.ForeignKey(
        Chapter, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_read_at = models.DateTimeField()
    views = models.PositiveIntegerField(default=1)

    objects = ReadingQuerySet.as_manager()

    class Meta:
        ordering = ["-last_read_at", "-id"]
        constraints = [models.UniqueConstraint("user", "work", name="reading_unique")]

    def __str__(self) -> str:
        return f"{self.work_id} read by {self.user_id}"


class Hit(models.Model):
    """One visitor's visit to a work on one day; only today's rows matter (see prune_hits)."""

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="+")
    visitor_hash = models.CharField(max_length=64)
    day = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint("work", "visitor_hash", "day", name="hit_unique_per_day")]
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"hit on {self.work_id} {self.day}"


# --- Subscriptions and notifications ---------------------------------------------------------------


class Subscription(models.Model):
    class Kind(models.TextChoices):
        WORK = "work", "Work"
        SERIES = "series", "Series"
        CREATOR = "creator", "Creator"

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="subscriptions")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    work = models.ForeignKey(Work, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    series = models.ForeignKey(Series, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    creator = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.CASCADE, related_name="subscribers"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="work", work__isnull=False, series__isnull=True, creator__isnull=True)
                    | Q(kind="series", work__isnull=True, series__isnull=False, creator__isnull=True)
                    | Q(kind="creator", work__isnull=True, series__isnull=True, creator__isnull=False)
                ),
                name="subscription_one_target",
            ),
            models.UniqueConstraint(
                "user", "work", condition=Q(kind="work"), name="subscription_unique_work"
            ),
            models.UniqueConstraint(
                "user", "series", condition=Q(kind="series"), name="subscription_unique_series"
            ),
            models.UniqueConstraint(
                "user", "creator", condition=Q(kind="creator"), name="subscription_unique_creator"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} subscribes to {self.kind}"


class NotificationQuerySet(models.QuerySet["Notification"]):
    def unread(self) -> NotificationQuerySet:
        return self.filter(read=False)


class Notification(models.Model):
    """What the site shows a user on their notifications page (the email says the same)."""

    class Kind(models.TextChoices):
        COMMENT = "comment", "New comment"
        REPLY = "reply", "Reply to your comment"
        MODERATION = "moderation", "Comment awaiting moderation"
        NEW_WORK = "new_work", "New work"
        NEW_CHAPTER = "new_chapter", "New chapter"
        KUDOS = "kudos", "Kudos"
        ASSIGNMENT = "assignment", "Gift exchange assignment"
        COLLECTION = "collection", "Collection"
        INVITATION = "invitation", "Co-creator invitation"

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    text = models.CharField(max_length=500)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read = models.BooleanField(default=False)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read", "-created_at"])]

    def __str__(self) -> str:
        return self.text
