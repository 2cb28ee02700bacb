from __future__ import annotations

from django.db import models

from fanfold.works.models import Work


class SearchDocument(models.Model):
    """The searchable text of one work: metadata and the story itself.

    SQLite indexes it with an FTS5 table kept in step by triggers; PostgreSQL with a generated,
    weighted tsvector column and a GIN index (both created in this app's migrations).
    """

    work = models.OneToOneField(
        Work, on_delete=models.CASCADE, primary_key=True, related_name="search_document"
    )
    title = models.TextField()
    creators = models.TextField(blank=True)
    tags = models.TextField(blank=True)
    summary = models.TextField(blank=True)  # summary and notes, as plain text
    body = models.TextField(blank=True)  # every chapter, as plain text

    def __str__(self) -> str:
        return self.title


class WorkFilterTag(models.Model):
    """One of a work's filter tags: the canonical tag of each of its tags (a synonym counts as its
    canonical tag) and every meta tag above those, transitively.

    Denormalised so that facet counts are one indexed GROUP BY, meta tags included. Kept by
    ``search.filtertags``: refreshed with the search document on every write to a work, and in bulk
    by a background task when wrangling changes what a tag means.
    """

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="filter_tags")
    tag = models.ForeignKey("tags.Tag", on_delete=models.CASCADE, related_name="+")
    tag_type = models.CharField(max_length=16)  # the tag's type, copied so counts group without a join

    class Meta:
        constraints = [models.UniqueConstraint("work", "tag", name="work_filter_tag_unique")]
        indexes = [models.Index(fields=["tag", "work"]), models.Index(fields=["tag_type", "tag"])]

    def __str__(self) -> str:
        return f"{self.work_id}: {self.tag_id}"


class IndexChange(models.Model):
    """One entry of the search change log: "this work's listing data or filter tags changed".

    Written in the same transaction as the change (search.indexing, search.filtertags and the counter
    updates call ``search.fast.changes.note_changed``). Every server process's in-memory index
    (search.fast) reads the entries after the last one it applied before answering a query, so a
    write is visible at the next query in every process. ``work_id`` is None for "rebuild
    everything" (after a bulk load). ``nonce`` tells a log entry from another one that reused its id
    after a rollback.
    """

    id = models.BigAutoField(primary_key=True)
    work_id = models.BigIntegerField(null=True, blank=True)  # no FK: deleted works are logged too
    nonce = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.id}: work {self.work_id}"
