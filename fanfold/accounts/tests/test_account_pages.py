"""The account dashboard and the API tokens page."""

import pytest
from django.urls import reverse

from fanfold.accounts.models import ApiToken
from fanfold.accounts.services import lift_suspension, suspend_user
from fanfold.accounts.tokens import create_token, revoke_token, user_for_token

pytestmark = pytest.mark.django_db


def test_dashboard_links_to_every_account_page(client, writer):
    assert client.get(reverse("accounts:dashboard"))["Location"].startswith(reverse("accounts:login"))
    client.force_login(writer)
    page = client.get("/account/").content.decode()
    for name in (
        "accounts:preferences",
        "accounts:pseuds",
        "accounts:password_change",
        "accounts:email",
        "accounts:tokens",
        "accounts:delete",
    ):
        assert f'href="{reverse(name)}"' in page, name
    assert f'href="{reverse("profiles:detail", args=["quillfeather"])}"' in page
    assert f'href="{reverse("works:user_works", args=["quillfeather"])}"' in page


def test_token_is_shown_once_and_can_be_revoked(client, writer):
    client.force_login(writer)
    url = reverse("accounts:tokens")
    assert "You have no API tokens." in client.get(url).content.decode()
    response = client.post(url, {"name": "laptop script"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(user=writer)
    page = response.content.decode()
    raw = page.split('id="new-token" class="token-created__value" type="text" readonly value="')[1].split(
        '"'
    )[0]
    assert raw.startswith(token.prefix) and user_for_token(raw) == writer
    listing = client.get(url).content.decode()
    assert "laptop script" in listing and f"{token.prefix}…" in listing and raw not in listing
    assert client.get("/api/v1/works", headers={"Authorization": f"Bearer {raw}"}).status_code == 200

    response = client.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert response["Location"] == url
    assert not ApiToken.objects.exists() and user_for_token(raw) is None
    assert client.get("/api/v1/works", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_others_tokens_cannot_be_revoked(client, writer, cowriter):
    token, _ = create_token(cowriter, "theirs")
    client.force_login(writer)
    client.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert ApiToken.objects.filter(pk=token.pk).exists()
    assert not revoke_token(writer, token.pk)
    assert client.get(reverse("accounts:token_revoke", args=[token.pk])).status_code == 405


def test_suspended_users_tokens_stop_working_until_lifted(client, writer):
    _, raw = create_token(writer)
    suspend_user(writer, "Scraping")
    writer.refresh_from_db()
    assert not writer.is_active and writer.suspended_at and writer.suspension_reason == "Scraping"
    assert user_for_token(raw) is None
    assert client.get("/api/v1/works", headers={"Authorization": f"Bearer {raw}"}).status_code == 401
    lift_suspension(writer)
    assert user_for_token(raw) == writer
