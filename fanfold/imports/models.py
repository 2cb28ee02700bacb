from __future__ import annotations

from django.db import models

from fanfold.works.models import Work


class ImportRecord(models.Model):
    """One imported file, so that importing the same file again is recognised and skipped."""

    digest = models.CharField(max_length=64, unique=True)  # SHA-256 of the file's bytes
    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="import_records")
    filename = models.CharField(max_length=500)
    source_format = models.CharField(max_length=32)
    imported_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.filename} -> work {self.work_id}"
