"""Signing up: the happy path and each refusal."""

import pytest
from django.urls import reverse

from fanfold.accounts.models import Preference, Pseud, User
from fanfold.accounts.services import AccountError, register_user
from fanfold.core.ratelimit import Rate

pytestmark = pytest.mark.django_db

URL = "/account/signup/"
GOOD = {
    "username": "Moth_Lantern",
    "email": "moth@example.org",
    "password1": "a-long-quiet-harbour",
    "password2": "a-long-quiet-harbour",
}


def test_url():
    assert reverse("accounts:signup") == URL


def test_signup_creates_account_pseud_and_preferences_and_logs_in(client):
    page = client.get(URL).content.decode()
    assert '<label for="id_username">' in page and 'name="csrfmiddlewaretoken"' in page
    response = client.post(URL, GOOD)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:dashboard")
    user = User.objects.get(username="Moth_Lantern")
    assert user.email == "moth@example.org" and user.check_password(GOOD["password1"])
    pseud = Pseud.objects.get(user=user)
    assert pseud.name == "Moth_Lantern" and pseud.is_default
    assert Preference.objects.filter(user=user).exists()
    assert client.session["_auth_user_id"] == str(user.pk)
    assert "Your account is ready." in client.get(reverse("accounts:dashboard")).content.decode()


def test_username_is_taken_ignoring_case(client, writer):
    response = client.post(URL, {**GOOD, "username": "QUILLFEATHER"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "That username is already taken." in page
    assert 'value="QUILLFEATHER"' in page and 'value="moth@example.org"' in page  # the text is kept
    assert User.objects.count() == 1
    with pytest.raises(AccountError, match="already taken"):
        register_user("QuillFeather", "other@example.org", "a-long-quiet-harbour")


@pytest.mark.parametrize(
    ("username", "message"),
    [
        ("ab", "3 to 40 characters"),
        ("x" * 41, "3 to 40 characters"),
        ("has space", "only letters"),
        ("_leading", "only letters"),
        ("trailing_", "only letters"),
        ("dash-name", "only letters"),
        ("orphan_account", "reserved"),
    ],
)
def test_username_rules(client, username, message):
    response = client.post(URL, {**GOOD, "username": username})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not User.objects.exists()


def test_bad_or_mismatched_password(client):
    response = client.post(URL, {**GOOD, "password1": "12345678", "password2": "12345678"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "This password is too common." in page and "entirely numeric" in page
    response = client.post(URL, {**GOOD, "password2": "something-else-entirely"})
    assert "The two passwords are not the same." in response.content.decode()
    assert not User.objects.exists()
    with pytest.raises(AccountError, match="too short"):
        register_user("shortpass", "s@example.org", "abc")


def test_email_must_be_valid_and_unused(client, writer):
    response = client.post(URL, {**GOOD, "email": "not-an-address"})
    assert "Enter a valid email address." in response.content.decode()
    response = client.post(URL, {**GOOD, "email": "QUILL@example.org"})
    assert "Another account already uses that email address." in response.content.decode()
    assert User.objects.count() == 1


def test_closed_signups_are_refused(client, settings):
    settings.FANFOLD_SIGNUPS_OPEN = False
    response = client.get(URL)
    assert response.status_code == 403
    assert "Sign-ups are closed" in response.content.decode()
    response = client.post(URL, GOOD)
    assert response.status_code == 403 and not User.objects.exists()
    assert "Sign up</a>" not in client.get(reverse("accounts:login")).content.decode()


def test_login_page_links_to_signup_when_open(client):
    page = client.get(reverse("accounts:login")).content.decode()
    assert f'href="{URL}"' in page and f'href="{reverse("accounts:password_reset")}"' in page


def test_signup_rate_limit_per_ip(client, settings):
    settings.FANFOLD_RATE_LIMITS = {"signup": (Rate(2, 3600), None)}
    for n in range(2):
        fresh = client.__class__()
        response = fresh.post(URL, {**GOOD, "username": f"tern{n}", "email": f"tern{n}@example.org"})
        assert response.status_code == 302
    response = client.__class__().post(URL, {**GOOD, "username": "tern9", "email": "tern9@example.org"})
    assert response.status_code == 429
    assert "Too many sign-ups from your network" in response.content.decode()
    assert int(response["Retry-After"]) > 0
    assert not User.objects.filter(username="tern9").exists()


def test_failed_signups_do_not_use_up_the_limit(client, settings):
    settings.FANFOLD_RATE_LIMITS = {"signup": (Rate(1, 3600), None)}
    for _ in range(3):
        assert client.post(URL, {**GOOD, "password2": "mismatch-mismatch"}).status_code == 400
    assert client.post(URL, GOOD).status_code == 302


def test_signed_in_users_are_sent_to_their_account(client, writer):
    client.force_login(writer)
    assert client.get(URL)["Location"] == reverse("accounts:dashboard")
