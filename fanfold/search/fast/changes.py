"""The search change log: writes append, every process's index replays (see models.IndexChange)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from django.db import connection

from fanfold.search.models import IndexChange


def note_changed(work_ids: Iterable[int]) -> None:
    """Record that these works' listing data (counters, flags, dates, tags) changed.

    Call it inside the transaction that makes the change: the entries commit (or roll back) with it.
    """
    ids = sorted({int(i) for i in work_ids})
    if ids:
        nonce = secrets.randbits(62)
        IndexChange.objects.bulk_create([IndexChange(work_id=i, nonce=nonce) for i in ids], batch_size=2000)


def note_rebuild() -> None:
    """Record that everything may have changed (a bulk load): indexes rebuild from the database."""
    IndexChange.objects.create(work_id=None, nonce=secrets.randbits(62))


def latest() -> tuple[int, int]:
    """(id, nonce) of the newest log entry, (0, 0) when there is none: one primary-key lookup."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, nonce FROM search_indexchange ORDER BY id DESC LIMIT 1")
        row = cursor.fetchone()
    return (int(row[0]), int(row[1])) if row else (0, 0)


def nonce_of(change_id: int) -> int | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nonce FROM search_indexchange WHERE id = %s", [change_id])
        row = cursor.fetchone()
    return int(row[0]) if row else None


def since(change_id: int, limit: int) -> list[tuple[int, int | None]]:
    """(id, work id) of the entries after ``change_id``, oldest first, at most ``limit``."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, work_id FROM search_indexchange WHERE id > %s ORDER BY id LIMIT %s",
            [change_id, limit],
        )
        return [(int(i), None if w is None else int(w)) for i, w in cursor.fetchall()]


def prune(keep_after: int) -> int:
    """Drop entries up to ``keep_after`` (run by a maintenance task once every process has them)."""
    deleted, _ = IndexChange.objects.filter(id__lte=keep_after).delete()
    return deleted
