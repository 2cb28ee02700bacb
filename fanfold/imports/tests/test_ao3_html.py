"""AO3 HTML downloads: fixtures written for Fanfold (invented works), hostile input, fuzzing."""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fanfold.imports.formats import ao3_html
from fanfold.imports.parsed import ImportFailed, ParsedCollection, ParsedRelatedWork, ParsedSeries

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture(scope="module")
def two_chapters():
    return ao3_html.parse(fixture("ao3_two_chapters.html"), "The_Lamplighters_Ledger.html")


# --- detection -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["ao3_two_chapters.html", "ao3_single_chapter.html", "ao3_old_style.html"])
def test_sniff_recognises_downloads(name):
    assert ao3_html.sniff(fixture(name), name) >= 90


@pytest.mark.parametrize(
    "data",
    [b"", b"Title: Something\nAuthor: me\n\nOnce upon a time.", b"<html><body><p>Hello</p></body></html>"],
)
def test_sniff_ignores_other_files(data):
    assert ao3_html.sniff(data) < 50


# --- the preface ---------------------------------------------------------------------------------


def test_tags_land_in_their_fields(two_chapters):
    work = two_chapters
    assert work.source_format == "ao3_html"
    assert work.tags_are_exact is True
    assert work.rating == "Teen And Up Audiences"
    assert work.warnings == ["Graphic Depictions Of Violence", "Major Character Death"]
    assert work.categories == ["F/M", "Gen"]
    assert work.fandoms == ["The Lanternkeepers (Web Series)"]
    assert work.relationships == ["Maren Holt/Ilya Serrano", "Maren Holt & Tobias Wren"]
    assert work.characters == ["Maren Holt", "Ilya Serrano", "Tobias Wren"]
    assert work.additional_tags == ["Slow Burn", "Hurt/Comfort", "Lighthouses"]
    assert work.language == "English"


def test_title_creators_url(two_chapters):
    assert two_chapters.title == "The Lamplighter's Ledger"
    assert two_chapters.creators == ["quietharbor", "Wick (saltwick)"]
    assert two_chapters.source_url == "https://archiveofourown.org/works/90000001"


def test_series_and_collections(two_chapters):
    assert two_chapters.series == [ParsedSeries("Harbour Lights", 2), ParsedSeries("Tidewater Drabbles", 5)]
    assert two_chapters.collections == [
        ParsedCollection("Lantern Week 2020"),
        ParsedCollection("Coastal Fics"),
    ]


def test_stats(two_chapters):
    assert two_chapters.published == dt.date(2020, 10, 24)
    assert two_chapters.updated == dt.date(2020, 11, 2)
    assert two_chapters.chapters_expected == 3
    assert two_chapters.complete is False
    assert two_chapters.unmapped["Words"] == "1,234"
    assert two_chapters.unmapped["Kudos"] == "57"
    assert two_chapters.unmapped["Hits"] == "1,024"


def test_summary_and_notes_are_sanitised(two_chapters):
    assert "<em>Grey Coast</em>" in two_chapters.summary
    notes = two_chapters.notes
    assert "script" not in notes and "alert" not in notes
    assert 'class="center"' in notes and "align" not in notes
    # &nbsp; is read as a non-breaking space and survives sanitising.
    assert "day&nbsp;two" in notes


def test_related_works(two_chapters):
    assert two_chapters.related == [
        ParsedRelatedWork(
            "inspired_by", "Salt and Wicks", "https://archiveofourown.org/works/80000002", "brinewriter"
        ),
        ParsedRelatedWork(
            "translation_of", "Le Registre", "https://archiveofourown.org/works/80000003", "phare"
        ),
    ]


# --- chapters and afterword ----------------------------------------------------------------------


def test_chapters(two_chapters):
    first, second = two_chapters.chapters
    assert first.title == "The Unlisted Lamp"
    assert first.summary == "<p>A lamp burns where no lamp should be.</p>"
    assert first.notes == "<p>Thanks to my beta, Pell.</p>"
    assert first.end_notes == "<p>The lamp list is invented.</p>"
    assert first.body.startswith("<p>The ledger was bound in oilcloth")
    assert '<p class="center">*&nbsp;*&nbsp;*</p>' in first.body
    assert "<strong>soaked</strong>" in first.body
    assert second.title == ""  # "Chapter 2" has no title of its own
    assert second.summary == "" and second.end_notes == ""
    assert second.notes == "<p>A shorter one.</p>"
    assert '<div class="right">' in second.body


def test_afterword(two_chapters):
    assert two_chapters.end_notes == "<p>Come say hello on the Lantern Week forum.</p>"
    assert two_chapters.unmapped["Works inspired by this one"] == "The Other Ledger by kelpie"
    assert all("drop by the Archive" not in ch.body for ch in two_chapters.chapters)


