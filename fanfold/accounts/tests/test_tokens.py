"""API tokens: `fanfold token create`, Bearer authentication on the API."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from fanfold.accounts.models import ApiToken, User
from fanfold.works.tests.factories import make_work

pytestmark = pytest.mark.django_db


def new_token(username: str, capsys) -> str:
    call_command("token", "create", username)
    return capsys.readouterr().out.strip()


def test_command_prints_a_token_and_stores_only_its_hash(capsys):
    User.objects.create_user("tokenreader", password="x-long-password-6")
    raw = new_token("tokenreader", capsys)
    assert raw.startswith("ff_") and len(raw) > 30
    stored = ApiToken.objects.get()
    assert raw not in (stored.key_hash, stored.prefix) and stored.prefix == raw[:8]
    with pytest.raises(CommandError, match="no account named"):
        call_command("token", "create", "nobody-here")


def test_bearer_token_signs_in_api_requests(client, capsys):
    User.objects.create_user("tokenreader", password="x-long-password-6")
    work = make_work(title="Members Only", restricted=True)
    url = f"/api/v1/works/{work.pk}"
    assert client.get(url).status_code == 404  # a guest cannot read a restricted work
    raw = new_token("tokenreader", capsys)
    response = client.get(url, headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200 and response.json()["title"] == "Members Only"
    assert ApiToken.objects.get().last_used_at is not None


def test_bad_or_revoked_tokens_are_refused(client, capsys):
    user = User.objects.create_user("tokenreader", password="x-long-password-6")
    raw = new_token("tokenreader", capsys)
    for header in ("Bearer ff_not-a-real-token", "Basic abc", "Bearer "):
        response = client.get("/api/v1/works", headers={"Authorization": header})
        assert response.status_code == 401 and "detail" in response.json()
    user.is_active = False  # a suspended account's tokens stop working
    user.save()
    assert client.get("/api/v1/works", headers={"Authorization": f"Bearer {raw}"}).status_code == 401
