"""The work page: series navigation, hidden warnings and additional tags, reading settings."""

import re

import pytest
from django.urls import reverse

from fanfold.accounts.models import Preference
from fanfold.tags import vocabulary as vocab
from fanfold.works.models import Series
from fanfold.works.tests.factories import make_work, series

pytestmark = pytest.mark.django_db


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_series_navigation(client, reader):
    first = make_work(title="Part One Tide", series=[series("Ink and Compass", 1)])
    middle = make_work(title="Part Two Tide", series=[series("Ink and Compass", 2), series("Other Shelf", 1)])
    hidden = make_work(title="Part Three Draft", series=[series("Ink and Compass", 3)], draft=True)
    last = make_work(title="Part Four Tide", series=[series("Ink and Compass", 4)])
    assert hidden.pk

    page = text(client.get(reverse("works:detail", args=[middle.pk])))
    assert "Part 2 of" in page and "Ink and Compass" in page
    assert f'<a href="{reverse("works:detail", args=[first.pk])}">« Previous work' in page
    # The draft is skipped: the next work this reader may see is part four.
    assert f'<a href="{reverse("works:detail", args=[last.pk])}">Next work' in page
    assert "Part Three Draft" not in page
    other_shelf = Series.objects.get(title="Other Shelf")
    assert (
        f'Part 1 of <a class="series__title" href="{reverse("works:series", args=[other_shelf.pk])}">Other Shelf</a>'
        in page
    )

    page = text(client.get(reverse("works:detail", args=[first.pk])))
    assert "« Previous work" not in page
    assert f'<a href="{reverse("works:detail", args=[middle.pk])}">Next work' in page

    page = text(client.get(reverse("works:detail", args=[last.pk])))
    assert f'<a href="{reverse("works:detail", args=[middle.pk])}">« Previous work' in page
    assert "Next work" not in page


def _warned_work():
    return make_work(
        title="Storm Surge",
        warnings=[vocab.CHARACTER_DEATH],
        additional_tags=["Shipwreck"],
        characters=["Odile Marsh"],
    )


def test_warnings_shown_by_default(client):
    work = _warned_work()
    page = text(client.get(reverse("works:detail", args=[work.pk])))
    assert "Show warnings" not in page and "Show additional tags" not in page
    assert ">Major Character Death</a>" in page


def test_hide_warnings_preference_wraps_them_in_details(client, reader):
    work = _warned_work()
    Preference.objects.create(user=reader, hide_warnings=True, hide_additional_tags=True)
    client.force_login(reader)
    page = text(client.get(reverse("works:detail", args=[work.pk])))
    assert re.search(
        r'<details class="reveal"><summary>Show warnings</summary><ul class="tags tags--inline"><li><a [^>]*><strong>Major Character Death</strong></a></li></ul></details>',
        page,
    )
    assert re.search(r"<details class=\"reveal\"><summary>Show additional tags</summary>.*?Shipwreck", page)
    assert ">Odile Marsh</a>" in page  # other tags are not hidden

    listing = text(client.get(reverse("works:list")))
    blurb_tags = listing[listing.index('<ul class="tags"') :]
    assert "Show warnings" in blurb_tags and "Show additional tags" in blurb_tags
    # Neither the tags line nor the badge names the warning outside the <details>.
    results = listing[listing.index('<ol class="work-index"') :]
    outside = re.sub(r"<details class=\"reveal\">.*?</details>", "", results, flags=re.S)
    assert "Major Character Death" not in outside
    assert "Archive Warnings: hidden by your preferences" in listing


def test_reading_settings_form_on_the_work_page(client):
    work = make_work()
    page = text(client.get(reverse("works:detail", args=[work.pk])))
    assert "<summary>Reading settings</summary>" in page
    assert f'action="{reverse("accounts:reading_settings")}"' in page
    assert f'name="next" value="{reverse("works:detail", args=[work.pk])}"' in page
    for field in ("font_size", "line_width", "theme"):
        assert f'<label for="reading-{field}">' in page
    assert (
        '<html lang="en" data-theme="auto" data-line-width="normal" style="--reading-font-size: 100%">'
        in page
    )


def test_guest_reading_settings_go_in_a_cookie_and_change_the_page(client):
    work = make_work()
    url = reverse("works:detail", args=[work.pk])
    response = client.post(
        reverse("accounts:reading_settings"),
        {"font_size": "140", "line_width": "wide", "theme": "dark", "next": url},
    )
    assert response.status_code == 302 and response["Location"] == url
    assert "fanfold_reading" in response.cookies
    page = text(client.get(url))
    assert (
        '<html lang="en" data-theme="dark" data-line-width="wide" style="--reading-font-size: 140%">' in page
    )
    assert '<meta name="color-scheme" content="dark">' in page
    assert 'id="reading-font_size" value="140"' in page or 'value="140"' in page


def test_user_reading_settings_go_in_the_preference(client, reader):
    work = make_work()
    client.force_login(reader)
    url = reverse("works:detail", args=[work.pk])
    response = client.post(
        reverse("accounts:reading_settings"),
        {"font_size": "90", "line_width": "narrow", "theme": "light", "next": url},
    )
    assert response.status_code == 302
    assert "fanfold_reading" not in response.cookies
    preference = Preference.objects.get(user=reader)
    assert (preference.font_size, preference.line_width, preference.theme) == (90, "narrow", "light")
    page = text(client.get(url))
    assert 'data-theme="light" data-line-width="narrow" style="--reading-font-size: 90%"' in page
    assert '<meta name="color-scheme" content="light">' in page


def test_blurb_unchanged_for_guests_with_hidden_tags_preference_of_someone_else(client, reader):
    Preference.objects.create(user=reader, hide_warnings=True)
    _warned_work()
    page = text(client.get(reverse("works:list")))
    assert "Show warnings" not in page
    assert "Archive Warnings: Major Character Death" in page
