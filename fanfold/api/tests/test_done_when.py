"""Issue 4's "Done when", through the API."""

import pytest

from fanfold.social.models import Kudo
from fanfold.social.services import post_comment
from fanfold.social.tests.conftest import authored_work

pytestmark = pytest.mark.django_db


def fandom_counts(data):
    return {f["name"]: f["count"] for f in data["facets"]["fandoms"]}


def test_a_guest_cannot_read_a_restricted_work(api, author, reader):
    authored_work(author, title="Open Harbour", fandoms=["Tidewater Tales (Original Work)"])
    members = authored_work(
        author, title="Members Quay", fandoms=["Nightjar Lanes (Original Work)"], restricted=True
    )
    post_comment(members, "A comment only members should read.", user=reader)

    detail = api.get(f"works/{members.pk}")
    assert detail.status_code == 404
    assert detail.json() == {"detail": "Not found"}
    listing = api.get("works").json()
    assert listing["count"] == 1
    assert [r["title"] for r in listing["results"]] == ["Open Harbour"]
    assert "Nightjar Lanes (Original Work)" not in fandom_counts(listing)
    assert api.get(f"works/{members.pk}/comments").status_code == 404
    assert api.post(f"works/{members.pk}/kudos").status_code == 404

    # The same calls with a token see it, so the guest's 404s are the rule, not a broken route.
    assert api.get(f"works/{members.pk}", user=reader).status_code == 200
    assert api.get("works", user=reader).json()["count"] == 2
    comments = api.get(f"works/{members.pk}/comments", user=reader).json()
    assert comments["count"] == 1


def test_a_muted_creators_works_vanish_from_that_readers_listing_and_counts(api, author, reader, other):
    shared = "Saltmarsh Almanac (Original Work)"
    authored_work(author, title="Muted One", fandoms=[shared, "Ember Road (Original Work)"])
    authored_work(author, title="Muted Two", fandoms=[shared])
    authored_work(other, title="Still Here", fandoms=[shared])

    before = api.get("works", user=reader).json()
    assert before["count"] == 3
    assert fandom_counts(before)[shared] == 3

    assert api.post("mutes", {"username": author.username}, user=reader).status_code == 201

    after = api.get("works", user=reader).json()
    assert after["count"] == 1
    assert [r["title"] for r in after["results"]] == ["Still Here"]
    assert fandom_counts(after)[shared] == 1
    assert "Ember Road (Original Work)" not in fandom_counts(after)
    # Only the reader who muted: a guest and another reader still see and count everything.
    assert api.get("works").json()["count"] == 3
    assert fandom_counts(api.get("works", user=other).json())[shared] == 3


def test_kudos_cannot_be_given_twice_by_a_user(api, work, reader):
    assert api.post(f"works/{work.pk}/kudos", user=reader).status_code == 201
    again = api.post(f"works/{work.pk}/kudos", user=reader, ip="192.0.2.99")
    assert again.status_code == 409
    assert again.json()["detail"].startswith("You have already left kudos here")
    work.refresh_from_db()
    assert work.kudos_count == 1
    assert Kudo.objects.count() == 1


def test_kudos_cannot_be_given_twice_from_one_guest_ip(api, work):
    assert api.post(f"works/{work.pk}/kudos", ip="198.51.100.30").status_code == 201
    again = api.post(f"works/{work.pk}/kudos", ip="198.51.100.30")
    assert again.status_code == 409
    assert again.json()["detail"].startswith("You have already left kudos here")
    assert api.post(f"works/{work.pk}/kudos", ip="198.51.100.31").status_code == 201
    work.refresh_from_db()
    assert work.kudos_count == 2
