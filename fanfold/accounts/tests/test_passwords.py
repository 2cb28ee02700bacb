"""Password change, password reset by email, email change."""

import re

import pytest
from django.urls import reverse

from fanfold.accounts.tests.conftest import PASSWORD
from fanfold.core.ratelimit import Rate

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "tidepool-lantern-47"


def reset_link(message) -> str:
    found = re.search(r"https?://\S+", message.body)
    assert found, message.body
    return found.group(0)


def test_password_reset_email_link_uses_base_url_and_works(client, writer, mailoutbox, settings):
    settings.BASE_URL = "https://fics.example.net"
    settings.ALLOWED_HOSTS = ["*"]  # as behind a proxy that passes any Host header on
    page = client.get(reverse("accounts:password_reset")).content.decode()
    assert '<label for="id_email">' in page
    # A forged Host header must not end up in the link.
    response = client.post(
        reverse("accounts:password_reset"), {"email": "QUILL@example.org"}, HTTP_HOST="evil.example"
    )
    assert response.status_code == 302 and response["Location"] == reverse("accounts:password_reset_done")
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["quill@example.org"]
    assert settings.SITE_NAME in message.subject and "\n" not in message.subject
    link = reset_link(message)
    assert link.startswith("https://fics.example.net/account/password/reset/")
    assert "evil.example" not in message.body and "quillfeather" in message.body

    path = link.removeprefix("https://fics.example.net")
    response = client.get(path)
    assert response.status_code == 302  # Django moves the token into the session
    form_url = response["Location"]
    assert "Choose a new password" in client.get(form_url).content.decode()
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response["Location"] == reverse("accounts:password_reset_complete")
    assert "Your password was changed" in client.get(response["Location"]).content.decode()

    login = reverse("accounts:login")
    assert client.post(login, {"username": "quillfeather", "password": PASSWORD}).status_code == 200
    assert client.post(login, {"username": "quillfeather", "password": NEW_PASSWORD}).status_code == 302
    # The link works only once.
    client.logout()
    followed = client.get(path, follow=True).content.decode()
    assert "This link no longer works" in followed


def test_unknown_address_gets_the_same_answer_and_no_mail(client, writer, mailoutbox):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mailoutbox == []


def test_suspended_accounts_get_no_reset_mail(client, writer, mailoutbox):
    from fanfold.accounts.services import suspend_user

    suspend_user(writer, "Spam")
    client.post(reverse("accounts:password_reset"), {"email": "quill@example.org"})
    assert mailoutbox == []


def test_password_reset_is_rate_limited(client, writer, mailoutbox, settings):
    settings.FANFOLD_RATE_LIMITS = {"password_reset": (Rate(2, 3600), None)}
    for _ in range(2):
        assert (
            client.post(reverse("accounts:password_reset"), {"email": "quill@example.org"}).status_code == 302
        )
    response = client.post(reverse("accounts:password_reset"), {"email": "quill@example.org"})
    assert response.status_code == 429
    assert "Too many password reset requests" in response.content.decode()
    assert len(mailoutbox) == 2


def test_password_change(client, writer):
    url = reverse("accounts:password_change")
    assert client.get(url).status_code == 302  # needs a log-in
    client.force_login(writer)
    response = client.post(
        url, {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()
    response = client.post(
        url, {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response["Location"] == reverse("accounts:dashboard")
    writer.refresh_from_db()
    assert writer.check_password(NEW_PASSWORD)
    # Still logged in after the change.
    assert "Your password was changed." in client.get(reverse("accounts:dashboard")).content.decode()


def test_email_change_needs_the_current_password(client, writer, cowriter):
    url = reverse("accounts:email")
    client.force_login(writer)
    response = client.post(url, {"email": "new@example.org", "password": "wrong"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "That is not your current password." in page and 'value="new@example.org"' in page
    response = client.post(url, {"email": "Inkwell@example.org", "password": PASSWORD})
    assert "Another account already uses that email address." in response.content.decode()
    writer.refresh_from_db()
    assert writer.email == "quill@example.org"
    response = client.post(url, {"email": "new@example.org", "password": PASSWORD})
    assert response["Location"] == reverse("accounts:dashboard")
    writer.refresh_from_db()
    assert writer.email == "new@example.org"
