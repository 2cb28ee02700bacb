"""Suggestion quality on the labelled set, the set's shape, the metric arithmetic and `tags evaluate`."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from fanfold.core.management.commands.setup import STARTER_TAGSET_PATH
from fanfold.tags.evaluation import (
    DEFAULT_SUGGESTION_THRESHOLD,
    EvaluationError,
    Pair,
    evaluate,
    load_pairs,
    read_pairs,
)
from fanfold.tags.records import FANDOM
from fanfold.tags.resolver import TagIndex
from fanfold.tags.tagset import load_tagset

MIN_PRECISION = 0.95
MIN_RECALL = 0.80


@pytest.fixture(scope="module")
def pairs():
    return load_pairs()


@pytest.fixture(scope="module")
def starter_records():
    return load_tagset(STARTER_TAGSET_PATH.read_bytes(), "json")


def test_suggestions_meet_the_quality_bar(starter_index, pairs):
    report = evaluate(starter_index, pairs)
    total = report.total
    misses = "\n".join(
        f"{o.pair.tag_type} {o.pair.raw!r} -> {o.suggestion or '-'} (expected {o.pair.expected or '-'})"
        for o in report.misses
    )
    assert total.precision >= MIN_PRECISION, misses
    assert total.recall >= MIN_RECALL, misses


def test_labelled_set_is_large_and_spread_over_fandoms(pairs, starter_records):
    assert len(pairs) >= 300
    starter_fandoms = {r.name for r in starter_records if r.type == FANDOM}
    used = {name for pair in pairs for name in pair.fandoms}
    assert used <= starter_fandoms, used - starter_fandoms
    assert len(used) >= 10
    negatives = sum(1 for pair in pairs if not pair.expected)
    assert 0.10 <= negatives / len(pairs) <= 0.25


def test_raw_tags_are_not_already_names_or_synonyms_of_their_answer(pairs, starter_records):
    spellings: dict[tuple[str, str], set[str]] = {}
    for record in starter_records:
        target = record.name if record.canonical else record.merger
        if not target:
            continue
        known = spellings.setdefault((record.type, target), set())
        known.update(name.casefold() for name in (record.name, *record.synonyms))
    verbatim = [
        pair.raw
        for pair in pairs
        if pair.expected and pair.raw.casefold() in spellings.get((pair.tag_type, pair.expected), set())
    ]
    assert verbatim == []


def test_every_expected_answer_is_a_starter_tag(pairs, starter_index):
    unknown = [p.expected for p in pairs if p.expected and not starter_index.is_known(p.tag_type, p.expected)]
    assert unknown == []


def test_metric_arithmetic_on_hand_made_pairs():
    index = TagIndex(
        load_tagset(
            json.dumps(
                {
                    "format": "fanfold-tags",
                    "version": 1,
                    "tags": [
                        {"type": "fandom", "name": "Lantern Keepers"},
                        {"type": "character", "name": "Odile Marsh", "fandoms": ["Lantern Keepers"]},
                        {"type": "character", "name": "Odile Brann", "fandoms": ["Lantern Keepers"]},
                        {"type": "additional", "name": "Tidepools"},
                    ],
                }
            )
        )
    )
    keepers = ("Lantern Keepers",)
    hand_made = [
        Pair("character", "marsh, odile", keepers, "Odile Marsh"),  # suggested, right
        Pair("character", "Brann", keepers, "Odile Marsh"),  # suggested, wrong
        Pair("character", "Odile", keepers, "Odile Brann"),  # ambiguous: no suggestion, a miss
        Pair("additional", "tide-pools", (), ""),  # suggested where none was wanted: wrong
        Pair("additional", "Kelp Forests", (), ""),  # nothing suggested, nothing wanted
    ]
    report = evaluate(index, hand_made)
    total = report.total
    assert (total.suggestions, total.correct, total.expected) == (3, 1, 3)
    assert total.precision == pytest.approx(1 / 3)
    assert total.recall == pytest.approx(1 / 3)
    assert [o.pair.raw for o in report.misses] == ["Brann", "Odile", "tide-pools"]
    assert report.by_type()["additional"].suggestions == 1
    assert set(report.by_method()) == {"name_order", "given_name", "case"}


def test_threshold_decides_what_counts_as_a_suggestion(starter_index):
    given_name = [Pair("character", "Kakashi", ("Naruto",), "Hatake Kakashi")]
    assert evaluate(starter_index, given_name).total.correct == 1
    strict = evaluate(starter_index, given_name, threshold=0.99)
    assert (strict.total.suggestions, strict.total.recall) == (0, 0.0)
    assert DEFAULT_SUGGESTION_THRESHOLD <= 0.9


def test_a_ship_nobody_tagged_is_not_a_suggestion(starter_index):
    report = evaluate(starter_index, [Pair("relationship", "Kiba/Hinata", ("Naruto",), "")])
    assert report.total.suggestions == 0


def test_read_pairs_rejects_bad_files():
    with pytest.raises(EvaluationError, match="missing column"):
        read_pairs("type,raw\ncharacter,Kakashi\n")
    with pytest.raises(EvaluationError, match="line 2: unknown tag type"):
        read_pairs("type,raw,fandoms,expected\nspaceship,Kakashi,,\n")
    with pytest.raises(EvaluationError, match="no pairs"):
        read_pairs("type,raw,fandoms,expected\n")
    pairs = read_pairs(
        "type,raw,fandoms,expected\n"
        "character,Deku,僕のヒーローアカデミア | Boku no Hero Academia | My Hero Academia|Naruto,Midoriya Izuku\n"
    )
    assert pairs[0].fandoms == ("僕のヒーローアカデミア | Boku no Hero Academia | My Hero Academia", "Naruto")


def test_evaluate_command_prints_json_for_a_tagset_file():
    out = StringIO()
    call_command("tags", "evaluate", "--json", "--tagset", str(STARTER_TAGSET_PATH), stdout=out)
    result = json.loads(out.getvalue())
    assert {"pairs", "precision", "recall"} <= set(result) <= {"pairs", "precision", "recall", "by_type"}
    assert result["pairs"] == len(load_pairs())
    assert 0 <= result["recall"] <= result["precision"] <= 1
    assert set(result["by_type"]) == {"character", "relationship", "additional", "fandom"}


@pytest.mark.django_db
def test_evaluate_command_uses_the_archives_tags(archive, tmp_path):
    pairs = tmp_path / "pairs.csv"
    pairs.write_text("type,raw,fandoms,expected\ncharacter,Kakashi-sensei,Naruto,Hatake Kakashi\n", "utf-8")
    out = StringIO()
    call_command("tags", "evaluate", "--json", "--pairs", str(pairs), stdout=out)
    assert json.loads(out.getvalue())["precision"] == 1.0

    out = StringIO()
    call_command("tags", "evaluate", "--pairs", str(pairs), "--verbose", "--threshold", "1", stdout=out)
    text = out.getvalue()
    assert "precision 0.000, recall 0.000" in text
    assert "'Kakashi-sensei'" in text and "expected Hatake Kakashi" in text


@pytest.mark.django_db
def test_evaluate_command_refuses_missing_or_bad_files(tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        call_command("tags", "evaluate", "--pairs", str(tmp_path / "absent.csv"))
    bad = tmp_path / "bad.csv"
    bad.write_text("raw\nKakashi\n", "utf-8")
    with pytest.raises(CommandError, match="missing column"):
        call_command("tags", "evaluate", "--pairs", str(bad))
    with pytest.raises(CommandError, match="threshold"):
        call_command("tags", "evaluate", "--threshold", "lots")
    with pytest.raises(CommandError, match="no tags"):
        call_command("tags", "evaluate")


@pytest.mark.parametrize(
    ("tag_type", "raw", "fandoms", "expected"),
    [
        ("additional", "friends 2 lovers", (), "Friends to Lovers"),
        ("additional", "AU: high school", (), "Alternate Universe - High School"),
        ("additional", "Autumn Leaves", (), ""),  # starts with "au" but names no AU
        ("additional", "Tableau", (), ""),
        ("additional", "AU - Space Pirates", (), ""),  # an AU the archive has no tag for
        ("character", "Neville Longbotom", ("Harry Potter - J. K. Rowling",), "Neville Longbottom"),
        ("character", "Sokka Beifong", ("Avatar: The Last Airbender",), ""),  # no one-edit name
        ("character", "Obi-Wan", ("Star Wars - All Media Types",), "Obi-Wan Kenobi"),
        (
            "relationship",
            "Harry and Hermione",
            ("Harry Potter - J. K. Rowling",),
            "Harry Potter & Hermione Granger",
        ),
        ("relationship", "Sasuke and Naruto", ("Naruto",), ""),  # both "/" and "&" exist: unclear
        ("relationship", "KakaYama", ("Naruto",), "Hatake Kakashi/Yamato (Naruto)"),
    ],
)
def test_new_matchers_suggest_only_what_they_should(starter_index, tag_type, raw, fandoms, expected):
    (outcome,) = evaluate(starter_index, [Pair(tag_type, raw, fandoms, expected)]).outcomes
    assert outcome.suggestion == expected
