"""Every payload of the corpus, through every user field, renders without executable markup.

The archive is built once per test (through the real services) and every page that shows the stored
text is fetched as a guest, as the creator and as the reader; each page is parsed with lxml and checked
by ``fanfold.security.executable_markup``. One test walks all pages so the archive is built once.
"""

from __future__ import annotations

import pytest
from django.test import Client

from fanfold.security import executable_markup, load_payloads
from fanfold.security.hostile_archive import build

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_rate_limits(settings):
    settings.FANFOLD_RATE_LIMITS_ENABLED = False


def _check(client: Client, urls: list[str], findings: dict[str, list[str]], statuses: dict[str, int]) -> None:
    for url in urls:
        response = client.get(url)
        statuses[url] = response.status_code
        if response.get("Content-Type", "").startswith("text/html"):
            found = executable_markup(response.content)
            if found:
                findings[url] = found[:5]


def test_the_corpus_is_large_and_varied():
    payloads = load_payloads()
    assert len(payloads) >= 100
    assert len(set(payloads)) == len(payloads), "duplicate payloads"
    raw_hits = [p for p in payloads if executable_markup(f"<html><body>{p}</body></html>")]
    # The checker recognises the markup payloads when they are NOT escaped (else the test could not fail).
    assert len(raw_hits) >= 90


def test_every_payload_in_every_field_renders_inert():
    archive = build()
    payloads = load_payloads()
    # Most payloads must reach the database: a field that refused everything would test nothing.
    assert len(archive.works) == len(payloads) + 1
    assert len(archive.refused) < len(payloads), archive.refused[:20]
    assert len(archive.imported) >= 15, archive.import_failures

    findings: dict[str, list[str]] = {}
    statuses: dict[str, int] = {}
    _check(Client(), archive.public_urls(), findings, statuses)
    author = Client()
    author.force_login(archive.author)
    _check(author, archive.author_urls(), findings, statuses)
    reader = Client()
    reader.force_login(archive.reader)
    _check(reader, archive.reader_urls(), findings, statuses)

    assert not findings, findings
    server_errors = {url: code for url, code in statuses.items() if code >= 500}
    assert not server_errors, server_errors
    ok = sum(1 for code in statuses.values() if code == 200)
    assert ok >= 0.9 * len(statuses), {u: c for u, c in statuses.items() if c != 200}


def test_stored_payloads_show_as_text(client):
    """The escaping is real: a title holding markup shows its angle brackets as text, and template
    syntax is not evaluated."""
    from fanfold.works.tests.posting_support import make_user, post

    author = make_user("bracketwriter")
    work = post(author, title="<b>Bold</b> {{7*7}} {% now 'Y' %}", summary="<p>{{ request.user }}</p>")
    page = client.get(f"/works/{work.pk}/").content.decode()
    assert "&lt;b&gt;Bold&lt;/b&gt;" in page
    assert "{{7*7}}" in page and "{% now &#x27;Y&#x27; %}" in page
    assert "{{ request.user }}" in page
    assert "<b>Bold</b>" not in page
