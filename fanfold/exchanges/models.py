"""Gift exchanges: a collection where everyone signs up to give one gift and receive one.

The exchange is run in stages (``GiftExchange.State``): sign-ups open, sign-ups closed, assignments
generated (drafts the moderators review), assignments sent, revealed. Sign-ups hold requests and
offers (``Prompt``), each a set of tags per type plus "any" flags and optional tags; per tag type the
moderators set what a prompt must name (``TypeSetting``: required/allowed counts, "any") and how
requests and offers must match (how many shared tags, whether optional tags count).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from fanfold.accounts.models import Pseud, User
from fanfold.challenges.models import Collection
from fanfold.tags.models import Tag, TagType
from fanfold.works.models import Work

USER = settings.AUTH_USER_MODEL
MAX_PROMPTS = 10  # AO3's limit on requests and offers per sign-up

# The tag types a gift exchange can ask for, in the order the sign-up form shows them.
EXCHANGE_TAG_TYPES = (TagType.FANDOM, TagType.CHARACTER, TagType.RELATIONSHIP, TagType.ADDITIONAL)


class GiftExchange(models.Model):
    class State(models.TextChoices):
        OPEN = "open", "Sign-ups open"
        CLOSED = "closed", "Sign-ups closed"
        MATCHED = "matched", "Assignments generated"
        SENT = "sent", "Assignments sent"
        REVEALED = "revealed", "Gifts revealed"

    collection = models.OneToOneField(Collection, on_delete=models.CASCADE, related_name="gift_exchange")
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    instructions = models.TextField(blank=True)
    requests_min = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(MAX_PROMPTS)]
    )
    requests_max = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(MAX_PROMPTS)]
    )
    offers_min = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(MAX_PROMPTS)]
    )
    offers_max = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(MAX_PROMPTS)]
    )
    assignments_due_at = models.DateTimeField(null=True, blank=True)
    # Moderators of the exchange besides the collection's own (owners/moderators of the collection).
    moderators = models.ManyToManyField[User, models.Model](
        USER, blank=True, related_name="moderated_exchanges"
    )
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    matched_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    revealed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(requests_min__lte=models.F("requests_max")), name="exchange_requests_range"
            ),
            models.CheckConstraint(
                condition=Q(offers_min__lte=models.F("offers_max")), name="exchange_offers_range"
            ),
        ]

    def __str__(self) -> str:
        return f"Gift exchange {self.collection.title}"

    @property
    def signups_open(self) -> bool:
        return self.state == self.State.OPEN


class TypeSetting(models.Model):
    """Per tag type: what each request and offer must name, and how they must match."""

    exchange = models.ForeignKey(GiftExchange, on_delete=models.CASCADE, related_name="type_settings")
    tag_type = models.CharField(max_length=16, choices=[(t.value, t.label) for t in EXCHANGE_TAG_TYPES])
    request_required = models.PositiveSmallIntegerField(default=0)
    request_allowed = models.PositiveSmallIntegerField(default=1)
    request_any = models.BooleanField(default=False, help_text='Requests may say "any" for this type.')
    offer_required = models.PositiveSmallIntegerField(default=0)
    offer_allowed = models.PositiveSmallIntegerField(default=1)
    offer_any = models.BooleanField(default=False, help_text='Offers may say "any" for this type.')
    # Matching: how many tags of this type a request and an offer must share (0: not compared).
    match_required = models.PositiveSmallIntegerField(default=0)
    match_optional = models.BooleanField(default=False, help_text="Optional tags count towards the match.")

    class Meta:
        ordering = ["exchange", "id"]
        constraints = [models.UniqueConstraint("exchange", "tag_type", name="exchange_type_setting_unique")]

    def __str__(self) -> str:
        return f"{self.tag_type} in {self.exchange_id}"


class SignupQuerySet(models.QuerySet["Signup"]):
    def of_user(self, user) -> SignupQuerySet:
        return self.filter(user_id=user.pk) if user.is_authenticated else self.none()


class Signup(models.Model):
    """One pseud's sign-up. ``user`` is the pseud's account, kept here so that two pseuds of one
    account are never matched with each other."""

    exchange = models.ForeignKey(GiftExchange, on_delete=models.CASCADE, related_name="signups")
    pseud = models.ForeignKey(Pseud, on_delete=models.CASCADE, related_name="exchange_signups")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="exchange_signups")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SignupQuerySet.as_manager()

    class Meta:
        ordering = ["exchange", "pseud__name"]
        constraints = [models.UniqueConstraint("exchange", "pseud", name="exchange_signup_unique_pseud")]

    def __str__(self) -> str:
        return f"{self.pseud.name} in {self.exchange_id}"

    def requests(self) -> list[Prompt]:
        return [p for p in self.prompts.all() if p.kind == Prompt.Kind.REQUEST]

    def offers(self) -> list[Prompt]:
        return [p for p in self.prompts.all() if p.kind == Prompt.Kind.OFFER]


class Prompt(models.Model):
    """A request or an offer of a sign-up."""

    class Kind(models.TextChoices):
        REQUEST = "request", "Request"
        OFFER = "offer", "Offer"

    signup = models.ForeignKey(Signup, on_delete=models.CASCADE, related_name="prompts")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    position = models.PositiveSmallIntegerField(default=0)
    # Tag types marked "any", space-separated (a plain string: thousands load fast for matching).
    any_types = models.CharField(max_length=100, blank=True)
    description = models.TextField(blank=True)
    tags = models.ManyToManyField(Tag, through="PromptTag", related_name="exchange_prompts")

    class Meta:
        ordering = ["signup", "kind", "position"]

    def __str__(self) -> str:
        return f"{self.kind} {self.position + 1} of {self.signup_id}"

    @property
    def any_list(self) -> list[str]:
        return self.any_types.split()

    def tags_of(self, tag_type: str, *, optional: bool = False) -> list[Tag]:
        return [
            pt.tag for pt in self.prompt_tags.all() if pt.tag.type == tag_type and pt.optional == optional
        ]


class PromptTag(models.Model):
    prompt = models.ForeignKey(Prompt, on_delete=models.CASCADE, related_name="prompt_tags")
    tag = models.ForeignKey(Tag, on_delete=models.PROTECT, related_name="+")
    optional = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint("prompt", "tag", name="exchange_prompt_tag_unique")]

    def __str__(self) -> str:
        return f"{self.tag_id} on {self.prompt_id}"


class AssignmentQuerySet(models.QuerySet["Assignment"]):
    def current(self) -> AssignmentQuerySet:
        """Assignments still in force (a defaulted one was replaced or waits for a pinch hitter)."""
        return self.exclude(status=Assignment.Status.DEFAULTED)

    def for_giver(self, user) -> AssignmentQuerySet:
        """What this user has to write: as the matched giver or as a pinch hitter."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(Q(giver__user_id=user.pk, pinch_hitter__isnull=True) | Q(pinch_hitter_id=user.pk))


