from __future__ import annotations

from django.db import models

from fanfold.core.text import normalize_key


class TagType(models.TextChoices):
    RATING = "rating", "Rating"
    WARNING = "warning", "Archive Warning"
    CATEGORY = "category", "Category"
    FANDOM = "fandom", "Fandom"
    RELATIONSHIP = "relationship", "Relationship"
    CHARACTER = "character", "Character"
    ADDITIONAL = "additional", "Additional Tags"
    UNSORTED = "unsorted", "Unsorted"  # type not known yet; a wrangler decides


FIXED_TYPES = frozenset({TagType.RATING, TagType.WARNING, TagType.CATEGORY})


class TagQuerySet(models.QuerySet["Tag"]):
    def canonical(self) -> TagQuerySet:
        return self.filter(canonical=True)

    def of_type(self, tag_type: str) -> TagQuerySet:
        return self.filter(type=tag_type)

    def named(self, tag_type: str, name: str) -> TagQuerySet:
        return self.filter(type=tag_type, name_key=normalize_key(name))


class Tag(models.Model):
    """A tag as AO3 models it: canonical, a synonym of one canonical tag (merger), or unwrangled."""

    name = models.CharField(max_length=150)
    type = models.CharField(max_length=16, choices=TagType.choices)
    # Folded case/accents/spaces: two names with one key are the same tag.
    name_key = models.CharField(max_length=150, editable=False)
    canonical = models.BooleanField(default=False)
    merger = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="synonyms"
    )
    # Fandoms of characters, relationships and additional tags; characters of relationships.
    parents = models.ManyToManyField("self", symmetrical=False, related_name="children", blank=True)
    media = models.CharField(max_length=100, blank=True)  # fandoms only, e.g. "Anime & Manga"
    unwrangleable = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TagQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint("type", "name_key", name="tag_unique_name_per_type")]
        indexes = [models.Index(fields=["name_key"])]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.name_key = normalize_key(self.name)  # derived, never set by hand
        super().save(*args, **kwargs)

    @staticmethod
    def key_for(name: str) -> str:
        return normalize_key(name)

    @property
    def is_fixed(self) -> bool:
        return self.type in FIXED_TYPES

    @property
    def filter_tag(self) -> Tag:
        """The tag that filtering uses: the canonical tag of a synonym, else itself."""
        return self.merger if self.merger_id and self.merger else self
