"""Adding, editing, deleting and reordering a work's chapters (re-exported by ``works.posting``).

Positions stay 1..n with no gaps; the work's word count is the sum of its chapters'.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from fanfold.search.indexing import index_works
from fanfold.social.services import enqueue_subscriber_notifications
from fanfold.works.models import Chapter, Work
from fanfold.works.posting_rules import ChapterInput, PostingError, clean_chapter, is_complete, require_edit

# --- chapters ---------------------------------------------------------------------------------------------


def _locked(work: Work) -> Work:
    """The work's row, locked until the transaction ends, so chapter positions can't collide."""
    return Work.objects.select_for_update().get(pk=work.pk)


def _shift(work: Work, from_position: int, by: int) -> None:
    """Move chapters at or after a position by ``by`` (+1 or -1) without breaking unique positions."""
    chapters = Chapter.objects.filter(work=work, position__gte=from_position)
    offset = (work.chapters.aggregate(m=Max("position"))["m"] or 0) + 1
    chapters.update(position=F("position") + offset)
    Chapter.objects.filter(work=work, position__gte=from_position + offset).update(
        position=F("position") - offset + by
    )


def _recount(work: Work) -> None:
    """Word count (the chapters' sum), and completeness against the expected number of chapters."""
    posted = work.chapters.count()
    work.word_count = sum(work.chapters.values_list("word_count", flat=True))
    if work.chapters_expected is not None and posted > work.chapters_expected:
        work.chapters_expected = posted
    work.complete = is_complete(work.chapters_expected, posted)


def _concurrent_change() -> PostingError:
    return PostingError("The chapters were changed by someone else at the same time; please try again.")


def add_chapter(user, work: Work, data: ChapterInput, *, position: int | None = None) -> Chapter:
    """Add a chapter (at the end, or at ``position``); a posted work's updated date moves to today."""
    require_edit(user, work)
    clean = clean_chapter(data)
    today = timezone.localdate()
    try:
        with transaction.atomic():
            locked = _locked(work)
            count = locked.chapters.count()
            if position is None:
                position = count + 1
            elif (
                isinstance(position, bool) or not isinstance(position, int) or not 1 <= position <= count + 1
            ):
                raise PostingError(f"The chapter's position must be between 1 and {count + 1}.", "position")
            if position <= count:
                _shift(locked, position, +1)
            chapter = Chapter.objects.create(
                work=locked,
                position=position,
                title=clean.title,
                summary=clean.summary,
                notes=clean.notes,
                end_notes=clean.end_notes,
                body=clean.body,
                word_count=clean.word_count,
                published=today,
            )
            _recount(locked)
            locked.updated = max(today, locked.published)
            locked.save()
            index_works([locked.pk])
            if not locked.draft:
                enqueue_subscriber_notifications(locked, chapter)
    except IntegrityError:
        raise _concurrent_change() from None
    work.refresh_from_db()
    return chapter


def update_chapter(user, chapter: Chapter, data: ChapterInput) -> Chapter:
    """Change a chapter's text and notes; the work's word count follows, its dates do not move."""
    work = chapter.work
    require_edit(user, work)
    clean = clean_chapter(data)
    with transaction.atomic():
        for name in ("title", "summary", "notes", "end_notes", "body", "word_count"):
            setattr(chapter, name, getattr(clean, name))
        chapter.save()
        locked = _locked(work)
        _recount(locked)
        locked.save()
        index_works([work.pk])
    work.refresh_from_db()
    return chapter


def delete_chapter(user, chapter: Chapter) -> None:
    """Delete a chapter (never a work's only one); the later chapters move up."""
    work = chapter.work
    require_edit(user, work)
    try:
        with transaction.atomic():
            locked = _locked(work)
            if locked.chapters.count() <= 1:
                raise PostingError("A work needs at least one chapter: delete the whole work instead.")
            position = chapter.position
            Chapter.objects.filter(pk=chapter.pk).delete()
            _shift(locked, position + 1, -1)
            _recount(locked)
            locked.save()
            index_works([locked.pk])
    except IntegrityError:
        raise _concurrent_change() from None
    work.refresh_from_db()


def reorder_chapters(user, work: Work, chapter_ids: list[int]) -> None:
    """Put the work's chapters in this order: every chapter id exactly once."""
    require_edit(user, work)
    try:
        with transaction.atomic():
            locked = _locked(work)
            current = list(locked.chapters.order_by("position").values_list("pk", flat=True))
            try:
                wanted = [int(i) for i in chapter_ids]
            except (TypeError, ValueError):
                raise PostingError("Chapter ids must be numbers.", "chapter_ids") from None
            if sorted(wanted) != sorted(current) or len(set(wanted)) != len(wanted):
                raise PostingError("List every chapter of the work exactly once.", "chapter_ids")
            if wanted == current:
                return
            offset = len(current) + (locked.chapters.aggregate(m=Max("position"))["m"] or 0) + 1
            locked.chapters.update(position=F("position") + offset)
            chapters = {c.pk: c for c in locked.chapters.all()}
            for position, pk in enumerate(wanted, start=1):
                chapters[pk].position = position
            Chapter.objects.bulk_update(list(chapters.values()), ["position"])
            index_works([locked.pk])
    except IntegrityError:
        raise _concurrent_change() from None
