"""Every book Fanfold makes passes epubcheck with no errors and no warnings.

One JVM checks them all (demo works, both seeds, awkward test works); a broken book in the same
batch proves the check can fail.
"""

from __future__ import annotations

import zipfile

import pytest
from django.core.management import call_command

from fanfold.conftest import SEED_BREAK, SEED_WHUMPTOBER
from fanfold.downloads import services
from fanfold.downloads.tests.conftest import AWKWARD_BODY, SCRIPTS_BODY, epubcheck_many
from fanfold.works.models import Work
from fanfold.works.tests.factories import chapter, make_work, series


def _awkward_works() -> list[Work]:
    many = make_work(
        title="Forty Small Chapters",
        chapters=[
            chapter(
                f"<p>Part {n} of the story.</p><p>Second paragraph {n}.</p>",
                title=f"Step {n}" if n % 3 else "",
            )
            for n in range(1, 41)
        ],
        series=[series("Tide Tables", 2)],
        notes="<p>Notes with a <a href='#x'>fragment link</a>.</p>",
        end_notes="<p>Thanks&nbsp;for reading.</p>",
    )
    awkward = make_work(
        title="Markup From 2009",
        summary='<p align="left">A summary with <font>font</font>',
        chapters=[
            chapter(
                AWKWARD_BODY, title="Old markup", summary="<p>sum</p>", notes="<p>n</p>", end_notes="<p>e</p>"
            ),
            chapter(AWKWARD_BODY, title="The same again"),
        ],
    )
    scripts = make_work(title="雨の駅", language="ja", chapters=[chapter(SCRIPTS_BODY)])
    rtl = make_work(title="Тихий дождь", language="ru", chapters=[chapter(SCRIPTS_BODY)])
    return [many, awkward, scripts, rtl]


@pytest.mark.django_db
def test_every_book_passes_epubcheck(archive, seed_path, tmp_path, settings):
    settings.DATA_DIR = tmp_path
    call_command("demo")
    call_command("import", str(seed_path(SEED_WHUMPTOBER)), str(seed_path(SEED_BREAK)))
    imported = list(Work.objects.order_by("pk"))
    assert len(imported) >= 12  # ten demo works and the two seeds
    works = imported + _awkward_works()
    books = [services.build_file(work, "epub") for work in works]

    # A control: the same kind of book with XHTML that epubcheck must refuse.
    broken = tmp_path / "broken.epub"
    with zipfile.ZipFile(books[0]) as good, zipfile.ZipFile(broken, "w") as bad:
        for info in good.infolist():
            data = good.read(info)
            if info.filename.endswith("preface.xhtml"):
                data = data.replace(b"<h1>", b'<h1 align="center">&nbsp;', 1)
            bad.writestr(info, data)

    results = epubcheck_many([*books, broken])
    assert results[str(broken)]["errors"] + results[str(broken)]["fatal"] > 0
    failures = {
        path: counts
        for path, counts in results.items()
        if path not in {str(broken), "_messages"}
        and (counts["errors"] or counts["warnings"] or counts["fatal"])
    }
    assert not failures, f"{failures}\n{results['_messages']}"


@pytest.mark.django_db
def test_epub_package_metadata(tmp_path, settings):
    settings.DATA_DIR = tmp_path
    work = make_work(
        title="Harbour Lights",
        series=[series("Tide Tables", 3)],
        additional_tags=["Found Family", "Slow Burn"],
        chapters=[chapter(title="One"), chapter(title="Two")],
    )
    with zipfile.ZipFile(services.build_file(work, "epub")) as book:
        names = book.namelist()
        assert names[0] == "mimetype" and book.getinfo("mimetype").compress_type == zipfile.ZIP_STORED
        opf = book.read("EPUB/content.opf").decode()
        nav = book.read("EPUB/nav.xhtml").decode()
        assert "META-INF/fanfold.json" in names
    assert 'version="3.0"' in opf
    assert opf.count('property="dcterms:modified"') == 1
    stamp = work.modified_at.astimezone(__import__("datetime").UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert f">{stamp}</meta>" in opf
    assert '<meta name="calibre:series" content="Tide Tables">' in opf
    assert '<meta name="calibre:series_index" content="3">' in opf
    assert opf.count('name="generator"') == 1
    for tag in ("General Audiences", "Found Family", "Slow Burn", "Saltmarsh Almanac (Original Work)"):
        assert f"<dc:subject>{tag}</dc:subject>" in opf
    assert 'epub:type="toc"' in nav and "Chapter 2: Two" in nav
    # The identifier is stable: a new version of the work keeps it.
    identifier = opf.split('id="id">')[1].split("<")[0]
    assert identifier.startswith("urn:uuid:")
    Work.objects.filter(pk=work.pk).update(title="Harbour Lights, Revised")
    work.refresh_from_db()
    work.save()
    with zipfile.ZipFile(services.build_file(work, "epub")) as book:
        assert identifier in book.read("EPUB/content.opf").decode()
