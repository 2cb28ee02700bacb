"""The preferences page: saved exclusions ("never show me…"), hidden tags, reading settings."""

import pytest
from django.urls import reverse

from fanfold.accounts.forms import PreferenceForm
from fanfold.accounts.models import Preference
from fanfold.tags.models import Tag, TagType
from fanfold.works.tests.factories import make_work

pytestmark = pytest.mark.django_db

URL = "/account/preferences/"


@pytest.fixture
def tagged(db):
    make_work(title="Sweet One", additional_tags=["Fluff"])
    make_work(title="Sad One", additional_tags=["Angst", "Hurt/Comfort"])
    make_work(title="Spelled Oddly", additional_tags=["angsty"])
    canonical = Tag.objects.get(type=TagType.ADDITIONAL, name="Angst")
    Tag.objects.filter(name="angsty").update(merger=canonical)


def test_preferences_need_login(client):
    response = client.get(reverse("accounts:preferences"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={URL}"


def test_preferences_page_renders(client, reader):
    client.force_login(reader)
    page = client.get(URL).content.decode()
    assert reverse("accounts:preferences") == URL
    for label in (
        "Never show me works tagged…",
        "Hide archive warnings",
        "Hide additional tags",
        "Font size (%)",
        "Line width",
        "Theme",
    ):
        assert label in page, label
    assert '<label for="id_excluded_tags">' in page
    assert "<legend>" in page


def test_preferences_save_and_exclusions_apply(client, reader, tagged):
    client.force_login(reader)
    response = client.post(
        URL,
        {
            "excluded_tags": "angsty, hurt/comfort ,",
            "hide_warnings": "on",
            "font_size": "120",
            "line_width": "wide",
            "theme": "dark",
        },
    )
    assert response.status_code == 302 and response["Location"] == URL
    preference = Preference.objects.get(user=reader)
    # Names resolve to the tags (a synonym stands for its canonical tag).
    assert sorted(t.name for t in preference.excluded_tags.all()) == ["Angst", "Hurt/Comfort"]
    assert preference.hide_warnings and not preference.hide_additional_tags
    assert (preference.font_size, preference.line_width, preference.theme) == (120, "wide", "dark")

    page = client.get(URL).content.decode()
    assert "Your preferences were saved." in page
    assert "Angst, Hurt/Comfort</textarea>" in page

    listing = client.get(reverse("works:list")).content.decode()
    assert "Sweet One" in listing
    assert "Sad One" not in listing and "Spelled Oddly" not in listing


def test_unknown_tag_names_are_rejected(client, reader, tagged):
    client.force_login(reader)
    response = client.post(
        URL,
        {
            "excluded_tags": "Fluff, Nonexistent Tag",
            "font_size": "100",
            "line_width": "normal",
            "theme": "auto",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "No tag is called “Nonexistent Tag”" in page
    assert 'aria-invalid="true"' in page
    assert not Preference.objects.get(user=reader).excluded_tags.exists()


@pytest.mark.parametrize("size", ["79", "201", "big"])
def test_font_size_is_bounded(size, reader):
    form = PreferenceForm(
        {"excluded_tags": "", "font_size": size, "line_width": "normal", "theme": "auto"},
        instance=Preference(user=reader),
    )
    assert not form.is_valid()
    assert "font_size" in form.errors


def test_clearing_exclusions(client, reader, tagged):
    preference = Preference.objects.create(user=reader)
    preference.excluded_tags.add(Tag.objects.get(name="Fluff"))
    client.force_login(reader)
    client.post(URL, {"excluded_tags": "", "font_size": "100", "line_width": "normal", "theme": "auto"})
    assert not preference.excluded_tags.exists()
