"""Log-in: failed attempts are counted and limited; suspended accounts are refused."""

import pytest
from django.urls import reverse

from fanfold.accounts.services import lift_suspension, suspend_user
from fanfold.accounts.tests.conftest import PASSWORD
from fanfold.core.ratelimit import Rate

pytestmark = pytest.mark.django_db

URL = "/account/login/"


def test_login_ignores_the_case_of_the_username(client, writer):
    response = client.post(URL, {"username": "QuillFeather", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(writer.pk)


def test_failed_logins_per_account_are_limited(client, writer, settings):
    settings.FANFOLD_RATE_LIMITS = {"login": (None, Rate(3, 300))}
    for _ in range(3):
        response = client.post(URL, {"username": "quillfeather", "password": "wrong-guess"})
        assert response.status_code == 200
    # Even the right password is refused now, and the page says why.
    response = client.post(URL, {"username": "QUILLFEATHER", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed log-in attempts in a short time." in response.content.decode()
    assert "Retry-After" in response
    assert "_auth_user_id" not in client.session
    # Other accounts are not affected by the per-account limit.
    other = client.__class__()
    assert other.post(URL, {"username": "reader-nobody", "password": "x"}).status_code == 200


def test_failed_logins_per_ip_are_limited(client, writer, reader, settings):
    settings.FANFOLD_RATE_LIMITS = {"login": (Rate(2, 300), None)}
    client.post(URL, {"username": "someone", "password": "wrong"})
    client.post(URL, {"username": "someone-else", "password": "wrong"})
    assert client.post(URL, {"username": "reader", "password": PASSWORD}).status_code == 429


def test_successful_logins_are_not_counted(client, writer, settings):
    settings.FANFOLD_RATE_LIMITS = {"login": (Rate(2, 300), Rate(2, 300))}
    for _ in range(4):
        assert client.post(URL, {"username": "quillfeather", "password": PASSWORD}).status_code == 302
        client.logout()


def test_suspended_account_cannot_log_in(client, writer):
    suspend_user(writer, "Spam in comments")
    response = client.post(URL, {"username": "quillfeather", "password": PASSWORD})
    assert response.status_code == 200
    assert "This account has been suspended" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # A wrong password does not reveal the suspension.
    response = client.post(URL, {"username": "quillfeather", "password": "wrong-guess"})
    assert "suspended" not in response.content.decode()
    lift_suspension(writer)
    assert client.post(URL, {"username": "quillfeather", "password": PASSWORD}).status_code == 302


def test_suspension_ends_an_open_session(client, writer):
    client.force_login(writer)
    assert client.get(reverse("accounts:dashboard")).status_code == 200
    suspend_user(writer, "Harassment")
    response = client.get(reverse("accounts:dashboard"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
