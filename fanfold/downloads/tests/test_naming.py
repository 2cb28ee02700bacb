from __future__ import annotations

import pytest

from fanfold.downloads.naming import file_name, file_stem


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Lantern Festival", "Lantern_Festival"),
        # cut to 24 characters at a word boundary
        ("A Gentleman of No Fixed Age", "A_Gentleman_of_No_Fixed"),
        ("Whumptober, Day 24 - Kakashi/Sakura", "Whumptober_Day_24_-"),
        # entities decoded, accents transliterated, punctuation dropped
        ("Caf&eacute; &amp; Cr&egrave;me!", "Cafe_Creme"),
        ("Straße nach Nürnberg", "Strasse_nach_Nurnberg"),
        # one long word is cut at 24 characters
        ("Supercalifragilisticexpialidocious", "Supercalifragilisticexpi"),
        # nothing ASCII left, or too short: the work id
        ("雨の駅", "Work_7"),
        ("Ok", "Ok_Work_7"),
        ("", "Work_7"),
    ],
)
def test_file_stem_follows_ao3(title, expected):
    stem = file_stem(title, 7)
    assert stem == expected
    assert stem.isascii() and " " not in stem
    assert len(stem) <= 24 or stem.endswith("_Work_7")


def test_file_name_has_extension():
    assert file_name("Three Cups", 5, "epub") == "Three_Cups.epub"
