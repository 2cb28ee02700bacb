"""Tag set files: the starter set, JSON <-> CSV, and the errors operators see (pure)."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from fanfold.tags import vocabulary
from fanfold.tags.records import TagRecord
from fanfold.tags.tagset import TagsetError, dump_tagset, join_list, load_tagset, split_list

STARTER = Path(__file__).resolve().parents[1] / "data" / "starter_tags.json"
REQUIRED_FANDOMS = [
    "Naruto",
    "Harry Potter - J. K. Rowling",
    "Sherlock (TV)",
    "Good Omens (TV)",
    "Star Wars - All Media Types",
    "The Legend of Zelda & Related Fandoms",
    "Avatar: The Last Airbender",
    "Pride and Prejudice - Jane Austen",
    "僕のヒーローアカデミア | Boku no Hero Academia | My Hero Academia",
    "Stardew Valley (Video Game)",
    "Marvel Cinematic Universe",
    "Supernatural",
    "The Witcher (TV)",
    "Genshin Impact (Video Game)",
]


@pytest.fixture(scope="module")
def starter() -> list[TagRecord]:
    return load_tagset(STARTER.read_bytes(), "json")


def by_type(records: list[TagRecord], tag_type: str) -> dict[str, TagRecord]:
    return {r.name: r for r in records if r.type == tag_type and r.canonical}


# --- the starter set ---


def test_fixed_vocabulary_is_present_and_complete(starter):
    assert list(by_type(starter, "rating")) == list(vocabulary.RATINGS)
    assert list(by_type(starter, "warning")) == list(vocabulary.WARNINGS)
    assert list(by_type(starter, "category")) == ["Gen", "F/M", "M/M", "F/F", "Multi", "Other"]
    warning = by_type(starter, "warning")["Creator Chose Not To Use Archive Warnings"]
    assert warning.synonyms == ("Choose Not To Use Archive Warnings",)


def test_starter_fandoms_characters_and_ships(starter):
    fandoms = by_type(starter, "fandom")
    assert set(REQUIRED_FANDOMS) <= set(fandoms)
    assert all(fandoms[name].media for name in REQUIRED_FANDOMS)
    characters = by_type(starter, "character")
    per_fandom = Counter(f for c in characters.values() for f in c.fandoms)
    for name in REQUIRED_FANDOMS:
        assert 8 <= per_fandom[name] <= 40, name
    assert 20 <= per_fandom["Naruto"] <= 40
    for name in ["Haruno Sakura", "Uchiha Sasuke", "Uzumaki Naruto", "Hatake Kakashi", "Yamato (Naruto)",
                 "Tsunade (Naruto)", "Nara Shikamaru", "Uchiha Itachi", "Hyuuga Hinata", "Inuzuka Kiba",
                 "Sai (Naruto)", "Gaara (Naruto)"]:  # fmt: skip
        assert characters[name].fandoms == ("Naruto",)
    assert "Tenzou" in characters["Yamato (Naruto)"].synonyms
    assert "Padfoot" in characters["Sirius Black"].synonyms
    assert "Sherlock" not in characters["Sherlock Holmes"].synonyms  # given names are the resolver's job
    ships = by_type(starter, "relationship")
    assert ships["Sherlock Holmes/John Watson"].characters == ("Sherlock Holmes", "John Watson")
    assert "SasuSaku" in ships["Haruno Sakura/Uchiha Sasuke"].synonyms
    assert "Haruno Sakura & Uzumaki Naruto" in ships
    for record in ships.values():  # every ship's characters are in the set, in the ship's fandom
        assert len(record.characters) >= 2
        for character in record.characters:
            assert set(characters[character].fandoms) & set(record.fandoms), (record.name, character)
    additional = by_type(starter, "additional")
    assert len(additional) >= 60
    assert {"h/c", "hurt comfort", "Hurt and Comfort"} <= set(additional["Hurt/Comfort"].synonyms)
    assert "Flashback" in additional["Flashbacks"].synonyms
    assert "Self-Induced Injuries to Escape" in additional
    assert "Major Character Death" not in additional  # that one is an archive warning


def test_starter_file_is_in_dump_format(starter):
    """The file is written as dump_tagset writes it, so exports and the starter set diff cleanly."""
    assert dump_tagset(starter, "json") == STARTER.read_text(encoding="utf-8")


# --- round trips ---


def test_json_round_trip(starter):
    assert load_tagset(dump_tagset(starter, "json"), "json") == starter


def test_csv_round_trip(starter):
    text = dump_tagset(starter, "csv")
    assert text.splitlines()[0] == "type,name,canonical,merger,fandoms,characters,synonyms,media"
    assert load_tagset(text.encode("utf-8"), "csv") == starter
    assert load_tagset(dump_tagset(load_tagset(text, "csv"), "json"), "json") == starter


def test_csv_lists_keep_names_with_pipes():
    mha = "僕のヒーローアカデミア | Boku no Hero Academia | My Hero Academia"
    records = [
        TagRecord(mha, "fandom", media="Anime & Manga"),
        TagRecord("Genshin Impact (Video Game)", "fandom"),
        TagRecord("Midoriya Izuku", "character", fandoms=(mha,), synonyms=("Deku",)),
        TagRecord(
            "Tartaglia | Childe (Genshin Impact)", "character", fandoms=("Genshin Impact (Video Game)",)
        ),
        TagRecord("Zhongli (Genshin Impact)", "character", fandoms=("Genshin Impact (Video Game)",)),
        TagRecord(
            "Tartaglia | Childe/Zhongli (Genshin Impact)",
            "relationship",
            fandoms=("Genshin Impact (Video Game)",),
            characters=("Tartaglia | Childe (Genshin Impact)", "Zhongli (Genshin Impact)"),
            synonyms=("Zhongchi", "odd|name", 'back\\slash "quoted"'),
        ),
    ]
    text = dump_tagset(records, "csv")
    assert "Tartaglia | Childe (Genshin Impact)|Zhongli (Genshin Impact)" in text
    assert load_tagset(text, "csv") == records


@pytest.mark.parametrize(
    ("cell", "items"),
    [
        ("", ()),
        ("A|B", ("A", "B")),
        ("A | B", ("A | B",)),  # AO3's alternate names
        ("A|B | C|D", ("A", "B | C", "D")),
        ("A\\|B|C", ("A|B", "C")),
        ("A\\\\|B", ("A\\", "B")),
        (" A ||B ", ("A", "B")),
    ],
)
def test_split_list(cell, items):
    assert split_list(cell) == items


def test_join_list_inverts_split_list():
    names = ["A | B", "C|D", "E\\", "|F", "G |", "H"]
    assert split_list(join_list(names)) == tuple(names)


def test_hand_written_csv():
    text = (
        "\ufefftype,name,synonyms,fandoms,canonical\n"
        "# fandoms first\n"
        "fandom,Naruto,Naruto Shippuden,,\n"
        "\n"
        "character,Haruno Sakura,Sakura Haruno,Naruto,yes\n"
        'character,"Yamato (Naruto)",Tenzou|Tenzo,Naruto,TRUE\n'
    )
    records = load_tagset(text.encode("utf-8"), "csv")
    assert records == [
        TagRecord("Naruto", "fandom", synonyms=("Naruto Shippuden",)),
        TagRecord("Haruno Sakura", "character", fandoms=("Naruto",), synonyms=("Sakura Haruno",)),
        TagRecord("Yamato (Naruto)", "character", fandoms=("Naruto",), synonyms=("Tenzou", "Tenzo")),
    ]


def test_synonym_listed_on_its_own():
    document = {
        "format": "fanfold-tags",
        "version": 1,
        "tags": [
            {"type": "additional", "name": "h/c", "canonical": False, "merger": "Hurt/Comfort"},
            {"type": "additional", "name": "Hurt/Comfort"},
        ],
    }
    records = load_tagset(json.dumps(document), "json")
    assert records[0] == TagRecord("h/c", "additional", canonical=False, merger="Hurt/Comfort")
    assert records[1] == TagRecord("Hurt/Comfort", "additional")


# --- errors ---


def json_doc(*tags: dict) -> str:
    return json.dumps({"format": "fanfold-tags", "version": 1, "tags": list(tags)})


NARUTO = {"type": "fandom", "name": "Naruto"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (json_doc({"type": "ship", "name": "A/B"}), "entry 1 (\"A/B\"): unknown type 'ship'"),
        (json_doc(NARUTO, {"type": "additional", "name": "Angst, Fluff"}), "entry 2 (\"Angst, Fluff\"): "),
        (json_doc({"type": "additional", "name": "x" * 151}), "151 characters long"),
        (json_doc({"type": "additional", "name": ""}), "entry 1: the name is empty"),
        (json_doc({"type": "additional", "name": "h/c", "canonical": False, "merger": "Hurt/Comfort"}),
         "entry 1 (\"h/c\"): the merger 'Hurt/Comfort' is not a canonical additional"),
        (json_doc({"type": "character", "name": "Haruno Sakura", "fandoms": ["Naruto"]}),
         "entry 1 (\"Haruno Sakura\"): unknown fandom 'Naruto'"),
        (json_doc(NARUTO, {"type": "relationship", "name": "A/B", "fandoms": ["Naruto"], "characters": ["A", "B"]}),
         "unknown character 'A'"),
        (json_doc(NARUTO, {"type": "fandom", "name": "NARUTO"}), "entry 2 (\"NARUTO\"): duplicate fandom"),
        (json_doc(NARUTO, {"type": "fandom", "name": "Naruto Shippuden", "synonyms": ["Naruto"]}),
         "duplicate fandom 'Naruto' (already in entry 1"),
        (json_doc({"type": "additional", "name": "Angst", "synonyms": ["angst!", "Angst!"]}), "listed twice"),
        (json_doc({"type": "additional", "name": "Angst", "merger": "Fluff"}), "a canonical tag has no merger"),
        (json_doc({"type": "additional", "name": "Angst", "media": "TV Shows"}), "only fandoms have a media"),
        (json_doc({"type": "fandom", "name": "Naruto", "characters": ["X"]}), "only relationships have characters"),
        (json_doc({"type": "rating", "name": "PG-13"}), "'PG-13' is not one of AO3's rating tags"),
        (json_doc({"type": "additional", "name": "Angst", "synonym": ["sad"]}), "unknown key 'synonym'"),
        (json_doc({"type": "additional", "name": "Angst", "canonical": "yes"}), "must be true or false"),
        (json_doc({"type": "additional", "name": "Angst", "synonyms": "sad"}), "must be a list"),
        ('{"format": "fanfold-tags", "version": 2, "tags": []}', "unsupported version 2"),
        ('{"format": "other", "version": 1, "tags": []}', '"format" must be "fanfold-tags"'),
        ('{"format": "fanfold-tags", "version": 1, "tags": [}', "not valid JSON (line 1"),
        ("[]", "expected a JSON object"),
    ],
)  # fmt: skip
def test_json_errors_name_the_entry(text, message):
    with pytest.raises(TagsetError) as error:
        load_tagset(text, "json")
    assert message in str(error.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("type,name,colour\nfandom,Naruto,red\n", "line 1: unknown column 'colour'"),
        ("name,canonical\nNaruto,true\n", 'line 1: the columns "type" and "name" are required'),
        (
            "type,name\nfandom,Naruto\nfandom,naruto\n",
            "line 3: duplicate fandom 'naruto' (already in line 2)",
        ),
        ("type,name,canonical\nfandom,Naruto,maybe\n", "line 2: canonical must be true or false"),
        ("type,name\nfandom,Naruto,extra\n", "line 2: 3 fields"),
        (
            "type,name,fandoms\nfandom,Naruto,\ncharacter,Lee,Naruto|Bleach\n",
            "line 3: unknown fandom 'Bleach'",
        ),
        ("type,name\nwarning,Violence\n", "line 2: 'Violence' is not one of AO3's warning tags"),
        ('type,name\nadditional,"Angst, Fluff"\n', "line 2: the name 'Angst, Fluff' contains a comma"),
        ("", "the CSV file is empty"),
    ],
)
def test_csv_errors_name_the_line(text, message):
    with pytest.raises(TagsetError) as error:
        load_tagset(text, "csv")
    assert message in str(error.value)


def test_bad_bytes_and_unknown_format():
    with pytest.raises(TagsetError, match="not UTF-8"):
        load_tagset(b"type,name\nfandom,\xff\n", "csv")
    with pytest.raises(TagsetError, match="unknown tag set format"):
        load_tagset("{}", "yaml")
    with pytest.raises(TagsetError, match="unknown tag set format"):
        dump_tagset([], "yaml")


def test_empty_tag_set_dumps_and_loads():
    assert load_tagset(dump_tagset([], "json"), "json") == []
    assert load_tagset(dump_tagset([], "csv"), "csv") == []


def test_examples_in_the_docs_load():
    docs = (Path(__file__).resolve().parents[3] / "docs" / "tag-sets.md").read_text(encoding="utf-8")
    from_json = load_tagset(re.search(r"```json\n(.*?)```", docs, re.DOTALL).group(1), "json")
    from_csv = load_tagset(re.search(r"```csv\n(.*?)```", docs, re.DOTALL).group(1), "csv")
    assert sorted(from_json, key=repr) == sorted(from_csv, key=repr)
