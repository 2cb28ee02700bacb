"""One description of a downloadable book (preface, chapters, afterword) that every builder reads.

The book is the same for every reader: it is cached and served to anyone who may see the work,
so nothing here depends on who asks. ``metadata`` is the machine-readable copy of every field
that Fanfold's own EPUB and HTML carry, so ``fanfold import`` can read them back without loss.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from fanfold.core import permissions
from fanfold.core.html import html_to_text
from fanfold.core.languages import language_name
from fanfold.tags.models import TagType
from fanfold.works.models import RelatedWork, Work

METADATA_VERSION = 1
ANONYMOUS = "Anonymous"

# The preface's tag rows, in AO3's order: (type, singular label, plural label, metadata key).
TAG_ROWS = (
    (TagType.RATING, "Rating", "Ratings", "rating"),
    (TagType.WARNING, "Archive Warning", "Archive Warnings", "warnings"),
    (TagType.CATEGORY, "Category", "Categories", "categories"),
    (TagType.FANDOM, "Fandom", "Fandoms", "fandoms"),
    (TagType.RELATIONSHIP, "Relationship", "Relationships", "relationships"),
    (TagType.CHARACTER, "Character", "Characters", "characters"),
    (TagType.ADDITIONAL, "Additional Tags", "Additional Tags", "additional_tags"),
    (TagType.UNSORTED, "Other Tags", "Other Tags", "other_tags"),
)


@dataclass
class TagRow:
    label: str
    names: list[str]


@dataclass
class LinkLine:
    """A line such as "Part 2 of Konoha Seasons" or "Whumptober, Day 24: One down, two to go"."""

    text: str
    url: str = ""
    prefix: str = ""  # shown before the linked text
    suffix: str = ""  # shown after it


@dataclass
class BookChapter:
    position: int
    title: str  # as stored (may be empty)
    heading: str  # "Chapter 2: Title"
    summary: str  # safe HTML
    notes: str
    end_notes: str
    body: str
    word_count: int = 0


@dataclass
class Book:
    work_id: int
    title: str
    url: str  # absolute link back to the work
    creators: list[str]
    language: str  # BCP 47 code
    language_label: str
    tag_rows: list[TagRow]
    subjects: list[str]  # every tag name, for dc:subject
    series: list[LinkLine]
    series_meta: list[tuple[str, int]]  # (title, position), for calibre:series
    collections: list[LinkLine]
    stats: list[tuple[str, str]]
    summary: str
    notes: str
    end_notes: str
    gifts: list[str]
    inspired_by: list[LinkLine]  # works this one was inspired by / translated from
    inspired: list[LinkLine]  # works inspired by this one (the afterword)
    chapters: list[BookChapter]
    modified_at: dt.datetime
    published: dt.date
    updated: dt.date
    metadata: dict = field(default_factory=dict)

    @property
    def byline(self) -> str:
        return ", ".join(self.creators) or ANONYMOUS

    def metadata_with_bodies(self) -> dict:
        """The metadata with each chapter's text as stored, for a lossless read back."""
        data = dict(self.metadata)
        data["chapters"] = [
            {**entry, "body": chapter.body}
            for entry, chapter in zip(self.metadata["chapters"], self.chapters, strict=True)
        ]
        return data

    @property
    def multi_chapter(self) -> bool:
        return len(self.chapters) > 1


def creators_hidden(work: Work) -> bool:
    # Another part of Fanfold adds this rule (anonymous and unrevealed collections); until it lands,
    # nobody is hidden.
    return bool(getattr(permissions, "creators_hidden", lambda w: False)(work))


def absolute(path: str) -> str:
    return f"{settings.BASE_URL}{path}"


def work_url(work_id: int) -> str:
    return absolute(reverse("works:detail", args=[work_id]))


def _chapters_display(work: Work, posted: int) -> str:
    if work.chapters_expected:
        return f"{posted}/{work.chapters_expected}"
    return f"{posted}/{posted}" if work.complete else f"{posted}/?"


def _public_works():
    """Works a guest may see: only those are named in a file shared by every reader."""
    return permissions.listed_works(AnonymousUser())


