"""The XSS corpus in real Chromium: pages that show every payload load without running any of them.

Before any page script runs, an init script sets traps: alert/confirm/prompt and window.__xss record a
hit, and console messages containing "XSS" are collected. Every payload in the corpus calls one of
these if it runs. A handful of page loads, each showing many payloads: the full work (all payloads as
chapters, notes and summaries), the listings, a tag page, the bookmarks and the creator's edit form.
"""

from __future__ import annotations

import pytest

from fanfold.security import load_payloads
from fanfold.security.hostile_archive import build

pytestmark = pytest.mark.django_db(transaction=True)

TRAPS = """
window.__xssHits = [];
window.__xss = function (n) { window.__xssHits.push('__xss(' + n + ')'); };
for (const name of ['alert', 'confirm', 'prompt', 'print']) {
  window[name] = function (m) { window.__xssHits.push(name + ':' + m); return ''; };
}
"""


@pytest.fixture
def hostile(settings):
    settings.FANFOLD_RATE_LIMITS_ENABLED = False
    return build(load_payloads())


def _visit(browser, live_server, path: str, user=None, client_cookies=None) -> tuple[list[str], list[str]]:
    context = browser.new_context(base_url=live_server.url, java_script_enabled=True)
    if client_cookies:
        context.add_cookies(client_cookies)
    context.add_init_script(TRAPS)
    page = context.new_page()
    dialogs: list[str] = []
    console: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("console", lambda message: console.append(message.text) if "XSS" in message.text else None)
    page.goto(path, wait_until="load")
    page.wait_for_timeout(300)  # let onload/onerror handlers and htmx "load" triggers fire
    hits = page.evaluate("window.__xssHits")
    context.close()
    return hits + dialogs, console


def _session_cookie(live_server, user) -> list[dict]:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    value = client.cookies[settings.SESSION_COOKIE_NAME].value
    return [{"name": settings.SESSION_COOKIE_NAME, "value": value, "url": live_server.url}]


def test_the_traps_work(browser, live_server):
    """A page that does run a payload is caught (else a silent pass would mean nothing)."""
    context = browser.new_context()
    context.add_init_script(TRAPS)
    page = context.new_page()
    page.set_content("<img src=x onerror=__xss(1)><script>alert('XSS')</script>")
    page.wait_for_timeout(200)
    assert sorted(page.evaluate("window.__xssHits")) == ["__xss(1)", "alert:XSS"]
    context.close()


def test_no_payload_runs_in_chromium(browser, live_server, hostile):
    from django.urls import reverse

    big = hostile.works[0]
    tag = next(iter(big.tags.values_list("name", flat=True)))
    guest_pages = [
        reverse("works:detail", args=[big.pk]) + "?view_full_work=true",
        "/works/",
        "/works/?page=3",
        reverse("tags:works", args=[tag]),
        reverse("social:user_bookmarks", args=[hostile.reader.username]),
        reverse("profiles:detail", args=[hostile.reader.username]),
        "/works/?q=" + "%3Cimg%20src%3Dx%20onerror%3D__xss(1)%3E",
    ]
    author_pages = [
        reverse("works:edit", args=[hostile.works[1].pk]),
        reverse("works:chapter_edit", args=[big.pk, 2]),
        reverse("works:detail", args=[hostile.imported[0].pk]),
    ]
    found: dict[str, list[str]] = {}
    for path in guest_pages:
        hits, console = _visit(browser, live_server, path)
        if hits or console:
            found[path] = hits + console
    cookies = _session_cookie(live_server, hostile.author)
    for path in author_pages:
        hits, console = _visit(browser, live_server, path, client_cookies=cookies)
        if hits or console:
            found[path] = hits + console
    assert not found, found
