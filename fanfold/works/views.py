"""Reading pages: the home page, the works listings (with the filter sidebar), a work and its chapters."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.encoding import escape_uri_path
from django_htmx.http import push_url

from fanfold.accounts.models import Pseud, User
from fanfold.challenges.models import CollectionItem
from fanfold.core import languages
from fanfold.core.permissions import can_view_work, listed_works, visible_works
from fanfold.core.text import normalize_key
from fanfold.search.engine import Facet, Page, search_works
from fanfold.search.query import SORTS, Scope, WorkQuery
from fanfold.social.views_work import record_visit, work_page_context
from fanfold.tags.models import TagType
from fanfold.tags.vocabulary import RATINGS
from fanfold.works.models import Chapter, Creatorship, RelatedWork, SeriesWork, Work, WorkQuerySet, WorkTag

HOME_RECENT_WORKS = 10

# The sidebar's tag groups, in AO3's order: (facet key in Page.facets, heading).
FILTER_GROUPS = (
    ("rating", "Ratings"),
    ("warnings", "Warnings"),
    ("categories", "Categories"),
    ("fandoms", "Fandoms"),
    ("characters", "Characters"),
    ("relationships", "Relationships"),
    ("additional_tags", "Additional Tags"),
)
CROSSOVER_OPTIONS = (
    ("", "Include crossovers"),
    ("exclude", "Exclude crossovers"),
    ("only", "Only crossovers"),
)
COMPLETION_OPTIONS = (("", "All works"), ("true", "Complete works only"), ("false", "Works in progress only"))


def home(request: HttpRequest) -> HttpResponse:
    works = listed_works(request.user)
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


def _for_blurbs(works: WorkQuerySet) -> WorkQuerySet:
    """Works with what a blurb shows, without the long fields a blurb never shows."""
    return works.with_listing_data().defer("notes", "end_notes", "source_fields")


# ---- listings -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListingContext:
    """What a listing is "in": shown in the heading ("… Works in Naruto") and the page title."""

    preposition: str = ""  # "in", "by"
    name: str = ""
    url: str = ""
    feed_url: str = ""  # an Atom feed to announce in <head>


@dataclass
class FilterOption:
    name: str
    count: int
    included: bool = False
    excluded: bool = False


@dataclass
class FilterGroup:
    key: str
    label: str
    include_param: str  # "include", or "rating" for ratings (several ratings are ORed)
    include_options: list[FilterOption] = field(default_factory=list)
    exclude_options: list[FilterOption] = field(default_factory=list)

    @property
    def include_open(self) -> bool:
        return any(o.included for o in self.include_options)

    @property
    def exclude_open(self) -> bool:
        return any(o.excluded for o in self.exclude_options)


def work_list(request: HttpRequest) -> HttpResponse:
    return render_listing(request)


def pseud_works(request: HttpRequest, pseud_id: int) -> HttpResponse:
    pseud = get_object_or_404(Pseud.objects.select_related("user"), pk=pseud_id)
    return render_listing(request, scope=Scope("pseud", pseud.pk), context=ListingContext("by", str(pseud)))


def user_works(request: HttpRequest, username: str) -> HttpResponse:
    user = get_object_or_404(User, username=username, is_active=True)
    return render_listing(request, scope=Scope("user", user.pk), context=ListingContext("by", user.username))


def render_listing(
    request: HttpRequest,
    *,
    scope: Scope | None = None,
    context: ListingContext | None = None,
    template: str = "works/list.html",
    extra: dict | None = None,
) -> HttpResponse:
    """Every works listing: the query string -> WorkQuery -> search_works -> results and sidebar."""
    query, errors = WorkQuery.from_params(request.GET)
    clean_url = None
    if not errors and _has_blank_values(request):
        # The filter form sends every field, blank or not: answer with the short URL of the same query.
        params = query.to_params()
        path = escape_uri_path(request.path)  # request.path is decoded: a tag name may have spaces
        clean_url = f"{path}?{urlencode(params)}" if params else path
        if not getattr(request, "htmx", False):
            return redirect(clean_url)
    if scope is not None:
        query = query.with_changes(scope=scope)
    page = search_works(query, request.user)
    if not page.results and page.count and query.page > page.num_pages:
        # Past the end (an old link, a hand-edited URL): show the last page rather than nothing.
        query = query.with_changes(page=page.num_pages)
        page = search_works(query, request.user)
    works = page.results
    start = (page.page - 1) * page.per_page + 1 if works else 0
    ctx = {
        "query": query,
        "page": page,
        "listing_path": escape_uri_path(request.path),
        "errors": errors,
        "entries": [(work, page.snippets.get(work.pk, "")) for work in works],
        "works": works,
        "start_index": start,
        "end_index": start + len(works) - 1 if works else 0,
        "pagination": _pagination(query, page),
        "listing": context or ListingContext(),
        "filter_groups": _filter_groups(query, page),
        "other_include": ", ".join(_uncovered(query.include, page, "include")),
        "other_exclude": ", ".join(_uncovered(query.exclude, page, "exclude")),
        "sort_options": list(SORTS.items()),
        "sort_selected": query.sort or query.effective_sort,
        "crossover_options": CROSSOVER_OPTIONS,
        "completion_options": COMPLETION_OPTIONS,
        "completion_selected": "" if query.complete is None else ("true" if query.complete else "false"),
        "language_options": sorted(
            ((code, english, native) for code, (english, native) in languages.LANGUAGES.items()),
            key=lambda item: item[1],
        ),
        "filtered": bool(query.to_params(page=1, sort="")),
    }
    if extra:
        ctx.update(extra)
    response = render(request, template, ctx)
    if clean_url is not None:
        push_url(response, clean_url)  # htmx puts this URL in the address bar
    return response


def _has_blank_values(request: HttpRequest) -> bool:
    return any(not value.strip() for _, values in request.GET.lists() for value in values)


def _link(query: WorkQuery, **overrides) -> str:
    params = query.to_params(**overrides)
    return "?" + urlencode(params) if params else "?"


def _pagination(query: WorkQuery, page: Page) -> dict | None:
    if page.num_pages <= 1:
        return None
    paginator = Paginator(range(page.count), page.per_page)
    links: list[dict[str, object]] = []
    for number in paginator.get_elided_page_range(page.page, on_each_side=2, on_ends=1):
        if number == paginator.ELLIPSIS:
            links.append({"gap": True})
        else:
            links.append({"number": number, "url": _link(query, page=number), "current": number == page.page})
    return {
        "previous": _link(query, page=page.page - 1) if page.page > 1 else "",
        "next": _link(query, page=page.page + 1) if page.page < page.num_pages else "",
        "links": links,
    }


def _filter_groups(query: WorkQuery, page: Page) -> list[FilterGroup]:
    included = {normalize_key(n) for n in query.include}
    excluded = {normalize_key(n) for n in query.exclude}
    ratings = {normalize_key(n) for n in query.rating}
    groups = []
    for key, label in FILTER_GROUPS:
        facets: list[Facet] = list(page.facets.get(key, []))
        if key == "rating":
            # Ratings asked for but absent from the results stay listed, so the form keeps them.
            shown = {normalize_key(f.name) for f in facets}
            facets += [Facet(name, 0) for name in RATINGS if normalize_key(name) in ratings - shown]
        group = FilterGroup(key, label, "rating" if key == "rating" else "include")
        for facet in facets:
            k = normalize_key(facet.name)
            is_included = facet.state == "include" or k in included or (key == "rating" and k in ratings)
            is_excluded = facet.state == "exclude" or k in excluded
            if not is_excluded:
                group.include_options.append(FilterOption(facet.name, facet.count, included=is_included))
            if not is_included:
                group.exclude_options.append(FilterOption(facet.name, facet.count, excluded=is_excluded))
        groups.append(group)
    return groups


def _uncovered(names: tuple[str, ...], page: Page, state: str) -> list[str]:
    """Names of the query that no checkbox of the sidebar carries (so they go in the text field)."""
    covered = set()
    for facets in page.facets.values():
        covered |= {normalize_key(f.name) for f in facets if f.state == state}
    return [name for name in names if normalize_key(name) not in covered]


# ---- a work -------------------------------------------------------------------------------------


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


def _series_navigation(request: HttpRequest, work: Work) -> list[dict]:
    """For each series of the work: its part number and the previous and next works this reader may see."""
    memberships = list(work.series_memberships.all())
    if not memberships:
        return []
    rows = (
        SeriesWork.objects.filter(
            series_id__in=[m.series_id for m in memberships], work__in=visible_works(request.user)
        )
        .order_by("series_id", "position", "work_id")
        .values_list("series_id", "work_id", "work__title")
    )
    siblings: dict[int, list[tuple[int, str]]] = {}
    for series_id, work_id, title in rows:
        siblings.setdefault(series_id, []).append((work_id, title))
    navigation = []
    for membership in memberships:
        parts = siblings.get(membership.series_id, [])
        at = next((i for i, (work_id, _) in enumerate(parts) if work_id == work.pk), None)
        previous = parts[at - 1] if at is not None and at > 0 else None
        following = parts[at + 1] if at is not None and at + 1 < len(parts) else None
        navigation.append(
            {
                "series": membership.series,
                "position": membership.position,
                "previous": {"id": previous[0], "title": previous[1]} if previous else None,
                "next": {"id": following[0], "title": following[1]} if following else None,
            }
        )
    return navigation


def _render_work(
    request: HttpRequest, work: Work, *, index: list[Chapter], shown: list[Chapter], full: bool
) -> HttpResponse:
    """The work page: preface, the chapters shown, (for one chapter of several) navigation, and the
    readers' actions: kudos, bookmark, subscriptions and comments. Viewing it counts a hit (once per
    visitor per day) and a line of the reader's history."""
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
        "series_navigation": _series_navigation(request, work),
        "source_fields": list(work.source_fields.items()) if isinstance(work.source_fields, dict) else [],
    }
    record_visit(request, work, current)
    context.update(work_page_context(request, work, current=current, shown=shown, full=full))
    return render(request, "works/detail.html", context)
