"""Prompt calendars (Whumptober, Flufftober, Promptober): day prompts, fills, progress.

A calendar is a collection with a ``PromptCalendar``: ``days`` days from ``start_date`` in a time
zone, each day with one to three alternative prompts. A work fills one or more days through its
collection item (``CalendarFill``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Prefetch
from django.utils import timezone

from fanfold.challenges.models import (
    CalendarFill,
    Collection,
    CollectionItem,
    CollectionPrompt,
    PromptCalendar,
)
from fanfold.challenges.services import CollectionError, add_work_to_collection
from fanfold.core.permissions import (
    can_moderate_collection,
    can_view_work,
    is_creator,
    listed_works,
    post_to_collection_refusal,
)
from fanfold.tags.models import TagType
from fanfold.tags.services import get_or_create_tags
from fanfold.works.models import Creatorship, Work

MAX_ALTERNATIVES = 3


def calendar_of(collection: Collection) -> PromptCalendar:
    calendar = collection.calendar_or_none
    if calendar is None:
        raise CollectionError(f"{collection.title} is not a prompt calendar.")
    return calendar


@transaction.atomic
def set_day_prompts(
    user, calendar: PromptCalendar, day: int, prompts: list[tuple[str, list[str]]]
) -> list[CollectionPrompt]:
    """Set a day's prompts: one to three (text, tag names) alternatives, in order. Existing prompts are
    reworded in place, so fills that named one keep it."""
    collection = calendar.collection
    if not can_moderate_collection(user, collection):
        raise CollectionError("Only the calendar's moderators can set its prompts.")
    if not 1 <= day <= calendar.days:
        raise CollectionError(f"{collection.title} has days 1 to {calendar.days}.")
    prompts = [(text.strip(), tags) for text, tags in prompts if text.strip()]
    if not 1 <= len(prompts) <= MAX_ALTERNATIVES:
        raise CollectionError(f"A day has one to {MAX_ALTERNATIVES} prompts.")
    if any(len(text) > 500 for text, _ in prompts):
        raise CollectionError("A prompt is at most 500 characters.")
    existing = list(collection.prompts.filter(day=day).order_by("id"))
    result = []
    for i, (text, tag_names) in enumerate(prompts):
        prompt = existing[i] if i < len(existing) else CollectionPrompt(collection=collection, day=day)
        prompt.text = text
        prompt.save()
        try:
            prompt.tags.set(
                get_or_create_tags(TagType.ADDITIONAL, [n.strip()[:150] for n in tag_names if n.strip()])
            )
        except ValueError as error:
            raise CollectionError(str(error)) from error
        result.append(prompt)
    for prompt in existing[len(prompts) :]:
        prompt.delete()
    return result


@transaction.atomic
def fill_days(
    user,
    work: Work,
    event: Collection | PromptCalendar,
    days: list[int],
    *,
    prompt: CollectionPrompt | None = None,
) -> CollectionItem:
    """The work fills these days of the calendar (it is added to the collection if it is not in it)."""
    calendar = event if isinstance(event, PromptCalendar) else calendar_of(event)
    collection = calendar.collection
    if not is_creator(user, work):
        raise CollectionError("You can only fill days with your own works.")
    if not can_view_work(user, work):
        raise CollectionError("That work is not available.")
    days = sorted(set(days))
    if not days:
        raise CollectionError("Choose at least one day to fill.")
    if days[0] < 1 or days[-1] > calendar.days:
        raise CollectionError(f"{collection.title} has days 1 to {calendar.days}.")
    if prompt is not None and (prompt.collection_id != collection.pk or prompt.day not in days):
        raise CollectionError("That prompt is not one of the days you chose.")
    refusal = post_to_collection_refusal(user, collection)
    if refusal:  # a closed calendar takes no new fills, not even for works already in it
        raise CollectionError(refusal)
    item = add_work_to_collection(user, work, collection, prompt=prompt)
    existing = set(item.calendar_fills.values_list("day", flat=True))
    CalendarFill.objects.bulk_create(
        CalendarFill(item=item, day=day, prompt=prompt if prompt is not None and prompt.day == day else None)
        for day in days
        if day not in existing
    )
    return item


@transaction.atomic
def unfill_day(user, item: CollectionItem, day: int) -> None:
    if not (is_creator(user, item.work) or can_moderate_collection(user, item.collection)):
        raise CollectionError("Only the work's creators and the calendar's moderators can change its days.")
    item.calendar_fills.filter(day=day).delete()


# ---- reading a calendar ------------------------------------------------------------------------------


@dataclass
class CalendarDay:
    number: int
    date: dt.date
    prompts: list[CollectionPrompt] = field(default_factory=list)
    fills: list[Work] = field(default_factory=list)
    today: bool = False
    past: bool = False


def _visible_fills(calendar: PromptCalendar, viewer):
    """Fills of works listed in the calendar that the viewer may see."""
    return CalendarFill.objects.filter(
        item__in=CollectionItem.objects.listed().filter(collection_id=calendar.pk),
        item__work__in=listed_works(viewer).values("pk"),
    )


def calendar_days(calendar: PromptCalendar, viewer, *, now: dt.datetime | None = None) -> list[CalendarDay]:
    """Every day with its prompts and the fills this viewer may see; today marked in the event's zone."""
    today = calendar.today(now)
    local_today = (now or timezone.now()).astimezone(calendar.zone).date()
    days = {n: CalendarDay(n, calendar.date_of(n)) for n in range(1, calendar.days + 1)}
    for day in days.values():
        day.today = day.number == today
        day.past = day.date < local_today
    for prompt in (
        calendar.collection.prompts.filter(day__isnull=False).prefetch_related("tags").order_by("day", "id")
    ):
        if prompt.day in days:
            days[prompt.day].prompts.append(prompt)
    fills = (
        _visible_fills(calendar, viewer)
        .select_related("item__work")
        .prefetch_related(
            Prefetch("item__work__creatorships", queryset=Creatorship.objects.select_related("pseud__user")),
            Prefetch(
                "item__work__collection_items", queryset=CollectionItem.objects.select_related("collection")
            ),
        )
        .order_by("day", "item__work__title", "item__work_id")
    )
    for fill in fills:
        if fill.day in days:
            days[fill.day].fills.append(fill.item.work)
    return list(days.values())


