from __future__ import annotations

from django.db import models

from fanfold.tags.models import Tag
from fanfold.works.models import Work


class Collection(models.Model):
    """A collection of works; prompt events (Whumptober and the like) carry dated prompts."""

    name = models.SlugField(max_length=100, unique=True)  # for URLs
    title = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class CollectionPrompt(models.Model):
    """A prompt of a collection, e.g. day 24 of Whumptober: "One down, two to go"."""

    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="prompts")
    day = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.CharField(max_length=500, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="prompts")

    class Meta:
        ordering = ["collection", "day", "id"]

    def __str__(self) -> str:
        if self.day:
            return f"{self.collection.title}, Day {self.day}: {self.text}" if self.text else f"Day {self.day}"
        return self.text


class CollectionItem(models.Model):
    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="items")
    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="collection_items")
    prompt = models.ForeignKey(CollectionPrompt, null=True, blank=True, on_delete=models.SET_NULL)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint("collection", "work", name="collection_item_unique")]

    def __str__(self) -> str:
        return f"{self.work_id} in {self.collection_id}"
