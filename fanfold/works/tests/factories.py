"""Test works, made the way the archive makes them: a WorkDraft through works.services.create_work.

All titles, names and text here are invented for the tests.
"""

from __future__ import annotations

import datetime as dt
import itertools

from fanfold.imports.mapping import ChapterDraft, CollectionDraft, SeriesDraft, WorkDraft
from fanfold.tags import vocabulary as vocab
from fanfold.tags.services import ensure_fixed_tags
from fanfold.works.models import Work
from fanfold.works.services import create_work

_numbers = itertools.count(1)


def chapter(
    body: str = "<p>The kettle sang twice before anyone moved.</p>",
    *,
    title: str = "",
    summary: str = "",
    notes: str = "",
    end_notes: str = "",
    word_count: int = 8,
) -> ChapterDraft:
    return ChapterDraft(
        title=title, summary=summary, notes=notes, end_notes=end_notes, body=body, word_count=word_count
    )


def series(name: str, position: int | None = None) -> SeriesDraft:
    return SeriesDraft(name=name, position=position)


def collection(name: str, day: int | None = None, text: str = "") -> CollectionDraft:
    return CollectionDraft(name=name, prompt_day=day, prompt_text=text)


def work_draft(**overrides) -> WorkDraft:
    """A complete, valid one-chapter draft; pass any WorkDraft field to change it."""
    n = next(_numbers)
    fields = {
        "title": f"Harbour Lights {n}",
        "creators": ["tidewriter"],
        "rating": vocab.GENERAL,
        "warnings": [vocab.NO_WARNINGS],
        "categories": ["Gen"],
        "fandoms": ["Saltmarsh Almanac (Original Work)"],
        "relationships": [],
        "characters": ["Odile Marsh"],
        "additional_tags": ["Found Family"],
        "language": "en",
        "summary": "<p>Odile mends nets and keeps secrets.</p>",
        "notes": "",
        "end_notes": "",
        "series": [],
        "collections": [],
        "gifts": [],
        "related": [],
        "chapters": [chapter()],
        "word_count": 8,
        "complete": True,
        "chapters_expected": None,
        "published": dt.date(2024, 1, 1),
        "updated": dt.date(2024, 1, 1) + dt.timedelta(days=n % 360),  # stays in 2024 however many tests run
        "source_format": "",
        "source_url": "",
        "unmapped": {},
    }
    fields.update(overrides)
    return WorkDraft(**fields)


def make_work(
    *, draft: bool = False, hidden_by_admin: bool = False, restricted: bool = False, **overrides
) -> Work:
    """A saved work; keyword arguments are WorkDraft fields, plus the visibility flags."""
    ensure_fixed_tags()
    work = create_work(work_draft(**overrides))
    if draft or hidden_by_admin or restricted:
        Work.objects.filter(pk=work.pk).update(
            draft=draft, hidden_by_admin=hidden_by_admin, restricted=restricted
        )
        work.refresh_from_db()
    return work
