"""Reading settings: a signed cookie for guests, the Preference for signed-in readers."""

import json

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from fanfold.accounts.context_processors import READING_COOKIE, READING_COOKIE_SALT
from fanfold.accounts.models import Preference

pytestmark = pytest.mark.django_db

URL = "/account/reading-settings/"
HOME_HTML = '<html lang="en" data-theme="{}" data-line-width="{}" style="--reading-font-size: {}%">'


def signed(value: str) -> str:
    response = HttpResponse()
    response.set_signed_cookie(READING_COOKIE, value, salt=READING_COOKIE_SALT)
    return response.cookies[READING_COOKIE].value


def unsigned(value: str) -> str:
    request = RequestFactory().get("/")
    request.COOKIES[READING_COOKIE] = value
    return request.get_signed_cookie(READING_COOKIE, salt=READING_COOKIE_SALT)


def html_tag(client) -> str:
    page = client.get(reverse("works:home")).content.decode()
    return page[page.index("<html") : page.index(">", page.index("<html")) + 1]


def test_url():
    assert reverse("accounts:reading_settings") == URL


def test_get_shows_the_form_with_current_settings(client):
    page = client.get(URL).content.decode()
    assert "<h1>Reading settings</h1>" in page
    assert 'value="100"' in page and 'name="next"' in page


def test_guest_cookie(client):
    response = client.post(
        URL, {"font_size": "150", "line_width": "narrow", "theme": "dark", "next": "/works/"}
    )
    assert response.status_code == 302 and response["Location"] == "/works/"
    cookie = response.cookies[READING_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert json.loads(unsigned(cookie.value)) == {"font_size": 150, "line_width": "narrow", "theme": "dark"}
    assert html_tag(client) == HOME_HTML.format("dark", "narrow", 150)


def test_a_valid_signed_cookie_is_used(client):
    client.cookies[READING_COOKIE] = signed(
        json.dumps({"font_size": 85, "line_width": "wide", "theme": "light"})
    )
    assert html_tag(client) == HOME_HTML.format("light", "wide", 85)


def test_tampered_or_invalid_cookie_falls_back_to_defaults(client):
    client.cookies[READING_COOKIE] = '{"font_size": 300, "theme": "dark"}'  # not signed
    assert html_tag(client) == HOME_HTML.format("auto", "normal", 100)
    client.cookies[READING_COOKIE] = signed(
        json.dumps({"font_size": 900, "line_width": "x", "theme": "dark"})
    )
    assert html_tag(client) == HOME_HTML.format("auto", "normal", 100)
    client.cookies[READING_COOKIE] = signed("not json")
    assert html_tag(client) == HOME_HTML.format("auto", "normal", 100)


def test_invalid_post_shows_errors(client):
    response = client.post(
        URL, {"font_size": "500", "line_width": "normal", "theme": "dark", "next": "/works/"}
    )
    assert response.status_code == 400
    assert "Ensure this value is less than or equal to 200." in response.content.decode()
    assert READING_COOKIE not in response.cookies


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/works/", "javascript:alert(1)"])
def test_next_must_stay_on_this_site(client, target):
    response = client.post(URL, {"font_size": "100", "line_width": "normal", "theme": "auto", "next": target})
    assert response.status_code == 302
    assert response["Location"] == URL


def test_signed_in_reader_settings_are_saved_in_the_preference(client, reader):
    client.force_login(reader)
    response = client.post(URL, {"font_size": "110", "line_width": "wide", "theme": "light", "next": "/"})
    assert response["Location"] == "/"
    assert READING_COOKIE not in response.cookies
    preference = Preference.objects.get(user=reader)
    assert (preference.font_size, preference.line_width, preference.theme) == (110, "wide", "light")
    assert html_tag(client) == HOME_HTML.format("light", "wide", 110)
    # A guest cookie on the same browser does not override the account's settings.
    client.cookies[READING_COOKIE] = signed(
        json.dumps({"font_size": 180, "line_width": "narrow", "theme": "dark"})
    )
    assert html_tag(client) == HOME_HTML.format("light", "wide", 110)
