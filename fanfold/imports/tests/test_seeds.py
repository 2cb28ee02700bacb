"""The two seed fics import with every field right (read from ../shared/seeds at run time)."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from fanfold.conftest import SEED_BREAK, SEED_WHUMPTOBER
from fanfold.imports.mapping import to_draft
from fanfold.imports.services import parse_bytes


def draft_of(seed_path, starter_index, name):
    path = seed_path(name)
    return to_draft(parse_bytes(path.read_bytes(), path.name), starter_index)


def test_seed_003_every_field(seed_path, starter_index):
    draft = draft_of(seed_path, starter_index, SEED_BREAK)
    assert draft.title == "This is How We Break"
    assert draft.creators == ["des_butterfly"]
    assert draft.categories == ["Gen"]
    assert draft.additional_tags == ["Angst"]
    assert draft.relationships == [
        "Haruno Sakura/Uchiha Sasuke",
        "Haruno Sakura/Uzumaki Naruto",
        "Haruno Sakura/Uchiha Sasuke/Uzumaki Naruto",
    ]
    assert draft.fandoms == ["Naruto"]
    assert set(draft.characters) == {"Haruno Sakura", "Uchiha Sasuke", "Uzumaki Naruto"}
    assert draft.rating == "General Audiences"
    assert draft.unmapped["Rating"] == "PG"
    assert draft.warnings == ["Creator Chose Not To Use Archive Warnings"]
    assert "Sakura still confides in him" in draft.summary
    assert draft.summary.startswith("<p>")
    assert len(draft.chapters) == 1
    assert draft.chapters[0].body.count('<hr class="scene-break">') == 2
    assert draft.language == "en"
    assert draft.complete is True
    # `wc -w` over the story gives 435: it counts one ellipsis-joined pair ("word…word") as one word.
    assert draft.word_count == draft.chapters[0].word_count == 436
    assert draft.source_format == "plaintext"


def test_seed_000_every_field(seed_path, starter_index):
    draft = draft_of(seed_path, starter_index, SEED_WHUMPTOBER)
    assert draft.title == "Whumptober, Day 24 - Kakashi/Sakura"
    assert draft.relationships == ["Hatake Kakashi/Haruno Sakura"]
    assert draft.fandoms == ["Naruto"]
    assert set(draft.characters) == {"Hatake Kakashi", "Haruno Sakura"}
    assert len(draft.collections) == 1
    whumptober = draft.collections[0]
    assert whumptober.name == "Whumptober"
    assert whumptober.prompt_day == 24
    assert whumptober.prompt_text == "One down, two to go"
    assert whumptober.prompt_tags == ["Self-Induced Injuries to Escape", "Flashbacks", "Revenge"]
    for tag in whumptober.prompt_tags:
        assert tag in draft.additional_tags
    assert draft.gifts == ["misschih"]
    assert "Requested by @misschih" in draft.notes
    assert draft.rating == "Not Rated"
    assert draft.warnings == ["Creator Chose Not To Use Archive Warnings"]
    assert len(draft.chapters) == 1
    body = draft.chapters[0].body
    assert "Prompt:" not in body and "Requested by" not in body
    assert draft.source_format == "challenge"


@pytest.mark.django_db
def test_dry_run_json_of_both_seeds(archive, seed_path, capsys):
    paths = [str(seed_path(SEED_WHUMPTOBER)), str(seed_path(SEED_BREAK))]
    call_command("import", *paths, dry_run=True, json=True)
    works = json.loads(capsys.readouterr().out)
    assert [w["title"] for w in works] == ["Whumptober, Day 24 - Kakashi/Sakura", "This is How We Break"]
    required = {
        "title", "creators", "rating", "warnings", "categories", "fandoms", "relationships", "characters",
        "additional_tags", "language", "summary", "notes", "end_notes", "series", "collections", "gifts",
        "chapters", "word_count", "complete", "published", "updated", "source_format", "unmapped",
    }  # fmt: skip
    for work in works:
        assert required <= set(work)
        assert all({"title", "word_count"} <= set(ch) for ch in work["chapters"])
    whump, brk = works
    assert whump["collections"][0]["prompt"] == {
        "day": 24,
        "text": "One down, two to go",
        "tags": ["Self-Induced Injuries to Escape", "Flashbacks", "Revenge"],
    }
    assert whump["gifts"] == ["misschih"]
    assert brk["unmapped"]["Rating"] == "PG"
    # The creator's own spelling of the prompt words is kept beside the wrangled tags.
    assert "injures" in whump["unmapped"]["Prompt (as written)"]
    from fanfold.works.models import Work

    assert Work.objects.count() == 0  # a dry run writes nothing


@pytest.mark.django_db
def test_import_writes_seeds_once(archive, seed_path, capsys):
    from fanfold.challenges.models import CollectionItem
    from fanfold.works.models import Work

    paths = [str(seed_path(SEED_WHUMPTOBER)), str(seed_path(SEED_BREAK))]
    call_command("import", *paths)
    assert "Imported 2, skipped 0, failed 0." in capsys.readouterr().out
    call_command("import", *paths)
    assert "Imported 0, skipped 2, failed 0." in capsys.readouterr().out
    assert Work.objects.count() == 2

    work = Work.objects.get(title="This is How We Break")
    names = {(t.type, t.name) for t in work.tags.all()}
    assert ("rating", "General Audiences") in names
    assert ("category", "Gen") in names
    assert ("relationship", "Haruno Sakura/Uchiha Sasuke") in names
    assert work.source_fields["Rating"] == "PG"
    assert [p.name for p in work.creator_pseuds] == ["des_butterfly"]
    assert work.creator_pseuds[0].user is None

    whump = Work.objects.get(title__startswith="Whumptober")
    item = CollectionItem.objects.select_related("collection", "prompt").get(work=whump)
    assert item.collection.title == "Whumptober"
    assert (item.prompt.day, item.prompt.text) == (24, "One down, two to go")
    assert sorted(t.name for t in item.prompt.tags.all()) == [
        "Flashbacks",
        "Revenge",
        "Self-Induced Injuries to Escape",
    ]
    assert [g.recipient_name for g in whump.gifts.all()] == ["misschih"]
    # Canonical tags from the starter set are reused, not duplicated.
    assert whump.tags.get(type="relationship").canonical
