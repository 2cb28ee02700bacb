"""Collections and the challenges run in them: prompt calendars (Whumptober) and prompt memes.

A collection has owners, moderators and members (``Membership``); works enter it as ``CollectionItem``
rows, which a moderated collection approves one by one. An *unrevealed* collection hides its works
until ``reveal_at``; an *anonymous* one hides their creators until ``reveal_creators_at``. Both are
compared with the clock in the visibility queries (``fanfold.core.permissions``), so a reveal can
never be late: no job has to run for it.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from fanfold.tags.models import Tag
from fanfold.works.models import Work

USER = settings.AUTH_USER_MODEL


class Collection(models.Model):
    """A collection of works; prompt events (Whumptober and the like) carry dated prompts."""

    class Joining(models.TextChoices):
        OPEN = "open", "Anyone can join"
        REQUEST = "request", "Anyone can ask to join; moderators approve"
        INVITE = "invite", "By invitation only"

    name = models.SlugField(max_length=100, unique=True)  # for URLs
    title = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # One level of sub-collections, as on AO3: a parent lists its children's works too.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    open = models.BooleanField(default=True, help_text="Works can be added.")
    moderated = models.BooleanField(default=False, help_text="New works wait for a moderator's approval.")
    members_only = models.BooleanField(default=False, help_text="Only members can add works.")
    joining = models.CharField(max_length=10, choices=Joining.choices, default=Joining.OPEN)
    # Hidden creators, until reveal_creators_at (None: until a moderator reveals them).
    anonymous = models.BooleanField(default=False)
    reveal_creators_at = models.DateTimeField(null=True, blank=True)
    # Hidden works, until reveal_at (None: until a moderator reveals them).
    unrevealed = models.BooleanField(default=False)
    reveal_at = models.DateTimeField(null=True, blank=True)
    # When the reveal notifications went out, so the scheduled task sends them once.
    reveal_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def is_unrevealed(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.unrevealed and (self.reveal_at is None or self.reveal_at > now)

    def hides_creators(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.anonymous and (self.reveal_creators_at is None or self.reveal_creators_at > now)

    @property
    def calendar_or_none(self) -> PromptCalendar | None:
        try:
            return self.calendar
        except PromptCalendar.DoesNotExist:
            return None

    @property
    def meme_or_none(self) -> PromptMeme | None:
        try:
            return self.meme
        except PromptMeme.DoesNotExist:
            return None


def unrevealed_q(now: dt.datetime, prefix: str = "") -> Q:
    """Collections whose works are hidden at ``now`` (``prefix``: the path to a Collection)."""
    return Q(**{f"{prefix}unrevealed": True}) & (
        Q(**{f"{prefix}reveal_at__isnull": True}) | Q(**{f"{prefix}reveal_at__gt": now})
    )


def hiding_creators_q(now: dt.datetime, prefix: str = "") -> Q:
    """Collections whose works' creators are hidden at ``now``."""
    return Q(**{f"{prefix}anonymous": True}) & (
        Q(**{f"{prefix}reveal_creators_at__isnull": True}) | Q(**{f"{prefix}reveal_creators_at__gt": now})
    )


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        MODERATOR = "moderator", "Moderator"
        MEMBER = "member", "Member"

    class Status(models.TextChoices):
        INVITED = "invited", "Invited"  # a moderator asked; the user has not accepted yet
        REQUESTED = "requested", "Requested"  # the user asked; a moderator has not approved yet
        APPROVED = "approved", "Approved"

    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="collection_memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.APPROVED)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["collection", "role", "user__username"]
        constraints = [models.UniqueConstraint("collection", "user", name="collection_membership_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.role} of {self.collection_id} ({self.status})"

    @property
    def moderates(self) -> bool:
        return self.status == self.Status.APPROVED and self.role in (self.Role.OWNER, self.Role.MODERATOR)


MODERATOR_ROLES = (Membership.Role.OWNER, Membership.Role.MODERATOR)


class CollectionPrompt(models.Model):
    """A prompt of a collection: a calendar day's prompt (day 24 of Whumptober: "One down, two to go";
    up to three alternatives a day), or a prompt meme's prompt (with its poster)."""

    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="prompts")
    day = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.CharField(max_length=500, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="prompts")
    poster = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    anonymous = models.BooleanField(default=False)  # the poster is not shown
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["collection", "day", "id"]

    def __str__(self) -> str:
        if self.day:
            return f"{self.collection.title}, Day {self.day}: {self.text}" if self.text else f"Day {self.day}"
        return self.text


class CollectionItemQuerySet(models.QuerySet["CollectionItem"]):
    def listed(self) -> CollectionItemQuerySet:
        """Items the collection shows: approved by its moderators and accepted by the work's creator."""
        return self.filter(status=CollectionItem.Status.APPROVED, creator_approved=True)

    def consented(self) -> CollectionItemQuerySet:
        """Items the creator put in (or accepted) and no moderator rejected: they hide the work while
        the collection is unrevealed, approved or not."""
        return self.filter(creator_approved=True).exclude(status=CollectionItem.Status.REJECTED)

    def in_collection(self, collection_id: int) -> CollectionItemQuerySet:
        """Items of the collection and of its sub-collections."""
        return self.filter(Q(collection_id=collection_id) | Q(collection__parent_id=collection_id))


class CollectionItem(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting approval"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="items")
    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="collection_items")
    prompt = models.ForeignKey(CollectionPrompt, null=True, blank=True, on_delete=models.SET_NULL)
    added_at = models.DateTimeField(auto_now_add=True)
    added_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.APPROVED)
    # False while a moderator's invitation waits for the work's creator.
    creator_approved = models.BooleanField(default=True)

    objects = CollectionItemQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint("collection", "work", name="collection_item_unique")]
        indexes = [models.Index(fields=["work", "collection"])]

    def __str__(self) -> str:
        return f"{self.work_id} in {self.collection_id}"


