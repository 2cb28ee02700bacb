"""Content-Security-Policy header (Django 5.2 has none built in).

Scripts may come only from this site's own files: no inline <script>, no on*= handlers, no eval.
That is what stops injected markup from running code. Styles also allow 'unsafe-inline' because
base.html sets the reader's font size in a style attribute and htmx adds a small <style> for its
loading indicators; inline CSS cannot run script, and work texts are sanitised to an allow-list
without style attributes anyway (fanfold.core.html).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

DEFAULT_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data: https:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def policy() -> str:
    """The policy from settings.FANFOLD_CSP, or the default one."""
    configured = getattr(settings, "FANFOLD_CSP", "")
    if configured:
        return configured.strip()
    return "; ".join(f"{name} {value}" for name, value in DEFAULT_POLICY.items())


def header_name() -> str:
    if getattr(settings, "FANFOLD_CSP_REPORT_ONLY", False):
        return "Content-Security-Policy-Report-Only"
    return "Content-Security-Policy"


class ContentSecurityPolicyMiddleware:
    """Adds the policy to every response that does not carry one already."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.header = header_name()
        self.value = policy()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.header not in response.headers:
            response.headers[self.header] = self.value
        return response


def script_src_is_strict(value: str) -> bool:
    """True when the policy's script sources (or default sources) allow no inline script or eval."""
    directives: dict[str, list[str]] = {}
    for part in value.split(";"):
        words = part.split()
        if words:
            directives.setdefault(words[0].lower(), [w.lower() for w in words[1:]])
    sources = directives.get("script-src", directives.get("default-src"))
    if sources is None:
        return False
    return not {"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"} & set(sources)
