from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower

# The shared account that keeps orphaned works (AO3's name for it).
ORPHAN_USERNAME = "orphan_account"


class AccountManager(UserManager["User"]):
    def get_by_natural_key(self, username: str | None) -> User:
        # Usernames are unique ignoring case, so "Reader" logs in as "reader", as on AO3.
        return self.get(username__iexact=username)


class User(AbstractUser):
    """An account. Creators are credited through pseuds, never through the account itself."""

    # Set by accounts.services.suspend_user, which also sets is_active=False (no log-in, no API token).
    suspended_at = models.DateTimeField(null=True, blank=True)
    suspension_reason = models.TextField(blank=True)

    objects = AccountManager()  # type: ignore[misc]

    class Meta:
        db_table = "accounts_user"
        constraints = [models.UniqueConstraint(Lower("username"), name="username_unique_ignoring_case")]

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None

    @property
    def is_orphan_account(self) -> bool:
        return self.username == ORPHAN_USERNAME


class PseudQuerySet(models.QuerySet["Pseud"]):
    def external(self) -> PseudQuerySet:
        return self.filter(user__isnull=True)


class Pseud(models.Model):
    """A name a creator writes under. Imported authors without an account here have user=None."""

    name = models.CharField(max_length=100)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE, related_name="pseuds")
    is_default = models.BooleanField(default=False)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PseudQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "user", name="pseud_name_unique_per_user"),
            models.UniqueConstraint(
                Lower("name"), condition=models.Q(user__isnull=True), name="external_pseud_name_unique"
            ),
        ]

    def __str__(self) -> str:
        if self.user_id and self.user and self.user.username.lower() != self.name.lower():
            return f"{self.name} ({self.user.username})"
        return self.name

    @property
    def is_external(self) -> bool:
        return self.user_id is None


class Preference(models.Model):
    """A reader's settings. Guests keep the reading settings in a cookie instead."""

    class Theme(models.TextChoices):
        AUTO = "auto", "Follow my system"
        LIGHT = "light", "Light"
        DARK = "dark", "Dark"

    class LineWidth(models.TextChoices):
        NARROW = "narrow", "Narrow"
        NORMAL = "normal", "Normal"
        WIDE = "wide", "Wide"

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="preference")
    # Tags never to show me: applied to every listing and to its counts.
    excluded_tags = models.ManyToManyField("tags.Tag", blank=True, related_name="+")
    hide_warnings = models.BooleanField(default=False)  # shown only when clicked
    hide_additional_tags = models.BooleanField(default=False)
    font_size = models.PositiveSmallIntegerField(default=100)  # percent
    line_width = models.CharField(max_length=8, choices=LineWidth.choices, default=LineWidth.NORMAL)
    theme = models.CharField(max_length=8, choices=Theme.choices, default=Theme.AUTO)
    history_enabled = models.BooleanField(default=True)  # keep my reading history
    allow_gifts = models.BooleanField(default=True)  # others may give works to me

    def __str__(self) -> str:
        return f"preferences of {self.user_id}"


class ApiToken(models.Model):
    """A personal API token. Only a hash is stored; the token itself is shown once, when created."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=8)  # shown in lists so people can tell tokens apart
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user_id})"
