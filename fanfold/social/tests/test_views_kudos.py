"""Kudos from the work page: plain POST and htmx, refusals, the rate limit, CSRF."""

import pytest
from django.test import Client
from django.urls import reverse

from fanfold.core.ratelimit import Rate
from fanfold.social.models import Kudo
from fanfold.social.services import block_user

from .conftest import HTMX, authored_work, page_text

pytestmark = pytest.mark.django_db


def kudos_url(work):
    return reverse("social:kudos", args=[work.pk])


def test_a_guest_leaves_kudos_once_without_javascript(client, work):
    response = client.post(kudos_url(work), REMOTE_ADDR="198.51.100.30")
    assert response.status_code == 302
    assert response["Location"] == reverse("works:detail", args=[work.pk]) + "#kudos"
    page = page_text(client.get(response["Location"], REMOTE_ADDR="198.51.100.30"))
    assert "Thank you for leaving kudos!" in page
    assert "1 guest left kudos on this work!" in page

    again = client.post(kudos_url(work), REMOTE_ADDR="198.51.100.30", follow=True)
    assert "You have already left kudos here :)" in page_text(again)
    work.refresh_from_db()
    assert work.kudos_count == 1


def test_htmx_kudos_return_the_kudos_block_only(client, work, reader):
    client.force_login(reader)
    response = client.post(kudos_url(work), **HTMX)
    fragment = page_text(response)
    assert fragment.lstrip().startswith('<section class="kudos" id="kudos"')
    assert "<html" not in fragment
    assert "Thank you for leaving kudos!" in fragment
    assert ">gullwatcher</a> left kudos on this work!" in fragment
    assert Kudo.objects.filter(user=reader, work=work).exists()


def test_a_second_htmx_kudos_is_refused_with_the_message(client, work, reader):
    client.force_login(reader)
    client.post(kudos_url(work), **HTMX)
    response = client.post(kudos_url(work), **HTMX)
    assert response.status_code == 403
    assert "You have already left kudos here :)" in response.content.decode()
    assert Kudo.objects.count() == 1


def test_the_author_cannot_leave_kudos_on_their_work(client, work, author):
    client.force_login(author)
    response = client.post(kudos_url(work), **HTMX)
    assert response.status_code == 403
    assert "your own work" in response.content.decode()
    assert not Kudo.objects.exists()


def test_a_blocked_reader_cannot_leave_kudos(client, work, author, reader):
    block_user(author, reader)
    client.force_login(reader)
    response = client.post(kudos_url(work), follow=True)
    assert "Sorry, you have been blocked" in page_text(response)
    assert not Kudo.objects.exists()


def test_staff_may_leave_kudos(client, work, staff):
    client.force_login(staff)
    assert client.post(kudos_url(work), **HTMX).status_code == 200
    assert Kudo.objects.filter(user=staff).exists()


def test_kudos_on_a_work_one_cannot_see_are_a_404(client, author):
    restricted = authored_work(author, restricted=True)
    assert client.post(kudos_url(restricted)).status_code == 404
    assert not Kudo.objects.exists()


def test_kudos_need_a_post(client, work):
    assert client.get(kudos_url(work)).status_code == 405


def test_the_kudos_rate_limit_answers_429(client, settings, author):
    settings.FANFOLD_RATE_LIMITS = {"kudos": (Rate(2, 60), None)}
    works = [authored_work(author, title=f"Lighthouse {n}") for n in range(3)]
    for work in works[:2]:
        assert client.post(kudos_url(work), REMOTE_ADDR="198.51.100.40", **HTMX).status_code == 200
    limited = client.post(kudos_url(works[2]), REMOTE_ADDR="198.51.100.40", **HTMX)
    assert limited.status_code == 429
    assert "Too many kudos in a short time" in limited.content.decode()
    assert int(limited["Retry-After"]) > 0
    plain = client.post(kudos_url(works[2]), REMOTE_ADDR="198.51.100.40")
    assert plain.status_code == 429 and "Too many kudos" in plain.content.decode()
    assert "<html" in plain.content.decode()  # without htmx: a whole page
    assert Kudo.objects.count() == 2


def test_kudos_need_the_csrf_token(work):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(kudos_url(work)).status_code == 403
    assert not Kudo.objects.exists()
    page = page_text(strict.get(reverse("works:detail", args=[work.pk])))
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    assert strict.post(kudos_url(work), {"csrfmiddlewaretoken": token}).status_code == 302
    assert Kudo.objects.count() == 1
