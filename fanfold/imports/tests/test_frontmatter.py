"""Markdown / HTML with YAML front matter: key variants, chapters, hostile YAML, fuzzing."""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fanfold.imports.formats import frontmatter
from fanfold.imports.formats.dates import parse_date
from fanfold.imports.parsed import ImportFailed, ParsedCollection, ParsedRelatedWork, ParsedSeries

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def parse_text(text: str, filename: str = "story.md"):
    return frontmatter.parse(text.encode("utf-8"), filename)


@pytest.fixture(scope="module")
def chaptered():
    return frontmatter.parse(fixture("frontmatter_chapters.md"), "frontmatter_chapters.md")


# --- detection -----------------------------------------------------------------------------------


def test_sniff():
    assert frontmatter.sniff(fixture("frontmatter_chapters.md")) == 90
    assert frontmatter.sniff(fixture("frontmatter_single.html")) == 90
    assert frontmatter.sniff(b"---\nfandom: X\nrating: G\n---\ntext") == 90
    assert frontmatter.sniff(b"---\nlayout: post\n---\ntext") == 20
    assert frontmatter.sniff(b"---\njust a rule, not YAML: [\n---\n") < 50
    assert frontmatter.sniff(b"Title: Something\n\nText") == 0
    assert frontmatter.sniff(fixture("ao3_single_chapter.html")) == 0


# --- metadata ------------------------------------------------------------------------------------


def test_lists_are_exact_tags(chaptered):
    work = chaptered
    assert work.source_format == "frontmatter"
    assert work.tags_are_exact is True
    assert work.title == "The Cartographer's Apprentice"
    assert work.creators == ["quietharbor", "saltwick"]
    assert work.fandoms == ["Deepwater Cartographers"]
    assert work.relationships == ["Osric Vale/Tam Lindqvist"]
    assert work.characters == ["Osric Vale", "Tam Lindqvist"]
    assert work.rating == "Teen And Up Audiences"
    assert work.warnings == ["No Archive Warnings Apply"]
    assert work.categories == ["M/M"]
    assert work.additional_tags == ["Apprenticeship", "Maps"]
    assert work.genres == ["Adventure"]
    assert work.language == "English"


def test_texts_dates_and_status(chaptered):
    work = chaptered
    assert work.summary == "<p>Tam is hired to ink the coastlines. Osric keeps <em>moving</em> them.</p>"
    assert work.notes.startswith("<p>Thanks to <strong>Pell</strong> for the beta.</p>")
    assert work.end_notes == "<p>Comments feed the cartographers.</p>"
    assert work.published == dt.date(2021, 5, 2)
    assert work.updated == dt.date(2021, 6, 3)
    assert work.chapters_expected == 4
    assert work.complete is False
    assert work.source_url == "https://archiveofourown.org/works/90000077"


def test_series_collections_gifts_related(chaptered):
    assert chaptered.series == [ParsedSeries("Drawn Coasts", 3)]
    assert chaptered.collections == [ParsedCollection("Mapmakers Week 2021")]
    assert chaptered.gifts == ["ropewalker"]
    assert chaptered.related == [
        ParsedRelatedWork(
            "inspired_by", "Salt and Wicks", "https://archiveofourown.org/works/80000002", "brinewriter"
        )
    ]


def test_unknown_keys_are_kept(chaptered):
    assert chaptered.unmapped == {
        "Words": "2,345",
        "beta": "Pell",
        "playlist": '["Sea Shanty No. 2", "The Drowned Bell"]',
    }


def test_markdown_chapters(chaptered):
    assert [c.title for c in chaptered.chapters] == ["Ink", "", "The Survey"]
    first, second, third = chaptered.chapters
    assert "<s>straight</s>" in first.body
    assert "<table>" in first.body and "<td>12 leagues</td>" in first.body
    assert "<h2>A scene heading inside the chapter</h2>" in first.body  # not a chapter break
    assert '<p class="center">* * *</p>' in first.body
    assert second.body == "<p>Osric moved the bay <span>again</span>.</p>"  # no onclick, no script
    assert third.body == "<p>The survey ended at the lighthouse.</p>"
    # The repeated title is dropped; the text before chapter 1 joins the work's notes.
    assert "A note before we start" in chaptered.notes
    assert all("Cartographer" not in c.body for c in chaptered.chapters)