def day_of(calendar: PromptCalendar, day: int, viewer, *, now: dt.datetime | None = None) -> CalendarDay:
    if not 1 <= day <= calendar.days:
        raise CollectionError(f"{calendar.collection.title} has days 1 to {calendar.days}.")
    return calendar_days(calendar, viewer, now=now)[day - 1]


@dataclass
class Progress:
    user_id: int
    username: str
    days_filled: int
    total: int
    days: list[int] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.days_filled >= self.total

    @property
    def percent(self) -> int:
        return round(100 * self.days_filled / self.total) if self.total else 0


def progress(calendar: PromptCalendar, viewer) -> list[Progress]:
    """Each participant's filled days (distinct days of their visible fills), most days first.

    In an anonymous calendar, readers who may not see the creators only see their own line.
    """
    rows = (
        _visible_fills(calendar, viewer)
        .filter(item__work__creatorships__pseud__user__isnull=False)
        .values_list(
            "item__work__creatorships__pseud__user_id",
            "item__work__creatorships__pseud__user__username",
            "day",
        )
        .distinct()
    )
    by_user: dict[int, Progress] = {}
    for user_id, username, day in rows:
        entry = by_user.setdefault(user_id, Progress(user_id, username, 0, calendar.days))
        if day not in entry.days:
            entry.days.append(day)
    for entry in by_user.values():
        entry.days.sort()
        entry.days_filled = len(entry.days)
    result = sorted(by_user.values(), key=lambda p: (-p.days_filled, p.username.lower()))
    collection = calendar.collection
    if collection.hides_creators() and not can_moderate_collection(viewer, collection):
        own = getattr(viewer, "pk", None) if getattr(viewer, "is_authenticated", False) else None
        result = [p for p in result if p.user_id == own]
    return result


def completionists(calendar: PromptCalendar, viewer) -> list[Progress]:
    """Everyone who filled every day."""
    return [p for p in progress(calendar, viewer) if p.complete]


def participant_count(calendar: PromptCalendar) -> int:
    return (
        CalendarFill.objects.filter(item__collection_id=calendar.pk, item__in=CollectionItem.objects.listed())
        .values("item__work__creatorships__pseud__user_id")
        .aggregate(n=Count("item__work__creatorships__pseud__user_id", distinct=True))["n"]
    )


def fillable_works(user, calendar: PromptCalendar) -> list[Work]:
    """The user's works they could fill a day with (their own, posted or draft)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(Work.objects.credited_to(user).order_by("-updated", "-id").only("id", "title", "draft")[:200])
