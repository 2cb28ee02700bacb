"""A reader's own lists: marked for later, history, subscriptions, notifications, blocked, muted."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from fanfold.accounts.models import User
from fanfold.core.permissions import can_view_work, visible_works
from fanfold.social.forms import UsernameForm
from fanfold.social.models import Block, MarkedForLater, Mute, Notification, Reading, Subscription
from fanfold.social.services import (
    BlockRefused,
    SocialError,
    block_user,
    clear_history,
    history_enabled,
    mark_notifications_read,
    mute_user,
    unblock_user,
    unmute_user,
    unsubscribe,
)
from fanfold.social.views_common import go_back, is_htmx, paginate, signed_in
from fanfold.works.models import Work


@login_required
def later(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    marks = MarkedForLater.objects.filter(user=user, work__in=visible_works(user).values("pk"))
    page, pagination = paginate(request, marks.for_listing().order_by("-created_at", "-id"))
    return render(request, "social/later.html", {"page": page, "pagination": pagination})


@login_required
def history(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    readings = Reading.objects.filter(user=user, work__in=visible_works(user).values("pk"))
    page, pagination = paginate(request, readings.for_listing().order_by("-last_read_at", "-id"))
    context = {"page": page, "pagination": pagination, "history_enabled": history_enabled(request.user)}
    return render(request, "social/history.html", context)


@login_required
@require_POST
def history_clear(request: HttpRequest) -> HttpResponse:
    """Forget one work (``work``) or, with ``all``, the whole history."""
    back = reverse("social:history")
    if request.POST.get("all"):
        clear_history(request.user)
        return go_back(request, back, "Your reading history was cleared.")
    raw = request.POST.get("work", "")
    work = Work.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
    if work is None:
        return go_back(request, back, "That work is not in your history.", error=True)
    clear_history(request.user, work)
    return go_back(request, back, f"“{work.title}” was removed from your history.")


@login_required
def subscriptions(request: HttpRequest) -> HttpResponse:
    rows = Subscription.objects.filter(user=signed_in(request)).select_related("work", "series", "creator")
    page, pagination = paginate(request, rows.order_by("kind", "-created_at", "-id"), per_page=50)
    entries = [
        # A work that has since become a draft or hidden keeps its line, without its title.
        {"subscription": s, "visible": s.work is None or can_view_work(request.user, s.work)}
        for s in page.object_list
    ]
    context = {"page": page, "pagination": pagination, "entries": entries}
    return render(request, "social/subscriptions.html", context)


@login_required
@require_POST
def subscription_delete(request: HttpRequest, subscription_id: int) -> HttpResponse:
    subscription = get_object_or_404(Subscription, pk=subscription_id, user=signed_in(request))
    target = {subscription.kind: getattr(subscription, subscription.kind)}
    try:
        unsubscribe(request.user, **target)
    except SocialError as refused:
        return go_back(request, reverse("social:subscriptions"), refused.message, error=True)
    return go_back(request, reverse("social:subscriptions"), "You are unsubscribed.")


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    rows = Notification.objects.filter(user=user).order_by("read", "-created_at", "-id")
    page, pagination = paginate(request, rows, per_page=50)
    unread = Notification.objects.filter(user=user).unread().count()
    return render(
        request, "social/notifications.html", {"page": page, "pagination": pagination, "unread": unread}
    )


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    """Mark the given notifications (``id``, repeated) as read, or all of them without ids."""
    ids = [int(value) for value in request.POST.getlist("id") if value.isdigit()]
    changed = mark_notifications_read(request.user, ids or None)
    message = f"Marked {changed} notification{'s' if changed != 1 else ''} as read."
    return go_back(request, reverse("social:notifications"), message)


# --- blocking and muting -----------------------------------------------------------------------------

_BLOCK_ACTIONS = {
    "block": (block_user, "You blocked {name}. They can no longer comment on, give kudos to or gift you."),
    "unblock": (unblock_user, "You unblocked {name}."),
    "mute": (mute_user, "You muted {name}. Their works, bookmarks and comments are hidden from you."),
    "unmute": (unmute_user, "You unmuted {name}."),
}


@login_required
@require_http_methods(["GET", "POST"])
def blocked(request: HttpRequest) -> HttpResponse:
    return _relationship_page(request, "block", "unblock")


@login_required
@require_http_methods(["GET", "POST"])
def muted(request: HttpRequest) -> HttpResponse:
    return _relationship_page(request, "mute", "unmute")


def _relationship_page(request: HttpRequest, verb: str, undo: str) -> HttpResponse:
    """The list of accounts I block (or mute); a POST with ``username`` and ``action`` changes it."""
    back = reverse("social:blocked" if verb == "block" else "social:muted")
    form = UsernameForm(request.POST or None, auto_id=f"{verb}-%s")
    status = 200
    if request.method == "POST" and form.is_valid():
        action = request.POST.get("action", verb)
        if action not in (verb, undo):
            action = verb
        name = form.cleaned_data["username"].strip()
        target = User.objects.filter(username__iexact=name).first()
        if target is None:
            form.add_error("username", f"There is no account called “{name}”.")
        else:
            change, text = _BLOCK_ACTIONS[action]
            try:
                change(request.user, target)
            except BlockRefused as refused:
                message, error = refused.message, True
            else:
                message, error = text.format(name=target.username), False
            if is_htmx(request) and request.POST.get("profile"):
                context = {
                    "profile_user": target,
                    "user_actions_notice": message,
                    "user_actions_error": error,
                }
                return render(request, "social/_user_actions.html", context, status=403 if error else 200)
            return go_back(request, back, message, error=error)
    if form.errors:
        status = 400
    if verb == "block":
        rows = (
            Block.objects.filter(blocker=signed_in(request)).select_related("blocked").order_by("-created_at")
        )
        people = [(row.blocked, row.created_at) for row in rows]
    else:
        mutes = Mute.objects.filter(muter=signed_in(request)).select_related("muted").order_by("-created_at")
        people = [(row.muted, row.created_at) for row in mutes]
    context = {"form": form, "people": people, "verb": verb, "undo": undo}
    return render(request, "social/people.html", context, status=status)
