"""The rate limiter: windows per address and per account, peeking, proxies, the off switch."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from fanfold.core import ratelimit
from fanfold.core.ratelimit import Rate, RateLimited, check, client_ip, record_attempt


class _User:
    is_authenticated = True

    def __init__(self, pk: int) -> None:
        self.pk = pk


@pytest.fixture
def tight(settings):
    settings.FANFOLD_RATE_LIMITS = {"comment": (Rate(3, 60), Rate(2, 60)), "signup": (Rate(2, 60), None)}


def test_address_limit_refuses_after_the_count(tight):
    for _ in range(2):
        check("signup", ip="192.0.2.1")
    with pytest.raises(RateLimited) as refused:
        check("signup", ip="192.0.2.1")
    assert "Too many sign-ups" in refused.value.message
    assert 0 < refused.value.retry_after <= 61
    check("signup", ip="192.0.2.2")  # another address has its own count


def test_account_limit_is_counted_across_addresses(tight):
    user = _User(7)
    check("comment", ip="192.0.2.1", user=user)
    check("comment", ip="192.0.2.2", user=user)
    with pytest.raises(RateLimited):
        check("comment", ip="192.0.2.3", user=user)
    check("comment", ip="192.0.2.3", user=_User(8))  # someone else on that address is fine


def test_guests_are_limited_by_address_only(tight):
    for _ in range(3):
        check("comment", ip="198.51.100.4")
    with pytest.raises(RateLimited):
        check("comment", ip="198.51.100.4")


def test_window_expiry_resets_the_count(tight, monkeypatch):
    now = [1_000_000.0]
    monkeypatch.setattr(ratelimit.time, "time", lambda: now[0])
    for _ in range(2):
        check("signup", ip="192.0.2.9")
    with pytest.raises(RateLimited):
        check("signup", ip="192.0.2.9")
    now[0] += 61
    check("signup", ip="192.0.2.9")


def test_peeking_does_not_count_and_record_attempt_does(settings):
    settings.FANFOLD_RATE_LIMITS = {"login": (Rate(2, 300), Rate(2, 300))}
    for _ in range(5):
        check("login", ip="192.0.2.5", account="Ferryman", record=False)
    record_attempt("login", ip="192.0.2.5", account="ferryman")
    check("login", ip="192.0.2.5", account="FERRYMAN", record=False)
    record_attempt("login", ip="192.0.2.6", account="ferryman")
    # Two failures on the account (case-insensitively the same name), so the next try is refused.
    with pytest.raises(RateLimited) as refused:
        check("login", ip="192.0.2.7", account="Ferryman", record=False)
    assert "failed log-in attempts" in refused.value.message


def test_switched_off(settings, tight):
    settings.FANFOLD_RATE_LIMITS_ENABLED = False
    for _ in range(10):
        check("signup", ip="192.0.2.1")


def test_client_ip_ignores_forwarded_for_unless_proxies_are_trusted(settings):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.7"
    )
    settings.FANFOLD_TRUSTED_PROXIES = 0
    assert client_ip(request) == "10.0.0.1"
    settings.FANFOLD_TRUSTED_PROXIES = 1
    assert client_ip(request) == "198.51.100.7"  # the address our one proxy saw; the rest is the client's say
    settings.FANFOLD_TRUSTED_PROXIES = 3
    assert client_ip(request) == "10.0.0.1"  # fewer entries than proxies: don't trust the header


def test_check_reads_address_and_user_from_the_request(tight):
    request = RequestFactory().post("/", REMOTE_ADDR="192.0.2.44")
    request.user = _User(3)
    check("comment", request)
    check("comment", request)
    with pytest.raises(RateLimited):
        check("comment", request)
