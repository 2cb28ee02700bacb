from __future__ import annotations

from django.conf import settings
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
    # Meta tags: broader canonical tags of the same type (e.g. "Alternate Universe" over
    # "Coffee Shop AU"); a filter on a meta tag also finds its sub tags, transitively.
    meta_tags = models.ManyToManyField("self", symmetrical=False, related_name="sub_tags", blank=True)
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


# Meta links are short chains in practice; the bound stops a pathological chain from looping forever.
MAX_META_DEPTH = 50


def _meta_closure(start: set[int], *, downward: bool) -> set[int]:
    """Tags reachable from ``start`` through meta links (not including ``start`` unless looped back).

    One query per level of the hierarchy, never one per tag.
    """
    links = Tag.meta_tags.through.objects
    frm, to = ("to_tag_id", "from_tag_id") if downward else ("from_tag_id", "to_tag_id")
    found: set[int] = set()
    frontier = set(start)
    for _ in range(MAX_META_DEPTH):
        if not frontier:
            break
        reached = set(links.filter(**{f"{frm}__in": frontier}).values_list(to, flat=True))
        frontier = reached - found
        found |= reached
    return found


def sub_tag_map(tag_ids: set[int] | list[int]) -> dict[int, set[int]]:
    """For each tag, every sub tag under it (transitively), from one query per level of links."""
    links = Tag.meta_tags.through.objects
    children: dict[int, set[int]] = {}
    frontier, seen = set(tag_ids), set(tag_ids)
    for _ in range(MAX_META_DEPTH):
        if not frontier:
            break
        rows = list(links.filter(to_tag_id__in=frontier).values_list("to_tag_id", "from_tag_id"))
        for meta_id, sub_id in rows:
            children.setdefault(meta_id, set()).add(sub_id)
        reached = {sub_id for _, sub_id in rows}
        frontier = reached - seen
        seen |= reached
    result: dict[int, set[int]] = {}
    for tag_id in tag_ids:
        found: set[int] = set()
        stack = list(children.get(tag_id, ()))
        while stack:
            current = stack.pop()
            if current not in found:
                found.add(current)
                stack.extend(children.get(current, ()))
        result[tag_id] = found
    return result


def sub_tag_ids(tag_ids: set[int] | list[int]) -> set[int]:
    """Every sub tag of these tags, transitively: a sub tag of a sub tag counts."""
    return _meta_closure(set(tag_ids), downward=True)


def meta_tag_ids(tag_ids: set[int] | list[int]) -> set[int]:
    """Every meta tag of these tags, inherited ones included."""
    return _meta_closure(set(tag_ids), downward=False)


class WranglerAssignment(models.Model):
    """A wrangler looks after a fandom: its bins of unwrangled tags are theirs to sort."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="wrangler_assignments"
    )
    fandom = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="wrangler_assignments")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["fandom__name"]
        constraints = [models.UniqueConstraint("user", "fandom", name="wrangler_assignment_unique")]

    def __str__(self) -> str:
        return f"{self.user} wrangles {self.fandom}"


class TagChange(models.Model):
    """One wrangling action, for the tag's history: who changed what, with before and after."""

    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="changes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    action = models.CharField(max_length=40)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} on {self.tag}"


class TagComment(models.Model):
    """Wranglers' notes on a tag. ``body`` is sanitised HTML (fanfold.core.html)."""

    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="comments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Comment on {self.tag}"
