"""Readers' actions on a work page: kudos, bookmark, marked for later, subscriptions.

Each action answers an htmx request with the fragment it changed and a plain POST with a redirect,
so everything works without JavaScript. ``work_page_context`` gives the work page what it shows.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from fanfold.accounts.models import User
from fanfold.core.permissions import can_view_bookmark, is_creator, kudos_refusal
from fanfold.core.ratelimit import RateLimited
from fanfold.social.forms import BookmarkForm
from fanfold.social.models import Bookmark, Kudo, MarkedForLater, Subscription
from fanfold.social.services import (
    ALREADY_LEFT_KUDOS,
    BookmarkRefused,
    KudosRefused,
    SocialError,
    create_bookmark,
    delete_bookmark,
    give_kudos,
    record_hit,
    record_reading,
    subscribe,
    toggle_marked_for_later,
    unsubscribe,
    update_bookmark,
)
from fanfold.social.views_comments import comments_context
from fanfold.social.views_common import (
    client_ip,
    go_back,
    is_htmx,
    rate_limited,
    refusal_page,
    safe_next,
    signed_in,
    viewable_work,
)
from fanfold.works.models import Chapter, Series, Work

# Kudos lists name this many accounts, then "and N more".
KUDOS_NAMES_SHOWN = 50


def work_url(work: Work) -> str:
    return reverse("works:detail", args=[work.pk])


# --- what the work page shows --------------------------------------------------------------------


def record_visit(request: HttpRequest, work: Work, chapter: Chapter | None) -> None:
    """A hit (once per visitor per day) and a line of reading history (when it is on)."""
    if request.method != "GET" or is_htmx(request):
        return
    record_hit(work, user=request.user, ip=client_ip(request))
    if request.user.is_authenticated:
        record_reading(request.user, work, chapter)


def work_page_context(
    request: HttpRequest, work: Work, *, current: Chapter | None, shown: list[Chapter], full: bool
) -> dict:
    """Kudos, the reader's buttons and the comments, for works/detail.html."""
    # In the full view new comments go to the whole work, unless there is just the one chapter.
    attach = current if current is not None else (shown[0] if len(shown) == 1 and full else None)
    context = kudos_context(request, work)
    context.update(work_actions_context(request, work))
    context.update(comments_context(request, work, chapter=attach, full=full))
    return context


def kudos_context(request: HttpRequest, work: Work, *, notice: str = "", error: bool = False) -> dict:
    kudos = Kudo.objects.filter(work=work)
    counts = kudos.aggregate(
        users=Count("pk", filter=Q(user__isnull=False)), guests=Count("pk", filter=Q(user__isnull=True))
    )
    names = list(kudos.from_users().values_list("user__username", flat=True)[:KUDOS_NAMES_SHOWN])
    refusal = kudos_refusal(request.user, work)
    already = refusal is None and kudos.from_visitor(request.user, client_ip(request)).exists()
    return {
        "work": work,
        "kudos": {
            "total": counts["users"] + counts["guests"],
            "names": names,
            "more_users": max(0, counts["users"] - len(names)),
            "guests": counts["guests"],
            "refusal": refusal or (ALREADY_LEFT_KUDOS if already else ""),
            "notice": notice,
            "error": error,
        },
    }


def work_actions_context(
    request: HttpRequest,
    work: Work,
    *,
    notice: str = "",
    error: bool = False,
    bookmark_form: BookmarkForm | None = None,
) -> dict:
    """The signed-in reader's bookmark, marked-for-later and subscription state for this work."""
    context: dict = {"work": work, "actions": {"notice": notice, "error": error}}
    user = request.user
    if not user.is_authenticated:
        return context
    bookmark = Bookmark.objects.filter(user=user, work=work).first()
    series = [membership.series for membership in work.series_memberships.all()]
    creators: list[User] = []
    for pseud in work.creator_pseuds:
        account = pseud.user
        if account is None or account.pk == user.pk or account in creators:
            continue
        # Nobody writes as the orphan account, so there is nothing to subscribe to there.
        if account.is_active and not account.is_orphan_account:
            creators.append(account)
    subscribed = set(
        Subscription.objects.filter(user=user)
        .filter(Q(work=work) | Q(series__in=series) | Q(creator__in=creators))
        .values_list("kind", "work_id", "series_id", "creator_id")
    )
    context["actions"].update(
        {
            "own_work": is_creator(user, work),
            "bookmark": bookmark,
            "bookmark_form": bookmark_form or BookmarkForm.for_bookmark(bookmark, auto_id="bookmark-%s"),
            "marked_for_later": MarkedForLater.objects.filter(user=user, work=work).exists(),
            "subscribed": ("work", work.pk, None, None) in subscribed,
            "series": [(s, ("series", None, s.pk, None) in subscribed) for s in series],
            "creators": [(c, ("creator", None, None, c.pk) in subscribed) for c in creators],
        }
    )
    return context


def _kudos_fragment(request: HttpRequest, work: Work, status: int = 200, **kwargs) -> HttpResponse:
    return render(request, "social/_kudos.html", kudos_context(request, work, **kwargs), status=status)


def _actions_fragment(request: HttpRequest, work: Work, status: int = 200, **kwargs) -> HttpResponse:
    context = work_actions_context(request, work, **kwargs)
    return render(request, "social/_work_actions.html", context, status=status)


# --- kudos -----------------------------------------------------------------------------------------


