"""Collections: a collection's page (its prompts and their fills) and its works listing."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from fanfold.challenges.models import Collection, CollectionItem
from fanfold.core.permissions import listed_works
from fanfold.search.query import Scope
from fanfold.works.models import Creatorship
from fanfold.works.views import ListingContext, render_listing


def collection_detail(request: HttpRequest, name: str) -> HttpResponse:
    collection = get_object_or_404(Collection, name=name)
    items = list(
        CollectionItem.objects.filter(collection=collection, work__in=listed_works(request.user).values("id"))
        .select_related("work")
        .only("id", "prompt_id", "work__id", "work__title", "work__complete")
        .prefetch_related(
            Prefetch("work__creatorships", queryset=Creatorship.objects.select_related("pseud__user"))
        )
        .order_by("work__title", "work_id")
    )
    fills: dict[int | None, list] = {}
    for item in items:
        fills.setdefault(item.prompt_id, []).append(item.work)
    prompts = [
        {"prompt": prompt, "fills": fills.get(prompt.pk, [])}
        for prompt in collection.prompts.order_by("day", "id")
    ]
    context = {
        "collection": collection,
        "prompts": prompts,
        "unprompted": fills.get(None, []),
        "works_count": len(items),
        "listing_url": reverse("challenges:collection_works", args=[collection.name]),
    }
    return render(request, "challenges/collection.html", context)


def collection_works(request: HttpRequest, name: str) -> HttpResponse:
    collection = get_object_or_404(Collection, name=name)
    context = ListingContext("in", collection.title, reverse("challenges:collection", args=[collection.name]))
    return render_listing(request, scope=Scope("collection", collection.pk), context=context)
