"""Signing in and out, and the account links in the header."""

import pytest
from django.urls import reverse

from fanfold.accounts.tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_header_for_guests_links_to_login(client):
    page = client.get(reverse("works:list")).content.decode()
    assert f'href="{reverse("accounts:login")}?next=/works/"' in page
    assert ">Log in</a>" in page
    assert "Log out" not in page and "Preferences" not in page


def test_login_page_and_signing_in(client, reader):
    page = client.get(reverse("accounts:login"), {"next": "/works/"}).content.decode()
    assert '<label for="id_username">' in page and '<label for="id_password">' in page
    assert 'name="next" value="/works/"' in page
    response = client.post(
        reverse("accounts:login"), {"username": "reader", "password": PASSWORD, "next": "/works/"}
    )
    assert response.status_code == 302 and response["Location"] == "/works/"
    page = client.get(reverse("works:list")).content.decode()
    assert (
        f'<a class="account-nav__user" href="{reverse("profiles:detail", args=["reader"])}">reader</a>'
        in page
    )
    assert f'href="{reverse("accounts:dashboard")}"' in page
    assert f'<form class="logout-form" method="post" action="{reverse("accounts:logout")}">' in page
    assert ">Log in</a>" not in page


def test_login_without_next_goes_home_and_rejects_outside_urls(client, reader):
    response = client.post(reverse("accounts:login"), {"username": "reader", "password": PASSWORD})
    assert response["Location"] == reverse("works:home")
    client.logout()
    response = client.post(
        reverse("accounts:login"),
        {"username": "reader", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("works:home")


def test_wrong_password_shows_an_error(client, reader):
    response = client.post(reverse("accounts:login"), {"username": "reader", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_is_a_post(client, reader):
    client.force_login(reader)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302 and response["Location"] == reverse("works:home")
    assert "_auth_user_id" not in client.session


def test_login_page_shows_the_archive_name(client, settings):
    page = client.get(reverse("accounts:login")).content.decode()
    assert f'<a class="site-name" href="/">{settings.SITE_NAME}</a>' in page
    assert "testserver</a>" not in page
