"""Who may write through the API, and how refused or malformed requests are answered."""

import pytest
from django.test import Client

from fanfold.accounts.tokens import create_token
from fanfold.social.models import Bookmark, Kudo

pytestmark = pytest.mark.django_db

CSRF_SECRET = "fanfoldtestsecretfanfoldtestsecr"  # 32 characters, like Django's own


def test_writes_without_a_user_are_401(api, work):
    response = api.post("bookmarks", {"work_id": work.pk})
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication required."}
    assert response["WWW-Authenticate"].startswith("Bearer")
    for method, path in [("GET", "mutes"), ("POST", "blocks"), ("GET", "bookmarks")]:
        assert api.call(method, path, {"username": "x"} if method == "POST" else None).status_code == 401


def test_bad_and_revoked_tokens_are_401(client, work, reader):
    for header in ("Bearer ff_not-a-token", "Token abc", "Bearer "):
        response = client.post(
            f"/api/v1/works/{work.pk}/kudos",
            content_type="application/json",
            headers={"Authorization": header},
        )
        assert response.status_code == 401
        assert "detail" in response.json()
    assert Kudo.objects.count() == 0


def test_a_suspended_users_token_is_refused(client, work, reader):
    _, raw = create_token(reader)
    reader.is_active = False
    reader.save()
    response = client.post(f"/api/v1/works/{work.pk}/kudos", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid or revoked API token."}
    # Not quietly counted as a guest's kudos either.
    assert Kudo.objects.count() == 0


def test_session_writes_need_the_csrf_token(work, reader):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(reader)
    refused = browser.post("/api/v1/bookmarks", {"work_id": work.pk}, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["detail"].startswith("CSRF check failed")
    assert Bookmark.objects.count() == 0
    # A logged-in browser's kudos without the token are refused too, not taken as a guest's.
    assert browser.post(f"/api/v1/works/{work.pk}/kudos").status_code == 403
    assert Kudo.objects.count() == 0

    browser.cookies["csrftoken"] = CSRF_SECRET
    accepted = browser.post(
        "/api/v1/bookmarks",
        {"work_id": work.pk},
        content_type="application/json",
        headers={"X-CSRFToken": CSRF_SECRET},
    )
    assert accepted.status_code == 201
    assert Bookmark.objects.get().user == reader
    # Reads need no CSRF token.
    assert browser.get("/api/v1/bookmarks").json()["count"] == 1


def test_token_writes_need_no_csrf_token(api, work, reader):
    api.client = Client(enforce_csrf_checks=True)
    assert api.post(f"works/{work.pk}/kudos", user=reader).status_code == 201


def test_guests_need_no_csrf_token(work):
    guest = Client(enforce_csrf_checks=True)
    assert guest.post(f"/api/v1/works/{work.pk}/kudos").status_code == 201


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ("{not json", "The request body is not valid JSON (send Content-Type: application/json)."),
        ("[1, 2]", ["Input should be a valid dictionary or object to extract fields from"]),
        (
            '{"work_id": "seven"}',
            ["work_id: Input should be a valid integer, unable to parse string as an integer"],
        ),
        (
            '{"work_id": 1, "rec": "often"}',
            ["rec: Input should be a valid boolean, unable to interpret input"],
        ),
        ('{"work_id": 1, "tags": "one"}', ["tags: Input should be a valid list"]),
        ("", ["Field required"]),
    ],
)
def test_malformed_bodies_are_400_with_a_detail(api, reader, body, detail):
    response = api.client.post(
        "/api/v1/bookmarks", body, content_type="application/json", headers=api.headers(reader)
    )
    assert response.status_code == 400
    assert response.json() == {"detail": detail}


def test_unexpected_errors_in_a_write_are_json_without_a_traceback(api, work, reader, monkeypatch):
    from fanfold.social import services

    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(services, "give_kudos", broken)
    response = api.post(f"works/{work.pk}/kudos", user=reader)
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal server error"}
