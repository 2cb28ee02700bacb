"""A reader's settings pages. Signing in and out are Django's own views (see accounts/urls.py)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from fanfold.accounts.context_processors import (
    READING_COOKIE,
    READING_COOKIE_MAX_AGE,
    READING_COOKIE_SALT,
    reading_settings_for,
)
from fanfold.accounts.forms import PreferenceForm, ReadingSettingsForm
from fanfold.accounts.models import Preference, User


@login_required(login_url="accounts:login")
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # login_required
    preference, _ = Preference.objects.get_or_create(user=user)
    form = PreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your preferences were saved.")
        return redirect("accounts:preferences")
    return render(request, "accounts/preferences.html", {"form": form})


def _safe_next(request: HttpRequest) -> str:
    """Where to go back to: a URL on this site, else the reading settings page itself."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("accounts:reading_settings")


@require_http_methods(["GET", "POST"])
def reading_settings(request: HttpRequest) -> HttpResponse:
    """Font size, line width and theme: in the Preference when signed in, else in a signed cookie."""
    if request.method == "POST":
        form = ReadingSettingsForm(request.POST, auto_id="reading-%s")
        if form.is_valid():
            response = HttpResponseRedirect(_safe_next(request))
            if request.user.is_authenticated:
                Preference.objects.update_or_create(user=request.user, defaults=form.cleaned_data)
            else:
                response.set_signed_cookie(
                    READING_COOKIE,
                    json.dumps(form.cleaned_data, separators=(",", ":")),
                    salt=READING_COOKIE_SALT,
                    max_age=READING_COOKIE_MAX_AGE,
                    secure=request.is_secure(),
                    httponly=True,
                    samesite="Lax",
                )
            return response
    else:
        form = ReadingSettingsForm(initial=reading_settings_for(request).as_initial(), auto_id="reading-%s")
    context = {"form": form, "next": request.POST.get("next") or request.GET.get("next") or ""}
    return render(request, "accounts/reading_settings.html", context, status=400 if form.errors else 200)
