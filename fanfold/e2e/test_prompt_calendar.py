"""Filling a prompt-calendar day, in real Chromium: a member opens the Whumptober calendar, picks
today's day, fills it with a work of theirs, and sees the fill on the calendar and in their progress."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from fanfold.accounts.models import Pseud, User
from fanfold.challenges import calendar_services as cal
from fanfold.challenges.models import CalendarFill, Membership
from fanfold.challenges.services import (
    CollectionSettings,
    create_collection,
    invite_member,
    join_collection,
    set_calendar,
)
from fanfold.tags.services import ensure_fixed_tags
from fanfold.works.tests.posting_support import post

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "gull-lantern-7731"


def log_in(page, username: str) -> None:
    page.goto("/account/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("navigation", name="Account")).to_contain_text(username)


def test_member_fills_a_calendar_day(page, live_server, screenshot, transactional_db):
    ensure_fixed_tags()
    owner = User.objects.create_user("event_mod", password=PASSWORD)
    Pseud.objects.create(user=owner, name="event_mod", is_default=True)
    writer = User.objects.create_user("night_writer", password=PASSWORD)
    Pseud.objects.create(user=writer, name="night_writer", is_default=True)
    event = create_collection(owner, "whumptober-2024", CollectionSettings(title="Whumptober 2024"))
    invite_member(owner, event, writer, Membership.Role.MEMBER)
    join_collection(writer, event)
    today = timezone.now().date()  # in UTC, the calendar's zone
    calendar = set_calendar(owner, event, time_zone="UTC", start_date=today.replace(day=1), days=31)
    day = calendar.today()
    assert day is not None
    cal.set_day_prompts(owner, calendar, day, [("One down, two to go", ["Revenge"]), ("Shaky hands", [])])
    post(writer, title="Splinted Ribs")

    log_in(page, "night_writer")
    page.goto("/collections/whumptober-2024/")
    page.get_by_role("link", name="Calendar", exact=True).click()
    today_cell = page.locator(f"#day-{day}")
    expect(today_cell).to_have_class("calendar-day calendar-day--today")
    expect(today_cell).to_contain_text("One down, two to go")
    expect(page.locator("#my-progress")).to_contain_text("0 / 31")

    today_cell.get_by_role("link", name=f"Day {day}").click()
    expect(page.locator("#day-title")).to_contain_text(f"Day {day}")
    page.get_by_label("Work").select_option(label="Splinted Ribs")
    page.get_by_label("Prompt", exact=True).select_option(label="One down, two to go")
    page.get_by_role("button", name=f"Fill day {day}").click()
    expect(page.locator(".messages")).to_contain_text(f"fills day {day}")
    expect(page.locator(".calendar-day__fills")).to_contain_text("Splinted Ribs")
    screenshot(page, "day")

    page.get_by_role("link", name="Whumptober 2024 calendar").click()
    expect(page.locator(f"#day-{day} .calendar-day__fills")).to_contain_text("Splinted Ribs")
    expect(page.locator("#my-progress")).to_contain_text("1 / 31")
    screenshot(page, "calendar")
    page.get_by_role("link", name="Progress of 1 participant").click()
    expect(page.locator("#progress-night_writer")).to_contain_text("1 / 31")
    screenshot(page, "progress")

    fill = CalendarFill.objects.select_related("item__work", "prompt").get()
    assert fill.prompt is not None
    assert (fill.day, fill.item.work.title, fill.prompt.text) == (day, "Splinted Ribs", "One down, two to go")