def validate_time_zone(name: str) -> None:
    from django.core.exceptions import ValidationError

    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise ValidationError(
            f"{name!r} is not a time zone name (e.g. Europe/Paris, America/New_York)."
        ) from error


class PromptCalendar(models.Model):
    """A prompt calendar (Whumptober, Flufftober): ``days`` days from ``start_date`` in ``time_zone``."""

    collection = models.OneToOneField(
        Collection, on_delete=models.CASCADE, related_name="calendar", primary_key=True
    )
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    start_date = models.DateField()
    days = models.PositiveSmallIntegerField(default=31)

    def __str__(self) -> str:
        return f"{self.collection.title} ({self.start_date}, {self.days} days)"

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def date_of(self, day: int) -> dt.date:
        return self.start_date + dt.timedelta(days=day - 1)

    @property
    def end_date(self) -> dt.date:
        return self.date_of(self.days)

    def day_on(self, date: dt.date) -> int | None:
        day = (date - self.start_date).days + 1
        return day if 1 <= day <= self.days else None

    def today(self, now: dt.datetime | None = None) -> int | None:
        """The event's day number now, in the event's time zone (None before and after the event)."""
        now = now or timezone.now()
        return self.day_on(now.astimezone(self.zone).date())


class CalendarFill(models.Model):
    """A work (through its collection item) fills one day of a calendar; a work may fill several."""

    item = models.ForeignKey(CollectionItem, on_delete=models.CASCADE, related_name="calendar_fills")
    day = models.PositiveSmallIntegerField()
    prompt = models.ForeignKey(CollectionPrompt, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["day", "item_id"]
        constraints = [models.UniqueConstraint("item", "day", name="calendar_fill_unique")]

    def __str__(self) -> str:
        return f"item {self.item_id}: day {self.day}"


class PromptMeme(models.Model):
    """A prompt meme: anyone posts prompts, writers claim them (with caps and expiry) and fill them."""

    collection = models.OneToOneField(
        Collection, on_delete=models.CASCADE, related_name="meme", primary_key=True
    )
    claim_days = models.PositiveSmallIntegerField(
        default=14, help_text="A claim expires after this many days."
    )
    claims_per_prompt = models.PositiveSmallIntegerField(default=1, help_text="0 for no limit.")
    claims_per_user = models.PositiveSmallIntegerField(default=3, help_text="0 for no limit.")
    allow_anonymous = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"Prompt meme {self.collection.title}"


class ClaimQuerySet(models.QuerySet["Claim"]):
    def active(self, now: dt.datetime | None = None) -> ClaimQuerySet:
        """Claims that count against the caps: neither fulfilled nor expired."""
        return self.filter(fulfilled_at__isnull=True, expires_at__gt=now or timezone.now())


class Claim(models.Model):
    prompt = models.ForeignKey(CollectionPrompt, on_delete=models.CASCADE, related_name="claims")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="prompt_claims")
    claimed_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    fulfilled_at = models.DateTimeField(null=True, blank=True)
    work = models.ForeignKey(Work, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = ClaimQuerySet.as_manager()

    class Meta:
        ordering = ["-claimed_at", "-id"]
        indexes = [models.Index(fields=["prompt", "expires_at"]), models.Index(fields=["user", "expires_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} claims {self.prompt_id}"
