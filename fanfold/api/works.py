"""/api/v1/works: the works listing (the same query as the HTML listing) and one work.

Posting, editing and deleting works (works_write.py) add their operations to this same router: one
address, such as /works/{id}, must belong to one router for its GET and PATCH to share it.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.http import Http404, HttpRequest
from django.urls import reverse
from ninja import Router, Status

from fanfold.api.common import valid_id
from fanfold.api.schemas import Error, WorkDetailOut, WorkListOut
from fanfold.challenges.models import CollectionItem
from fanfold.core.permissions import can_view_work, shown_creator_pseuds, visible_works
from fanfold.search import engine
from fanfold.search.query import (
    CROSSOVER_CHOICES,
    FACET_TYPES,
    MAX_PAGE,
    MAX_QUERY_LENGTH,
    MAX_TAGS,
    SORTS,
    WorkQuery,
)
from fanfold.tags import vocabulary as vocab
from fanfold.tags.models import Tag, TagType
from fanfold.works.models import Chapter, Work
from fanfold.works.templatetags.works_display import chapters_display, tag_groups

router = Router(tags=["works"])


def _tag_list(description: str) -> dict[str, Any]:
    return {
        "schema": {"type": "array", "items": {"type": "string"}, "maxItems": MAX_TAGS},
        "style": "form",
        "explode": True,
        "description": description,
    }


# The listing's URL parameters, for the OpenAPI document only: the view hands request.GET to
# WorkQuery.from_params, the parser the HTML listing uses, so the two can never disagree.
_LIST_PARAMETERS: list[dict[str, Any]] = [
    {"name": name, "in": "query", "required": False, **spec}
    for name, spec in {
        "q": {
            "schema": {"type": "string", "maxLength": MAX_QUERY_LENGTH},
            "description": "Words to search for in titles, summaries, notes, tags and text.",
        },
        "include": _tag_list(
            "Tag names (any type) every work must have; a synonym means its canonical tag. "
            "Repeat the parameter or separate names with commas."
        ),
        "exclude": _tag_list("Tag names no work may have. Repeatable and comma-separable like include."),
        "rating": {
            "schema": {"type": "array", "items": {"type": "string", "enum": list(vocab.RATINGS)}},
            "style": "form",
            "explode": True,
            "description": "AO3 ratings (any letter case); several mean any of them.",
        },
        "complete": {
            "schema": {"type": "boolean"},
            "description": "true: complete works only; false: works in progress only. Leave out for both.",
        },
        "crossover": {
            "schema": {"type": "string", "enum": [c or "include" for c in CROSSOVER_CHOICES]},
            "description": "Crossovers (works in more than one fandom): include (default), exclude or only.",
        },
        "words_from": {
            "schema": {"type": "integer", "minimum": 0},
            "description": "At least this many words.",
        },
        "words_to": {"schema": {"type": "integer", "minimum": 0}, "description": "At most this many words."},
        "updated_from": {
            "schema": {"type": "string", "format": "date"},
            "description": "Updated on or after this day (YYYY-MM-DD).",
        },
        "updated_to": {
            "schema": {"type": "string", "format": "date"},
            "description": "Updated on or before this day (YYYY-MM-DD).",
        },
        "language": {"schema": {"type": "string"}, "description": "A language code, e.g. en."},
        "sort": {
            "schema": {"type": "string", "enum": list(SORTS)},
            "description": "Order of the results: best_match when searching, else updated (newest first).",
        },
        "page": {
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
            "description": "Page number; each page has up to 20 works.",
        },
    }.items()
]


@router.get(
    "",
    response={200: WorkListOut, 400: Error},
    exclude_unset=True,  # "snippet" only when searching
    summary="List and search works",
    description=(
        "The works listing as JSON. It takes exactly the listing page's URL parameters, so any "
        "/works/ address's query string works here too. Bad parameters give 400 with one message each."
    ),
    openapi_extra={"parameters": _LIST_PARAMETERS},
    url_name="work_list",
)
def list_works(request: HttpRequest):
    query, errors = WorkQuery.from_params(request.GET)
    if errors:
        return Status(400, {"detail": errors})
    page = engine.search_works(query, request.user)
    results = []
    for work in page.results:
        item = _work_fields(work, request.user)
        item["chapters"] = chapters_display(work)
        if query.q:
            item["snippet"] = page.snippets.get(work.pk, "")
        results.append(item)
    return {
        "count": page.count,
        "page": page.page,
        "num_pages": page.num_pages,
        "results": results,
        "facets": {
            key: [{"name": f.name, "count": f.count, "state": f.state} for f in page.facets.get(key, [])]
            for key in FACET_TYPES
        },
        "unknown_tags": page.unknown_tags,
    }


@router.get(
    "/{work_id}",
    response={200: WorkDetailOut, 404: Error},
    summary="One work, with its chapters",
    description="404 when there is no such work, or when you may not see it.",
    url_name="work_detail",
)
def get_work(request: HttpRequest, work_id: int):
    if not valid_id(work_id):
        raise Http404
    data = work_detail(request.user, work_id)
    if data is None:
        raise Http404  # the same answer whether it is missing or hidden
    return data


def work_detail(viewer, work_id: int) -> dict[str, Any] | None:
    """What GET /works/{id} shows, or None when the viewer may not see the work (or it is missing)."""
    works = (
        visible_works(viewer)
        .with_listing_data()
        .prefetch_related(
            Prefetch("chapters", queryset=Chapter.objects.order_by("position")),
            Prefetch(
                "collection_items",
                queryset=CollectionItem.objects.select_related("collection", "prompt")
                .prefetch_related(Prefetch("prompt__tags", queryset=Tag.objects.order_by("name")))
                .order_by("collection__title", "collection__id"),
            ),
        )
    )
    work = works.filter(pk=work_id).first()
    if work is None or not can_view_work(viewer, work):
        return None
    data = _work_fields(work, viewer)
    data.update(
        series=[
            {"id": m.series_id, "name": m.series.title, "position": m.position}
            for m in work.series_memberships.all()
        ],
        collections=[
            {
                "name": item.collection.name,
                "title": item.collection.title,
                "prompt": None
                if item.prompt is None
                else {
                    "day": item.prompt.day,
                    "text": item.prompt.text,
                    "tags": [t.name for t in item.prompt.tags.all()],
                },
            }
            for item in work.collection_items.all()
            if item.status == CollectionItem.Status.APPROVED and item.creator_approved
        ],
        gifts=[g.recipient_name for g in sorted(work.gifts.all(), key=lambda g: g.pk)],
        notes=work.notes,
        end_notes=work.end_notes,
        source_format=work.source_format,
        chapters=[
            {
                "position": c.position,
                "title": c.title,
                "summary": c.summary,
                "notes": c.notes,
                "end_notes": c.end_notes,
                "word_count": c.word_count,
                "body": c.body,
            }
            for c in work.chapters.all()
        ],
    )
    return data


def _work_fields(work: Work, viewer) -> dict[str, Any]:
    """The blurb fields, from a work with listing data (Work.objects.with_listing_data()); creators
    hidden by an anonymous collection come out as an empty list, as "Anonymous" on the pages."""
    groups = tag_groups(work)
    ratings = groups[TagType.RATING]
    posted = getattr(work, "chapters_posted", None)

    def names(tag_type: str) -> list[str]:
        return [t.name for t in groups.get(tag_type, [])]

    return {
        "id": work.pk,
        "title": work.title,
        "creators": [pseud.name for pseud in shown_creator_pseuds(viewer, work)],
        "rating": ratings[0].name if ratings else None,
        "warnings": names(TagType.WARNING),
        "categories": names(TagType.CATEGORY),
        "fandoms": names(TagType.FANDOM),
        "relationships": names(TagType.RELATIONSHIP),
        "characters": names(TagType.CHARACTER),
        "additional_tags": names(TagType.ADDITIONAL) + names(TagType.UNSORTED),
        "language": work.language,
        "summary": work.summary,
        "word_count": work.word_count,
        "chapters_posted": work.chapter_count if posted is None else posted,
        "chapters_expected": work.chapters_expected,
        "complete": work.complete,
        "published": work.published,
        "updated": work.updated,
        "kudos": work.kudos_count,
        "hits": work.hits,
        "bookmarks": work.bookmarks_count,
        "comments": work.comments_count,
        "url": reverse("works:detail", args=[work.pk]),
    }
