"""Gift exchange pages: the exchange, signing up, my assignments, and the moderators' pages (settings,
sign-up summary with the live unmatchable list, generate / review / send, defaults and pinch hits)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from fanfold.challenges.models import Collection
from fanfold.exchanges import services
from fanfold.exchanges.forms import ExchangeSettingsForm, FulfilForm, PinchHitForm, SignupForm
from fanfold.exchanges.models import Assignment, GiftExchange, PromptTag, Signup
from fanfold.exchanges.permissions import can_moderate_exchange, can_see_assignment, can_start_exchange
from fanfold.exchanges.services import ExchangeError

ASSIGNMENTS_PER_PAGE = 200


def _exchange(name: str) -> GiftExchange:
    return get_object_or_404(GiftExchange.objects.select_related("collection"), collection__name=name)


def _moderated(request: HttpRequest, name: str) -> GiftExchange:
    exchange = _exchange(name)
    if not can_moderate_exchange(request.user, exchange):
        raise PermissionDenied("Only the exchange's moderators can see this page.")
    return exchange


def exchange_list(request: HttpRequest) -> HttpResponse:
    exchanges = GiftExchange.objects.select_related("collection").order_by("collection__title")[:500]
    return render(request, "exchanges/list.html", {"exchanges": exchanges})


def exchange_detail(request: HttpRequest, name: str) -> HttpResponse:
    exchange = _exchange(name)
    user = request.user
    context = {
        "exchange": exchange,
        "collection": exchange.collection,
        "settings": exchange.type_settings.all(),
        "signup_count": exchange.signups.count(),
        "my_signups": list(Signup.objects.of_user(user).filter(exchange=exchange).select_related("pseud")),
        "my_assignments": list(
            exchange.assignments.for_giver(user).current().select_related("receiver__pseud")
            if exchange.state in (GiftExchange.State.SENT, GiftExchange.State.REVEALED)
            else []
        ),
        "is_moderator": can_moderate_exchange(user, exchange),
    }
    return render(request, "exchanges/detail.html", context)


@login_required
def exchange_setup(request: HttpRequest, name: str) -> HttpResponse:
    """Make a collection a gift exchange, or change its rules."""
    collection = get_object_or_404(Collection, name=name)
    exchange = GiftExchange.objects.filter(collection=collection).first()
    if exchange is not None and not can_moderate_exchange(request.user, exchange):
        raise PermissionDenied("Only the exchange's moderators can change its rules.")
    if exchange is None and not can_start_exchange(request.user, collection):
        raise PermissionDenied("Only the collection's moderators can run a gift exchange in it.")
    form = ExchangeSettingsForm(request.POST or None, exchange=exchange)
    if request.method == "POST" and form.is_valid():
        try:
            if exchange is None:
                exchange = services.create_exchange(request.user, collection, form.to_settings())
                messages.success(request, f"{collection.title} is now a gift exchange, open for sign-ups.")
            else:
                services.update_exchange(request.user, exchange, form.to_settings())
                messages.success(request, "The exchange's rules were saved.")
            return redirect("exchanges:detail", collection.name)
        except ExchangeError as error:
            form.add_error(None, str(error))
    return render(
        request, "exchanges/setup.html", {"form": form, "collection": collection, "exchange": exchange}
    )


@login_required
def signup(request: HttpRequest, name: str) -> HttpResponse:
    """Sign up (or edit a sign-up: ``?signup=<id>``)."""
    exchange = _exchange(name)
    existing = None
    signup_id = request.GET.get("signup") or request.POST.get("signup")
    if signup_id:
        existing = get_object_or_404(
            services.signups_with_prompts(exchange), pk=signup_id if str(signup_id).isdigit() else 0
        )
        if existing.user_id != request.user.pk:
            raise Http404("No such sign-up.")
    if not exchange.signups_open:
        messages.error(request, "Sign-ups for this exchange are closed.")
        return redirect("exchanges:detail", name)
    form = SignupForm(exchange, request.user, request.POST or None, signup=existing)
    if request.method == "POST" and form.is_valid():
        requests, offers = form.prompts("request"), form.prompts("offer")
        if not form.errors:
            pseud = existing.pseud if existing else form.cleaned_data["pseud"]
            try:
                services.save_signup(request.user, exchange, pseud, requests, offers)
            except ExchangeError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, f"Your sign-up as {pseud.name} is saved.")
                return redirect("exchanges:detail", name)
    return render(request, "exchanges/signup.html", {"form": form, "exchange": exchange, "signup": existing})


@login_required
@require_POST
def delete_signup(request: HttpRequest, name: str, pk: int) -> HttpResponse:
    exchange = _exchange(name)
    signup_obj = get_object_or_404(exchange.signups, pk=pk)
    if signup_obj.user_id != request.user.pk and not can_moderate_exchange(request.user, exchange):
        raise Http404("No such sign-up.")
    try:
        services.delete_signup(request.user, signup_obj)
        messages.success(request, "The sign-up was deleted.")
    except ExchangeError as error:
        messages.error(request, str(error))
    return redirect("exchanges:detail", name)


@login_required
def assignment_detail(request: HttpRequest, name: str, pk: int) -> HttpResponse:
    """The giver's page: the receiver's requests, posting the gift, defaulting."""
    exchange = _exchange(name)
    assignment = get_object_or_404(
        exchange.assignments.select_related(
            "giver__user", "giver__pseud", "receiver__pseud", "pinch_hitter", "work"
        ),
        pk=pk,
    )
    # A draft is not the giver's yet; a 404 gives no hint that an assignment exists.
    is_moderator = can_moderate_exchange(request.user, exchange)
    if not can_see_assignment(request.user, assignment) or (
        assignment.status == Assignment.Status.DRAFT and not is_moderator
    ):
        raise Http404("No such assignment.")
    receiver = services.signups_with_prompts(exchange).get(pk=assignment.receiver_id)
    is_giver = assignment.giver_user_id == request.user.pk
    form = FulfilForm(request.user, request.POST or None) if is_giver else None
    if request.method == "POST":
        try:
            if request.POST.get("action") == "default":
                services.default_assignment(request.user, assignment)
                messages.success(
                    request, "You defaulted on this assignment; the moderators will find a pinch hitter."
                )
                return redirect("exchanges:detail", name)
            if form is not None and form.is_valid():
                services.fulfil_assignment(request.user, assignment, form.cleaned_data["work"])
                messages.success(request, "Thank you! Your gift is in the collection.")
                return redirect("exchanges:assignment", name, pk)
        except ExchangeError as error:
            messages.error(request, str(error))
    context = {
        "exchange": exchange,
        "assignment": assignment,
        "receiver": receiver,
        "form": form,
        "is_giver": is_giver,
    }
    return render(request, "exchanges/assignment.html", context)


@login_required
def manage(request: HttpRequest, name: str) -> HttpResponse:
    """Moderators: the state, the sign-up summary, who cannot be matched, the assignments."""
    exchange = _moderated(request, name)
    counts = (
        PromptTag.objects.filter(prompt__signup__exchange=exchange, tag__type="fandom")
        .values_list("tag__name", "prompt__kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    summary: dict[str, dict[str, int]] = {}
    for fandom, kind, n in counts:
        summary.setdefault(fandom, {"request": 0, "offer": 0})[kind] = n
    report = (
        services.unmatchable(exchange)
        if exchange.state in (GiftExchange.State.OPEN, GiftExchange.State.CLOSED)
        else None
    )
    rows = exchange.assignments.select_related(
        "giver__pseud", "giver__user", "receiver__pseud", "pinch_hitter", "work"
    ).order_by("receiver__pseud__name", "id")
    # Thousands of assignments: the table is paged; the ones needing a moderator are all listed.
    page = Paginator(rows, ASSIGNMENTS_PER_PAGE).get_page(request.GET.get("page"))
    needs_pinch_hit = rows.filter(
        giver__isnull=True,
        pinch_hitter__isnull=True,
        status__in=[Assignment.Status.DRAFT, Assignment.Status.SENT],
    )
    context = {
        "exchange": exchange,
        "signup_count": exchange.signups.count(),
        "requested": [(f, c["request"], c["offer"]) for f, c in sorted(summary.items())][:1000],
        "report": report,
        "assignments": page,
        "needs_pinch_hit": list(needs_pinch_hit),
        "counts": dict(exchange.assignments.values_list("status").annotate(n=Count("id")).order_by("status")),
    }
    return render(request, "exchanges/manage.html", context)


def _close(user, exchange: GiftExchange) -> str:
    services.set_signups_open(user, exchange, open=False)
    return "Sign-ups are closed."


def _reopen(user, exchange: GiftExchange) -> str:
    services.set_signups_open(user, exchange, open=True)
    return "Sign-ups are open again (draft assignments were discarded)."


def _send(user, exchange: GiftExchange) -> str:
    return f"{services.send_assignments(user, exchange)} assignments were sent."


def _reveal(user, exchange: GiftExchange) -> str:
    services.reveal_exchange(user, exchange)
    return "The gifts are revealed."


def _gifts(user, exchange: GiftExchange) -> str:
    count = services.record_all_posted_gifts(user, exchange)
    return f"{count} more assignment{'s' if count != 1 else ''} fulfilled by gifts posted in the collection."


ACTIONS = {"close": _close, "reopen": _reopen, "send": _send, "reveal": _reveal, "gifts": _gifts}


@login_required
@require_POST
def manage_action(request: HttpRequest, name: str) -> HttpResponse:
    exchange = _moderated(request, name)
    action = request.POST.get("action", "")
    try:
        if action == "generate":
            result = services.generate_assignments(request.user, exchange)
            messages.success(
                request,
                f"{result.matched} people matched, {result.unmatched} without a giver "
                f"({result.structural_unmatched} whom nobody can give to), in {result.seconds:.2f} s. "
                "Review the drafts, then send them.",
            )
        elif action in ACTIONS:
            messages.success(request, ACTIONS[action](request.user, exchange))
        else:
            messages.error(request, "Unknown action.")
    except ExchangeError as error:
        messages.error(request, str(error))
    return redirect("exchanges:manage", name)


@login_required
@require_POST
def pinch_hit(request: HttpRequest, name: str, pk: int) -> HttpResponse:
    exchange = _moderated(request, name)
    assignment = get_object_or_404(exchange.assignments.select_related("receiver"), pk=pk)
    form = PinchHitForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, " ".join(str(e) for e in form.errors.get("username", ["Name a pinch hitter."]))
        )
        return redirect("exchanges:manage", name)
    try:
        services.pinch_hit(request.user, assignment, form.cleaned_data["username"])
        messages.success(
            request,
            f"{form.cleaned_data['username'].username} now writes for {assignment.receiver.pseud.name}.",
        )
    except ExchangeError as error:
        messages.error(request, str(error))
    return redirect("exchanges:manage", name)


@login_required
@require_POST
def moderator_default(request: HttpRequest, name: str, pk: int) -> HttpResponse:
    exchange = _moderated(request, name)
    assignment = get_object_or_404(exchange.assignments, pk=pk)
    try:
        services.default_assignment(request.user, assignment)
        messages.success(request, "The assignment is marked as defaulted and listed for a pinch hit.")
    except ExchangeError as error:
        messages.error(request, str(error))
    return redirect("exchanges:manage", name)
