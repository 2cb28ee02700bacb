"""Prompt calendars: the event's day in its time zone, fills, progress, completionists, importing seed 000."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command

from fanfold.challenges import calendar_services as cal
from fanfold.challenges.models import CalendarFill, CollectionItem, PromptCalendar
from fanfold.challenges.services import CollectionError, set_calendar
from fanfold.challenges.tests.support import collection_for, work_of
from fanfold.conftest import SEED_WHUMPTOBER

pytestmark = pytest.mark.django_db


def calendar_for(people, days=3, start=dt.date(2024, 10, 1), zone="Pacific/Auckland", **settings):
    collection = collection_for(people, "whumptober-2024", **settings)
    return set_calendar(people["owner"], collection, time_zone=zone, start_date=start, days=days)


def test_today_is_counted_in_the_events_time_zone(people):
    calendar = calendar_for(people)
    # 11:30 UTC on 30 September is already 1 October in Auckland (UTC+13 in October).
    moment = dt.datetime(2024, 9, 30, 11, 30, tzinfo=dt.UTC)
    assert calendar.today(moment) == 1
    assert calendar.today(moment - dt.timedelta(hours=1)) is None  # still 30 September there
    days = cal.calendar_days(calendar, AnonymousUser(), now=moment)
    assert [d.today for d in days] == [True, False, False]
    assert calendar.today(dt.datetime(2024, 10, 3, 10, 59, tzinfo=dt.UTC)) == 3
    assert calendar.today(dt.datetime(2024, 10, 3, 11, 0, tzinfo=dt.UTC)) is None  # 4 Oct: over
    assert calendar.zone == zoneinfo.ZoneInfo("Pacific/Auckland")


def test_calendar_settings_are_validated(people):
    collection = collection_for(people)
    with pytest.raises(CollectionError, match="time zone"):
        set_calendar(
            people["owner"], collection, time_zone="Mars/Olympus", start_date=dt.date(2024, 10, 1), days=31
        )
    with pytest.raises(CollectionError, match="1 to 366"):
        set_calendar(people["owner"], collection, time_zone="UTC", start_date=dt.date(2024, 10, 1), days=0)
    with pytest.raises(CollectionError, match="owners"):
        set_calendar(people["member"], collection, time_zone="UTC", start_date=dt.date(2024, 10, 1), days=31)


def test_day_prompts_one_to_three_alternatives(people):
    calendar = calendar_for(people)
    prompts = cal.set_day_prompts(
        people["moderator"], calendar, 2, [("Shaky hands", ["Tremors"]), ("Cold sweat", []), ("Fever", [])]
    )
    assert [p.text for p in prompts] == ["Shaky hands", "Cold sweat", "Fever"]
    assert [t.name for t in prompts[0].tags.all()] == ["Tremors"]
    with pytest.raises(CollectionError, match="one to 3"):
        cal.set_day_prompts(people["moderator"], calendar, 2, [(f"P{i}", []) for i in range(4)])
    with pytest.raises(CollectionError, match="days 1 to 3"):
        cal.set_day_prompts(people["moderator"], calendar, 4, [("Late", [])])
    with pytest.raises(CollectionError, match="moderators"):
        cal.set_day_prompts(people["member"], calendar, 1, [("Mine", [])])
    kept = cal.set_day_prompts(people["moderator"], calendar, 2, [("Shaky hands, again", [])])
    assert kept[0].pk == prompts[0].pk and calendar.collection.prompts.filter(day=2).count() == 1


def test_fill_days_rules(people):
    calendar = calendar_for(people)
    work = work_of(people["member"])
    with pytest.raises(CollectionError, match="your own works"):
        cal.fill_days(people["outsider"], work, calendar, [1])
    with pytest.raises(CollectionError, match="days 1 to 3"):
        cal.fill_days(people["member"], work, calendar, [4])
    with pytest.raises(CollectionError, match="at least one day"):
        cal.fill_days(people["member"], work, calendar, [])
    item = cal.fill_days(people["member"], work, calendar.collection, [1, 2])
    assert sorted(item.calendar_fills.values_list("day", flat=True)) == [1, 2]
    cal.fill_days(people["member"], work, calendar, [2, 3])  # day 2 again is no duplicate
    assert sorted(item.calendar_fills.values_list("day", flat=True)) == [1, 2, 3]
    calendar.collection.open = False
    calendar.collection.save()
    with pytest.raises(CollectionError, match="closed"):
        cal.fill_days(people["member"], work_of(people["member"]), calendar, [1])


def test_progress_and_completionists(people):
    calendar = calendar_for(people)
    every_day = work_of(people["member"])
    cal.fill_days(people["member"], every_day, calendar, [1, 3])
    cal.fill_days(people["member"], work_of(people["member"]), calendar, [2])
    cal.fill_days(people["outsider"], work_of(people["outsider"]), calendar, [2])
    draft = work_of(people["moderator"], draft=True)
    cal.fill_days(people["moderator"], draft, calendar, [1, 2, 3])  # a draft is not listed: no progress
    rows = cal.progress(calendar, AnonymousUser())
    assert [(p.username, p.days_filled, p.days) for p in rows] == [
        ("marsh_wren", 3, [1, 2, 3]),
        ("passing_heron", 1, [2]),
    ]
    assert [p.username for p in cal.completionists(calendar, AnonymousUser())] == ["marsh_wren"]
    days = cal.calendar_days(calendar, AnonymousUser())
    assert [len(d.fills) for d in days] == [1, 2, 1]


def test_anonymous_calendar_progress_shows_only_your_own_line(people):
    calendar = calendar_for(people, anonymous=True)
    cal.fill_days(people["member"], work_of(people["member"]), calendar, [1])
    cal.fill_days(people["outsider"], work_of(people["outsider"]), calendar, [1])
    assert [p.username for p in cal.progress(calendar, people["outsider"])] == ["passing_heron"]
    assert [p.username for p in cal.progress(calendar, AnonymousUser())] == []
    assert len(cal.progress(calendar, people["moderator"])) == 2


def test_importing_seed_000_links_day_24_of_an_existing_whumptober(people, archive, seed_path):
    calendar = calendar_for(people, days=31)
    other = collection_for(people, "whumptober-2019")
    set_calendar(people["owner"], other, time_zone="UTC", start_date=dt.date(2019, 10, 1), days=31)
    (prompt,) = cal.set_day_prompts(people["owner"], calendar, 24, [("One down, two to go", [])])
    call_command("import", str(seed_path(SEED_WHUMPTOBER)))
    item = CollectionItem.objects.select_related("collection", "prompt").get(
        work__title__startswith="Whumptober"
    )
    assert item.collection_id == calendar.pk  # the latest event, not a new "whumptober" collection
    assert item.prompt_id == prompt.pk
    assert list(CalendarFill.objects.filter(item=item).values_list("day", flat=True)) == [24]
    assert not PromptCalendar.objects.filter(collection__name="whumptober").exists()
    assert [
        p.username for p in cal.progress(calendar, AnonymousUser())
    ] == []  # imported author has no account
    assert [d.fills for d in cal.calendar_days(calendar, AnonymousUser())][23][0].pk == item.work_id
