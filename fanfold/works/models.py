from __future__ import annotations

from django.conf import settings
from django.db import models

from fanfold.accounts.models import Pseud
from fanfold.tags.models import Tag, TagType


class WorkQuerySet(models.QuerySet["Work"]):
    def with_listing_data(self) -> WorkQuerySet:
        """Everything a work blurb shows, in a constant number of queries.

        Adds ``chapters_posted`` (the number of chapters, counted in the main query): listings
        should use it rather than the ``chapter_count`` property, which queries per work.
        """
        from django.db.models.functions import Coalesce

        # A correlated subquery, not a join + GROUP BY: it runs only for the rows of the page, and
        # the paginator's COUNT(*) leaves it out.
        chapters_posted = (
            Chapter.objects.filter(work=models.OuterRef("pk"))
            .order_by()
            .values("work")
            .annotate(n=models.Count("pk"))
            .values("n")
        )
        from fanfold.core.permissions import creators_hidden_expression  # local: permissions imports works

        # Whether an anonymous collection hides the creators: bylines need no query of their own.
        return self.annotate(
            chapters_posted=Coalesce(models.Subquery(chapters_posted), 0),
            creators_hidden_now=creators_hidden_expression(),
        ).prefetch_related(
            models.Prefetch("creatorships", queryset=Creatorship.objects.select_related("pseud__user")),
            models.Prefetch("tags", queryset=Tag.objects.order_by("name")),
            models.Prefetch("series_memberships", queryset=SeriesWork.objects.select_related("series")),
            "gifts",
        )

    def credited_to(self, user) -> WorkQuerySet:
        """Works the account is credited on under any of its pseuds (accepted co-creators included)."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(
            models.Exists(Creatorship.objects.filter(work=models.OuterRef("pk"), pseud__user_id=user.pk))
        )

    def drafts_of(self, user) -> WorkQuerySet:
        return self.credited_to(user).filter(draft=True)


class Work(models.Model):
    title = models.CharField(max_length=255)
    summary = models.TextField(blank=True)  # safe HTML
    notes = models.TextField(blank=True)  # safe HTML
    end_notes = models.TextField(blank=True)  # safe HTML
    language = models.CharField(max_length=35, default="en")  # BCP 47 code
    tags = models.ManyToManyField(Tag, through="WorkTag", related_name="works", blank=True)
    word_count = models.PositiveIntegerField(default=0)
    chapters_expected = models.PositiveIntegerField(null=True, blank=True)  # None = unknown ("?")
    complete = models.BooleanField(default=True)
    published = models.DateField()
    updated = models.DateField()
    # The creator chose the publication date (a work first posted elsewhere); a draft keeps it when
    # posted instead of taking the posting day.
    backdated = models.BooleanField(default=False)
    restricted = models.BooleanField(default=False)  # visible to logged-in users only
    draft = models.BooleanField(default=False)
    hidden_by_admin = models.BooleanField(default=False)
    # Where an imported work came from, and every source field that did not map, verbatim.
    source_format = models.CharField(max_length=32, blank=True)
    source_url = models.URLField(max_length=500, blank=True)
    source_fields = models.JSONField(default=dict, blank=True)
    # Counters kept by the services that change them, for sorting listings.
    hits = models.PositiveIntegerField(default=0)
    kudos_count = models.PositiveIntegerField(default=0)
    comments_count = models.PositiveIntegerField(default=0)
    bookmarks_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    objects = WorkQuerySet.as_manager()

    class Meta:
        ordering = ["-updated", "-id"]
        indexes = [models.Index(fields=["-updated", "-id"])]

    def __str__(self) -> str:
        return self.title

    def tags_of_type(self, tag_type: str) -> list[Tag]:
        """Tags of one type, from the prefetch cache when there is one."""
        return [tag for tag in self.tags.all() if tag.type == tag_type]

    @property
    def rating(self) -> Tag | None:
        ratings = self.tags_of_type(TagType.RATING)
        return ratings[0] if ratings else None

    @property
    def creator_pseuds(self) -> list[Pseud]:
        return [c.pseud for c in sorted(self.creatorships.all(), key=lambda c: c.position)]

    @property
    def chapter_count(self) -> int:
        return self.chapters.count()


class WorkTag(models.Model):
    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="work_tags")
    tag = models.ForeignKey(Tag, on_delete=models.PROTECT, related_name="work_tags")

    class Meta:
        constraints = [models.UniqueConstraint("work", "tag", name="work_tag_unique")]
        indexes = [models.Index(fields=["tag", "work"])]

    def __str__(self) -> str:
        return f"{self.work_id}: {self.tag_id}"


class Creatorship(models.Model):
    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="creatorships")
    pseud = models.ForeignKey(Pseud, on_delete=models.PROTECT, related_name="creatorships")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint("work", "pseud", name="creatorship_unique")]

    def __str__(self) -> str:
        return f"{self.pseud_id} on {self.work_id}"


class Chapter(models.Model):
    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="chapters")
    position = models.PositiveIntegerField()
    title = models.CharField(max_length=255, blank=True)
    summary = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    end_notes = models.TextField(blank=True)
    body = models.TextField()  # safe HTML
    word_count = models.PositiveIntegerField(default=0)
    published = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["work", "position"]
        constraints = [models.UniqueConstraint("work", "position", name="chapter_position_unique")]

    def __str__(self) -> str:
        return self.display_title

    @property
    def display_title(self) -> str:
        if self.title:
            return f"Chapter {self.position}: {self.title}"
        return f"Chapter {self.position}"


class Series(models.Model):
    title = models.CharField(max_length=255)
    summary = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    complete = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "series"
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class SeriesWork(models.Model):
    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="memberships")
    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="series_memberships")
    position = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["series", "position"]
        constraints = [models.UniqueConstraint("series", "work", name="series_work_unique")]

    def __str__(self) -> str:
        return f"Part {self.position}"


class Gift(models.Model):
    """A work given to someone: an account here, or just a name (e.g. an imported "@misschih")."""

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="gifts")
    recipient_name = models.CharField(max_length=100)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="gifts"
    )

    class Meta:
        constraints = [models.UniqueConstraint("work", "recipient_name", name="gift_unique_recipient")]

    def __str__(self) -> str:
        return self.recipient_name


class RelatedWork(models.Model):
    class Relation(models.TextChoices):
        INSPIRED_BY = "inspired_by", "Inspired by"
        TRANSLATION_OF = "translation_of", "Translation of"

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="related_works")
    relation = models.CharField(max_length=20, choices=Relation.choices)
    parent = models.ForeignKey(
        Work, null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    # For works outside this archive.
    title = models.CharField(max_length=255, blank=True)
    url = models.URLField(max_length=500, blank=True)
    creator = models.CharField(max_length=100, blank=True)

    def __str__(self) -> str:
        return f"{self.get_relation_display()} {self.title or self.url}"


class CreatorInvitationQuerySet(models.QuerySet["CreatorInvitation"]):
    def for_user(self, user) -> CreatorInvitationQuerySet:
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(user_id=user.pk)


class CreatorInvitation(models.Model):
    """An invitation to be credited as a co-creator. Until accepted, the invitee is neither credited
    nor allowed to edit; accepting turns it into a Creatorship, declining deletes it."""

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="creator_invitations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="creator_invitations"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CreatorInvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint("work", "user", name="creator_invitation_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} invited to {self.work_id}"
