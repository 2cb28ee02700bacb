"""PDF text (pdftotext), a page per chapter, non-Latin scripts; the preface and afterword in HTML and TXT."""

from __future__ import annotations

import pytest

from fanfold.challenges.models import Collection, CollectionItem, CollectionPrompt
from fanfold.core.html import html_to_text
from fanfold.downloads import services
from fanfold.downloads.content import build_book, first_paragraph_text
from fanfold.downloads.tests.conftest import SCRIPTS_BODY, pdf_text
from fanfold.imports.mapping import RelatedDraft
from fanfold.works.models import RelatedWork
from fanfold.works.tests.factories import chapter, make_work, series

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path


def _words(text: str) -> str:
    return " ".join(text.split())


def test_pdf_has_title_first_paragraph_and_a_page_per_chapter():
    work = make_work(
        title="Harbour Lights",
        chapters=[
            chapter("<p>The kettle sang twice before anyone moved.</p><p>Then the door.</p>", title="Kettle"),
            chapter("<p>Morning came grey over the marsh.</p>", title="Marsh"),
            chapter("<p>The last boat was late.</p>", title="Boats"),
        ],
    )
    text = pdf_text(services.build_file(work, "pdf"))
    assert "Harbour Lights" in text
    assert first_paragraph_text(build_book(work)) in _words(text)
    pages = text.split("\f")
    for heading in ("Chapter 1: Kettle", "Chapter 2: Marsh", "Chapter 3: Boats"):
        # The heading opens its page (pdftotext may put the page number's line first).
        starts = [p for p in pages if heading in p.strip().splitlines()[:2]]
        assert len(starts) == 1, f"{heading} does not start a page"


def test_pdf_covers_non_latin_scripts():
    work = make_work(title="雨の駅", language="ja", chapters=[chapter(SCRIPTS_BODY)])
    text = _words(pdf_text(services.build_file(work, "pdf")))
    for sample in ("天気雨の午後", "他们在车站等待着", "Они ждали на платформе", "비가 오는 오후"):
        assert sample in text
    # Arabic comes out of pdftotext in visual order; its letters must at least be there (not tofu).
    assert any("\u0600" <= ch <= "\u06ff" for ch in text)


def test_pdf_never_fetches_remote_images(monkeypatch):
    import urllib.request

    def refuse(*args, **kwargs):
        raise AssertionError("a download fetched a URL")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    work = make_work(
        chapters=[chapter('<p>Look: <img src="https://images.example.invalid/a.png" alt="a gull"></p>')]
    )
    assert "Look:" in pdf_text(services.build_file(work, "pdf"))


def test_preface_and_afterword_in_html_and_txt():
    parent = make_work(title="Salt and Rope", creators=["netmender"])
    work = make_work(
        title="Harbour Lights",
        creators=["tidewriter", "gullwing"],
        relationships=["Odile Marsh/Pell Rook"],
        series=[series("Tide Tables", 2)],
        summary="<p>Odile mends nets.</p>",
        notes="<p>For the harbour.</p>",
        end_notes="<p>Thank you for reading.</p>",
        gifts=["misschih"],
        related=[RelatedDraft("inspired_by", "", "", "")],
        chapters=[chapter(title="Nets"), chapter(title="Rope")],
        chapters_expected=3,
        complete=False,
    )
    RelatedWork.objects.filter(work=work).update(parent=parent)
    child = make_work(title="Gulls at Noon", creators=["seafoam"])
    RelatedWork.objects.create(work=child, parent=work, relation="inspired_by")
    prompt = CollectionPrompt.objects.create(
        collection=Collection.objects.create(name="whumptober", title="Whumptober"), day=24, text="One down"
    )
    CollectionItem.objects.create(collection=prompt.collection, work=work, prompt=prompt)

    html = services.build_file(work, "html").read_text()
    txt = services.build_file(work, "txt").read_text()
    for text in (_words(html_to_text(html)), txt):
        for expected in (
            "Harbour Lights",
            "Rating: General Audiences",
            "Relationship: Odile Marsh/Pell Rook",
            "Fandom: Saltmarsh Almanac (Original Work)",
            "Language: English",
            "Part 2 of Tide Tables",
            "Whumptober, Day 24: One down",
            "Chapters: 2/3",
            "by tidewriter, gullwing",
            "Odile mends nets.",
            "For the harbour.",
            "Chapter 2: Rope",
            "Thank you for reading.",
            "Gulls at Noon",
            "Salt and Rope",
            "misschih",
        ):
            assert expected in _words(text), expected
    assert f"/works/{work.pk}/" in html and f"/works/{child.pk}/" in html
    # The afterword comes after the last chapter.
    assert html.rindex("Thank you for reading.") > html.rindex("Chapter 2: Rope")
    assert txt.index("Gulls at Noon") > txt.index("Chapter 2: Rope")
