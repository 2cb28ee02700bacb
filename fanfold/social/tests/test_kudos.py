import pytest
from django.contrib.auth.models import AnonymousUser

from fanfold.core.permissions import can_give_kudos, kudos_refusal
from fanfold.social.models import Kudo
from fanfold.social.services import KudosRefused, block_user, give_kudos

from .conftest import authored_work

pytestmark = pytest.mark.django_db


def test_a_user_gives_kudos_once(work, reader):
    kudo = give_kudos(work, user=reader)
    assert kudo.user == reader
    assert work.kudos_count == 1
    with pytest.raises(KudosRefused, match="already left kudos"):
        give_kudos(work, user=reader)
    work.refresh_from_db()
    assert work.kudos_count == 1
    assert Kudo.objects.count() == 1


def test_a_guest_gives_kudos_once_per_ip_and_the_ip_is_not_stored(work):
    give_kudos(work, ip="203.0.113.7")
    with pytest.raises(KudosRefused, match="already left kudos"):
        give_kudos(work, user=AnonymousUser(), ip="203.0.113.7")
    give_kudos(work, ip="203.0.113.8")
    work.refresh_from_db()
    assert work.kudos_count == 2
    hashes = list(Kudo.objects.values_list("ip_hash", flat=True))
    assert all(len(h) == 64 and "203.0.113" not in h for h in hashes)


def test_a_guest_needs_an_ip(work):
    with pytest.raises(KudosRefused, match="IP address"):
        give_kudos(work)


def test_user_and_guest_kudos_are_counted_apart(work, reader):
    give_kudos(work, user=reader, ip="203.0.113.7")
    give_kudos(work, ip="203.0.113.7")
    assert Kudo.objects.from_users().count() == 1
    assert Kudo.objects.from_guests().count() == 1


def test_no_kudos_on_ones_own_work(work, author):
    assert kudos_refusal(author, work) == "You can't leave kudos on your own work."
    with pytest.raises(KudosRefused, match="your own work"):
        give_kudos(work, user=author)


def test_a_co_creator_cannot_give_kudos_either(author, other):
    work = authored_work(author, other)
    assert not can_give_kudos(other, work)


def test_a_blocked_user_cannot_give_kudos(work, author, reader):
    block_user(author, reader)
    with pytest.raises(KudosRefused, match="blocked"):
        give_kudos(work, user=reader)
    assert not can_give_kudos(reader, work)
    assert can_give_kudos(None, work)  # guests are never "blocked"


def test_staff_may_give_kudos_on_others_works(work, staff):
    give_kudos(work, user=staff)
    assert work.kudos_count == 1


def test_no_kudos_on_a_work_one_cannot_see(author, reader, staff):
    restricted = authored_work(author, restricted=True)
    with pytest.raises(KudosRefused, match="not available"):
        give_kudos(restricted, ip="203.0.113.7")
    give_kudos(restricted, user=reader)
    draft = authored_work(author, draft=True)
    with pytest.raises(KudosRefused, match="not available"):
        give_kudos(draft, user=reader)
    assert can_give_kudos(staff, draft)
