"""Deploy checks of our own, run by `fanfold check --deploy` beside Django's."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from fanfold.core import csp

CSP_MIDDLEWARE = "fanfold.core.csp.ContentSecurityPolicyMiddleware"


@register(Tags.security, deploy=True)
def check_content_security_policy(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    problems: list[Warning] = []
    if CSP_MIDDLEWARE not in settings.MIDDLEWARE:
        problems.append(
            Warning(
                "No Content-Security-Policy header is sent.",
                hint=f"Keep {CSP_MIDDLEWARE} in MIDDLEWARE.",
                id="fanfold.W001",
            )
        )
    elif not csp.script_src_is_strict(csp.policy()):
        problems.append(
            Warning(
                "The Content-Security-Policy lets inline scripts, eval or other sites' scripts run.",
                hint="Remove 'unsafe-inline', 'unsafe-eval' and wide sources from script-src in FANFOLD_CSP.",
                id="fanfold.W002",
            )
        )
    if getattr(settings, "FANFOLD_CSP_REPORT_ONLY", False):
        problems.append(
            Warning(
                "The Content-Security-Policy is only reported, not enforced.",
                hint="Unset FANFOLD_CSP_REPORT_ONLY once the reports are clean.",
                id="fanfold.W003",
            )
        )
    return problems


@register(Tags.security, deploy=True)
def check_production(app_configs: Any = None, **kwargs: Any) -> list[Warning | Error]:
    if not getattr(settings, "PRODUCTION", False):
        return []
    problems: list[Warning | Error] = []
    if not settings.BASE_URL.startswith("https://"):
        problems.append(
            Warning(
                f"FANFOLD_BASE_URL={settings.BASE_URL!r} is not an https:// address.",
                hint="Links in email would send readers to plain http.",
                id="fanfold.W010",
            )
        )
    if getattr(settings, "SECURE_SSL_REDIRECT", False) and not getattr(
        settings, "SECURE_PROXY_SSL_HEADER", None
    ):
        problems.append(
            Warning(
                "SECURE_SSL_REDIRECT is on but the proxy's X-Forwarded-Proto header is not trusted.",
                hint="Behind a TLS-terminating proxy set FANFOLD_PROXY_SSL_HEADER=true, or every request "
                "is redirected forever.",
                id="fanfold.W011",
            )
        )
    return problems
