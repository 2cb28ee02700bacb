"""Who is calling: an API token, a session cookie (with CSRF), or a guest.

``BearerTokenMiddleware`` (accounts.middleware) has already checked any ``Authorization: Bearer``
header: a bad or revoked token, or a suspended account's, never reaches a view; a good one sets
``request.user`` and turns CSRF off for the request (a header is not sent by other sites' pages).

A session cookie, on the other hand, is sent by the browser whatever page makes the request, so a
write with one must carry the CSRF token (``X-CSRFToken`` header), as the site's forms do.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from fanfold.core.ratelimit import client_ip

__all__ = ["CSRF_FAILED", "GUEST", "LOGGED_IN", "LOGGED_IN_OR_GUEST", "client_ip"]

CSRF_FAILED = (
    "CSRF check failed: with a session cookie, send the X-CSRFToken header "
    "(or use an API token: Authorization: Bearer <token>)."
)


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>`` (create one on your account page or with `fanfold token create`)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = request.user  # set by BearerTokenMiddleware once the token checked out
        return user if user.is_authenticated else None


class SessionAuth(APIKeyCookie):
    """The site's session cookie; writes must also send the CSRF token."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=False)  # checked below, only once we know a user is logged in

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        if not user.is_authenticated:
            return None
        if request.method not in ("GET", "HEAD", "OPTIONS") and check_csrf(request):
            raise HttpError(403, CSRF_FAILED)
        return user


def _guest(request: HttpRequest) -> str:
    """Lets the call through as a guest (the services decide what a guest may do)."""
    return "guest"


GUEST = _guest
LOGGED_IN = [TokenAuth(), SessionAuth()]
# A logged-in session that fails CSRF is refused (403), never quietly treated as a guest.
LOGGED_IN_OR_GUEST = [*LOGGED_IN, GUEST]