def test_single_chapter_work():
    work = ao3_html.parse(fixture("ao3_single_chapter.html"))
    assert work.title == "Nine Knots"
    assert work.creators == ["ropewalker"]
    assert work.rating == "General Audiences"
    assert work.warnings == ["No Archive Warnings Apply"]  # singular label
    assert work.categories == ["Gen"]
    assert work.fandoms == ["The Lanternkeepers (Web Series)", "Deepwater Cartographers"]
    assert work.characters == ["Tobias Wren"]
    assert work.additional_tags == ["Knot-tying"]
    assert work.language == "Deutsch"
    assert work.source_url == "https://archiveofourown.org/works/90000002"  # ?updated_at dropped
    assert work.published == dt.date(2021, 3, 14) and work.updated is None
    assert work.complete is True and work.chapters_expected == 1
    assert [c.title for c in work.chapters] == [""]
    assert work.chapters[0].body.startswith("<p>The first knot was a bowline")
    assert "sheet bend&nbsp;—" in work.chapters[0].body
    assert work.notes == "" and work.end_notes == ""


def test_old_style_download():
    work = ao3_html.parse(fixture("ao3_old_style.html"))
    assert work.warnings == ["Choose Not To Use Archive Warnings", "Major Character Death"]
    assert work.categories == ["M/M", "Multi"]
    assert work.series == [ParsedSeries("Forecasts", 1)]
    assert work.updated == dt.date(2012, 7, 15)
    assert work.complete is True and work.chapters_expected == 3
    assert work.unmapped == {"Words": "9,876"}
    assert [c.title for c in work.chapters] == ["Low Pressure", "The Eye", "Clearing"]
    assert work.chapters[1].summary == "<p>Calm, briefly.</p>"
    assert work.chapters[1].end_notes == "<p>Short chapter, sorry!</p>"
    assert work.chapters[2].body == "<p>By morning the sky was scrubbed clean.</p>"
    assert work.notes == ""  # only the "see the end notes" link was there
    assert work.end_notes == "<p>Thank you for reading.</p>"


@pytest.mark.parametrize(
    ("heading", "title"),
    [
        ("Chapter 1: The Unlisted Lamp", "The Unlisted Lamp"),
        ("Chapter 12", ""),
        ("3. Clearing", "Clearing"),
        ("The Eye", "The Eye"),
        ("Chapter 4 - Low Tide", "Low Tide"),
    ],
)
def test_chapter_title(heading, title):
    assert ao3_html.chapter_title(heading) == title


# --- hostile and broken input --------------------------------------------------------------------


def assert_refused_quickly(data: bytes, match: str | None = None) -> None:
    start = time.monotonic()
    with pytest.raises(ImportFailed, match=match):
        ao3_html.parse(data)
    assert time.monotonic() - start < 5


def test_truncated_download_is_refused():
    data = fixture("ao3_two_chapters.html")
    assert_refused_quickly(data[: int(len(data) * 0.7)], "incomplete")


def test_deep_nesting_is_refused():
    head = fixture("ao3_single_chapter.html").split(b'<div id="chapters"')[0]
    data = head + b"<div>" * 10_000 + b"deep" + b"</div>" * 10_000 + b"</body></html>"
    assert_refused_quickly(data, "nested")


def test_element_flood_is_refused():
    assert_refused_quickly(b"<html><body>" + b"<i>" * 4_000_001, "elements")


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"   \n",
        b"\x00\x01\x02\x03" * 100,
        b"<html><body><p>Just a page.</p></body></html>",
        b"<html><body><div id='preface'><dl class='tags'></dl></div></body></html>",
    ],
)
def test_other_input_is_refused(data):
    assert_refused_quickly(data)


def test_external_references_are_not_fetched():
    # A DOCTYPE with an external subset and an entity must neither be fetched nor expanded.
    data = fixture("ao3_single_chapter.html").replace(
        b"<html",
        b'<!DOCTYPE html SYSTEM "http://127.0.0.1:9/evil.dtd" [<!ENTITY x SYSTEM "file:///etc/passwd">]><html',
        1,
    )
    data = data.replace(b"The first knot", b"&x; The first knot")
    work = ao3_html.parse(data)
    assert "root:" not in work.chapters[0].body


# --- fuzzing -------------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4096))
def test_arbitrary_bytes_only_raise_import_failed(data):
    assert 0 <= ao3_html.sniff(data) <= 100
    with contextlib.suppress(ImportFailed):
        ao3_html.parse(data)


_SAMPLE = fixture("ao3_two_chapters.html")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(0, len(_SAMPLE)),
    st.integers(0, len(_SAMPLE)),
    st.binary(max_size=64),
)
def test_damaged_downloads_only_raise_import_failed(start, end, junk):
    start, end = sorted((start, end))
    data = _SAMPLE[:start] + junk + _SAMPLE[end:]
    assert 0 <= ao3_html.sniff(data) <= 100
    try:
        work = ao3_html.parse(data)
    except ImportFailed:
        return
    assert work.chapters


def test_damaged_work_url_is_dropped_not_fatal():
    from fanfold.imports.formats.ao3_html import _work_url

    assert _work_url("http://[archiveofourown.org/works/1") == ""
    assert (
        _work_url("https://archiveofourown.org/works/1?updated_at=5&x=1")
        == "https://archiveofourown.org/works/1?x=1"
    )
