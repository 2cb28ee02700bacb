"""Membership (join, leave, invitations, requests, roles) and moderation of a collection's works."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from fanfold.accounts.models import User
from fanfold.challenges.forms import InviteMemberForm, InviteWorkForm
from fanfold.challenges.models import CollectionItem, Membership
from fanfold.challenges.services import (
    CollectionError,
    answer_work_invitation,
    decide_membership,
    invite_member,
    invite_work,
    join_collection,
    leave_collection,
    moderate_item,
    remove_work_from_collection,
)
from fanfold.challenges.views import collection_url, get_collection
from fanfold.core.permissions import can_edit_collection, can_moderate_collection, is_creator
from fanfold.works.models import Creatorship, Work


def _members_url(collection) -> str:
    return reverse("challenges:members", args=[collection.name])


def members(request: HttpRequest, name: str) -> HttpResponse:
    collection = get_collection(name)
    moderates = can_moderate_collection(request.user, collection)
    rows = collection.memberships.select_related("user").order_by("user__username")
    form = InviteMemberForm(request.POST or None) if moderates else None
    if request.method == "POST" and moderates and form is not None and form.is_valid():
        invitee = User.objects.filter(username__iexact=form.cleaned_data["username"], is_active=True).first()
        if invitee is None:
            form.add_error("username", "No account has that name.")
        else:
            try:
                invite_member(request.user, collection, invitee, form.cleaned_data["role"])
            except CollectionError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, f"{invitee.username} was invited.")
                return redirect(_members_url(collection))
    context = {
        "collection": collection,
        "approved": [m for m in rows if m.status == Membership.Status.APPROVED],
        "requested": [m for m in rows if m.status == Membership.Status.REQUESTED] if moderates else [],
        "invited": [m for m in rows if m.status == Membership.Status.INVITED] if moderates else [],
        "moderates": moderates,
        "edits": can_edit_collection(request.user, collection),
        "form": form,
        "roles": Membership.Role.choices,
    }
    return render(request, "challenges/members.html", context)


@require_POST
@login_required
def join(request: HttpRequest, name: str) -> HttpResponse:
    collection = get_collection(name)
    try:
        membership = join_collection(request.user, collection)
    except CollectionError as error:
        messages.error(request, str(error))
    else:
        if membership.status == Membership.Status.APPROVED:
            messages.success(request, f"You are a member of {collection.title}.")
        else:
            messages.success(request, f"You asked to join {collection.title}; a moderator will answer.")
    return redirect(collection_url(collection))


@require_POST
@login_required
def leave(request: HttpRequest, name: str) -> HttpResponse:
    collection = get_collection(name)
    try:
        leave_collection(request.user, collection)
    except CollectionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"You are no longer a member of {collection.title}.")
    return redirect(collection_url(collection))


@require_POST
@login_required
def membership_decision(request: HttpRequest, name: str, membership_id: int) -> HttpResponse:
    """Approve or refuse a request, remove a member, or change a role."""
    collection = get_collection(name)
    membership = get_object_or_404(Membership, pk=membership_id, collection=collection)
    if not can_moderate_collection(request.user, collection):
        raise Http404("No such page.")
    action = request.POST.get("action", "")
    try:
        if action == "approve":
            decide_membership(request.user, membership, approve=True)
        elif action in ("refuse", "remove"):
            decide_membership(request.user, membership, approve=False)
        elif action == "role":
            decide_membership(request.user, membership, approve=True, role=request.POST.get("role", ""))
        else:
            raise CollectionError("Choose what to do with this membership.")
    except CollectionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Done.")
    return redirect(_members_url(collection))


@login_required
def moderation_queue(request: HttpRequest, name: str) -> HttpResponse:
    """Works waiting for approval; moderators approve or reject them, and invite works."""
    collection = get_collection(name)
    if not can_moderate_collection(request.user, collection):
        raise Http404("No such page.")
    form = InviteWorkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        work = Work.objects.filter(pk=form.cleaned_data["work_id"]).first()
        if work is None:
            form.add_error("work_id", "No work has that number.")
        else:
            try:
                invite_work(request.user, collection, work)
            except CollectionError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, f"{work.title}'s creators were invited to add it.")
                return redirect(reverse("challenges:moderate", args=[collection.name]))
    items = (
        collection.items.filter(status=CollectionItem.Status.PENDING)
        .select_related("work", "prompt")
        .prefetch_related(
            Prefetch("work__creatorships", queryset=Creatorship.objects.select_related("pseud__user"))
        )
        .order_by("added_at", "id")
    )
    invited = collection.items.filter(creator_approved=False).select_related("work")
    context = {"collection": collection, "items": items, "invited": invited, "form": form}
    return render(request, "challenges/moderate.html", context)


@require_POST
@login_required
def moderate(request: HttpRequest, name: str, item_id: int) -> HttpResponse:
    collection = get_collection(name)
    item = get_object_or_404(
        CollectionItem.objects.select_related("work", "collection"), pk=item_id, collection=collection
    )
    if not (can_moderate_collection(request.user, collection) or is_creator(request.user, item.work)):
        raise Http404("No such page.")
    action = request.POST.get("action", "")
    try:
        if action in ("approve", "reject"):
            moderate_item(request.user, item, approve=action == "approve")
        elif action == "remove":
            remove_work_from_collection(request.user, item)
        else:
            raise CollectionError("Choose approve or reject.")
    except CollectionError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"{item.work.title}: {action}d." if action != "remove" else f"{item.work.title} was removed.",
        )
    if can_moderate_collection(request.user, collection):
        return redirect(reverse("challenges:moderate", args=[collection.name]))
    return redirect(collection_url(collection))


@login_required
def work_invitations(request: HttpRequest) -> HttpResponse:
    """Collections that invited my works; accept or decline."""
    items = (
        CollectionItem.objects.filter(creator_approved=False, work__in=Work.objects.credited_to(request.user))
        .select_related("work", "collection")
        .order_by("-added_at")
    )
    if request.method == "POST":
        item = get_object_or_404(
            items, pk=request.POST.get("item", "0") if request.POST.get("item", "").isdigit() else 0
        )
        try:
            answer_work_invitation(request.user, item, accept=request.POST.get("action") == "accept")
        except CollectionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Your answer was saved.")
        return redirect(reverse("challenges:work_invitations"))
    return render(request, "challenges/invitations.html", {"items": items})
