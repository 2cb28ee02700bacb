"""Taking part, in real Chromium: sign up, post a two-chapter work, another reader leaves kudos, a
comment and a bookmark, and the author sees the notifications."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from fanfold.social.models import Bookmark, Comment, Kudo
from fanfold.tags.services import ensure_fixed_tags
from fanfold.works.models import Work

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "tidal-lantern-4491"


@pytest.fixture
def archive_with_tasks(transactional_db, settings):
    """An empty archive whose background tasks run at once, so notifications appear straight away."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    ensure_fixed_tags()


def sign_up(page, username: str) -> None:
    page.goto("/")
    page.get_by_role("link", name="Sign up").click()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Email").fill(f"{username}@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("navigation", name="Account")).to_contain_text(username)


def test_sign_up_post_and_hear_from_a_reader(browser, live_server, archive_with_tasks, screenshot):
    author_context = browser.new_context(base_url=live_server.url)
    reader_context = browser.new_context(base_url=live_server.url)
    errors: list[str] = []
    author, reader = author_context.new_page(), reader_context.new_page()
    for page in (author, reader):
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        # The author signs up and posts the first chapter of a work planned in two.
        sign_up(author, "saltmarsh_scribe")
        author.get_by_role("link", name="Post a work").click()
        author.get_by_label("Rating").select_option("General Audiences")
        author.get_by_label("No Archive Warnings Apply").check()
        author.get_by_label("Fandoms").fill("Original Work")
        author.get_by_label("Work Title").fill("The Tide Clock")
        author.get_by_label("Summary").fill("A clockmaker listens to the sea.")
        author.get_by_label("Chapters expected").fill("2")
        author.get_by_label("Work text").fill("The clock in the harbour ran on tides, not springs.")
        author.get_by_role("button", name="Post", exact=True).click()
        expect(author.locator("#work-title")).to_have_text("The Tide Clock")
        work = Work.objects.get(title="The Tide Clock")
        assert not work.draft and not work.complete

        # ...then the second chapter, which completes it.
        author.get_by_role("link", name="Add chapter").click()
        author.get_by_label("Chapter title").fill("High Water")
        author.get_by_label("Chapter text").fill("At high water the hands stood still, and so did she.")
        author.get_by_role("button", name="Add chapter").click()
        work.refresh_from_db()
        assert work.complete and work.chapters.count() == 2
        expect(author.locator("body")).to_contain_text("High Water")
        screenshot(author, "posted")

        # Another reader signs up, reads, and leaves kudos, a comment and a bookmark.
        sign_up(reader, "estuary_reader")
        reader.goto(f"/works/{work.pk}/?view_full_work=true")
        expect(reader.locator("#work-title")).to_have_text("The Tide Clock")
        reader.get_by_role("button", name=re.compile("^Kudos")).click()
        expect(reader.locator("#kudos")).to_contain_text("estuary_reader")
        reader.locator("#comments").get_by_label("Comment").fill("The stopped hands gave me chills.")
        reader.locator("#comments").get_by_role("button", name="Comment").click()
        expect(reader.locator("#comments")).to_contain_text("The stopped hands gave me chills.")
        reader.get_by_text("Bookmark this work").click()
        reader.get_by_label("Notes").fill("Quiet and strange, in the best way.")
        reader.get_by_label("Your tags").fill("clocks, sea")
        reader.get_by_role("button", name="Save bookmark").click()
        expect(reader.get_by_text("Edit your bookmark")).to_be_visible()
        screenshot(reader, "reader-actions")

        # Kudos cannot be given twice.
        reader.reload()
        expect(reader.locator("#kudos")).to_contain_text("already left kudos")
        assert Kudo.objects.filter(work=work).count() == 1
        assert Comment.objects.filter(work=work, user__username="estuary_reader").count() == 1
        assert Bookmark.objects.filter(work=work, user__username="estuary_reader").count() == 1

        # The author sees an unread count in the navigation, then the notifications.
        author.goto("/")
        notifications_link = author.get_by_role("navigation", name="Account").get_by_role(
            "link", name=re.compile("^Notifications")
        )
        expect(notifications_link).to_contain_text("2")
        notifications_link.click()
        expect(author.locator("main")).to_contain_text("estuary_reader left kudos on The Tide Clock")
        expect(author.locator("main")).to_contain_text("estuary_reader left a comment on The Tide Clock")
        screenshot(author, "notifications")
        # ...and the bookmark in the work's stats.
        author.goto(f"/works/{work.pk}/")
        expect(author.locator(".stats")).to_contain_text(re.compile(r"Bookmarks:\s*1"))
        expect(author.locator(".stats")).to_contain_text(re.compile(r"Kudos:\s*1"))
        expect(author.locator(".stats")).to_contain_text(re.compile(r"Comments:\s*1"))
    finally:
        author_context.close()
        reader_context.close()
    assert not errors, f"browser console errors: {errors}"
