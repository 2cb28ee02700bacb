"""FanFicFare TXT parser (pure; no database). The fixtures mimic FanFicFare's txt writer."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fanfold.core.html import SCENE_BREAK_HTML
from fanfold.imports.formats import fanficfare
from fanfold.imports.parsed import ImportFailed, ParsedSeries

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEEDS = Path(__file__).resolve().parents[4] / "shared" / "seeds"  # /work/shared/seeds beside the checkout


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_fixtures_use_crlf():
    assert b"\r\n" in fixture("fanficfare_multi.txt")
    assert b"\r\n" in fixture("fanficfare_single.txt")


def test_multi_chapter_metadata():
    work = fanficfare.parse(fixture("fanficfare_multi.txt"), "fanficfare_multi.txt")
    assert work.source_format == "fanficfare"
    assert work.tags_are_exact is True
    assert work.title == "The Cartographer's Apprentices"
    assert work.creators == ["inkwell_and_quill"]
    assert work.fandoms == ["Compass Rose Academy", "Skyward Isles"]  # "A + B Crossover"
    assert work.genres == ["Adventure", "Friendship"]
    assert work.language == "English"
    # FanFiction.Net style: the bracketed group is a pairing, its names are characters too.
    assert work.characters == ["Lio T.", "Maren K.", "Professor Quade", "Dalia S."]
    assert work.relationships == ["Lio T./Maren K."]
    assert work.complete is True
    assert work.chapters_expected == 3
    assert work.published == dt.date(2014, 5, 2)
    assert work.updated == dt.date(2014, 8, 19)
    assert work.rating == "T"  # "Fiction T"
    assert work.warnings == ["Mild Peril"]
    # Wrapped at 78 columns, cut inside the URL: joined without a space.
    assert work.source_url == (
        "https://www.fanfiction.net/s/1234567/1/The-Cartographer-s-Apprentices-and-a-very-long-slug-for-wrapping"
    )
    # The wrapped summary is one paragraph; "Warning:" inside it is not a new entry,
    # and the hyphen textwrap broke at is rejoined.
    assert work.summary.count("<p>") == 1
    assert "redraws itself every night. Warning: contains a very smug cartographer" in work.summary
    assert "self-inflicted disaster involving ink." in work.summary
    assert work.warnings == ["Mild Peril"]
    assert work.unmapped == {
        "Packaged": "2023-01-07 10:15:42",
        "Words": "1,018",
        "Publisher": "www.fanfiction.net",
        "Author URL": "https://www.fanfiction.net/u/7654321/inkwell-and-quill",
    }


def test_multi_chapter_text():
    work = fanficfare.parse(fixture("fanficfare_multi.txt"), "fanficfare_multi.txt")
    assert [c.title for c in work.chapters] == [
        "Chapter 1: The Compass",
        "Chapter 2: A Map That Moves",
        "Chapter 3: Home by a Different Road with a Title Long Enough to Need Wrapping at Last",
    ]
    first, second, third = (c.body for c in work.chapters)
    # Soft wraps are joined into one paragraph; the "  " line end is a <br>.
    assert first.startswith(
        "<p>Lio found the compass at the bottom of a drawer that had not been opened in forty years,"
    )
    assert first.count("<p>") == 3
    assert "<p>Dear diary,<br>the compass points west.</p>" in first
    assert "<em>uphill</em>" in second and "<strong>impossible</strong>" in second
    assert second.count(SCENE_BREAK_HTML) == 1
    assert "<p>1. Nobody complained.</p>" in third  # html2text's "1\." unescaped
    for chapter in work.chapters:
        assert "TABLE OF CONTENTS" not in chapter.body
        assert "End file." not in chapter.body
        assert "Chapter " not in chapter.body
        assert chapter.notes == ""


def test_single_chapter_without_toc():
    work = fanficfare.parse(fixture("fanficfare_single.txt"), "fanficfare_single.txt")
    assert work.title == "Snowmelt"
    assert work.creators == ["Aster Finch", "R. Lowell"]
    assert work.series == [ParsedSeries("Four Seasons", 2)]
    assert work.fandoms == ["The Glass Orchard"]
    assert work.relationships == ["Senna Ilves/Tamsin Ode"]
    assert work.characters == ["Senna Ilves", "Tamsin Ode"]
    assert work.categories == ["F/M"]  # AO3 Categories, taken out of Genre
    assert work.genres == ["Angst", "Hurt/Comfort"]
    assert work.rating == "Teen And Up Audiences"
    assert work.warnings == ["No Archive Warnings Apply"]
    assert work.complete is False
    assert work.chapters_expected is None  # a WIP's chapter count is not its total
    assert work.published == dt.date(2020, 2, 1)
    assert work.updated is None
    assert work.source_url == "https://archiveofourown.org/works/99999999"
    # A blank line in the summary is a paragraph break; "Note:" after it stays in the summary.
    assert (
        work.summary == "<p>The thaw comes late to the orchard.</p>\n<p>Note: this is the second of four.</p>"
    )
    assert work.unmapped == {
        "Chapters": "1",
        "Words": "212",
        "Publisher": "archiveofourown.org",
        "Kudos": "12",
    }
    assert len(work.chapters) == 1
    assert work.chapters[0].title == "Snowmelt"
    assert work.chapters[0].body.startswith("<p>The first drip from the eaves woke Senna before dawn.")
    assert work.chapters[0].body.count("<p>") == 2


def test_lf_line_ends_parse_the_same():
    crlf = fanficfare.parse(fixture("fanficfare_multi.txt"))
    lf = fanficfare.parse(fixture("fanficfare_multi.txt").replace(b"\r\n", b"\n"))
    assert lf == crlf


def test_unwrapped_output_and_unknown_labels():
    """wrap_width 0: long lines, and a label FanFicFare users may add (kept verbatim)."""
    long_summary = "A very long summary. " * 8
    text = (
        "\n\n\nQuiet Water\n\nby Moss\n\n\n\n"
        "Category: Original\n"
        f"Genre: {'Drama, ' * 15}Fluff\n"
        "Status: In-Progress\n"
        "Packaged: 2024-01-01 00:00:00\n"
        "Story URL: https://example.org/s/1\n"
        f"Summary: {long_summary.strip()}\n"
        "Extra Tags: FanFiction\n"
        "\n\n\n\n\n\tOne\n\nThe pond was still.\n\n\nEnd file.\n"
    )
    work = fanficfare.parse(text.encode())
    assert work.genres == ["Drama", "Fluff"]
    assert work.summary == f"<p>{long_summary.strip()}</p>"
    assert work.unmapped == {"Packaged": "2024-01-01 00:00:00", "Extra Tags": "FanFiction"}
    assert [(c.title, c.body) for c in work.chapters] == [("One", "<p>The pond was still.</p>")]
    assert fanficfare.sniff(text.encode()) == 90


def test_toc_titles_that_do_not_match_fall_back_to_indented_headings():
    text = (
        "\n\n\nTwo Ponds\n\nby Moss\n\n\n\nCategory: Original\nPackaged: 2024-01-01 00:00:00\n"
        "Publisher: example.org\n\n\n\n\n\nTABLE OF CONTENTS\n\n\nFirst\n\nSecond\n\n\n\n"
        "\n\n        1. First\n\nOne pond.\n\n\n\n        2. Second\n\nTwo ponds.\n\n\nEnd file.\n"
    )
    work = fanficfare.parse(text.encode())
    assert [(c.title, c.body) for c in work.chapters] == [
        ("1. First", "<p>One pond.</p>"),
        ("2. Second", "<p>Two ponds.</p>"),
    ]


def test_byline_with_several_authors_and_long_space_runs():
    text = (
        "\n\n\nT\n\nby Ada, Ren & Wren and Lark"
        + " " * 200_000
        + "\n\n\n\nPackaged: x\n\n\n\n\tOne\n\nText.\n"
    )
    work = fanficfare.parse(text.encode())
    assert work.creators == ["Ada", "Ren", "Wren", "Lark"]
    assert work.chapters[0].body == "<p>Text.</p>"


@pytest.mark.parametrize(
    "value, characters, pairings",
    [
        (
            "[Sakura H., Sasuke U.] Naruto U.",
            ["Sakura H.", "Sasuke U.", "Naruto U."],
            ["Sakura H./Sasuke U."],
        ),
        ("[A, B] [C, D] E", ["A", "B", "C", "D", "E"], ["A/B", "C/D"]),
        ("[A, B, C]", ["A", "B", "C"], ["A/B/C"]),
        ("[A] B", ["A", "B"], []),
        ("A, B", ["A", "B"], []),
    ],
)
def test_ffn_characters(value, characters, pairings):
    assert fanficfare.split_ffn_characters(value) == (characters, pairings)


def test_sniff_scores():
    assert fanficfare.sniff(fixture("fanficfare_multi.txt")) == 95
    assert fanficfare.sniff(fixture("fanficfare_single.txt")) == 90
    for name in [
        "plain_header_nbsp.txt",
        "plain_crlf_cp1252.txt",
        "plain_bom.txt",
        "challenge_flufftober.txt",
    ]:
        assert fanficfare.sniff(fixture(name), name) == 0
    assert fanficfare.sniff(b"") == 0
    assert fanficfare.sniff(b"\x00\x01\x02" * 100) == 0


def test_sniff_zero_for_seeds():
    if not SEEDS.is_dir():
        pytest.skip(f"seed files not found at {SEEDS}")
    for path in sorted(SEEDS.glob("*.txt")):
        assert fanficfare.sniff(path.read_bytes(), path.name) == 0


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty"),
        (b"\x00\x01\x02\x03" * 50, "binary"),
        (b"\n\n\nTitle\n\nby Someone\n\n\n\nCategory: X\nPackaged: 2024-01-01\n\n\n\n", "no chapter text"),
    ],
)
def test_parse_failures(data, message):
    with pytest.raises(ImportFailed, match=message):
        fanficfare.parse(data)


# --- properties ------------------------------------------------------------------------

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_HEAD = fixture("fanficfare_multi.txt")[:1500].decode("utf-8")


def _only_import_failed(data: bytes) -> None:
    score = fanficfare.sniff(data)
    assert isinstance(score, int) and 0 <= score <= 100
    try:
        work = fanficfare.parse(data)
    except ImportFailed as exc:
        assert "\n" not in str(exc)
        return
    assert work.chapters and any(c.body for c in work.chapters)


@FUZZ
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_only_raise_import_failed(data):
    _only_import_failed(data)


@FUZZ
@given(st.text(max_size=2000))
def test_arbitrary_text_only_raises_import_failed(text):
    _only_import_failed(text.encode("utf-8", errors="surrogatepass"))


@FUZZ
@given(st.integers(0, len(_HEAD)), st.text(max_size=1000))
def test_truncated_and_mangled_files_only_raise_import_failed(cut, tail):
    _only_import_failed((_HEAD[:cut] + tail).encode("utf-8", errors="surrogatepass"))
