"""The account's own pages: dashboard, settings, pseuds and API tokens (sign-up and passwords: auth_views)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from fanfold.accounts import services, tokens
from fanfold.accounts.context_processors import (
    READING_COOKIE,
    READING_COOKIE_MAX_AGE,
    READING_COOKIE_SALT,
    reading_settings_for,
)
from fanfold.accounts.forms import PreferenceForm, PseudForm, ReadingSettingsForm, TokenForm
from fanfold.accounts.models import Preference, Pseud, User


def _signed_in_user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required
    return user


@login_required(login_url="accounts:login")
def dashboard(request: HttpRequest) -> HttpResponse:
    user = _signed_in_user(request)
    context = {
        "pseud_count": user.pseuds.count(),
        "token_count": user.api_tokens.count(),
    }
    return render(request, "accounts/dashboard.html", context)


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


# --- Pseuds ------------------------------------------------------------------------------------------


def _own_pseud(request: HttpRequest, pseud_id: int) -> Pseud:
    return get_object_or_404(Pseud, pk=pseud_id, user=_signed_in_user(request))


@login_required(login_url="accounts:login")
def pseuds(request: HttpRequest) -> HttpResponse:
    user = _signed_in_user(request)
    services.default_pseud(user)  # accounts made by `createsuperuser` start without one
    listed = user.pseuds.annotate(work_count=Count("creatorships")).order_by("-is_default", "name")
    return render(request, "accounts/pseuds.html", {"pseuds": listed})


@login_required(login_url="accounts:login")
@require_http_methods(["GET", "POST"])
def pseud_create(request: HttpRequest) -> HttpResponse:
    form = PseudForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pseud = services.create_pseud(_signed_in_user(request), **form.cleaned_data)
        except services.AccountError as error:
            form.add_error("name", error.message)
        else:
            messages.success(request, f"The pseud “{pseud.name}” was created.")
            return redirect("accounts:pseuds")
    context = {"form": form, "pseud": None}
    return render(request, "accounts/pseud_form.html", context, status=400 if form.errors else 200)


@login_required(login_url="accounts:login")
@require_http_methods(["GET", "POST"])
def pseud_edit(request: HttpRequest, pseud_id: int) -> HttpResponse:
    pseud = _own_pseud(request, pseud_id)
    initial = {"name": pseud.name, "description": pseud.description}
    form = PseudForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_pseud(pseud, **form.cleaned_data)
        except services.AccountError as error:
            form.add_error("name", error.message)
        else:
            messages.success(request, f"The pseud “{pseud.name}” was saved.")
            return redirect("accounts:pseuds")
    context = {"form": form, "pseud": pseud}
    return render(request, "accounts/pseud_form.html", context, status=400 if form.errors else 200)


@login_required(login_url="accounts:login")
@require_POST
def pseud_make_default(request: HttpRequest, pseud_id: int) -> HttpResponse:
    pseud = services.set_default_pseud(_own_pseud(request, pseud_id))
    messages.success(request, f"“{pseud.name}” is now your default pseud.")
    return redirect("accounts:pseuds")


@login_required(login_url="accounts:login")
@require_http_methods(["GET", "POST"])
def pseud_delete(request: HttpRequest, pseud_id: int) -> HttpResponse:
    pseud = _own_pseud(request, pseud_id)
    error = None
    if request.method == "POST":
        try:
            target = services.delete_pseud(pseud)
        except services.AccountError as refusal:
            error = refusal.message
        else:
            messages.success(
                request, f"The pseud “{pseud.name}” was deleted; its works are now under “{target.name}”."
            )
            return redirect("accounts:pseuds")
    context = {"pseud": pseud, "error": error, "work_count": pseud.creatorships.count()}
    return render(request, "accounts/pseud_delete.html", context, status=400 if error else 200)


# --- API tokens --------------------------------------------------------------------------------------


@login_required(login_url="accounts:login")
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    user = _signed_in_user(request)
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        _, new_token = tokens.create_token(user, form.cleaned_data["name"])
        form = TokenForm()
    context = {
        "form": form,
        "new_token": new_token,
        "tokens": user.api_tokens.order_by("-created_at", "-id"),
        "api_url": "/api/v1/",
    }
    response = render(request, "accounts/tokens.html", context, status=400 if form.errors else 200)
    response["Cache-Control"] = "no-store"  # the page may show a new token: keep it out of caches
    return response


@login_required(login_url="accounts:login")
@require_POST
def api_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    if tokens.revoke_token(_signed_in_user(request), token_id):
        messages.success(request, "The token was revoked: it no longer works.")
    else:
        messages.error(request, "That token does not exist (it may have been revoked already).")
    return redirect("accounts:tokens")