class Assignment(models.Model):
    """Giver writes for receiver. ``giver`` is None for a receiver nobody could be matched with, and
    for the replacement row made when a giver defaults; a moderator then names a ``pinch_hitter``."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SENT = "sent", "Sent"
        FULFILLED = "fulfilled", "Fulfilled"
        DEFAULTED = "defaulted", "Defaulted"

    exchange = models.ForeignKey(GiftExchange, on_delete=models.CASCADE, related_name="assignments")
    giver = models.ForeignKey(Signup, null=True, blank=True, on_delete=models.CASCADE, related_name="giving")
    receiver = models.ForeignKey(Signup, on_delete=models.CASCADE, related_name="receiving")
    pinch_hitter = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="pinch_hits"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    quality = models.PositiveIntegerField(default=0)
    work = models.ForeignKey(Work, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    fulfilled_at = models.DateTimeField(null=True, blank=True)
    defaulted_at = models.DateTimeField(null=True, blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["exchange", "receiver__pseud__name", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(giver=models.F("receiver")), name="assignment_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.giver_id or self.pinch_hitter_id} → {self.receiver_id}"

    @property
    def giver_user_id(self) -> int | None:
        if self.pinch_hitter_id:
            return self.pinch_hitter_id
        return self.giver.user_id if self.giver_id and self.giver else None

    @property
    def needs_pinch_hit(self) -> bool:
        """An open assignment with nobody to write it (unmatched, or its giver defaulted)."""
        return self.status in (self.Status.DRAFT, self.Status.SENT) and self.giver_user_id is None
