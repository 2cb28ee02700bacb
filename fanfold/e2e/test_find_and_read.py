"""Finding and reading works in real Chromium: the filter sidebar, full-text search, the reader."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command

from fanfold.conftest import SEED_BREAK, SEEDS_DIR

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo_archive(transactional_db):
    """The archive as `make run` leaves it: starter tags, the demo works, and seed 003 when present."""
    call_command("setup", verbosity=0)
    call_command("demo")
    seed = SEEDS_DIR / SEED_BREAK
    if seed.is_file():
        call_command("import", str(seed), quiet=True)


def open_group(page, kind: str, group: str) -> None:
    """Expand a tag type's group in the Include or Exclude part of the sidebar, as a reader would."""
    legend = "Include" if kind == "include" else "Exclude"
    details = page.locator(
        f"fieldset:has(> legend:text-is('{legend}')) details", has=page.locator(f"summary:text-is('{group}')")
    )
    if not details.first.evaluate("d => d.open"):
        details.first.locator("summary").click()


def sidebar_count(page, kind: str, name: str) -> int | None:
    """The count the sidebar shows beside a tag in the Include or Exclude group (None if absent)."""
    label = page.locator(f"input[name='{kind}'][value='{name}'] + label")
    if label.count() == 0:
        return None
    match = re.search(r"\(([\d,]+)\)", label.first.inner_text())
    return int(match.group(1).replace(",", "")) if match else None


def test_filter_sidebar_includes_and_excludes(page, demo_archive, screenshot, live_server):
    page.goto("/works/")
    heading = page.locator("#results-heading")
    total = int(re.search(r"([\d,]+) Works", heading.inner_text()).group(1).replace(",", ""))
    assert total >= 10
    screenshot(page, "works")

    open_group(page, "include", "Fandoms")
    naruto = sidebar_count(page, "include", "Naruto")
    assert naruto and naruto >= 2
    page.locator("input[name='include'][value='Naruto'] + label").first.click()
    page.get_by_role("button", name="Sort and Filter").first.click()
    page.wait_for_url(re.compile(r"include=Naruto"))
    assert f"{naruto} Works" in page.locator("#results-heading").inner_text()
    for fandom_line in page.locator("article.blurb .blurb__fandoms").all_inner_texts():
        assert "Naruto" in fandom_line

    open_group(page, "exclude", "Additional Tags")
    page.locator("input[name='exclude'][value='Fluff'] + label").first.click()
    page.get_by_role("button", name="Sort and Filter").first.click()
    page.wait_for_url(re.compile(r"exclude=Fluff"))
    assert page.locator("input[name='exclude'][value='Fluff']").first.is_checked()
    api = page.request.get(f"{live_server.url}/api/v1/works?include=Naruto&exclude=Fluff").json()
    assert f"{api['count']} Work" in page.locator("#results-heading").inner_text()
    open_group(page, "include", "Fandoms")
    for facet in api["facets"]["fandoms"]:
        assert sidebar_count(page, "include", facet["name"]) in (facet["count"], None)
    screenshot(page, "filtered")


@pytest.mark.skipif(not (SEEDS_DIR / SEED_BREAK).is_file(), reason="seed files not found beside the checkout")
def test_search_finds_the_story_text_and_excluding_its_ship_hides_it(
    page, demo_archive, screenshot, live_server
):
    page.goto("/works/")
    page.fill("#filter-q", '"moulding clay"')
    page.get_by_role("button", name="Sort and Filter").first.click()
    page.wait_for_url(re.compile(r"q=%22moulding"))
    results = page.locator("article.blurb")
    assert results.count() == 1
    assert "This is How We Break" in results.first.inner_text()
    assert page.locator("mark", has_text="moulding clay").count() >= 1
    screenshot(page, "search")

    api_before = page.request.get(f"{live_server.url}/api/v1/works", params={"q": '"moulding clay"'}).json()
    ship = "Haruno Sakura/Uchiha Sasuke"
    open_group(page, "exclude", "Relationships")
    assert sidebar_count(page, "exclude", ship) == next(
        f["count"] for f in api_before["facets"]["relationships"] if f["name"] == ship
    )
    page.locator(f"input[name='exclude'][value='{ship}'] + label").first.click()
    page.get_by_role("button", name="Sort and Filter").first.click()
    page.wait_for_url(re.compile(r"exclude="))
    assert page.locator("article.blurb").count() == 0
    assert page.locator(f"input[name='exclude'][value='{ship}']").first.is_checked()
    api_after = page.request.get(
        f"{live_server.url}/api/v1/works", params={"q": '"moulding clay"', "exclude": ship}
    ).json()
    assert api_after["count"] == 0
    screenshot(page, "excluded")


def test_reading_a_multi_chapter_work(page, demo_archive, screenshot):
    page.goto("/works/?q=%22Three+Cups%22")
    page.get_by_role("link", name="Three Cups").first.click()
    page.wait_for_url(re.compile(r"/works/\d+/"))
    assert page.locator("dl.work.meta").is_visible()
    assert page.locator(".userstuff p").count() > 3
    screenshot(page, "chapter-1")
    page.get_by_role("link", name=re.compile("Next Chapter", re.I)).first.click()
    page.wait_for_url(re.compile(r"/chapters/2/"))
    assert "Chapter 2" in page.locator("main").inner_text()
    page.get_by_role("link", name=re.compile("Entire Work", re.I)).first.click()
    page.wait_for_url(re.compile(r"view_full_work=true"))
    assert "Chapter 3" in page.locator("main").inner_text()
    screenshot(page, "entire-work")


def test_phone_width_listing_is_usable(browser, live_server, demo_archive, screenshot):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto("/works/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.locator("#filters > summary").click()
    assert page.locator("#filter-q").is_visible()
    screenshot(page, "phone")
    context.close()
