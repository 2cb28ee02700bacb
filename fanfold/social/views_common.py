"""Small helpers shared by the social views: htmx or not, where to go back to, refusals, 429s."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.http import url_has_allowed_host_and_scheme

from fanfold.accounts.models import User
from fanfold.core import ratelimit
from fanfold.core.permissions import can_view_work
from fanfold.works.models import Work

PER_PAGE = 20


def client_ip(request: HttpRequest) -> str:
    return ratelimit.client_ip(request)


def signed_in(request: HttpRequest) -> User:
    """The account of a view behind ``login_required``."""
    user = request.user
    assert isinstance(user, User), "only for views behind login_required"
    return user


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def safe_next(request: HttpRequest, default: str) -> str:
    """The ``next`` the form sent when it is a URL on this site, else ``default``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def go_back(request: HttpRequest, default: str, message: str = "", *, error: bool = False) -> HttpResponse:
    """The no-JavaScript answer to a successful (or refused) action: a message and a redirect."""
    if message:
        (messages.error if error else messages.success)(request, message)
    return HttpResponseRedirect(safe_next(request, default))


def refusal_page(
    request: HttpRequest, message: str, *, status: int = 403, back_url: str = "", back_label: str = ""
) -> HttpResponse:
    """A page (or, for htmx, a fragment) that says why an action was refused."""
    context = {"message": message, "back_url": back_url, "back_label": back_label, "status": status}
    template = "social/_refusal.html" if is_htmx(request) else "social/refusal.html"
    return render(request, template, context, status=status)


def rate_limited(response: HttpResponse, error: ratelimit.RateLimited) -> HttpResponse:
    """Mark a rendered response as a 429 with the limit's Retry-After."""
    response.status_code = 429
    response["Retry-After"] = str(error.retry_after)
    return response


def viewable_work(request: HttpRequest, work_id: int) -> Work:
    """The work with its blurb data, or 404 when it does not exist or this visitor may not see it."""
    work = get_object_or_404(Work.objects.with_listing_data(), pk=work_id)
    if not can_view_work(request.user, work):
        raise Http404("No such work.")
    return work


def paginate(request: HttpRequest, items, per_page: int = PER_PAGE) -> tuple[Page, dict | None]:
    """One page of ``items`` and the links works/_pagination.html draws (other GET values kept)."""
    paginator = Paginator(items, per_page)
    page = paginator.get_page(request.GET.get("page"))
    if paginator.num_pages <= 1:
        return page, None

    def link(number: int) -> str:
        params = request.GET.copy()
        params["page"] = str(number)
        return "?" + params.urlencode()

    links: list[dict[str, object]] = []
    for number in paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1):
        if number == paginator.ELLIPSIS:
            links.append({"gap": True})
        else:
            links.append({"number": number, "url": link(int(number)), "current": number == page.number})
    pagination = {
        "previous": link(page.previous_page_number()) if page.has_previous() else "",
        "next": link(page.next_page_number()) if page.has_next() else "",
        "links": links,
    }
    return page, pagination
