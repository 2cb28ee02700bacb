"""Kudos and comments are rate-limited inside the services, so the pages and the API share the limits."""

import pytest

from fanfold.core.ratelimit import Rate
from fanfold.social.models import Comment, Kudo
from fanfold.social.services import CommentRefused, RateLimited, give_kudos, post_comment

from .conftest import authored_work

pytestmark = pytest.mark.django_db

GUEST = {"guest_name": "Tidepool", "guest_email": "tidepool@example.org"}


def test_kudos_per_ip_limit_stops_a_guest_flood(settings, author):
    settings.FANFOLD_RATE_LIMITS = {"kudos": (Rate(2, 60), None)}
    works = [authored_work(author, title=f"Buoy {n}") for n in range(3)]
    give_kudos(works[0], ip="198.51.100.4")
    give_kudos(works[1], ip="198.51.100.4")
    with pytest.raises(RateLimited) as refused:
        give_kudos(works[2], ip="198.51.100.4")
    assert "Too many kudos" in refused.value.message
    assert refused.value.retry_after > 0
    assert Kudo.objects.count() == 2
    give_kudos(works[2], ip="198.51.100.5")  # another visitor is not held back


def test_kudos_per_account_limit_follows_the_user_across_addresses(settings, author, reader):
    settings.FANFOLD_RATE_LIMITS = {"kudos": (None, Rate(1, 60))}
    first, second = authored_work(author, title="Reef"), authored_work(author, title="Shoal")
    give_kudos(first, user=reader, ip="198.51.100.4")
    with pytest.raises(RateLimited):
        give_kudos(second, user=reader, ip="198.51.100.9")
    second.refresh_from_db()
    assert second.kudos_count == 0


def test_refused_kudos_do_not_reach_the_limit(settings, work, author):
    settings.FANFOLD_RATE_LIMITS = {"kudos": (None, Rate(1, 60))}
    for _ in range(3):
        with pytest.raises(Exception, match="your own work"):
            give_kudos(work, user=author)


def test_comment_limit_per_account(settings, work, reader):
    settings.FANFOLD_RATE_LIMITS = {"comment": (None, Rate(2, 60))}
    post_comment(work, "One", user=reader)
    post_comment(work, "Two", user=reader)
    with pytest.raises(RateLimited, match="Too many comments"):
        post_comment(work, "Three", user=reader)
    assert Comment.objects.count() == 2
    work.refresh_from_db()
    assert work.comments_count == 2


def test_comment_limit_per_ip_for_guests(settings, work):
    settings.FANFOLD_RATE_LIMITS = {"comment": (Rate(1, 60), None)}
    post_comment(work, "Hello from the dunes", ip="192.0.2.10", **GUEST)
    with pytest.raises(RateLimited):
        post_comment(work, "And again", ip="192.0.2.10", **GUEST)
    post_comment(work, "From elsewhere", ip="192.0.2.11", **GUEST)
    assert Comment.objects.count() == 2


def test_an_empty_comment_does_not_use_up_the_limit(settings, work, reader):
    settings.FANFOLD_RATE_LIMITS = {"comment": (None, Rate(1, 60))}
    with pytest.raises(CommentRefused):
        post_comment(work, "   ", user=reader)
    post_comment(work, "Now with words", user=reader)


def test_limits_can_be_switched_off(settings, work, reader):
    settings.FANFOLD_RATE_LIMITS = {"comment": (Rate(1, 60), Rate(1, 60))}
    settings.FANFOLD_RATE_LIMITS_ENABLED = False
    for n in range(3):
        post_comment(work, f"Note {n}", user=reader, ip="192.0.2.10")
    assert Comment.objects.count() == 3
