"""The API object: routers, the OpenAPI document (/api/v1/openapi.json, docs at /api/v1/docs) and
error handling. Every error is JSON with a "detail"; none shows a traceback."""

from __future__ import annotations

import logging

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Router
from ninja.errors import HttpError, ValidationError

from fanfold.api import tags, works

logger = logging.getLogger("fanfold.api")

api = NinjaAPI(
    title="Fanfold API",
    version="1",
    description=(
        "Read-only JSON access to the archive. You see what you would see on the site: guests see "
        "public works; logged-in readers (session cookie) also see works restricted to members."
    ),
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
)
api.add_router("/works", works.router)
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
    loc = [str(part) for part in error.get("loc", ()) if part not in ("query", "path", "body")]
    text = str(error.get("msg", "invalid value"))
    return f"{'.'.join(loc)}: {text}" if loc else text


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": [_message(e) for e in exc.errors]}, status=400)


@api.exception_handler(Http404)
def not_found_error(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": "Not found"}, status=404)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


@api.exception_handler(Exception)
def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.error("API error on %s %s", request.method, request.path, exc_info=exc)
    return api.create_response(request, {"detail": "Internal server error"}, status=500)
