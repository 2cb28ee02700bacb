"""Plain-text parser: header blocks, challenge posts and bare text (pure; no database)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fanfold.core.html import SCENE_BREAK_HTML
from fanfold.imports.formats import plaintext
from fanfold.imports.parsed import ImportFailed, ParsedCollection, ParsedSeries

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEEDS = Path(__file__).resolve().parents[4] / "shared" / "seeds"  # /work/shared/seeds beside the checkout
SEED_CHALLENGE = "000_e0b2eccc26823695.txt"
SEED_HEADER = "003_97c62dbbae00b04f.txt"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def seed(name: str) -> bytes:
    path = SEEDS / name
    if not path.is_file():
        pytest.skip(f"seed files not found at {SEEDS}")
    return path.read_bytes()


def parse_text(text: str, filename: str = "story.txt"):
    return plaintext.parse(text.encode("utf-8"), filename)


# --- header block ------------------------------------------------------------------


def test_header_block_with_nbsp_variants_and_continuations():
    work = plaintext.parse(fixture("plain_header_nbsp.txt"), "plain_header_nbsp.txt")
    assert work.source_format == "plaintext"
    assert work.title == "The Lighthouse Keeper's Almanac"  # "TITLE:" + NBSP
    assert work.creators == ["quillfeather", "Moss", "Ivy"]  # split on "&" and " and "
    assert work.fandoms == ["Saltwater Chronicles", "Harbour Lights"]
    # One raw string per comma chunk; "Odile & the sea" is not split here.
    assert work.relationships == ["Wren/Odile", "mostly-implied Odile & the sea"]
    assert work.characters == ["Wren Halloway", "Odile Marsh", "Captain Bell"]
    assert work.rating == "PG-13"  # "Rating:PG-13", no space
    assert work.warnings == ["No Archive Warnings Apply"]
    assert work.genres == ["Romance", "Slice of Life"]
    assert work.categories == ["F/F"]
    assert work.additional_tags == ["lighthouses", "found family"]
    assert work.series == [ParsedSeries("Tides of Marrow", 2)]
    assert work.published == dt.date(2011, 3, 3)
    assert work.complete is False  # Status: WIP
    assert work.chapters_expected == 3  # Chapters: 1/3
    # The wrapped summary is one paragraph, all three lines of it.
    assert work.summary.startswith("<p>Wren keeps the light burning")
    assert "including the stranger who walks out of the fog.</p>" in work.summary
    assert work.summary.count("<p>") == 1
    assert "Gift for @harbourmistress!" in work.notes
    assert work.gifts == ["harbourmistress"]
    assert work.unmapped == {
        "Word count": "1,234",
        "Disclaimer": "The characters belong to nobody but the tide.",
        "Beta(s)": "saltandpepper",
        "Mood": "windswept",
    }
    assert len(work.chapters) == 1
    body = work.chapters[0].body
    assert body.startswith("<p>The lamp needed oil again.")
    assert "<em>patient</em>" in body
    assert body.count(SCENE_BREAK_HTML) == 1
    assert "Summary" not in body and "windswept" not in body


def test_crlf_and_windows_1252():
    work = plaintext.parse(fixture("plain_crlf_cp1252.txt"), "plain_crlf_cp1252.txt")
    assert work.title == "Café at the End of the Pier"
    assert work.creators == ["Juniper Vale"]  # "Written by"
    assert work.fandoms == ["Original Work"]
    assert work.relationships == ["Ada/Ren"]
    assert work.rating == "G"
    assert work.notes == "<p>Thank you to everyone who asked for more of these two.</p>"  # "Author’s Note"
    assert work.published == dt.date(2009, 7, 14)
    assert work.source_url == "https://example.org/fic/cafe-pier"
    assert work.complete is True
    body = work.chapters[0].body
    assert "\r" not in body
    assert body.startswith("<p>“Two coffees,” Ada said")
    assert body.count("<p>") == 2


def test_utf8_bom_and_values_kept_verbatim():
    work = plaintext.parse(fixture("plain_bom.txt"), "plain_bom.txt")
    assert work.title == "Paper Boats"  # no BOM glued to the first key
    assert work.creators == ["tidewater"]
    assert work.language == "English"
    assert work.complete is True
    assert work.gifts == ["paperfolder"]  # "Request for @paperfolder,"
    assert work.published is None
    assert work.source_url == ""
    assert work.unmapped == {
        "Prompt": "rain on a tin roof",  # not a challenge: kept, not a collection
        "Date": "the spring after the flood",  # unreadable date
        "Source": "my old journal",  # not a URL
    }
    assert work.collections == []
    assert work.chapters[0].body.count(SCENE_BREAK_HTML) == 1


@pytest.mark.parametrize(
    "line, attribute, expected",
    [
        ("Title: Driftwood", "title", "Driftwood"),
        ("title:Driftwood", "title", "Driftwood"),
        ("Title:\u00a0\u00a0Driftwood", "title", "Driftwood"),
        ("Writer: Kestrel", "creators", ["Kestrel"]),
        ("By: Kestrel and Finch", "creators", ["Kestrel", "Finch"]),
        ("Authors: Kestrel, Finch & Lark", "creators", ["Kestrel", "Finch", "Lark"]),
        ("Fandom(s): A; B", "fandoms", ["A", "B"]),
        ("Pairing(s): X/Y; hints of X/Z", "relationships", ["X/Y", "hints of X/Z"]),
        ("Ship: X x Y", "relationships", ["X x Y"]),
        ("Relationships: X & Y", "relationships", ["X & Y"]),
        ("Character(s): X, Y", "characters", ["X", "Y"]),
        ("RATING: NC-17", "rating", "NC-17"),
        ("Warnings: No warnings", "warnings", ["No Archive Warnings Apply"]),
        ("Warning: blood, swearing", "warnings", ["blood", "swearing"]),
        ("Genre: angst, gen", "genres", ["angst", "gen"]),
        ("Category: Gen", "categories", ["Gen"]),
        ("Additional Tags: fluff, hurt/comfort", "additional_tags", ["fluff", "hurt/comfort"]),
        ("Freeform: fluff", "additional_tags", ["fluff"]),
        ("Language: Deutsch", "language", "Deutsch"),
        ("Series: Salt Roads (Part 4)", "series", [ParsedSeries("Salt Roads", 4)]),
        ("Series: Salt Roads #4", "series", [ParsedSeries("Salt Roads", 4)]),
        ("Series: Salt Roads", "series", [ParsedSeries("Salt Roads", None)]),
        ("Posted: October 24, 2020", "published", dt.date(2020, 10, 24)),
        ("Published: 2020-10-24", "published", dt.date(2020, 10, 24)),
        ("Updated: 24 October 2020", "updated", dt.date(2020, 10, 24)),
        ("Status: Completed", "complete", True),
        ("Status: in progress", "complete", False),
        ("Chapters: 3/?", "chapters_expected", None),
        ("Chapters: 2/2", "complete", True),
        ("Chapters: 2/5", "complete", False),
        ("Recipient: @lark", "gifts", ["lark"]),
        ("Gift for: lark, finch", "gifts", ["lark", "finch"]),
        ("URL: https://example.org/a", "source_url", "https://example.org/a"),
        ("Author's Notes: thanks!", "notes", "<p>thanks!</p>"),
        ("A/N: thanks!", "notes", "<p>thanks!</p>"),
        ("AN: thanks!", "notes", "<p>thanks!</p>"),
    ],
)
def test_key_variants(line, attribute, expected):
    work = parse_text(f"Title: Placeholder\n{line}\n\nThe story begins here.\n")
    if attribute == "title":
        work = parse_text(f"{line}\nRating: G\n\nThe story begins here.\n")
    assert getattr(work, attribute) == expected
    assert work.chapters[0].body == "<p>The story begins here.</p>"


@pytest.mark.parametrize(
    "line, key, value",
    [
        ("Disclaimer: not mine", "Disclaimer", "not mine"),
        ("Wordcount: 500", "Wordcount", "500"),
        ("Length: 500 words", "Length", "500 words"),
        ("Spoilers: season 2", "Spoilers", "season 2"),
        ("Beta reader: Finch", "Beta reader", "Finch"),
        ("Feedback: always welcome", "Feedback", "always welcome"),
        ("Archive: ask first", "Archive", "ask first"),
        ("Dedication: to the harbour", "Dedication", "to the harbour"),
        ("Favourite Colour: teal", "Favourite Colour", "teal"),
        ("Status: on hiatus", "Status", "on hiatus"),
        ("Chapters: several", "Chapters", "several"),
    ],
)
def test_other_keys_are_kept_verbatim(line, key, value):
    work = parse_text(f"Title: Placeholder\n{line}\n\nThe story begins here.\n")
    assert work.unmapped == {key: value}


def test_continuation_lines_are_kept_with_newlines_and_blank_lines_between_entries():
    text = (
        "Title: Tidewater\n\n"
        "Author: Finch\n\n"
        "Disclaimer: These people are made up.\n"
        "So is the town.\n\n"
        "Rating: G\n\n\n"
        "Once there was a town.\n"
    )
    work = parse_text(text)
    assert work.creators == ["Finch"]
    assert work.rating == "G"
    assert work.unmapped == {"Disclaimer": "These people are made up.\nSo is the town."}
    assert work.chapters[0].body == "<p>Once there was a town.</p>"


def test_story_opening_with_dialogue_is_not_a_header_key():
    work = parse_text("Title: Tidewater\nRating: G\n\nMarrow: you came back.\n\nShe had.\n")
    assert work.unmapped == {}
    assert work.chapters[0].body.startswith("<p>Marrow: you came back.</p>")


def test_unlisted_key_between_listed_keys_stays_in_the_header():
    work = parse_text("Title: Tidewater\n\nWeather: stormy\n\nRating: G\n\nThe story.\n")
    assert work.unmapped == {"Weather": "stormy"}
    assert work.rating == "G"


def test_divider_ends_the_header():
    work = parse_text("Title: Tidewater\nRating: G\n~*~*~*~\nThe story.\n")
    assert work.rating == "G"
    assert work.chapters[0].body == "<p>The story.</p>"


def test_repeated_keys_gather_their_values():
    work = parse_text("Title: T\nDisclaimer: one\nDisclaimer: two\nNotes: a\nA/N: b\n\nStory.\n")
    assert work.unmapped == {"Disclaimer": "one\ntwo"}
    assert work.notes == "<p>a</p>\n<p>b</p>"


# --- challenge posts -----------------------------------------------------------------


def test_challenge_post_with_prompt_calendar():
    work = plaintext.parse(fixture("challenge_flufftober.txt"), "challenge_flufftober.txt")
    assert work.source_format == "challenge"
    assert work.title == "Flufftober 2021 Day #3: Mira & Tobin"
    assert work.collections == [
        ParsedCollection("Flufftober 2021", 3, "Lanterns", ["festival", "first kiss", "rain"])
    ]
    assert work.relationships == ["Mira & Tobin"]
    assert work.notes == "<p>Gift for @lanternkeeper. Late, but with love!</p>"
    assert work.gifts == ["lanternkeeper"]
    assert work.rating == "G"
    assert work.unmapped == {}
    body = work.chapters[0].body
    assert body.startswith("<p>The paper lanterns went up")
    assert "Prompt" not in body and "lanternkeeper" not in body


def test_challenge_post_without_event_keeps_prompt_unmapped():
    work = plaintext.parse(fixture("challenge_no_event.txt"), "challenge_no_event.txt")
    assert work.source_format == "challenge"
    assert work.title == "Small Hours"
    assert work.collections == []
    assert work.unmapped == {"Prompt": "the kettle that never boils"}
    assert (
        work.notes == "<p>For my sister, who drinks too much tea.</p>"
    )  # label alone, text on the next line
    assert work.gifts == []
    assert work.chapters[0].body.startswith("<p>At three in the morning")


def test_title_line_with_plain_header_keys_is_a_header_block():
    work = parse_text("Salt and Iron\nAuthor: Finch\nRating: T\n\nThe story.\n")
    assert work.source_format == "plaintext"
    assert work.title == "Salt and Iron"
    assert work.creators == ["Finch"]


@pytest.mark.parametrize(
    "title, name, day, ships",
    [
        ("Whumptober, Day 24 - Wren/Odile", "Whumptober", 24, ["Wren/Odile"]),
        ("Whumptober 2020 Day 24: Wren/Odile", "Whumptober 2020", 24, ["Wren/Odile"]),
        ("Flufftober day 3", "Flufftober", 3, []),
        ("Promptober — Day 12 — Ada/Ren", "Promptober", 12, ["Ada/Ren"]),
        ("Inktober Day #5 | Ada x Ren", "Inktober", 5, ["Ada x Ren"]),
        ("kinktober, 2019, day 31 - Ada & Ren", "Kinktober 2019", 31, ["Ada & Ren"]),
        ("Febuwhump Day 2", "Febuwhump", 2, []),
        ("Whumpril day 9: Buried", "Whumpril", 9, []),
        ("Whumptober No. 7", "Whumptober", 7, []),
    ],
)
def test_prompt_event_titles(title, name, day, ships):
    work = parse_text(f"{title}\n\nPrompt: Lost at sea (storm, shipwreck)\n\nThe story.\n")
    assert work.source_format == "challenge"
    assert work.collections == [ParsedCollection(name, day, "Lost at sea", ["storm", "shipwreck"])]
    assert work.relationships == ships
    assert work.unmapped == {}


@pytest.mark.parametrize("title", ["October, Day 3 - Ada/Ren", "Day 3 of the voyage", "Tober"])
def test_not_prompt_events(title):
    work = parse_text(f"{title}\n\nPrompt: storms\n\nThe story.\n")
    assert work.collections == []
    assert work.unmapped == {"Prompt": "storms"}


@pytest.mark.parametrize(
    "value, expected",
    [
        ("One down (a, b/c)", ("One down", ["a", "b", "c"])),
        ("Lanterns (festival,first kiss , rain)", ("Lanterns", ["festival", "first kiss", "rain"])),
        ("Buried alive | Trapped | Suffocation", ("Buried alive", ["Trapped", "Suffocation"])),
        ("Just one prompt", ("Just one prompt", [])),
        ("(only alternatives)", ("(only alternatives)", [])),
    ],
)
def test_parse_prompt(value, expected):
    assert plaintext.parse_prompt(value) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Requested by @misty_m I hope you like it", ["misty_m"]),
        ("Request for @ada.", ["ada"]),
        ("A gift for @ren! And written for @wren-b.", ["ren", "wren-b"]),
        ("for @lark, with thanks", ["lark"]),
        ("Thanks to @beta for reading", []),
        ("email me at someone@example.org", []),
    ],
)
def test_gifts_in_notes(text, expected):
    assert plaintext.gifts_in(text) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        ("Tides, Part 2", ParsedSeries("Tides", 2)),
        ("Tides (Part 2)", ParsedSeries("Tides", 2)),
        ("Tides #2", ParsedSeries("Tides", 2)),
        ("Tides - Book 3", ParsedSeries("Tides", 3)),
        ("Tides [4]", ParsedSeries("Tides", 4)),
        ("Part 2 of Tides", ParsedSeries("Tides", 2)),
        ("Tides", ParsedSeries("Tides", None)),
    ],
)
def test_parse_series(value, expected):
    assert plaintext.parse_series(value) == expected


def test_long_runs_of_spaces_stay_fast():
    work = parse_text("Title: T\nAuthor: Ada" + " " * 200_000 + "x\n\nStory.\n")
    assert work.creators == ["Ada x"]


# --- bare text -----------------------------------------------------------------------


def test_bare_text_takes_title_from_filename():
    work = plaintext.parse(fixture("the_quiet_harbour.txt"), "the_quiet_harbour.txt")
    assert work.source_format == "plaintext"
    assert work.title == "the quiet harbour"
    assert work.complete is True
    assert work.chapters[0].body.startswith("<p>The harbour was quiet")
    assert plaintext.sniff(fixture("the_quiet_harbour.txt"), "the_quiet_harbour.txt") == 10


@pytest.mark.parametrize(
    "filename, title",
    [
        ("my_great-fic.txt", "my great fic"),
        ("/some/dir/Salt--and__Iron.text", "Salt and Iron"),
        ("C:\\fics\\harbour_song.TXT", "harbour song"),
        ("000_e0b2eccc26823695.txt", "Untitled"),
        ("3f2a9c1d7b.txt", "Untitled"),
        ("", "Untitled"),
        ("a" * 60 + "z.txt", "a" * 60 + "z"),  # once a catastrophic backtrack in the hash check
    ],
)
def test_title_from_filename(filename, title):
    assert plaintext.title_from_filename(filename) == title


# --- sniff and failures ----------------------------------------------------------------


@pytest.mark.parametrize(
    "name, score",
    [
        ("plain_header_nbsp.txt", 80),
        ("plain_crlf_cp1252.txt", 80),
        ("plain_bom.txt", 80),
        ("challenge_flufftober.txt", 70),
        ("challenge_no_event.txt", 70),
        ("fanficfare_multi.txt", 0),
        ("fanficfare_single.txt", 0),
        ("ao3_single_chapter.html", 0),
    ],
)
def test_sniff_fixtures(name, score):
    if not (FIXTURES / name).is_file():
        pytest.skip(f"fixture {name} not present")
    assert plaintext.sniff(fixture(name), name) == score


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"   \n\n",
        b"\x00\x01\x02\x03" * 50,
        b"<!DOCTYPE html><html><body><p>Title: x</p></body></html>",
        b"---\ntitle: Tidewater\nauthor: Finch\n---\n\nThe story.\n",
    ],
)
def test_sniff_refuses(data):
    assert plaintext.sniff(data, "x.txt") == 0


def test_sniff_refuses_html_by_name():
    assert plaintext.sniff(b"Title: a\nAuthor: b\n\nstory", "work.html") == 0


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty"),
        (b" \n\t\n", "empty"),
        (b"\x00\x01\x02\x03" * 50, "binary"),
        (b"Title: Tidewater\nAuthor: Finch\n", "no story text"),
        (b"Tidewater\n\nPrompt: storms\nNotes: hi\n", "no story text"),
    ],
)
def test_parse_failures(data, message):
    with pytest.raises(ImportFailed, match=message):
        plaintext.parse(data, "x.txt")


# --- the seed files (read at run time, never copied) -----------------------------------


def test_seeds_path_is_beside_the_checkout():
    assert SEEDS.parts[-2:] == ("shared", "seeds")
    assert SEEDS.parent.parent == Path(__file__).resolve().parents[4]


def test_seed_header_block():
    data = seed(SEED_HEADER)
    assert plaintext.sniff(data, SEED_HEADER) == 80
    work = plaintext.parse(data, SEED_HEADER)
    assert work.source_format == "plaintext"
    assert work.title == "This is How We Break"
    assert work.creators == ["des_butterfly"]
    assert work.genres == ["angst", "gen"]
    assert work.relationships == ["hints of SasuSaku and NaruSaku + NaruSakuSasu"]
    assert work.rating == "PG"
    assert "Sakura still confides in him" in work.summary
    assert work.complete is True
    assert work.unmapped == {}
    assert len(work.chapters) == 1
    body = work.chapters[0].body
    assert body.count(SCENE_BREAK_HTML) == 2
    assert body.count("<p>") > 10
    assert "Summary" not in body and "des_butterfly" not in body


def test_seed_challenge_post():
    data = seed(SEED_CHALLENGE)
    assert plaintext.sniff(data, SEED_CHALLENGE) == 70
    work = plaintext.parse(data, SEED_CHALLENGE)
    assert work.source_format == "challenge"
    assert work.title == "Whumptober, Day 24 - Kakashi/Sakura"
    assert work.relationships == ["Kakashi/Sakura"]
    assert work.collections == [
        ParsedCollection(
            "Whumptober",
            24,
            "One down, two to go",
            ["self-induced injures to escape", "flashback", "revenge"],
        )
    ]
    assert "Requested by @misschih" in work.notes
    assert work.gifts == ["misschih"]
    assert work.unmapped == {}
    assert len(work.chapters) == 1
    body = work.chapters[0].body
    assert "Prompt" not in body and "One down" not in body
    assert "Requested by" not in body and "misschih" not in body
    assert body.count("<p>") > 10


# --- properties ------------------------------------------------------------------------

_KEYS = ["Title", "Author", "Pairing", "Rating", "Summary", "Prompt", "Notes", "A/N", "Series", "Date",
         "Chapters", "Status", "Warnings", "Whatever", "Beta(s)"]  # fmt: skip
_header_line = st.builds(
    lambda key, sep, value: f"{key}:{sep}{value}",
    st.sampled_from(_KEYS),
    st.sampled_from(["", " ", "\u00a0", "\u00a0 ", "\t"]),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=40),
)
_story_line = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=60),
    st.sampled_from(["", "", "* * *", "Whumptober 2020, Day 24 - A/B", "Prompt:x (a, b)"]),
)

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _only_import_failed(data: bytes, filename: str = "x.txt") -> None:
    score = plaintext.sniff(data, filename)
    assert isinstance(score, int) and 0 <= score <= 100
    try:
        work = plaintext.parse(data, filename)
    except ImportFailed as exc:
        assert "\n" not in str(exc)
        return
    assert len(work.chapters) == 1 and work.chapters[0].body.strip()
    assert work.title


@FUZZ
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_only_raise_import_failed(data):
    _only_import_failed(data)


@FUZZ
@given(st.text(max_size=2000), st.text(max_size=30))
def test_arbitrary_text_only_raises_import_failed(text, filename):
    _only_import_failed(text.encode("utf-8", errors="surrogatepass"), filename)


@FUZZ
@given(st.lists(_header_line, max_size=12), st.lists(_story_line, max_size=12), st.booleans())
def test_header_like_text_only_raises_import_failed(header, story, crlf):
    text = "\n".join(header) + "\n\n" + "\n".join(story)
    if crlf:
        text = text.replace("\n", "\r\n")
    _only_import_failed(text.encode("utf-8"))
