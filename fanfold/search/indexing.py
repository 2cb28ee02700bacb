"""Keeping the full-text index in step with works. Services call these explicitly after writes."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Prefetch

from fanfold.core.html import html_to_text
from fanfold.search.filtertags import refresh_filter_tags
from fanfold.search.models import SearchDocument
from fanfold.tags.models import Tag
from fanfold.works.models import Chapter, Work

# PostgreSQL's tsvector has a 1 MB limit; a work longer than this is searched in its first part.
MAX_BODY_CHARS = 900_000


def _tag_text(tags: Iterable[Tag]) -> str:
    names: list[str] = []
    for tag in tags:
        names.append(tag.name)
        if tag.merger_id and tag.merger:
            names.append(tag.merger.name)  # a synonym's work is found by the canonical name too
    return "\n".join(names)


def document_for(work: Work) -> SearchDocument:
    summary = "\n\n".join(html_to_text(part) for part in (work.summary, work.notes, work.end_notes) if part)
    body = "\n\n".join(
        text
        for chapter in work.chapters.all()
        for text in (chapter.title, html_to_text(chapter.summary), html_to_text(chapter.body))
        if text
    )
    return SearchDocument(
        work_id=work.id,
        title=work.title,
        creators=" ".join(c.pseud.name for c in work.creatorships.all()),
        tags=_tag_text(work.tags.all()),
        summary=summary,
        body=body[:MAX_BODY_CHARS],
    )


def index_works(work_ids: Iterable[int]) -> int:
    """(Re)build the search documents of these works; returns how many were written."""
    ids = list(work_ids)
    written = 0
    for start in range(0, len(ids), 200):
        batch = (
            Work.objects.filter(id__in=ids[start : start + 200])
            .prefetch_related(
                Prefetch("tags", queryset=Tag.objects.select_related("merger")),
                Prefetch("chapters", queryset=Chapter.objects.order_by("position")),
                "creatorships__pseud",
            )
            .order_by("id")
        )
        documents = [document_for(work) for work in batch]
        # Delete then insert, so SQLite's FTS triggers see plain inserts and deletes.
        SearchDocument.objects.filter(work_id__in=[d.work_id for d in documents]).delete()
        SearchDocument.objects.bulk_create(documents)
        refresh_filter_tags([d.work_id for d in documents])
        written += len(documents)
    return written


def refresh_document_tags(work_ids: Iterable[int]) -> None:
    """Rewrite only the tag names of these works' search documents (after wrangling)."""
    ids = list(work_ids)
    works = Work.objects.filter(id__in=ids).prefetch_related(
        Prefetch("tags", queryset=Tag.objects.select_related("merger"))
    )
    documents = {d.work_id: d for d in SearchDocument.objects.filter(work_id__in=ids).only("work_id", "tags")}
    changed = []
    for work in works:
        document = documents.get(work.id)
        text = _tag_text(work.tags.all())
        if document is not None and document.tags != text:
            document.tags = text
            changed.append(document)
    SearchDocument.objects.bulk_update(changed, ["tags"], batch_size=200)


def index_work(work: Work) -> None:
    index_works([work.id])


def reindex_all(batch_size: int = 500) -> int:
    ids = list(Work.objects.order_by("id").values_list("id", flat=True))
    total = 0
    for start in range(0, len(ids), batch_size):
        total += index_works(ids[start : start + batch_size])
    return total