def test_html_body_with_string_values():
    work = frontmatter.parse(fixture("frontmatter_single.html"), "frontmatter_single.html")
    assert work.tags_are_exact is False  # strings are free text for the mapping to split
    assert work.creators == ["isobar", "ropewalker"]
    assert work.relationships == ["Maren Holt/Ilya Serrano, Maren Holt & Tobias Wren"]
    assert work.characters == ["Maren Holt, Ilya Serrano"]
    assert work.additional_tags == ["fluff, low tide"]
    assert work.rating == "PG-13"
    assert work.warnings == ["none"]
    assert work.summary == "<p>They walk out at <em>low water</em>.</p>"
    assert work.complete is True
    assert work.published == dt.date(2019, 8, 30)
    assert work.series == [ParsedSeries("Tidewater Drabbles", 4)]
    assert work.source_url == ""
    assert work.unmapped == {"Words": "512", "source": "my notebook"}
    assert len(work.chapters) == 1
    body = work.chapters[0].body
    assert body.startswith("<p>The sea went out") and "<h1>" not in body
    assert '<p class="center">~</p>' in body


def test_mixed_lists_and_strings_split_strings():
    work = parse_text("---\ntitle: T\ntags: [Angst, Fluff]\ncharacters: Maren Holt, Tobias Wren\n---\nText.")
    assert work.tags_are_exact is True
    assert work.characters == ["Maren Holt", "Tobias Wren"]


@pytest.mark.parametrize(
    ("yaml_text", "field", "expected"),
    [
        ("creator: [A, B]", "creators", ["A", "B"]),
        ("ships: [A/B]", "relationships", ["A/B"]),
        ("relationship: A/B", "relationships", ["A/B"]),
        ("freeforms: [x]", "additional_tags", ["x"]),
        ("content_rating: Explicit", "rating", "Explicit"),
        ("lang: de", "language", "de"),
        ("ao3_link: https://example.org/works/1", "source_url", "https://example.org/works/1"),
        ("url: https://example.org/s/2", "source_url", "https://example.org/s/2"),
        ("date_updated: 2022-02-03", "updated", dt.date(2022, 2, 3)),
        ("published: 03/04/2020", "published", dt.date(2020, 3, 4)),
        ("complete: no", "complete", False),
        ("status: Completed", "complete", True),
        ("chapters: 2/?", "chapters_expected", None),
        ("recipients: [a, '@b']", "gifts", ["a", "b"]),
        ("end_note: '<p>bye</p>'", "end_notes", "<p>bye</p>"),
        ("series: [{name: S1, position: 1}, S2]", "series", [ParsedSeries("S1", 1), ParsedSeries("S2")]),
        ("series: Harbour\nseries_index: 7", "series", [ParsedSeries("Harbour", 7)]),
        (
            "translation_of: https://example.org/w/9",
            "related",
            [ParsedRelatedWork("translation_of", url="https://example.org/w/9")],
        ),
        (
            "inspired_by: Salt by brine",
            "related",
            [ParsedRelatedWork("inspired_by", "Salt", creator="brine")],
        ),
        ("Word Count: 99", "unmapped", {"Words": "99"}),
        ("chapters: 3", "unmapped", {"chapters": "3"}),
        ("extra: {a: 1}", "unmapped", {"extra": '{"a": 1}'}),
    ],
)
def test_key_variants(yaml_text, field, expected):
    work = parse_text(f"---\ntitle: T\n{yaml_text}\n---\nSome text.\n")
    assert getattr(work, field) == expected


def test_url_wins_over_a_note_and_named_authors():
    work = parse_text(
        "---\ntitle: T\nsource: my notebook\nao3_url: https://example.org/works/1\n"
        "authors: [{name: Ann, url: x}, Bo]\n---\nText."
    )
    assert work.source_url == "https://example.org/works/1"
    assert work.unmapped == {"source": "my notebook"}
    assert work.creators == ["Ann", "Bo"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2020-10-24", dt.date(2020, 10, 24)),
        ("2020-10-24T23:59:00+02:00", dt.date(2020, 10, 24)),
        ("2020/10/24", dt.date(2020, 10, 24)),
        ("10/24/2020", dt.date(2020, 10, 24)),
        ("24/10/2020", dt.date(2020, 10, 24)),
        ("24 October 2020", dt.date(2020, 10, 24)),
        ("Oct 24th, 2020", dt.date(2020, 10, 24)),
        ("Saturday, October 24, 2020", dt.date(2020, 10, 24)),
        (dt.datetime(2020, 10, 24, 5, 0), dt.date(2020, 10, 24)),
        ("2020-02-30", None),
        ("soon", None),
        (42, None),
    ],
)
def test_parse_date(value, expected):
    assert parse_date(value) == expected