def build_book(work: Work) -> Book:
    """Everything a download shows, read in a handful of queries."""
    hidden = creators_hidden(work)
    creators = [ANONYMOUS] if hidden else [p.name for p in work.creator_pseuds]
    # Tags in the order they were given (the importer's and the posting form's order).
    by_type: dict[str, list[str]] = {}
    for work_tag in work.work_tags.select_related("tag").order_by("id"):
        by_type.setdefault(work_tag.tag.type, []).append(work_tag.tag.name)
    tag_rows = []
    for tag_type, singular, plural, _key in TAG_ROWS:
        names = by_type.get(tag_type, [])
        if names:
            tag_rows.append(TagRow(singular if len(names) == 1 else plural, names))
    subjects = [name for _t, *_rest in TAG_ROWS for name in by_type.get(_t, [])]

    series_lines, series_meta, series_json = [], [], []
    for membership in work.series_memberships.select_related("series").order_by("series__title"):
        series = membership.series
        series_lines.append(
            LinkLine(
                series.title,
                absolute(reverse("works:series", args=[series.pk])),
                f"Part {membership.position} of ",
            )
        )
        series_meta.append((series.title, membership.position))
        series_json.append({"name": series.title, "position": membership.position})

    collection_lines, collections_json = [], []
    for item in work.collection_items.select_related("collection", "prompt").order_by("collection__title"):
        collection, prompt = item.collection, item.prompt
        suffix = ""
        entry: dict = {"name": collection.title, "prompt_day": None, "prompt_text": "", "prompt_words": []}
        if prompt is not None:
            if prompt.day:
                suffix = f", Day {prompt.day}" + (f": {prompt.text}" if prompt.text else "")
            elif prompt.text:
                suffix = f": {prompt.text}"
            entry.update(
                prompt_day=prompt.day,
                prompt_text=prompt.text,
                prompt_words=sorted(t.name for t in prompt.tags.all()),
            )
        collection_lines.append(
            LinkLine(
                collection.title,
                absolute(reverse("challenges:collection", args=[collection.name])),
                suffix=suffix,
            )
        )
        collections_json.append(entry)

    chapters = [
        BookChapter(
            position=c.position,
            title=c.title,
            heading=c.display_title,
            summary=c.summary,
            notes=c.notes,
            end_notes=c.end_notes,
            body=c.body,
            word_count=c.word_count,
        )
        for c in work.chapters.order_by("position")
    ]

    public = _public_works()
    inspired_by, related_json = [], []
    for related in work.related_works.select_related("parent").order_by("id"):
        parent = related.parent
        label = (
            "Inspired by " if related.relation == RelatedWork.Relation.INSPIRED_BY else "A translation of "
        )
        if parent is not None and public.filter(pk=parent.pk).exists():
            title, url = parent.title, work_url(parent.pk)
            creator = (
                ANONYMOUS if creators_hidden(parent) else ", ".join(p.name for p in parent.creator_pseuds)
            )
        else:
            title, url, creator = related.title, related.url, related.creator
        if not (title or url):
            continue
        inspired_by.append(LinkLine(title or url, url, label, f" by {creator}" if creator else ""))
        related_json.append({"relation": related.relation, "title": title, "url": url, "creator": creator})

    inspired = []
    children = RelatedWork.objects.filter(
        parent=work, relation=RelatedWork.Relation.INSPIRED_BY, work__in=public
    ).select_related("work")
    for child in children.order_by("work__published", "work_id"):
        names = [ANONYMOUS] if creators_hidden(child.work) else [p.name for p in child.work.creator_pseuds]
        inspired.append(LinkLine(child.work.title, work_url(child.work_id), suffix=f" by {', '.join(names)}"))

    posted = len(chapters)
    stats = [("Published", work.published.isoformat())]
    if work.updated != work.published:
        stats.append(("Completed" if work.complete else "Updated", work.updated.isoformat()))
    stats += [("Words", f"{work.word_count:,}"), ("Chapters", _chapters_display(work, posted))]

    gifts = [g.recipient_name for g in work.gifts.order_by("id")]
    url = work_url(work.pk)
    metadata = {
        "fanfold": METADATA_VERSION,
        "site": settings.SITE_NAME,
        "id": work.pk,
        "url": url,
        "title": work.title,
        "creators": creators,
        "creators_hidden": hidden,
        **{key: by_type.get(tag_type, []) for tag_type, _s, _p, key in TAG_ROWS},
        "language": work.language,
        "summary": work.summary,
        "notes": work.notes,
        "end_notes": work.end_notes,
        "published": work.published.isoformat(),
        "updated": work.updated.isoformat(),
        "word_count": work.word_count,
        "complete": work.complete,
        "chapters_expected": work.chapters_expected,
        "series": series_json,
        "collections": collections_json,
        "gifts": gifts,
        "related": related_json,
        "source_url": work.source_url,
        "source_format": work.source_format,
        "source_fields": work.source_fields,
        "chapters": [
            {
                "title": c.title,
                "summary": c.summary,
                "notes": c.notes,
                "end_notes": c.end_notes,
                "word_count": c.word_count,
            }
            for c in chapters
        ],
    }
    return Book(
        work_id=work.pk,
        title=work.title,
        url=url,
        creators=creators,
        language=work.language or "en",
        language_label=language_name(work.language),
        tag_rows=tag_rows,
        subjects=subjects,
        series=series_lines,
        series_meta=series_meta,
        collections=collection_lines,
        stats=stats,
        summary=work.summary,
        notes=work.notes,
        end_notes=work.end_notes,
        gifts=gifts,
        inspired_by=inspired_by,
        inspired=inspired,
        chapters=chapters,
        modified_at=work.modified_at,
        published=work.published,
        updated=work.updated,
        metadata=metadata,
    )


