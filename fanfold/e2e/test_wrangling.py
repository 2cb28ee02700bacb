"""Clearing a bin, in real Chromium: a Naruto wrangler applies the suggestions, makes a new tag
canonical, sets a vague one aside, and the work carrying a raw ship is then found by its canonical
relationship."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from playwright.sync_api import expect

from fanfold.accounts.models import User
from fanfold.api.tags import clear_index_cache
from fanfold.core.permissions import WRANGLERS_GROUP
from fanfold.tags.models import Tag, TagType, WranglerAssignment
from fanfold.works.tests.factories import make_work

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "lantern-gate-7713"
SHIP = "Haruno Sakura/Uchiha Sasuke"


@pytest.fixture
def tagged_archive(transactional_db):
    """The fixed vocabulary and the starter set, as `fanfold setup` leaves them (see fanfold/conftest.py)."""
    from fanfold.core.management.commands.setup import STARTER_TAGSET_PATH
    from fanfold.tags.services import ensure_fixed_tags, load_records
    from fanfold.tags.tagset import load_tagset

    ensure_fixed_tags()
    load_records(load_tagset(STARTER_TAGSET_PATH.read_bytes(), "json"))
    clear_index_cache()
    yield
    clear_index_cache()


@pytest.fixture
def naruto_wrangler(tagged_archive):
    user = User.objects.create_user("leafscribe", email="leafscribe@example.org", password=PASSWORD)
    user.groups.add(Group.objects.get_or_create(name=WRANGLERS_GROUP)[0])
    WranglerAssignment.objects.create(user=user, fandom=Tag.objects.get(type=TagType.FANDOM, name="Naruto"))
    return user


def log_in(page, username: str) -> None:
    page.goto(reverse("accounts:login"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stacked-form button[type=submit]")
    page.wait_for_load_state()


def test_a_wrangler_clears_the_naruto_bin(page, naruto_wrangler, screenshot):
    ship_work = make_work(
        title="Lanterns over the Gate",
        fandoms=["Naruto"],
        relationships=["Sasuke x Sakura"],
        characters=["sakura"],
        additional_tags=["some new idea", "hurt comfort"],
    )
    make_work(
        title="Rain on the Training Field",
        fandoms=["Naruto Shippuden"],
        relationships=["Sakura x Sasuke"],
        characters=[],
        additional_tags=["i really can't tag"],
    )
    log_in(page, "leafscribe")
    page.goto(reverse("tags:wrangle_home"))
    page.get_by_role("link", name="Naruto").click()
    bin_table = page.locator("#bin")
    for raw in ("Sasuke x Sakura", "Sakura x Sasuke", "sakura", "some new idea", "i really can't tag"):
        expect(bin_table).to_contain_text(raw)
    screenshot(page, "bin")

    # Nothing chosen: "Apply all suggestions" takes every suggestion on the page.
    page.get_by_role("button", name="Apply all suggestions").click()
    expect(page.locator(".messages")).to_contain_text("Made synonyms of")
    expect(bin_table).not_to_contain_text("Sasuke x Sakura")
    expect(bin_table).not_to_contain_text("Sakura x Sasuke")

    # A new idea becomes a canonical tag of its own...
    page.get_by_label("Choose some new idea").check()
    page.get_by_label("Action").select_option("make_canonical")
    page.get_by_role("button", name="Wrangle chosen tags").click()
    expect(page.locator(".messages")).to_contain_text("Make canonical: 1 tag.")

    # ...and whatever is left is too vague to wrangle.
    for row in page.locator("#bin tbody input[type=checkbox]").all():
        row.check()
    page.get_by_label("Action").select_option("mark_unwrangleable")
    page.get_by_role("button", name="Wrangle chosen tags").click()
    expect(page.locator(".wrangling__empty")).to_be_visible()
    screenshot(page, "empty")

    assert Tag.objects.get(name="Sasuke x Sakura").merger.name == SHIP
    assert Tag.objects.get(name="some new idea").canonical
    assert Tag.objects.get(name="i really can't tag").unwrangleable

    # Filtering by the canonical relationship now finds the work tagged with the raw ship.
    page.goto(reverse("works:list") + "?" + urlencode({"include": SHIP}))
    expect(page.locator("body")).to_contain_text(ship_work.title)
    expect(page.locator("body")).to_contain_text("Rain on the Training Field")
