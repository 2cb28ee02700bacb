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
