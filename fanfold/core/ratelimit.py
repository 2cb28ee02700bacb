"""Rate limits for actions people can abuse: sign-up, log-in, comments, kudos.

Each action has a limit per client IP and per account, counted in fixed windows in the cache, so
several app servers sharing Redis (``REDIS_URL``) share the counts. Without Redis each process keeps
its own counts, which still stops a flood from one client at one server.

Views and the API call ``check(...)`` before doing the work and turn ``RateLimited`` into a 429 with
its message.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


@dataclass(frozen=True)
class Rate:
    count: int  # at most this many...
    seconds: int  # ...in a window of this many seconds


# action -> (per IP, per account); a None side is not limited.
DEFAULT_RATES: dict[str, tuple[Rate | None, Rate | None]] = {
    "signup": (Rate(5, 3600), None),
    "login": (Rate(20, 300), Rate(10, 300)),  # failed attempts; per account = per username tried
    "comment": (Rate(30, 600), Rate(20, 600)),
    "kudos": (Rate(60, 600), Rate(60, 600)),
    "password_reset": (Rate(5, 3600), None),
}


class RateLimited(Exception):
    """Too many attempts; ``message`` is one line for the user, ``retry_after`` is in seconds."""

    def __init__(self, action: str, retry_after: int) -> None:
        minutes = max(1, round(retry_after / 60))
        self.message = (
            f"Too many {_NOUNS.get(action, 'attempts')} in a short time. "
            f"Please try again in {minutes} minute{'s' if minutes != 1 else ''}."
        )
        self.retry_after = retry_after
        super().__init__(self.message)


_NOUNS = {
    "signup": "sign-ups from your network",
    "login": "failed log-in attempts",
    "comment": "comments",
    "kudos": "kudos",
    "password_reset": "password reset requests",
}


def rates(action: str) -> tuple[Rate | None, Rate | None]:
    overrides = getattr(settings, "FANFOLD_RATE_LIMITS", {}) or {}
    return overrides.get(action, DEFAULT_RATES[action])


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or the address the trusted reverse proxies saw.

    ``FANFOLD_TRUSTED_PROXIES`` is how many proxies in front of the app append to X-Forwarded-For;
    only that many entries from the right are believed, so a client cannot spoof its address.
    """
    proxies = getattr(settings, "FANFOLD_TRUSTED_PROXIES", 0)
    if proxies:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _account_key(user=None, account: str | None = None) -> str | None:
    if account:
        return account.lower()
    if user is not None and getattr(user, "is_authenticated", False):
        return f"user:{user.pk}"
    return None


def _count(key: str, rate: Rate, now: float, *, peek: bool) -> tuple[int, int]:
    """Attempts in the current window (after adding this one unless peeking) and seconds left in it."""
    window = int(now // rate.seconds)
    cache_key = f"ratelimit:{key}:{rate.seconds}:{window}"
    retry_after = int(rate.seconds - (now % rate.seconds)) + 1
    if peek:
        return int(cache.get(cache_key, 0)), retry_after
    if cache.add(cache_key, 1, timeout=rate.seconds + 1):
        return 1, retry_after
    try:
        return int(cache.incr(cache_key)), retry_after
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=rate.seconds + 1)
        return 1, retry_after


def _limits(action: str, request: HttpRequest | None, ip: str | None, user, account: str | None):
    per_ip, per_account = rates(action)
    if ip is None and request is not None:
        ip = client_ip(request)
    if user is None and request is not None:
        user = getattr(request, "user", None)
    account_key = _account_key(user, account)
    if per_ip is not None and ip:
        yield f"{action}:ip:{ip}", per_ip
    if per_account is not None and account_key:
        yield f"{action}:account:{account_key}", per_account


def check(
    action: str,
    request: HttpRequest | None = None,
    *,
    ip: str | None = None,
    user=None,
    account: str | None = None,
    record: bool = True,
) -> None:
    """Count one attempt at ``action`` and raise ``RateLimited`` when a limit is passed.

    ``account`` names the account being acted on when there is no logged-in user (a log-in's
    username). With ``record=False`` the attempt is only checked, not counted (log-ins count only
    the failures, after the fact, through ``record_attempt``).
    """
    if not getattr(settings, "FANFOLD_RATE_LIMITS_ENABLED", True):
        return
    now = time.time()
    for key, rate in _limits(action, request, ip, user, account):
        used, retry_after = _count(key, rate, now, peek=not record)
        if used > rate.count or (not record and used >= rate.count):
            raise RateLimited(action, retry_after)


def record_attempt(
    action: str,
    request: HttpRequest | None = None,
    *,
    ip: str | None = None,
    user=None,
    account: str | None = None,
) -> None:
    """Count an attempt without refusing it (e.g. a failed log-in, checked before the next one)."""
    if not getattr(settings, "FANFOLD_RATE_LIMITS_ENABLED", True):
        return
    now = time.time()
    for key, rate in _limits(action, request, ip, user, account):
        _count(key, rate, now, peek=False)
