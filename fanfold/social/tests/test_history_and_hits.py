import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser

from fanfold.accounts.models import Preference
from fanfold.social.models import Hit, Reading
from fanfold.social.services import clear_history, prune_hits, record_hit, record_reading

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 1)


def test_reading_history_counts_views_and_keeps_the_last_chapter(work, reader):
    chapter = work.chapters.get()
    first = record_reading(reader, work)
    assert first is not None and first.views == 1 and first.last_chapter is None
    again = record_reading(reader, work, chapter)
    assert again is not None
    assert again.views == 2 and again.last_chapter == chapter and again.last_read_at >= first.last_read_at
    assert Reading.objects.count() == 1


def test_no_history_for_guests_or_when_turned_off(work, reader):
    assert record_reading(AnonymousUser(), work) is None
    assert record_reading(None, work) is None
    Preference.objects.create(user=reader, history_enabled=False)
    assert record_reading(reader, work) is None
    assert not Reading.objects.exists()


def test_history_can_be_cleared(work, reader, author):
    from .conftest import authored_work

    other_work = authored_work(author)
    record_reading(reader, work)
    record_reading(reader, other_work)
    assert clear_history(reader, work) == 1
    assert clear_history(reader) == 1
    assert not Reading.objects.exists()


def hits(work):
    work.refresh_from_db()
    return work.hits


def test_a_user_counts_once_per_day(work, reader):
    assert record_hit(work, user=reader, today=DAY)
    assert not record_hit(work, user=reader, ip="203.0.113.7", today=DAY)
    assert hits(work) == 1
    assert record_hit(work, user=reader, today=DAY + dt.timedelta(days=1))
    assert hits(work) == 2


def test_a_guest_counts_once_per_ip_per_day(work):
    assert record_hit(work, ip="203.0.113.7", today=DAY)
    assert not record_hit(work, user=AnonymousUser(), ip="203.0.113.7", today=DAY)
    assert record_hit(work, ip="203.0.113.8", today=DAY)
    assert hits(work) == 2
    assert not Hit.objects.filter(visitor_hash__contains="203.0.113").exists()


def test_no_hit_without_a_visitor_or_from_the_creator(work, author):
    assert not record_hit(work)
    assert not record_hit(work, user=author, today=DAY)
    assert hits(work) == 0


def test_old_hit_rows_can_be_pruned_and_the_count_stays(work, reader):
    record_hit(work, user=reader, today=DAY)
    record_hit(work, user=reader, today=DAY + dt.timedelta(days=2))
    assert prune_hits(DAY + dt.timedelta(days=1)) == 1
    assert hits(work) == 2