def first_paragraph_text(book: Book) -> str:
    """The first paragraph of the story as plain text (used by tests and the PDF check)."""
    for chapter in book.chapters:
        text = html_to_text(chapter.body).strip()
        if text:
            return text.split("\n\n")[0].strip()
    return ""


def book_from_draft(draft, work_id: int = 0) -> Book:
    """A book straight from an importer's WorkDraft, without a database (the benchmark's input)."""
    from django.utils import timezone

    published = draft.published or timezone.localdate()
    updated = max(draft.updated or published, published)
    rows = {
        TagType.RATING: [draft.rating],
        TagType.WARNING: draft.warnings,
        TagType.CATEGORY: draft.categories,
        TagType.FANDOM: draft.fandoms,
        TagType.RELATIONSHIP: draft.relationships,
        TagType.CHARACTER: draft.characters,
        TagType.ADDITIONAL: draft.additional_tags,
    }
    tag_rows = [
        TagRow(singular if len(rows[t]) == 1 else plural, list(rows[t]))
        for t, singular, plural, _key in TAG_ROWS
        if rows.get(t)
    ]
    chapters = [
        BookChapter(
            position=n,
            title=c.title,
            heading=f"Chapter {n}: {c.title}" if c.title else f"Chapter {n}",
            summary=c.summary,
            notes=c.notes,
            end_notes=c.end_notes,
            body=c.body,
            word_count=c.word_count,
        )
        for n, c in enumerate(draft.chapters, start=1)
    ]
    url = absolute(f"/works/{work_id}/")
    posted = len(chapters)
    expected = draft.chapters_expected or (posted if draft.complete else None)
    metadata = {
        "fanfold": METADATA_VERSION,
        "id": work_id,
        "url": url,
        "title": draft.title,
        "creators": draft.creators,
        **{key: list(rows.get(t, [])) for t, _s, _p, key in TAG_ROWS},
        "language": draft.language,
        "summary": draft.summary,
        "notes": draft.notes,
        "end_notes": draft.end_notes,
        "chapters": [
            {
                "title": c.title,
                "summary": c.summary,
                "notes": c.notes,
                "end_notes": c.end_notes,
                "word_count": c.word_count,
            }
            for c in chapters
        ],
    }
    return Book(
        work_id=work_id,
        title=draft.title,
        url=url,
        creators=list(draft.creators),
        language=draft.language or "en",
        language_label=language_name(draft.language),
        tag_rows=tag_rows,
        subjects=[name for row in tag_rows for name in row.names],
        series=[LinkLine(s.name, prefix=f"Part {s.position or 1} of ") for s in draft.series],
        series_meta=[(s.name, s.position or 1) for s in draft.series],
        collections=[LinkLine(c.name) for c in draft.collections],
        stats=[
            ("Published", published.isoformat()),
            ("Words", f"{draft.word_count:,}"),
            ("Chapters", f"{posted}/{expected or '?'}"),
        ],
        summary=draft.summary,
        notes=draft.notes,
        end_notes=draft.end_notes,
        gifts=list(draft.gifts),
        inspired_by=[],
        inspired=[],
        chapters=chapters,
        modified_at=timezone.now(),
        published=published,
        updated=updated,
        metadata=metadata,
    )
