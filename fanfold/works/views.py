"""Reading pages: the home page, the works listing, a work and its chapters."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from fanfold.challenges.models import CollectionItem
from fanfold.core.permissions import can_view_work, visible_works
from fanfold.core.text import normalize_key
from fanfold.tags.models import Tag, TagType
from fanfold.works.models import Chapter, Creatorship, RelatedWork, Work, WorkQuerySet, WorkTag

WORKS_PER_PAGE = 20
HOME_RECENT_WORKS = 10


def home(request: HttpRequest) -> HttpResponse:
    works = visible_works(request.user)
    recent = list(_for_blurbs(works).order_by("-updated", "-id")[:HOME_RECENT_WORKS])
    counts = {
        "works": works.count(),
        "fandoms": WorkTag.objects.filter(work__in=works, tag__type=TagType.FANDOM)
        .values("tag_id")
        .distinct()
        .count(),
        "creators": Creatorship.objects.filter(work__in=works).values("pseud_id").distinct().count(),
    }
    return render(request, "works/home.html", {"recent_works": recent, "counts": counts})


def work_list(request: HttpRequest) -> HttpResponse:
    works, included = _filtered_works(request)
    works = _for_blurbs(works).order_by("-updated", "-id")
    page = Paginator(works, WORKS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "works/list.html",
        {"page_obj": page, "works": page.object_list, "included_tags": included},
    )


def _for_blurbs(works: WorkQuerySet) -> WorkQuerySet:
    """Works with what a blurb shows, without the long fields a blurb never shows."""
    return works.with_listing_data().defer("notes", "end_notes", "source_fields")


def _filtered_works(request: HttpRequest) -> tuple[WorkQuerySet, list[str]]:
    """The visible works narrowed by the query string.

    A stopgap until the filter sidebar: only ``?include=<tag name>`` (repeatable, ANDed), matching
    a tag of any type by name, its canonical tag and that tag's synonyms. The sidebar issue
    replaces this function; the list view and template stay as they are.
    """
    works = visible_works(request.user)
    included = [name for name in request.GET.getlist("include") if name.strip()][:10]
    for name in included:
        named = Tag.objects.filter(name_key=normalize_key(name))
        canonical_ids = named.values("merger_id").exclude(merger_id=None)
        tag_ids = Tag.objects.filter(
            Q(id__in=named.values("id"))
            | Q(id__in=canonical_ids)
            | Q(merger_id__in=named.values("id"))
            | Q(merger_id__in=canonical_ids)
        ).values("id")
        works = works.filter(id__in=WorkTag.objects.filter(tag_id__in=tag_ids).values("work_id"))
    return works, included


def _viewable_work(request: HttpRequest, work_id: int) -> Work:
    works = Work.objects.with_listing_data().prefetch_related(
        Prefetch(
            "collection_items",
            queryset=CollectionItem.objects.select_related("collection", "prompt").order_by(
                "collection__title"
            ),
        ),
        Prefetch("related_works", queryset=RelatedWork.objects.select_related("parent")),
    )
    work = get_object_or_404(works, pk=work_id)
    if not can_view_work(request.user, work):
        raise Http404("No such work.")
    return work


def work_detail(request: HttpRequest, work_id: int) -> HttpResponse:
    work = _viewable_work(request, work_id)
    full = request.GET.get("view_full_work", "").lower() in {"true", "1", "yes"}
    if full:
        chapters = list(work.chapters.order_by("position"))
        return _render_work(request, work, index=chapters, shown=chapters, full=True)
    index = list(work.chapters.order_by("position").only("id", "work_id", "position", "title"))
    if len(index) <= 1:
        shown = list(work.chapters.order_by("position"))
        return _render_work(request, work, index=shown, shown=shown, full=True)
    return _render_work(request, work, index=index, shown=[_chapter(work, index[0].position)], full=False)


def chapter_detail(request: HttpRequest, work_id: int, position: int) -> HttpResponse:
    work = _viewable_work(request, work_id)
    index = list(work.chapters.order_by("position").only("id", "work_id", "position", "title"))
    if not any(c.position == position for c in index):
        raise Http404("No such chapter.")
    return _render_work(request, work, index=index, shown=[_chapter(work, position)], full=len(index) == 1)


def _chapter(work: Work, position: int) -> Chapter:
    return get_object_or_404(Chapter, work=work, position=position)


def _render_work(
    request: HttpRequest, work: Work, *, index: list[Chapter], shown: list[Chapter], full: bool
) -> HttpResponse:
    """The work page: preface, the chapters shown, and (for one chapter of several) navigation."""
    current = None if full else shown[0]
    previous_chapter = next_chapter = None
    if current is not None:
        at = next(i for i, c in enumerate(index) if c.position == current.position)
        previous_chapter = index[at - 1] if at > 0 else None
        next_chapter = index[at + 1] if at + 1 < len(index) else None
    first_shown = bool(shown) and bool(index) and shown[0].position == index[0].position
    last_shown = bool(shown) and bool(index) and shown[-1].position == index[-1].position
    related = []
    for r in work.related_works.all():
        # A work here that this reader may not see is named like AO3 does: "[Restricted Work]".
        parent = r.parent if r.parent_id else None
        hidden = parent is not None and not can_view_work(request.user, parent)
        related.append({"relation": r.get_relation_display(), "item": r, "parent": parent, "hidden": hidden})
    context = {
        "work": work,
        "chapter_index": index,
        "chapters": shown,
        "current_chapter": current,
        "previous_chapter": previous_chapter,
        "next_chapter": next_chapter,
        "full_view": full,
        "multi_chapter": len(index) > 1,
        "show_notes": first_shown or full,
        "show_end_notes": last_shown or full,
        "related": related,
        "source_fields": list(work.source_fields.items()) if isinstance(work.source_fields, dict) else [],
    }
    return render(request, "works/detail.html", context)
