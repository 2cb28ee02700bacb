"""Tag pages: what a tag is (type, canonical or a synonym, its fandoms and children) and its works."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from fanfold.core.permissions import can_wrangle, listed_works
from fanfold.core.text import normalize_key
from fanfold.search.engine import filter_tag_ids_for_tags
from fanfold.search.query import Scope
from fanfold.tags.models import Tag, TagType
from fanfold.tags.vocabulary import TAG_TYPE_ORDER
from fanfold.works.models import WorkTag
from fanfold.works.views import ListingContext, render_listing

CHILDREN_SHOWN = 50
# Children of a tag, by type, as the tag page lists them: a fandom's characters and relationships,
# a character's relationships.
CHILD_TYPES = (
    (TagType.CHARACTER, "Characters"),
    (TagType.RELATIONSHIP, "Relationships"),
    (TagType.ADDITIONAL, "Additional Tags"),
)
PARENT_TYPES = ((TagType.FANDOM, "Fandoms"), (TagType.CHARACTER, "Characters"))


def tag_by_name(name: str) -> Tag:
    """The tag a URL names: the exact spelling first, then a canonical tag, then in AO3's type order.

    Names are unique per type only ("Gen" could be a category and an additional tag).
    """
    candidates = list(Tag.objects.filter(name_key=normalize_key(name)).select_related("merger"))
    if not candidates:
        raise Http404("No such tag.")
    order = {tag_type: i for i, tag_type in enumerate(TAG_TYPE_ORDER)}
    return min(candidates, key=lambda t: (t.name != name, not t.canonical, order.get(t.type, 99), t.pk))


def _with_query(url: str, request: HttpRequest) -> str:
    query = request.META.get("QUERY_STRING", "")
    return f"{url}?{query}" if query else url


def tag_works(request: HttpRequest, name: str) -> HttpResponse:
    tag = tag_by_name(name)
    if tag.merger_id and tag.merger:
        # A synonym's works are its canonical tag's works: one URL per listing.
        return redirect(_with_query(reverse("tags:works", args=[tag.merger.name]), request))
    if tag.name != name:
        return redirect(_with_query(reverse("tags:works", args=[tag.name]), request))
    context = ListingContext(
        "in", tag.name, reverse("tags:detail", args=[tag.name]), reverse("tags:feed", args=[tag.name])
    )
    return render_listing(request, scope=Scope("tag", tag.pk), context=context)


def tag_detail(request: HttpRequest, name: str) -> HttpResponse:
    tag = tag_by_name(name)
    if tag.name != name:
        return redirect(reverse("tags:detail", args=[tag.name]))
    filter_tag = tag.filter_tag
    visible = listed_works(request.user)
    ids = filter_tag_ids_for_tags([filter_tag.pk])
    works_count = visible.filter(Exists(WorkTag.objects.filter(work=OuterRef("pk"), tag_id__in=ids))).count()

    # A synonym's page only points at its canonical tag; the canonical tag's page has the rest.
    is_synonym = tag.merger_id is not None
    parents = [] if is_synonym else list(tag.parents.filter(merger__isnull=True).order_by("name"))
    parent_groups = [
        (label, [p for p in parents if p.type == tag_type])
        for tag_type, label in PARENT_TYPES
        if any(p.type == tag_type for p in parents)
    ]
    child_groups = []
    for tag_type, label in () if is_synonym else CHILD_TYPES:
        children = list(
            tag.children.filter(type=tag_type, merger__isnull=True)
            .annotate(works_shown=Count("work_tags", filter=Q(work_tags__work__in=visible.values("id"))))
            .order_by("-works_shown", "name")[:CHILDREN_SHOWN]
        )
        if children:
            child_groups.append((label, children))
    context = {
        "tag": tag,
        "filter_tag": filter_tag,
        "synonyms": [] if is_synonym else list(tag.synonyms.order_by("name")),
        "parent_groups": parent_groups,
        "child_groups": child_groups,
        "works_count": works_count,
        "listing_url": reverse("tags:works", args=[filter_tag.name]),
        "feed_url": reverse("tags:feed", args=[filter_tag.name]),
        "can_wrangle": can_wrangle(request.user, tag),
    }
    return render(request, "tags/detail.html", context)
