"""Prompt calendar pages: the calendar, a day (with its fill form), progress, completionists."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from fanfold.challenges import calendar_services as cal
from fanfold.challenges.forms import CalendarForm, DayPromptsForm, WorkChoiceForm
from fanfold.challenges.models import Collection, PromptCalendar
from fanfold.challenges.services import CollectionError, set_calendar
from fanfold.challenges.views import get_collection
from fanfold.core.permissions import can_edit_collection, can_moderate_collection, post_to_collection_refusal
from fanfold.works.models import Work


def _calendar(name: str) -> tuple[Collection, PromptCalendar]:
    collection = get_collection(name)
    calendar = collection.calendar_or_none
    if calendar is None:
        raise Http404(f"{collection.title} is not a prompt calendar.")
    return collection, calendar


def _my_progress(request: HttpRequest, rows: list[cal.Progress]) -> cal.Progress | None:
    if not request.user.is_authenticated:
        return None
    return next((p for p in rows if p.user_id == request.user.pk), None)


def calendar_page(request: HttpRequest, name: str) -> HttpResponse:
    collection, calendar = _calendar(name)
    days = cal.calendar_days(calendar, request.user)
    rows = cal.progress(calendar, request.user)
    context = {
        "collection": collection,
        "calendar": calendar,
        "days": days,
        "today": calendar.today(),
        "my_progress": _my_progress(request, rows),
        "participants": len(rows),
        "completionists": [p for p in rows if p.complete],
        "edits": can_edit_collection(request.user, collection),
    }
    return render(request, "challenges/calendar.html", context)


def calendar_day(request: HttpRequest, name: str, day: int) -> HttpResponse:
    collection, calendar = _calendar(name)
    if not 1 <= day <= calendar.days:
        raise Http404("No such day.")
    entry = cal.day_of(calendar, day, request.user)
    user = request.user
    refusal = (
        post_to_collection_refusal(user, collection) if user.is_authenticated else "Log in to fill this day."
    )
    works = cal.fillable_works(user, calendar)
    fill_form = WorkChoiceForm(
        request.POST if request.POST.get("form") == "fill" else None,
        works=works,
        prompts=entry.prompts if len(entry.prompts) > 1 else (),
    )
    moderates = can_moderate_collection(user, collection)
    prompts_form = None
    if moderates:
        prompts_form = DayPromptsForm(
            request.POST if request.POST.get("form") == "prompts" else None,
            initial=DayPromptsForm.initial_for(entry.prompts),
        )
    if request.method == "POST":
        if not user.is_authenticated:
            return redirect(f"{reverse('accounts:login')}?next={request.path}")
        if request.POST.get("form") == "fill" and fill_form.is_valid():
            work = Work.objects.get(pk=fill_form.cleaned_data["work"])
            prompt_id = fill_form.cleaned_data.get("prompt")
            prompt = next((p for p in entry.prompts if p.pk == prompt_id), None)
            if prompt is None and len(entry.prompts) == 1:
                prompt = entry.prompts[0]
            try:
                cal.fill_days(user, work, calendar, [day], prompt=prompt)
            except CollectionError as error:
                fill_form.add_error(None, str(error))
            else:
                messages.success(request, f"{work.title} fills day {day} of {collection.title}.")
                return redirect(reverse("challenges:calendar_day", args=[collection.name, day]))
        elif request.POST.get("form") == "prompts" and prompts_form is not None and prompts_form.is_valid():
            try:
                cal.set_day_prompts(user, calendar, day, prompts_form.prompts())
            except CollectionError as error:
                prompts_form.add_error(None, str(error))
            else:
                messages.success(request, f"The prompts of day {day} were saved.")
                return redirect(reverse("challenges:calendar_day", args=[collection.name, day]))
    context = {
        "collection": collection,
        "calendar": calendar,
        "day": entry,
        "previous_day": day - 1 if day > 1 else None,
        "next_day": day + 1 if day < calendar.days else None,
        "fill_form": fill_form,
        "refusal": refusal,
        "has_works": bool(works),
        "prompts_form": prompts_form,
    }
    return render(request, "challenges/calendar_day.html", context)


def calendar_progress(request: HttpRequest, name: str) -> HttpResponse:
    collection, calendar = _calendar(name)
    rows = cal.progress(calendar, request.user)
    context = {
        "collection": collection,
        "calendar": calendar,
        "rows": rows,
        "my_progress": _my_progress(request, rows),
        "day_numbers": range(1, calendar.days + 1),
    }
    return render(request, "challenges/calendar_progress.html", context)


def calendar_completionists(request: HttpRequest, name: str) -> HttpResponse:
    collection, calendar = _calendar(name)
    rows = cal.completionists(calendar, request.user)
    return render(
        request,
        "challenges/calendar_completionists.html",
        {"collection": collection, "calendar": calendar, "rows": rows},
    )


@login_required
def calendar_settings(request: HttpRequest, name: str) -> HttpResponse:
    collection = get_collection(name)
    if not can_edit_collection(request.user, collection):
        raise Http404("No such page.")
    calendar = collection.calendar_or_none
    initial = (
        {"time_zone": calendar.time_zone, "start_date": calendar.start_date, "days": calendar.days}
        if calendar
        else {"time_zone": "UTC", "days": 31}
    )
    form = CalendarForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            set_calendar(request.user, collection, **form.cleaned_data)
        except CollectionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The calendar was saved.")
            return redirect(reverse("challenges:calendar", args=[collection.name]))
    context = {"form": form, "collection": collection, "heading": f"Calendar of {collection.title}"}
    return render(request, "challenges/form.html", context)
