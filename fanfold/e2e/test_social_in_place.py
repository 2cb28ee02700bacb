"""The htmx side of the work page in real Chromium: kudos, a comment, a reply and a refusal swap in
place, without a page load. Skipped where Chromium is missing (see fanfold/e2e/conftest.py)."""

import pytest
from django.urls import reverse

from fanfold.accounts.models import User
from fanfold.core.ratelimit import Rate
from fanfold.social.models import Bookmark, Comment, Kudo, MarkedForLater
from fanfold.social.tests.conftest import authored_work, pseud_of

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def author(transactional_db):
    user = User.objects.create_user("lanternkeeper", email="author@example.org", password="pw-not-real-1")
    pseud_of(user)
    return user


@pytest.fixture
def reader(transactional_db):
    user = User.objects.create_user("gullwatcher", email="reader@example.org", password="pw-not-real-2")
    pseud_of(user)
    return user


@pytest.fixture
def page(browser, live_server):
    """A browser page whose console errors fail the test, except the 429 this test asks for."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert [e for e in errors if "status of 429" not in e] == []


def log_in(page, username: str, password: str) -> None:
    page.goto(reverse("accounts:login"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form.stacked-form button[type=submit]")
    page.wait_for_load_state()


def test_kudos_comment_and_reply_swap_in_place(page, author, reader, settings):
    settings.FANFOLD_RATE_LIMITS = {"comment": (None, Rate(2, 600))}
    work = authored_work(author, title="Night Ferry")
    log_in(page, "gullwatcher", "pw-not-real-2")
    page.goto(reverse("works:detail", args=[work.pk]))
    page.evaluate("window.__sameDocument = true")  # gone if a click loads a new page

    page.click("#kudos button")
    page.wait_for_selector("text=Thank you for leaving kudos!")
    assert "gullwatcher" in page.inner_text("#kudos")

    page.fill("#comment-body", "The engine hum, so well done.")
    page.click("#comments form.comment-form button[type=submit]")
    page.wait_for_selector("text=Comment posted.")
    top = Comment.objects.get()

    page.click(f"#comment-{top.pk} .comment__actions >> text=Reply")
    page.wait_for_selector(f"#reply-{top.pk} textarea")
    page.fill(f"#reply-{top.pk} textarea", "Replying to myself, oddly.")
    page.click(f"#reply-{top.pk} button[type=submit]")
    page.wait_for_selector(f"#comment-{top.pk} .comment-replies")

    # The third comment passes the limit: the 429 is swapped in with the text kept.
    page.fill("#comment-body", "One too many")
    page.click("#comments form.comment-form button[type=submit]")
    page.wait_for_selector("text=Too many comments in a short time")
    assert page.input_value("#comment-body") == "One too many"

    assert page.evaluate("window.__sameDocument") is True
    assert Kudo.objects.count() == 1 and Comment.objects.count() == 2


def test_edit_delete_and_bookmark_in_place(page, author, reader):
    work = authored_work(author, title="Harbour Ferry")
    log_in(page, "gullwatcher", "pw-not-real-2")
    page.goto(reverse("works:detail", args=[work.pk]))
    page.evaluate("window.__sameDocument = true")

    page.fill("#comment-body", "Frist!")
    page.click("#comments form.comment-form button[type=submit]")
    page.wait_for_selector("text=Comment posted.")
    comment = Comment.objects.get()

    page.click(f"#comment-{comment.pk} .comment__actions >> text=Edit")
    page.wait_for_selector(f"#comment-{comment.pk}-body textarea")
    page.fill(f"#comment-{comment.pk}-body textarea", "First, spelled right.")
    page.click(f"#comment-{comment.pk}-body button[type=submit]")
    page.wait_for_selector("text=Comment updated.")
    comment.refresh_from_db()
    assert comment.body == "<p>First, spelled right.</p>"

    # A link that posts through htmx: the CSRF token travels in the hx-headers of the page.
    page.once("dialog", lambda dialog: dialog.accept())
    page.click(f"#comment-{comment.pk} .comment__actions >> text=Delete")
    page.wait_for_selector("text=Comment deleted.")
    assert not Comment.objects.exists()

    page.click("#work-actions summary")
    page.fill("#bookmark-notes", "Reread in winter.")
    page.check("#bookmark-rec")
    page.click("#work-actions form.bookmark-form button[type=submit]")
    page.wait_for_selector("text=Bookmark saved.")
    page.click('#work-actions button:has-text("Mark for later")')
    page.wait_for_selector('#work-actions button:has-text("Mark as read")')
    assert Bookmark.objects.get().rec
    assert MarkedForLater.objects.filter(user=reader, work=work).exists()
    assert page.evaluate("window.__sameDocument") is True
