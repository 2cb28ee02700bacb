"""The grown starter tag set: its breadth, its internal consistency, and how it loads and resolves."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from fanfold.core.text import normalize_key
from fanfold.tags.models import Tag
from fanfold.tags.records import TagRecord
from fanfold.tags.services import ensure_fixed_tags, load_records
from fanfold.tags.tagset import load_tagset

STARTER = Path(__file__).resolve().parents[1] / "data" / "starter_tags.json"

HAIKYUU = "ハイキュー!! | Haikyuu!!"
JUJUTSU_KAISEN = "呪術廻戦 | Jujutsu Kaisen (Manga)"
ATTACK_ON_TITAN = "進撃の巨人 | Shingeki no Kyojin | Attack on Titan"
TEEN_WOLF = "Teen Wolf (TV)"
DOCTOR_WHO = "Doctor Who"
LORD_OF_THE_RINGS = "The Lord of the Rings - J. R. R. Tolkien"
DRAGON_AGE = "Dragon Age (Video Games)"
OUR_FLAG_MEANS_DEATH = "Our Flag Means Death (TV)"
PERCY_JACKSON = "Percy Jackson and the Olympians - Rick Riordan"
NEW_FANDOMS = [
    HAIKYUU,
    JUJUTSU_KAISEN,
    ATTACK_ON_TITAN,
    TEEN_WOLF,
    DOCTOR_WHO,
    LORD_OF_THE_RINGS,
    DRAGON_AGE,
    OUR_FLAG_MEANS_DEATH,
    PERCY_JACKSON,
]


@pytest.fixture(scope="module")
def starter() -> list[TagRecord]:
    return load_tagset(STARTER.read_bytes(), "json")


def canonical(records: list[TagRecord], tag_type: str) -> dict[str, TagRecord]:
    return {r.name: r for r in records if r.type == tag_type and r.canonical}


def test_spans_at_least_twenty_canonical_fandoms_each_with_a_medium(starter):
    fandoms = canonical(starter, "fandom")
    assert len(fandoms) >= 20
    assert set(NEW_FANDOMS) <= set(fandoms)
    assert all(fandoms[name].media for name in NEW_FANDOMS)
    # books, TV, anime and games are all represented
    assert {"Books & Literature", "TV Shows", "Anime & Manga", "Video Games"} <= {
        f.media for f in fandoms.values()
    }


def test_new_fandoms_have_main_characters_and_ships(starter):
    characters = canonical(starter, "character")
    ships = canonical(starter, "relationship")
    characters_per_fandom = Counter(f for c in characters.values() for f in c.fandoms)
    ships_per_fandom = Counter(f for s in ships.values() for f in s.fandoms)
    for name in NEW_FANDOMS:
        assert 10 <= characters_per_fandom[name] <= 20, name
        assert 5 <= ships_per_fandom[name] <= 10, name
        platonic = [s for s in ships.values() if name in s.fandoms and " & " in s.name]
        assert platonic, f"{name} has no platonic relationship"


def test_japanese_names_are_family_name_first_with_the_western_order_as_synonym(starter):
    characters = canonical(starter, "character")
    assert "Shouyou Hinata" in characters["Hinata Shouyou"].synonyms
    assert "Satoru Gojou" in characters["Gojou Satoru"].synonyms
    assert characters["Hinata Shouyou"].fandoms == (HAIKYUU,)
    # The other Hinata keeps her own fandom: a shared given name is not a shared tag.
    assert characters["Hyuuga Hinata"].fandoms == ("Naruto",)


def test_fandom_abbreviations_are_synonyms(starter):
    fandoms = canonical(starter, "fandom")
    assert {"HQ", "Haikyuu!!"} <= set(fandoms[HAIKYUU].synonyms)
    assert "JJK" in fandoms[JUJUTSU_KAISEN].synonyms
    assert {"SnK", "AoT", "SnK/AoT", "Attack on Titan"} <= set(fandoms[ATTACK_ON_TITAN].synonyms)


def test_every_ship_names_canonical_characters_of_its_own_fandoms(starter):
    characters = canonical(starter, "character")
    ships = canonical(starter, "relationship")
    assert len(ships) > 150
    for ship in ships.values():
        assert len(ship.characters) >= 2, ship.name
        assert ship.fandoms, ship.name
        for name in ship.characters:
            assert name in characters, (ship.name, name)
            assert set(characters[name].fandoms) & set(ship.fandoms), (ship.name, name)


def test_no_name_is_defined_twice_within_a_type():
    # Read the raw file rather than the loader's result, so this holds even if validation loosened.
    entries = json.loads(STARTER.read_text(encoding="utf-8"))["tags"]
    exact = Counter((e["type"], e["name"]) for e in entries)
    assert [key for key, count in exact.items() if count > 1] == []
    # The database keeps one tag per normalised name and type, synonyms included.
    keys = Counter(
        (e["type"], normalize_key(name)) for e in entries for name in [e["name"], *e.get("synonyms", [])]
    )
    assert [key for key, count in keys.items() if count > 1] == []


@pytest.mark.django_db
def test_loads_into_the_database_with_parents_and_synonyms(starter):
    ensure_fixed_tags()
    counts = load_records(starter)
    assert counts["created"] > 600
    assert load_records(starter)["created"] == 0  # loading again changes nothing

    assert Tag.objects.filter(type="fandom", canonical=True).count() >= 20
    kagehina = Tag.objects.get(type="relationship", name="Hinata Shouyou/Kageyama Tobio")
    assert kagehina.canonical
    assert set(kagehina.parents.values_list("type", "name")) == {
        ("fandom", HAIKYUU),
        ("character", "Hinata Shouyou"),
        ("character", "Kageyama Tobio"),
    }
    synonym = Tag.objects.get(type="relationship", name="KageHina")
    assert not synonym.canonical and synonym.merger == kagehina
    snk = Tag.objects.get(type="fandom", name="SnK")
    assert snk.merger is not None and snk.merger.name == ATTACK_ON_TITAN
    assert Tag.objects.get(type="fandom", name=ATTACK_ON_TITAN).media == "Anime & Manga"


@pytest.mark.parametrize(
    "raw, fandoms, expected",
    [
        ("KageHina", (), "Hinata Shouyou/Kageyama Tobio"),
        ("Kageyama x Hinata", (), "Hinata Shouyou/Kageyama Tobio"),
        ("Bokuto/Akaashi", (), "Akaashi Keiji/Bokuto Koutarou"),
        ("Gojo/Geto", (), "Gojou Satoru/Getou Suguru"),
        ("Yuji/Megumi", (), "Fushiguro Megumi/Itadori Yuuji"),
        ("Levi/Eren", (), "Eren Yeager/Levi"),
        ("Eren x Levi", (), "Eren Yeager/Levi"),
        ("Sterek", (), "Derek Hale/Stiles Stilinski"),
        ("Sam/Frodo", (), "Frodo Baggins/Samwise Gamgee"),  # the only Sam with a Frodo
        ("Stede/Ed", (OUR_FLAG_MEANS_DEATH,), "Edward Teach/Stede Bonnet (Our Flag Means Death)"),
        ("Nico/Will", (), "Nico di Angelo/Will Solace"),
        ("Dorian/Bull", (), "Dorian Pavus/Iron Bull (Dragon Age)"),
    ],
)
def test_new_ships_resolve_to_their_canonical_relationship(starter_index, raw, fandoms, expected):
    resolved = starter_index.resolve_relationship(raw, fandoms)
    assert resolved.name == expected
    assert resolved.canonical is True


def test_platonic_new_ship_stays_platonic(starter_index):
    assert starter_index.resolve_relationship("Stiles & Scott").name == "Scott McCall & Stiles Stilinski"
    # No romantic tag exists, so "/" composes one rather than borrowing the platonic tag.
    assert starter_index.resolve_relationship("Stiles/Scott").name == "Scott McCall/Stiles Stilinski"


def test_shared_given_name_uses_the_fandom(starter_index):
    assert starter_index.resolve("character", "Hinata", [HAIKYUU]).name == "Hinata Shouyou"
    assert starter_index.resolve("character", "Hinata", ["Naruto"]).name == "Hyuuga Hinata"
    assert starter_index.resolve("character", "Hinata").canonical is False  # two fandoms share it