def test_chapter_headings():
    text = "---\ntitle: T\n---\n## Prologue\n\nP.\n\n## Chapter One\n\nA.\n\n## 2. Second\n\nB.\n\n## Epilogue\n\nE.\n"
    work = parse_text(text)
    assert [c.title for c in work.chapters] == ["Prologue", "", "Second", "Epilogue"]
    assert [c.body for c in work.chapters] == ["<p>P.</p>", "<p>A.</p>", "<p>B.</p>", "<p>E.</p>"]


def test_one_chapter_heading_is_not_a_split():
    work = parse_text("---\ntitle: T\n---\n# Chapter 1\n\nOnly one.\n")
    assert len(work.chapters) == 1
    assert "Only one." in work.chapters[0].body


def test_title_falls_back_to_heading_then_filename():
    assert parse_text("---\nfandom: X\n---\n# Heading Title\n\nText.\n").title == "Heading Title"
    assert parse_text("---\nfandom: X\n---\nText.\n", "my_story.md").title == "my_story"


@pytest.mark.parametrize(
    ("heading", "title"),
    [
        ("Chapter 1: Ink", "Ink"),
        ("Chapter Two", ""),
        ("Chapter twenty-one - Tides", "Tides"),
        ("2. Title", "Title"),
        ("Epilogue", "Epilogue"),
        ("Chapter notes", None),
        ("A Scene", None),
    ],
)
def test_chapter_heading_title(heading, title):
    assert frontmatter.chapter_heading_title(heading) == title


# --- hostile and broken input --------------------------------------------------------------------


def assert_refused_quickly(data: bytes, match: str | None = None) -> None:
    start = time.monotonic()
    with pytest.raises(ImportFailed, match=match):
        frontmatter.parse(data, "x.md")
    assert time.monotonic() - start < 5
    assert 0 <= frontmatter.sniff(data) <= 100


ALIAS_BOMB = """---
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
title: boom
---
Text.
"""


def test_yaml_alias_bomb_is_refused():
    assert_refused_quickly(ALIAS_BOMB.encode(), "anchors or aliases")


def test_plain_anchor_is_refused():
    assert_refused_quickly(b"---\ntitle: &t T\nother: *t\n---\nText.", "anchors or aliases")


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("---\n- a\n- b\n---\nText.", "not a mapping"),
        ("---\njust a string\n---\nText.", "not a mapping"),
        ("---\n---\nText.", "empty"),
        ("---\ntitle: T\nText without a closing line.", "no closing"),
        ("---\ntitle: [unclosed\n---\nText.", "not valid YAML"),
        ("---\ntitle: !!python/object/apply:os.system ['true']\n---\nText.", "not valid YAML"),
        ("---\ndate: 2020-13-45\n---\nText.", "cannot read"),
        ("---\ntitle: T\n---\n", "no story text"),
        ("No front matter here.", "does not start"),
        ("---\nx: " + "[" * 5000 + "]" * 5000 + "\n---\nText.", "nested too deeply"),
    ],
)
def test_bad_front_matter_is_refused(text, match):
    assert_refused_quickly(text.encode(), match)


def test_oversized_front_matter_is_refused():
    text = "---\n" + "".join(f"k{i}: {'v' * 60}\n" for i in range(5000)) + "---\nText."
    assert_refused_quickly(text.encode(), "larger than 256 KiB")


def test_binary_is_refused():
    assert_refused_quickly(b"---\n\x00\x01\x02\x03" * 50)


# --- fuzzing -------------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2048))
def test_arbitrary_bytes_only_raise_import_failed(data):
    for candidate in (data, b"---\n" + data, b"---\ntitle: x\n---\n" + data):
        assert 0 <= frontmatter.sniff(candidate) <= 100
        with contextlib.suppress(ImportFailed):
            frontmatter.parse(candidate)


_YAMLISH = st.text(alphabet=st.sampled_from(list("abc:-[]{}&*!|>'\"#%@`,?\n 0123")), max_size=200)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_YAMLISH, st.text(max_size=300))
def test_arbitrary_yaml_only_raises_import_failed(yaml_text, body):
    data = f"---\n{yaml_text}\n---\n{body}".encode()
    assert 0 <= frontmatter.sniff(data) <= 100
    with contextlib.suppress(ImportFailed):
        frontmatter.parse(data)
