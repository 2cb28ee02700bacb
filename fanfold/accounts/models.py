from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower


class User(AbstractUser):
    """An account. Creators are credited through pseuds, never through the account itself."""

    class Meta:
        db_table = "accounts_user"


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
