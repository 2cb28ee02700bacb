"""The download URL contract, access rules, the menu, and bounded waits for slow builds."""

from __future__ import annotations

import threading
import time

import pytest
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from fanfold.core import permissions
from fanfold.downloads import calibre, services, views
from fanfold.downloads.naming import FORMATS
from fanfold.works.models import Creatorship
from fanfold.works.tests.factories import make_work

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path


def _get(client: Client, work, fmt: str):
    return client.get(services.download_url(work, fmt))


def test_download_url_shape(client):
    work = make_work(title="Harbour Lights at Dusk")
    url = services.download_url(work, "epub")
    stamp = int(work.modified_at.timestamp())
    assert url == f"/downloads/{work.pk}/Harbour_Lights_at_Dusk.epub?updated_at={stamp}"
    assert reverse("downloads:file", args=[work.pk, "Harbour_Lights_at_Dusk", "epub"]) == url.split("?")[0]


@pytest.mark.parametrize("fmt", ["epub", "html", "txt", "pdf"])
def test_each_format_is_an_attachment(client, fmt):
    work = make_work(title="Harbour Lights")
    response = _get(client, work, fmt)
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="Harbour_Lights.{fmt}"'
    assert response["Content-Type"] == FORMATS[fmt][1]
    body = b"".join(response.streaming_content)
    magic = {"epub": b"PK\x03\x04", "pdf": b"%PDF", "html": b"<!DOCTYPE html>", "txt": b"Harbour Lights"}
    assert body.startswith(magic[fmt])


def test_wrong_or_missing_timestamp_redirects_to_current_url(client):
    work = make_work(title="Harbour Lights")
    base = reverse("downloads:file", args=[work.pk, "Harbour_Lights", "epub"])
    for url in (
        base,
        f"{base}?updated_at=12345",
        reverse("downloads:file", args=[work.pk, "Old_Title", "epub"]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == services.download_url(work, "epub")


def test_changing_the_work_changes_the_url_and_the_file(client):
    work = make_work(title="Harbour Lights")
    first_url = services.download_url(work, "txt")
    first = b"".join(client.get(first_url).streaming_content)
    time.sleep(1.05)  # the URL carries whole seconds
    work.title = "Harbour Lights Again"
    work.save()
    second_url = services.download_url(work, "txt")
    assert second_url != first_url
    assert client.get(first_url).status_code == 302
    second = b"".join(client.get(second_url).streaming_content)
    assert b"Harbour Lights Again" in second and b"Harbour Lights Again" not in first


def test_drafts_and_hidden_works_are_404_even_for_creators(client):
    user = get_user_model().objects.create_user("tidewriter", password="pw-12345678")
    for flags in ({"draft": True}, {"hidden_by_admin": True}):
        work = make_work(**flags)
        Creatorship.objects.filter(work=work).update(
            pseud=user.pseuds.first() or user.pseuds.create(name="tidewriter")
        )
        work.refresh_from_db()
        assert permissions.can_view_work(user, work)  # the creator may read it...
        client.force_login(user)
        assert _get(client, work, "epub").status_code == 404  # ...but never download it
        client.logout()
        assert _get(client, work, "epub").status_code == 404


def test_restricted_works_need_a_login(client):
    work = make_work(restricted=True)
    response = _get(client, work, "epub")
    assert response.status_code == 302 and "login" in response["Location"]
    reader = get_user_model().objects.create_user("reader", password="pw-12345678")
    client.force_login(reader)
    assert _get(client, work, "epub").status_code == 200


def test_unknown_format_and_work_are_404(client):
    work = make_work()
    assert client.get(f"/downloads/{work.pk}/x.docx").status_code == 404
    assert client.get("/downloads/999999/x.epub").status_code == 404


def test_menu_links_every_format_and_marks_calibre_ones_unavailable(monkeypatch):
    work = make_work(title="Harbour Lights")
    monkeypatch.setattr(calibre, "ebook_convert", lambda: None)
    html = render_to_string("downloads/_menu.html", {"work": work})
    for fmt in ("epub", "pdf", "html", "txt"):
        assert f'href="{services.download_url(work, fmt)}"'.replace("&", "&amp;") in html
    assert "AZW3 (unavailable)" in html and "MOBI (unavailable)" in html
    assert ".azw3" not in html and ".mobi" not in html
    client = Client()
    response = client.get(services.download_url(work, "azw3"))
    assert response.status_code == 404 and b"calibre" in response.content


def test_no_menu_for_drafts():
    assert "Download" not in render_to_string("downloads/_menu.html", {"work": make_work(draft=True)})
    assert "Download" in render_to_string("downloads/_menu.html", {"work": make_work()})


def test_menu_links_calibre_formats_when_installed(monkeypatch):
    work = make_work(title="Harbour Lights")
    monkeypatch.setattr(calibre, "ebook_convert", lambda: "/usr/bin/ebook-convert")
    html = render_to_string("downloads/_menu.html", {"work": work})
    assert "unavailable" not in html and ".azw3?updated_at=" in html and ".mobi?updated_at=" in html


def test_slow_build_answers_503_and_builds_once(client, monkeypatch):
    work = make_work(title="Harbour Lights")
    release = threading.Event()
    calls = []
    real = services._builder

    def slow_builder(book, fmt, epub_path):
        build = real(book, fmt, epub_path)

        def run(tmp):
            calls.append(fmt)
            release.wait(10)
            build(tmp)

        return run

    monkeypatch.setattr(services, "_builder", slow_builder)
    monkeypatch.setattr(views, "BUILD_WAIT_SECONDS", 0.2)
    first = _get(client, work, "txt")
    second = _get(client, work, "txt")
    for response in (first, second):
        assert response.status_code == 503
        assert response["Retry-After"] == str(views.RETRY_AFTER_SECONDS)
        assert b"Preparing your download" in response.content
    release.set()
    monkeypatch.setattr(views, "BUILD_WAIT_SECONDS", 10)
    done = _get(client, work, "txt")
    assert done.status_code == 200
    assert calls == ["txt"]  # two waiting requests, one build


def test_hidden_creators_are_anonymous(client, monkeypatch):
    work = make_work(title="Harbour Lights", creators=["tidewriter"])
    monkeypatch.setattr(permissions, "creators_hidden", lambda w: True, raising=False)
    for fmt in ("txt", "html"):
        body = b"".join(_get(client, work, fmt).streaming_content).decode()
        assert "Anonymous" in body and "tidewriter" not in body