@require_POST
def kudos(request: HttpRequest, work_id: int) -> HttpResponse:
    work = viewable_work(request, work_id)
    back = work_url(work) + "#kudos"
    try:
        give_kudos(work, user=request.user, ip=client_ip(request))
    except KudosRefused as refused:
        if is_htmx(request):
            return _kudos_fragment(request, work, status=403, notice=refused.message, error=True)
        return go_back(request, back, refused.message, error=True)
    except RateLimited as limited:
        if is_htmx(request):
            return rate_limited(_kudos_fragment(request, work, notice=limited.message, error=True), limited)
        page = refusal_page(request, limited.message, back_url=back, back_label=f"Back to {work.title}")
        return rate_limited(page, limited)
    if is_htmx(request):
        return _kudos_fragment(request, work, notice="Thank you for leaving kudos!")
    return go_back(request, back, "Thank you for leaving kudos!")


# --- bookmarks -------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def work_bookmark(request: HttpRequest, work_id: int) -> HttpResponse:
    """Bookmark the work, or change my bookmark of it (one per reader and work)."""
    work = viewable_work(request, work_id)
    bookmark = Bookmark.objects.filter(user=signed_in(request), work=work).first()
    form = BookmarkForm.for_bookmark(bookmark, request.POST or None, auto_id="bookmark-%s")
    if request.method == "POST" and form.is_valid():
        try:
            if bookmark is None:
                create_bookmark(request.user, work, **form.cleaned_data)
                notice = "Bookmark saved."
            else:
                update_bookmark(request.user, bookmark, **form.cleaned_data)
                notice = "Bookmark updated."
        except BookmarkRefused as refused:
            form.add_error(None, refused.message)
        else:
            if is_htmx(request):
                return _actions_fragment(request, work, notice=notice)
            return go_back(request, work_url(work), notice)
    status = 400 if form.errors else 200
    if is_htmx(request) and request.method == "POST":
        return _actions_fragment(request, work, status=status, bookmark_form=form, error=True)
    context = {"work": work, "bookmark": bookmark, "form": form, "next": safe_next(request, "")}
    return render(request, "social/bookmark_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def bookmark_delete(request: HttpRequest, bookmark_id: int) -> HttpResponse:
    bookmark = get_object_or_404(Bookmark.objects.select_related("work", "user"), pk=bookmark_id)
    if not can_view_bookmark(request.user, bookmark):
        return refusal_page(request, "That bookmark is not available.", status=404)
    default = reverse("social:user_bookmarks", args=[bookmark.user.username])
    if request.method == "GET":
        context = {"bookmark": bookmark, "next": safe_next(request, "")}
        return render(request, "social/bookmark_delete.html", context)
    try:
        delete_bookmark(request.user, bookmark)
    except BookmarkRefused as refused:
        return refusal_page(request, refused.message, back_url=default, back_label="Back to the bookmarks")
    work = _context_work(request)
    if is_htmx(request) and work is not None:
        return _actions_fragment(request, work, notice="Bookmark deleted.")
    return go_back(request, default, "Bookmark deleted.")


# --- marked for later ------------------------------------------------------------------------------


@login_required
@require_POST
def toggle_later(request: HttpRequest, work_id: int) -> HttpResponse:
    work = viewable_work(request, work_id)
    try:
        marked = toggle_marked_for_later(request.user, work)
    except BookmarkRefused as refused:
        return refusal_page(request, refused.message)
    notice = "Marked for later." if marked else "Removed from your Marked for Later list."
    if is_htmx(request):
        return _actions_fragment(request, work, notice=notice)
    return go_back(request, work_url(work), notice)


# --- subscriptions ---------------------------------------------------------------------------------


def _context_work(request: HttpRequest) -> Work | None:
    """The work page an action was sent from (its buttons send ``work``), to redraw them."""
    raw = request.POST.get("work", "")
    if not raw.isdigit():
        return None
    try:
        return viewable_work(request, int(raw))
    except Http404:  # gone or not visible: answer without the work's buttons
        return None


def _subscription_action(request: HttpRequest, default: str, *, profile_user=None, **target) -> HttpResponse:
    wanted = request.POST.get("action", "subscribe")
    try:
        if wanted == "unsubscribe":
            unsubscribe(request.user, **target)
            notice = "You are unsubscribed."
        else:
            subscribe(request.user, **target)
            notice = "You are subscribed: new works and chapters will be in your notifications."
    except SocialError as refused:
        notice, error = refused.message, True
    else:
        error = False
    if is_htmx(request):
        work = _context_work(request)
        if work is not None:
            return _actions_fragment(request, work, status=403 if error else 200, notice=notice, error=error)
        if profile_user is not None:
            context = {
                "profile_user": profile_user,
                "user_actions_notice": notice,
                "user_actions_error": error,
            }
            return render(request, "social/_user_actions.html", context, status=403 if error else 200)
    return go_back(request, default, notice, error=error)


@login_required
@require_POST
def subscribe_work(request: HttpRequest, work_id: int) -> HttpResponse:
    work = viewable_work(request, work_id)
    return _subscription_action(request, work_url(work), work=work)


@login_required
@require_POST
def subscribe_series(request: HttpRequest, series_id: int) -> HttpResponse:
    series = get_object_or_404(Series, pk=series_id)
    return _subscription_action(request, reverse("social:subscriptions"), series=series)


@login_required
@require_POST
def subscribe_creator(request: HttpRequest, username: str) -> HttpResponse:
    creator = get_object_or_404(User, username=username, is_active=True)
    default = reverse("works:user_works", args=[creator.username])
    return _subscription_action(request, default, profile_user=creator, creator=creator)
