"""TagIndex over the starter tag set: names, synonyms, ships, portmanteaus, fandom context (pure)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fanfold.tags.records import TagRecord
from fanfold.tags.resolver import CONFIDENCE, Resolved, TagIndex
from fanfold.tags.ships import ShipText
from fanfold.tags.tagset import load_tagset

STARTER = Path(__file__).resolve().parents[1] / "data" / "starter_tags.json"
NARUTO = "Naruto"


@pytest.fixture(scope="module")
def index() -> TagIndex:
    return TagIndex(load_tagset(STARTER.read_bytes(), "json"))


def ship(index: TagIndex, text: str, fandoms: tuple[str, ...] = ()) -> Resolved:
    return index.resolve_relationship(text, fandoms)


# --- relationships ---


def test_kakashi_sakura_without_fandom(index):
    resolved = ship(index, "Kakashi/Sakura")
    assert resolved.name == "Hatake Kakashi/Haruno Sakura"
    assert resolved.canonical is True
    assert resolved.fandoms == (NARUTO,)
    assert resolved.characters == ("Hatake Kakashi", "Haruno Sakura")
    assert resolved.confidence == CONFIDENCE["given_name"]


def test_header_with_portmanteaus_and_qualifier(index):
    split = index.split_relationships("hints of SasuSaku and NaruSaku + NaruSakuSasu")
    assert split == [
        ShipText("SasuSaku", "hints of"),
        ShipText("NaruSaku", "hints of"),
        ShipText("NaruSakuSasu", ""),  # "+" starts a new entry: the qualifier does not carry over
    ]
    assert [ship(index, s.text).name for s in split] == [
        "Haruno Sakura/Uchiha Sasuke",
        "Haruno Sakura/Uzumaki Naruto",
        "Haruno Sakura/Uchiha Sasuke/Uzumaki Naruto",
    ]


def test_split_mixed_header(index):
    split = index.split_relationships("Kakashi/Sakura, implied Naruto x Hinata; Sakura & Ino")
    assert split == [
        ShipText("Kakashi/Sakura"),
        ShipText("Naruto x Hinata", "implied"),
        ShipText("Sakura & Ino"),  # "&" between two people is a platonic ship, not a separator
    ]
    assert [ship(index, s.text).name for s in split] == [
        "Hatake Kakashi/Haruno Sakura",
        "Hyuuga Hinata/Uzumaki Naruto",
        "Haruno Sakura & Yamanaka Ino",
    ]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("SasuSaku & NaruSaku", [ShipText("SasuSaku"), ShipText("NaruSaku")]),
        ("Sakura & Ino & Hinata", [ShipText("Sakura & Ino & Hinata")]),
        ("past KakaObi, eventual KakaSaku", [ShipText("KakaObi", "past"), ShipText("KakaSaku", "eventual")]),
        ("Kakashi/Sakura (one-sided)", [ShipText("Kakashi/Sakura", "one-sided")]),
        ("SasuSaku if you squint", [ShipText("SasuSaku", "if you squint")]),
        ("pre-SasuSaku", [ShipText("SasuSaku", "pre-")]),
        ("implied past Kakashi/Obito", [ShipText("Kakashi/Obito", "implied past")]),
        ("Diluc/Kaeya | Venti/Xiao", [ShipText("Diluc/Kaeya"), ShipText("Venti/Xiao")]),
        ("mentions of Naruto/Hinata\nbackground Shikamaru/Temari", [
            ShipText("Naruto/Hinata", "mentions of"), ShipText("Shikamaru/Temari", "background")
        ]),
        # A whole known tag is never cut at its " | ".
        ("Tartaglia | Childe/Zhongli (Genshin Impact)", [ShipText("Tartaglia | Childe/Zhongli (Genshin Impact)")]),
        # A lone person beside a ship stays with it, so the text passes through as written.
        ("Kakashi/Sakura & Naruto", [ShipText("Kakashi/Sakura & Naruto")]),
        ("[Kakashi/Sakura].", [ShipText("Kakashi/Sakura")]),
        ("", []),
        (" ,, ; + ", []),
    ],
)  # fmt: skip
def test_split_relationships(index, raw, expected):
    assert index.split_relationships(raw) == expected


def test_platonic_is_a_different_tag(index):
    platonic = ship(index, "Sakura & Naruto")
    romantic = ship(index, "Sakura/Naruto")
    assert platonic.name == "Haruno Sakura & Uzumaki Naruto"
    assert romantic.name == "Haruno Sakura/Uzumaki Naruto"
    assert platonic.characters == romantic.characters == ("Haruno Sakura", "Uzumaki Naruto")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Sherlock x John", "Sherlock Holmes/John Watson"),  # the canonical tag's own order is kept
        ("John/Sherlock", "Sherlock Holmes/John Watson"),
        ("Johnlock", "Sherlock Holmes/John Watson"),
        ("Drarry", "Draco Malfoy/Harry Potter"),
        ("Harry Potter/Draco Malfoy", "Draco Malfoy/Harry Potter"),
        ("Remus × Sirius", "Sirius Black/Remus Lupin"),
        ("Reylo", "Kylo Ren/Rey"),
        ("Zutara", "Katara/Zuko (Avatar)"),
        ("SasuNaru", "Uchiha Sasuke/Uzumaki Naruto"),
        ("NaruHina", "Hyuuga Hinata/Uzumaki Naruto"),
        ("ItaSaku", "Haruno Sakura/Uchiha Itachi"),
        ("SasukexSakura", "Haruno Sakura/Uchiha Sasuke"),
        ("Naruto/Sasuke/Sakura", "Haruno Sakura/Uchiha Sasuke/Uzumaki Naruto"),
        ("Sakura x Naruto x Sasuke", "Haruno Sakura/Uchiha Sasuke/Uzumaki Naruto"),
        ("Aziraphale/Crowley", "Aziraphale/Crowley (Good Omens)"),  # Crowley alone is in two fandoms
        ("Sam/Dean", "Dean Winchester/Sam Winchester"),  # only Supernatural has both
        ("Sam/Gabriel", "Gabriel/Sam Winchester"),  # each name is in two or three fandoms; together in one
        ("Zhongli x Childe", "Tartaglia | Childe/Zhongli (Genshin Impact)"),
        ("Geralt/Jaskier/Yennefer", "Geralt z Rivii/Jaskier/Yennefer z Vengerbergu"),
        ("Sakura Haruno/Kakashi Hatake", "Hatake Kakashi/Haruno Sakura"),
        ("Kakashi-sensei/Sakura-chan", "Hatake Kakashi/Haruno Sakura"),
        ("Kakashi/Tenzou", "Hatake Kakashi/Yamato (Naruto)"),
        ("Sasuke/Sakura/Naruto (OT3)", "Haruno Sakura/Uchiha Sasuke/Uzumaki Naruto"),
    ],
)
def test_resolve_relationship(index, raw, expected):
    resolved = ship(index, raw)
    assert resolved.name == expected
    assert resolved.canonical is True


def test_portmanteau_of_a_ship_with_no_tag_yet_is_composed(index):
    resolved = ship(index, "KakaIno")
    assert resolved.name == "Hatake Kakashi/Yamanaka Ino"
    assert resolved.characters == ("Hatake Kakashi", "Yamanaka Ino")
    assert resolved.method == "portmanteau" and resolved.confidence == 0.9
    assert not index.is_known("relationship", resolved.name)


def test_composed_name_writes_a_shared_disambiguation_once(index):
    assert ship(index, "Link/Midna").name == "Link/Midna (Legend of Zelda)"
    assert ship(index, "Toph & Zuko").name == "Toph Beifong & Zuko"  # the existing tag, as it is written
    assert ship(index, "Toph/Zuko").name == "Toph Beifong/Zuko (Avatar)"  # composed: sorted


@pytest.mark.parametrize(
    "raw",
    [
        "Sakura/OC",  # an original character is not in the tag set
        "Malfoy/Potter",  # "Potter" is three characters
        "Sakura and Ino",  # "and" is no ship notation
        "Kakashi/Kakashi",
        "Saku",
    ],
)
def test_relationship_passes_through_when_not_sure(index, raw):
    assert ship(index, raw) == Resolved(raw, "relationship", False)


def test_relationship_within_work_fandoms(index):
    assert ship(index, "Sam/Dean", ("Supernatural",)).name == "Dean Winchester/Sam Winchester"
    # The work says Sherlock: Naruto's given names are not looked for there.
    assert ship(index, "Kakashi/Sakura", ("Sherlock (TV)",)).canonical is False
    # A fandom given by a synonym still counts.
    assert ship(index, "Kakashi/Sakura", ("Naruto Shippuden",)).name == "Hatake Kakashi/Haruno Sakura"


def test_relationship_tags_without_character_parents_are_read_from_their_names():
    records = [
        TagRecord("Naruto", "fandom"),
        TagRecord("Hatake Kakashi", "character", fandoms=("Naruto",)),
        TagRecord("Haruno Sakura", "character", fandoms=("Naruto",)),
        TagRecord("Hatake Kakashi/Haruno Sakura", "relationship", fandoms=("Naruto",)),
    ]
    resolved = TagIndex(records).resolve_relationship("Sakura x Kakashi")
    assert resolved.name == "Hatake Kakashi/Haruno Sakura"
    assert resolved.characters == ("Hatake Kakashi", "Haruno Sakura")


# --- characters, fandoms, additional tags ---


@pytest.mark.parametrize(
    ("tag_type", "raw", "fandoms", "name", "method"),
    [
        ("character", "Sakura Haruno", (), "Haruno Sakura", "synonym"),
        ("character", "haruno  SAKURA", (), "Haruno Sakura", "exact"),
        ("character", "Lee Rock", (), "Rock Lee", "name_order"),
        ("character", "Kakashi-sensei", (NARUTO,), "Hatake Kakashi", "given_name"),
        ("character", "Tsunade-sama", (), "Tsunade (Naruto)", "honorific"),
        ("character", "Yamato", (), "Yamato (Naruto)", "disambiguation"),
        ("character", "Tenzou", (), "Yamato (Naruto)", "synonym"),
        ("character", "Sakura (Naruto)", (), "Haruno Sakura", "given_name"),
        ("character", "Padfoot", (), "Sirius Black", "synonym"),
        ("character", "Sherlock", (), "Sherlock Holmes", "given_name"),
        ("character", "Bucky", (), 'James "Bucky" Barnes', "given_name"),
        ("character", "Mrs Hudson", (), "Mrs. Hudson", "case"),
        ("character", "Padme Amidala", (), "Padmé Amidala", "exact"),
        ("character", "Sam", ("Supernatural",), "Sam Winchester", "given_name"),
        ("character", "Sam", ("Stardew Valley",), "Sam (Stardew Valley)", "disambiguation"),
        ("character", "Uzumaki Naruto", ("Sherlock (TV)",), "Uzumaki Naruto", "exact"),  # a crossover
        ("fandom", "Harry Potter", (), "Harry Potter - J. K. Rowling", "synonym"),
        ("fandom", "good omens", (), "Good Omens (TV)", "disambiguation"),
        (
            "fandom",
            "BNHA",
            (),
            "僕のヒーローアカデミア | Boku no Hero Academia | My Hero Academia",
            "synonym",
        ),
        ("fandom", "Legend of Zelda", (), "The Legend of Zelda & Related Fandoms", "synonym"),
        ("additional", "h/c", (), "Hurt/Comfort", "synonym"),
        ("additional", "hurt-comfort", (), "Hurt/Comfort", "synonym"),
        ("additional", "Hurt and Comfort", (), "Hurt/Comfort", "synonym"),
        ("additional", "angst", (), "Angst", "exact"),
        ("additional", "AU", (), "Alternate Universe", "synonym"),
        ("additional", "modern au", (), "Alternate Universe - Modern Setting", "synonym"),
        ("additional", "flashback", (), "Flashbacks", "synonym"),
        ("additional", "Slow-burn", (), "Slow Burn", "case"),
        ("additional", "self-induced injures to escape", (), "Self-Induced Injuries to Escape", "typo"),
        ("additional", "hurt comfrot", (), "Hurt/Comfort", "typo"),
        (
            "warning",
            "Choose Not To Use Archive Warnings",
            (),
            "Creator Chose Not To Use Archive Warnings",
            "synonym",
        ),
    ],
)
def test_resolve(index, tag_type, raw, fandoms, name, method):
    resolved = index.resolve(tag_type, raw, fandoms)
    assert (resolved.name, resolved.canonical, resolved.method) == (name, True, method)
    assert resolved.confidence == CONFIDENCE[method]


def test_kakashi_sensei_in_naruto(index):
    resolved = index.resolve("character", "Kakashi-sensei", [NARUTO])
    assert resolved.name == "Hatake Kakashi" and resolved.fandoms == (NARUTO,)


@pytest.mark.parametrize(
    ("tag_type", "raw", "fandoms"),
    [
        ("additional", "gen", ()),  # the Gen category is mapped elsewhere; as a freeform it is unknown
        ("additional", "Original Female Character", ()),
        ("character", "Original Female Character", (NARUTO,)),
        ("character", "Sam", ()),  # Supernatural, Stardew Valley and Marvel all have a Sam
        ("character", "Potter", ()),
        ("character", "Kakashi", ("Sherlock (TV)",)),  # a given name only counts inside the work's fandoms
        ("additional", "Smot", ()),  # typos only in words of five letters or more
        ("additional", "Bluff", ()),  # ... and not in the first letter: "Bluff" is not "Fluff"
        ("additional", "Revenge Angst", ()),  # every word must match
        ("fandom", "Some Fandom Nobody Wrangled", ()),
        ("category", "Gen and stuff", ()),
        ("unsorted", "Anything", ()),
    ],
)
def test_unknown_passes_through_unchanged(index, tag_type, raw, fandoms):
    assert index.resolve(tag_type, raw, fandoms) == Resolved(raw, tag_type, False)


def test_unknown_text_is_only_cleaned(index):
    assert index.resolve("additional", "  Original   Female\tCharacter ").name == "Original Female Character"


def test_given_name_needs_ship_context_when_two_fandoms_share_it():
    records = [
        TagRecord("Naruto", "fandom"),
        TagRecord("Cardcaptor Sakura", "fandom"),
        TagRecord("Haruno Sakura", "character", fandoms=("Naruto",)),
        TagRecord("Hatake Kakashi", "character", fandoms=("Naruto",)),
        TagRecord("Kinomoto Sakura", "character", fandoms=("Cardcaptor Sakura",)),
        TagRecord("Li Syaoran", "character", fandoms=("Cardcaptor Sakura",)),
    ]
    index = TagIndex(records)
    assert index.resolve("character", "Sakura").canonical is False
    assert index.resolve("character", "Sakura", ["Cardcaptor Sakura"]).name == "Kinomoto Sakura"
    # No relationship tag exists here, so the name is composed: sorted alphabetically.
    assert index.resolve_relationship("Kakashi/Sakura").name == "Haruno Sakura/Hatake Kakashi"
    assert index.resolve_relationship("Syaoran/Sakura").name == "Kinomoto Sakura/Li Syaoran"
    assert index.resolve_relationship("Sakura/Sakura").canonical is False


def test_synonyms_may_come_as_separate_records():
    records = [
        TagRecord("Naruto Shippuden", "fandom", canonical=False, merger="Naruto"),  # before its merger
        TagRecord("Naruto", "fandom"),
        TagRecord("Hurt/Comfort", "additional"),
        TagRecord("h/c", "additional", canonical=False, merger="Hurt/Comfort"),
        TagRecord("Unwrangled Thing", "additional", canonical=False),  # no merger: not a canonical tag
    ]
    index = TagIndex(records)
    assert index.resolve("fandom", "Naruto Shippuden").name == "Naruto"
    assert index.resolve("additional", "H/C").name == "Hurt/Comfort"
    assert index.resolve("additional", "Unwrangled Thing").canonical is False
    assert len(index) == 2


def test_infer_fandoms_in_order_of_first_appearance(index):
    resolved = [
        index.resolve("additional", "Angst"),
        index.resolve_relationship("Sherlock x John"),
        index.resolve("character", "Original Female Character"),
        index.resolve_relationship("Kakashi/Sakura"),
        index.resolve("character", "Mycroft Holmes"),
        index.resolve("character", "Aziraphale"),
    ]
    assert index.infer_fandoms(resolved) == ["Sherlock (TV)", NARUTO, "Good Omens (TV)"]


# --- robustness and speed ---

# Ship-like text: names, notation and separators in any order.
SHIPPY = st.lists(
    st.sampled_from(
        ["Saku", "Sasu", "Naru", "Kakashi", "Sakura", "Sherlock", "John", "Sam", "/", "&", " & ", " x ", "x",
         "×", ",", ";", "+", "|", " | ", "(", ")", " and ", "hints of ", "pre-", "if you squint", "\n", "\t",
         "\\", '"', "é", "\u3042", " ", "-sensei", "(Naruto)", "", "-"]
    ),
    max_size=12,
).map("".join)  # fmt: skip
TYPES = st.sampled_from(["fandom", "character", "relationship", "additional", "rating", "warning", "nope"])
FANDOMS = st.lists(st.sampled_from([NARUTO, "Sherlock (TV)", "Naruto Shippuden", "", "??"]), max_size=3)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.one_of(st.text(max_size=80), SHIPPY), tag_type=TYPES, fandoms=FANDOMS)
def test_resolve_and_split_never_raise(index, raw, tag_type, fandoms):
    resolved = index.resolve(tag_type, raw, fandoms)
    assert isinstance(resolved, Resolved)
    assert 0.0 <= resolved.confidence <= 1.0
    for piece in index.split_relationships(raw):
        assert piece.text.strip()
        assert isinstance(index.resolve_relationship(piece.text, fandoms), Resolved)


def test_builds_ten_thousand_tags_quickly():
    records = []
    for f in range(200):
        fandom = f"Fandom Number {f}"
        records.append(TagRecord(fandom, "fandom", synonyms=(f"FN{f}",)))
        for c in range(30):
            records.append(
                TagRecord(f"Family{c} Given{f}x{c}", "character", fandoms=(fandom,), synonyms=(f"G{f}x{c}",))
            )
        for r in range(10):
            people = (f"Family{r} Given{f}x{r}", f"Family{r + 1} Given{f}x{r + 1}")
            records.append(TagRecord("/".join(people), "relationship", fandoms=(fandom,), characters=people))
        records.append(TagRecord(f"Freeform Tag {f}", "additional", synonyms=(f"freeform {f}",)))
    assert len(records) >= 8000
    started = time.perf_counter()
    index = TagIndex(records)
    built = time.perf_counter() - started
    assert built < 5.0, f"building took {built:.2f}s"  # about 0.3 s on a laptop
    assert index.resolve_relationship("Given3x1/Given3x2").name == "Family1 Given3x1/Family2 Given3x2"
    assert index.resolve("additional", "Freefrom Tag 7").name == "Freeform Tag 7"


def test_pure_modules_do_not_import_django():
    code = (
        "import sys; import fanfold.tags.resolver, fanfold.tags.tagset; "
        "sys.exit(1 if any(m == 'django' or m.startswith('django.') for m in sys.modules) else 0)"
    )
    root = Path(__file__).resolve().parents[3]
    assert subprocess.run([sys.executable, "-c", code], cwd=root, check=False).returncode == 0
