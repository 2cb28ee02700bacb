"""The API object: routers, the OpenAPI document (/api/v1/openapi.json, docs at /api/v1/docs) and
error handling. Every error is JSON with a "detail"; none shows a traceback."""

from __future__ import annotations

import logging

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Router
from ninja.errors import AuthenticationError, HttpError, ValidationError

# works_write adds POST /works, PATCH and DELETE /works/{id} to works.router when imported.
from fanfold.api import social, tags, works, works_write  # noqa: F401
from fanfold.core.ratelimit import RateLimited

logger = logging.getLogger("fanfold.api")

api = NinjaAPI(
    title="Fanfold API",
    version="1",
    description=(
        "JSON access to the archive. You see what you would see on the site: guests see public "
        "works; logged-in readers also see works restricted to members. Writes need an API token "
        "(Authorization: Bearer <token>, from your account page or `fanfold token create USERNAME`) "
        "or the session cookie with the X-CSRFToken header; guests may leave kudos and comments "
        'where the site lets them. Every error is JSON: {"detail": message}. Guide: docs/api.md.'
    ),
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
)
api.add_router("/works", works.router)
api.add_router("/works", social.work_actions)
api.add_router("/bookmarks", social.bookmarks)
api.add_router("/mutes", social.mutes)
api.add_router("/blocks", social.blocks)
api.add_router("/tags", tags.router)

# Registered last: any other address under /api/v1/ is a JSON 404, not the site's HTML page.
_fallback = Router()


@_fallback.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", include_in_schema=False, url_name="fallback"
)
def not_found(request: HttpRequest, rest: str):
    raise Http404


api.add_router("", _fallback)


def _message(error: dict) -> str:
    """One line per invalid parameter: "limit: Input should be a valid integer"."""
    loc = list(error.get("loc", ()))
    if loc[:1] == ["body"]:
        # ("body", <the view's argument name>, field...): that name means nothing to a caller.
        loc = loc[2:]
    loc = [str(part) for part in loc if part not in ("query", "path")]
    text = str(error.get("msg", "invalid value"))
    return f"{'.'.join(loc)}: {text}" if loc else text


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": [_message(e) for e in exc.errors]}, status=400)


@api.exception_handler(Http404)
def not_found_error(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": "Not found"}, status=404)


@api.exception_handler(AuthenticationError)
def authentication_required(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(request, {"detail": "Authentication required."}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="fanfold"'
    return response


@api.exception_handler(RateLimited)
def rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    response = api.create_response(request, {"detail": exc.message}, status=429)
    response["Retry-After"] = str(max(1, int(exc.retry_after)))
    return response


@api.exception_handler(RequestDataTooBig)
def request_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return api.create_response(request, {"detail": "The request body is too large."}, status=413)


_UNPARSABLE_BODY = "Cannot parse request body"  # django-ninja's words for a body that is not JSON


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    message = str(exc)
    if exc.status_code == 400 and message.startswith(_UNPARSABLE_BODY):
        message = "The request body is not valid JSON (send Content-Type: application/json)."
    return api.create_response(request, {"detail": message}, status=exc.status_code)


@api.exception_handler(Exception)
def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.error("API error on %s %s", request.method, request.path, exc_info=exc)
    return api.create_response(request, {"detail": "Internal server error"}, status=500)
