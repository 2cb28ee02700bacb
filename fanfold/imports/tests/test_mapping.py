"""From ParsedWork to WorkDraft: AO3's rating table, warnings, categories, tags, counts."""

from __future__ import annotations

import pytest

from fanfold.imports.mapping import convert_rating, to_draft
from fanfold.imports.parsed import ParsedChapter, ParsedCollection, ParsedWork


@pytest.mark.parametrize(
    ("raw", "rating"),
    [
        ("G", "General Audiences"),
        ("PG", "General Audiences"),
        ("K", "General Audiences"),
        ("K+", "General Audiences"),
        ("PG-13", "Teen And Up Audiences"),
        ("T", "Teen And Up Audiences"),
        ("Fiction T", "Teen And Up Audiences"),
        ("R", "Mature"),
        ("M", "Mature"),
        ("mature", "Mature"),
        ("NC-17", "Explicit"),
        ("MA", "Explicit"),
        ("Explicit", "Explicit"),
        ("PG-13 for language", "Teen And Up Audiences"),
        ("teen and up audiences", "Teen And Up Audiences"),
    ],
)
def test_rating_table(raw, rating):
    assert convert_rating(raw) == rating


def test_unknown_rating_is_not_rated_and_kept(starter_index):
    draft = to_draft(work(rating="spicy-ish"), starter_index)
    assert draft.rating == "Not Rated"
    assert draft.unmapped["Rating"] == "spicy-ish"


def test_ao3_rating_is_not_duplicated_in_unmapped(starter_index):
    draft = to_draft(work(rating="Mature"), starter_index)
    assert draft.rating == "Mature"
    assert "Rating" not in draft.unmapped


def work(**fields) -> ParsedWork:
    fields.setdefault("chapters", [ParsedChapter(body="<p>Some words here.</p>")])
    return ParsedWork(source_format="plaintext", title=fields.pop("title", "A Title"), **fields)


def test_defaults_as_ao3_importer(starter_index):
    draft = to_draft(work(), starter_index)
    assert draft.rating == "Not Rated"
    assert draft.warnings == ["Creator Chose Not To Use Archive Warnings"]
    assert draft.word_count == 3
    assert draft.complete is True and draft.chapters_expected == 1


def test_warnings_categories_and_genres(starter_index):
    draft = to_draft(
        work(
            warnings=["character death", "language"],
            categories=["slash", "het"],
            genres=["gen", "hurt/comfort", "angst"],
        ),
        starter_index,
    )
    assert draft.warnings == ["Major Character Death"]
    assert "Language" in draft.additional_tags or "language" in draft.additional_tags
    assert draft.unmapped["Warnings"] == "character death, language"
    assert draft.categories == ["Gen", "F/M", "M/M"]  # AO3's fixed order
    assert "Hurt/Comfort" in draft.additional_tags and "Angst" in draft.additional_tags


def test_relationship_characters_and_fandom_are_inferred(starter_index):
    draft = to_draft(work(relationships=["Kakashi/Sakura, Sakura & Naruto"]), starter_index)
    assert draft.relationships == ["Hatake Kakashi/Haruno Sakura", "Haruno Sakura & Uzumaki Naruto"]
    assert draft.fandoms == ["Naruto"]
    assert set(draft.characters) == {"Hatake Kakashi", "Haruno Sakura", "Uzumaki Naruto"}


def test_exact_tags_are_not_split_or_extended(starter_index):
    draft = to_draft(
        work(relationships=["Haruno Sakura/Uchiha Sasuke"], fandoms=["Naruto"], tags_are_exact=True),
        starter_index,
    )
    assert draft.relationships == ["Haruno Sakura/Uchiha Sasuke"]
    assert draft.characters == []


def test_japanese_is_counted_by_characters_and_detected(starter_index):
    draft = to_draft(work(chapters=[ParsedChapter(body="<p>雨が降っていた。</p>")]), starter_index)
    assert draft.language == "ja"
    assert draft.word_count == 7  # 雨 が 降 っ て い た


def test_prompt_words_become_additional_tags(starter_index):
    parsed = work(collections=[ParsedCollection("Whumptober 2021", 3, "Shaky hands", ["fever", "Angst"])])
    draft = to_draft(parsed, starter_index)
    assert draft.collections[0].prompt_tags[1] == "Angst"
    assert "fever" in draft.collections[0].prompt_tags[0].lower()
    assert "Angst" in draft.additional_tags


def test_html_fields_are_sanitised_again(starter_index):
    parsed = work(summary='<p onclick="x()">Hi<script>alert(1)</script></p>')
    assert to_draft(parsed, starter_index).summary == "<p>Hi</p>"


def test_language_names_become_codes(starter_index):
    assert to_draft(work(language="Deutsch"), starter_index).language == "de"
    assert to_draft(work(language="English"), starter_index).language == "en"
    odd = to_draft(work(language="Klingon"), starter_index)
    assert odd.language == "en" and odd.unmapped["Language"] == "Klingon"


def test_in_progress_from_chapter_counts(starter_index):
    draft = to_draft(work(chapters_expected=5), starter_index)
    assert draft.complete is False and draft.chapters_expected == 5
