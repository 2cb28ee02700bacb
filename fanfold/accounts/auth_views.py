"""Signing up and in, passwords, email and account deletion.

Password change and reset are Django's views with our templates; the reset email's link is built
from ``settings.BASE_URL``, never from the request's Host header (which the client chooses).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_http_methods

from fanfold.accounts import services
from fanfold.accounts.forms import DeleteAccountForm, EmailChangeForm, LoginForm, SignupForm
from fanfold.accounts.models import User
from fanfold.core import ratelimit
from fanfold.core.ratelimit import RateLimited
from fanfold.works.models import Creatorship


def too_many(request: HttpRequest, limited: RateLimited) -> HttpResponse:
    """The 429 page: the limit's one-line message, and when to try again."""
    response = render(request, "accounts/rate_limited.html", {"message": limited.message}, status=429)
    response["Retry-After"] = str(limited.retry_after)
    return response


def _signed_in_user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # the views below are login_required
    return user


# --- Sign-up and log-in ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:dashboard")
    if not settings.FANFOLD_SIGNUPS_OPEN:
        return render(request, "accounts/signup_closed.html", status=403)
    form = SignupForm(request.POST or None)
    if request.method == "POST":
        try:
            # Checked, not counted: only accounts actually made count against the network's limit.
            ratelimit.check("signup", request, record=False)
        except RateLimited as limited:
            return too_many(request, limited)
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = services.register_user(data["username"], data["email"], data["password1"])
            except services.AccountError as error:
                form.add_error(None, error.message)
            else:
                ratelimit.record_attempt("signup", request)
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(
                    request, f"Welcome to {settings.SITE_NAME}, {user.username}! Your account is ready."
                )
                return redirect("accounts:dashboard")
    return render(request, "accounts/signup.html", {"form": form}, status=400 if form.errors else 200)


class LoginView(auth_views.LoginView):
    """Django's log-in, with failed attempts counted per IP and per username tried."""

    form_class = LoginForm
    redirect_authenticated_user = True
    next_page = "works:home"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # LoginView puts the request's domain in site_name; the archive's name is wanted.
        context["site_name"] = settings.SITE_NAME
        context["signups_open"] = settings.FANFOLD_SIGNUPS_OPEN
        return context

    def _username(self) -> str:
        return (self.request.POST.get("username") or "").strip()[:150]

    def post(self, request, *args, **kwargs):
        try:
            ratelimit.check("login", request, account=self._username() or None, record=False)
        except RateLimited as limited:
            return too_many(request, limited)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        ratelimit.record_attempt("login", self.request, account=self._username() or None)
        return super().form_invalid(form)


# --- Passwords ---------------------------------------------------------------------------------------


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change.html"
    success_url = reverse_lazy("accounts:dashboard")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "Your password was changed.")
        return response


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def post(self, request, *args, **kwargs):
        try:
            ratelimit.check("password_reset", request)
        except RateLimited as limited:
            return too_many(request, limited)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        base = urlsplit(settings.BASE_URL)
        form.save(
            domain_override=base.netloc,
            use_https=base.scheme == "https",
            token_generator=self.token_generator,
            from_email=self.from_email,
            email_template_name=self.email_template_name,
            subject_template_name=self.subject_template_name,
            request=self.request,
            extra_email_context={"base_url": settings.BASE_URL, "site_name": settings.SITE_NAME},
        )
        # The same answer whether or not an account has that address: it reveals nothing.
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


# --- Email and deletion ------------------------------------------------------------------------------


@login_required(login_url="accounts:login")
@require_http_methods(["GET", "POST"])
def change_email(request: HttpRequest) -> HttpResponse:
    user = _signed_in_user(request)
    form = EmailChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_email(user, form.cleaned_data["email"])
        except services.AccountError as error:
            form.add_error("email", error.message)
        else:
            messages.success(request, "Your email address was changed.")
            return redirect("accounts:dashboard")
    return render(request, "accounts/email_change.html", {"form": form}, status=400 if form.errors else 200)


@login_required(login_url="accounts:login")
@require_http_methods(["GET", "POST"])
def delete_account(request: HttpRequest) -> HttpResponse:
    user = _signed_in_user(request)
    form = DeleteAccountForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.delete_account(user, **form.deletion_options())
        except services.AccountError as error:
            form.add_error(None, error.message)
        else:
            logout(request)
            messages.success(request, "Your account was deleted. Goodbye, and thank you.")
            return redirect("works:home")
    work_count = Creatorship.objects.filter(pseud__user=user).values("work").distinct().count()
    context = {"form": form, "work_count": work_count}
    return render(request, "accounts/delete.html", context, status=400 if form.errors else 200)
