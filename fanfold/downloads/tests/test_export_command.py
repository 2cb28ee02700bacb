"""fanfold export: ids to a folder, a query or a collection to a zip, clear errors."""

from __future__ import annotations

import json
import os
import zipfile

import pytest
from django.core.management import CommandError, call_command

from fanfold.downloads import calibre
from fanfold.downloads.tests.conftest import pdf_text
from fanfold.works.tests.factories import collection, make_work

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"


def test_ids_to_a_folder_named_like_the_download(tmp_path, capsys):
    first = make_work(title="Harbour Lights")
    second = make_work(title="A Gentleman of No Fixed Age")
    out = tmp_path / "books"
    call_command("export", str(first.pk), str(second.pk), "--format", "pdf", "-o", str(out))
    assert sorted(os.listdir(out)) == ["A_Gentleman_of_No_Fixed.pdf", "Harbour_Lights.pdf"]
    assert "Harbour Lights" in pdf_text(out / "Harbour_Lights.pdf")
    assert str(out / "Harbour_Lights.pdf") in capsys.readouterr().out


def test_query_to_a_zip_with_an_index(tmp_path):
    make_work(title="Harbour Lights", fandoms=["Naruto"], rating="Teen And Up Audiences")
    make_work(title="Gulls at Noon", fandoms=["Naruto"], rating="General Audiences")
    make_work(
        title="Elsewhere", fandoms=["Saltmarsh Almanac (Original Work)"], rating="Teen And Up Audiences"
    )
    make_work(title="Secret Draft", fandoms=["Naruto"], rating="Teen And Up Audiences", draft=True)
    target = tmp_path / "naruto.zip"
    call_command("export", "--query", "include=Naruto&rating=Teen And Up Audiences", "-o", str(target))
    with zipfile.ZipFile(target) as archive:
        names = sorted(archive.namelist())
        index = json.loads(archive.read("index.json"))
        page = archive.read("index.html").decode()
    assert names == ["Harbour_Lights.epub", "index.html", "index.json"]
    assert [w["title"] for w in index["works"]] == ["Harbour Lights"]
    assert 'href="Harbour_Lights.epub"' in page


def test_query_reads_every_page(tmp_path, monkeypatch):
    from fanfold.downloads.management.commands import export

    monkeypatch.setattr(export, "EXPORT_PAGE_SIZE", 1)
    for n in range(3):
        make_work(title=f"Tide Table {n}", fandoms=["Naruto"])
    target = tmp_path / "all.zip"
    call_command("export", "--query", "include=Naruto", "--format", "txt", "-o", str(target))
    with zipfile.ZipFile(target) as archive:
        assert json.loads(archive.read("index.json"))["count"] == 3


def test_collection_shortcut(tmp_path):
    make_work(title="Day Twenty-Four", collections=[collection("Whumptober", 24, "One down")])
    make_work(title="Not In It")
    target = tmp_path / "w.zip"
    call_command("export", "--collection", "whumptober", "--format", "html", "-o", str(target))
    with zipfile.ZipFile(target) as archive:
        assert "Day_Twenty-Four.html" in archive.namelist() and len(archive.namelist()) == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["999999", "-o", "{tmp}/x"], "no work with id 999999"),
        (["abc", "-o", "{tmp}/x"], "not a work id"),
        (["{id}", "--format", "docx", "-o", "{tmp}/x"], "unknown format"),
        (["{id}", "-o", "/proc/forbidden/x"], "cannot create"),
        (["--query", "include=Naruto", "-o", "{tmp}/x.epub"], "FILE.zip"),
        (["--collection", "nope", "-o", "{tmp}/x.zip"], "no collection named"),
        (["-o", "{tmp}/x"], "exactly one"),
        (["--query", "words_from=many", "-o", "{tmp}/x.zip"], "bad query"),
    ],
)
def test_clear_errors(tmp_path, args, message):
    work = make_work()
    args = [a.format(tmp=tmp_path, id=work.pk) for a in args]
    with pytest.raises(CommandError, match=message):
        call_command("export", *args)


def test_drafts_are_refused(tmp_path):
    work = make_work(draft=True)
    with pytest.raises(CommandError, match="cannot be exported"):
        call_command("export", str(work.pk), "-o", str(tmp_path))


def test_calibre_formats(tmp_path, monkeypatch):
    work = make_work(title="Harbour Lights")
    if calibre.ebook_convert() is None:
        with pytest.raises(CommandError, match="calibre"):
            call_command("export", str(work.pk), "--format", "azw3", "-o", str(tmp_path))
        pytest.skip("calibre's ebook-convert is not installed (Debian package calibre): AZW3/MOBI not built")
    call_command("export", str(work.pk), "--format", "azw3", "-o", str(tmp_path))
    call_command("export", str(work.pk), "--format", "mobi", "-o", str(tmp_path))
    assert (tmp_path / "Harbour_Lights.azw3").read_bytes()[60:68] == b"BOOKMOBI"
    assert (tmp_path / "Harbour_Lights.mobi").read_bytes()[60:68] == b"BOOKMOBI"
