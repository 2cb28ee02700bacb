"""Collections: the index, a collection's home page, its works listing, creating one, its settings,
adding a work, and revealing it. Membership and moderation are in ``views_members``; calendars and
prompt memes in ``views_calendar`` and ``views_meme``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from fanfold.challenges.forms import CollectionForm, CreateCollectionForm, WorkChoiceForm
from fanfold.challenges.models import MODERATOR_ROLES, Collection, CollectionItem, Membership
from fanfold.challenges.services import (
    CollectionError,
    add_work_to_collection,
    create_collection,
    reveal_collection,
    update_collection,
)
from fanfold.core.permissions import (
    can_edit_collection,
    can_moderate_collection,
    listed_works,
    post_to_collection_refusal,
)
from fanfold.search.query import Scope
from fanfold.works.models import Creatorship, Work
from fanfold.works.views import ListingContext, render_listing


def get_collection(name: str) -> Collection:
    return get_object_or_404(Collection.objects.select_related("parent"), name=name)


def collection_url(collection: Collection) -> str:
    return reverse("challenges:collection", args=[collection.name])


def collection_index(request: HttpRequest) -> HttpResponse:
    collections = (
        Collection.objects.filter(parent__isnull=True)
        .annotate(
            works_count=Count(
                "items", filter=Q(items__status="approved", items__creator_approved=True), distinct=True
            ),
            children_count=Count("children", distinct=True),
        )
        .select_related("calendar", "meme")
        .order_by("title")[:500]
    )
    return render(request, "challenges/index.html", {"collections": collections})


def collection_detail(request: HttpRequest, name: str) -> HttpResponse:
    collection = get_collection(name)
    user = request.user
    items = list(
        CollectionItem.objects.listed()
        .in_collection(collection.pk)
        .filter(work__in=listed_works(user).values("id"))
        .select_related("work")
        .only("id", "prompt_id", "collection_id", "work__id", "work__title", "work__complete")
        .prefetch_related(
            Prefetch("work__creatorships", queryset=Creatorship.objects.select_related("pseud__user")),
            Prefetch("work__collection_items", queryset=CollectionItem.objects.select_related("collection")),
        )
        .order_by("work__title", "work_id")
    )
    works_count = len({item.work_id for item in items})
    own_items = [item for item in items if item.collection_id == collection.pk]
    fills: dict[int | None, list[Work]] = {}
    for item in own_items:
        fills.setdefault(item.prompt_id, []).append(item.work)
    calendar = collection.calendar_or_none
    meme = collection.meme_or_none
    prompts = []
    if calendar is None and meme is None:  # calendars and memes have their own pages of prompts
        prompts = [
            {"prompt": prompt, "fills": fills.get(prompt.pk, [])}
            for prompt in collection.prompts.order_by("day", "id")
        ]
    membership = (
        Membership.objects.filter(collection=collection, user=user).first() if user.is_authenticated else None
    )
    moderates = can_moderate_collection(user, collection)
    context = {
        "collection": collection,
        "calendar": calendar,
        "meme": meme,
        "prompts": prompts,
        "unprompted": fills.get(None, []) if calendar is None and meme is None else [],
        "works_count": works_count,
        "listing_url": reverse("challenges:collection_works", args=[collection.name]),
        "staff": Membership.objects.filter(
            collection=collection, role__in=MODERATOR_ROLES, status=Membership.Status.APPROVED
        ).select_related("user"),
        "members_count": collection.memberships.filter(status=Membership.Status.APPROVED).count(),
        "children": collection.children.order_by("title"),
        "membership": membership,
        "moderates": moderates,
        "edits": can_edit_collection(user, collection),
        "can_post": user.is_authenticated and post_to_collection_refusal(user, collection) is None,
        "pending_count": collection.items.filter(status=CollectionItem.Status.PENDING).count()
        if moderates
        else 0,
        "requests_count": collection.memberships.filter(status=Membership.Status.REQUESTED).count()
        if moderates
        else 0,
        "is_unrevealed": collection.is_unrevealed(),
        "hides_creators": collection.hides_creators(),
    }
    return render(request, "challenges/collection.html", context)


def collection_works(request: HttpRequest, name: str) -> HttpResponse:
    """The works listing with the full filter sidebar (the engine's "collection" scope)."""
    collection = get_collection(name)
    context = ListingContext("in", collection.title, collection_url(collection))
    return render_listing(request, scope=Scope("collection", collection.pk), context=context)


@login_required
def collection_create(request: HttpRequest) -> HttpResponse:
    form = CreateCollectionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            collection = create_collection(
                request.user,
                form.cleaned_data["name"],
                form.to_settings(),
                calendar=form.calendar(),
                meme=form.meme(),
            )
        except CollectionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{collection.title} was created.")
            return redirect(collection_url(collection))
    return render(
        request, "challenges/form.html", {"form": form, "heading": "New collection", "creating": True}
    )


@login_required
def collection_settings(request: HttpRequest, name: str) -> HttpResponse:
    collection = get_collection(name)
    if not can_edit_collection(request.user, collection):
        raise Http404("No such collection settings.")
    form = CollectionForm(
        request.POST or None,
        user=request.user,
        collection=collection,
        initial=CollectionForm.initial_for(collection),
    )
    if request.method == "POST" and form.is_valid():
        try:
            update_collection(request.user, collection, form.to_settings())
        except CollectionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The settings were saved.")
            return redirect(collection_url(collection))
    context = {"form": form, "collection": collection, "heading": f"Settings of {collection.title}"}
    return render(request, "challenges/form.html", context)


@require_POST
@login_required
def collection_reveal(request: HttpRequest, name: str) -> HttpResponse:
    collection = get_collection(name)
    if not can_moderate_collection(request.user, collection):
        raise Http404("No such collection.")
    reveal_collection(collection)
    messages.success(request, f"{collection.title} is revealed: its works and creators can be seen.")
    return redirect(collection_url(collection))


@login_required
def add_work(request: HttpRequest, name: str) -> HttpResponse:
    """A creator puts one of their works in the collection."""
    collection = get_collection(name)
    refusal = post_to_collection_refusal(request.user, collection)
    works = list(
        Work.objects.credited_to(request.user).order_by("-updated", "-id").only("id", "title", "draft")[:200]
    )
    form = WorkChoiceForm(request.POST or None, works=works)
    if request.method == "POST" and refusal is None and form.is_valid():
        work = Work.objects.get(pk=form.cleaned_data["work"])
        try:
            item = add_work_to_collection(request.user, work, collection)
        except CollectionError as error:
            form.add_error(None, str(error))
        else:
            if item.status == CollectionItem.Status.PENDING:
                messages.success(
                    request, f"{work.title} awaits the approval of {collection.title}'s moderators."
                )
            else:
                messages.success(request, f"{work.title} is in {collection.title}.")
            return redirect(collection_url(collection))
    context = {"collection": collection, "form": form, "refusal": refusal, "has_works": bool(works)}
    return render(request, "challenges/add_work.html", context)
