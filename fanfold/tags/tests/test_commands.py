"""`fanfold setup` and `fanfold tags load/export` against the database."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from fanfold.tags.models import Tag


@pytest.mark.django_db
def test_setup_is_idempotent(capsys):
    call_command("setup")
    first = Tag.objects.count()
    call_command("setup")
    assert Tag.objects.count() == first > 400
    assert Tag.objects.filter(type="rating", canonical=True).count() == 5
    assert Tag.objects.filter(type="warning", canonical=True).count() == 6
    assert Tag.objects.filter(type="category", canonical=True).count() == 6
    sakura = Tag.objects.get(type="character", name="Haruno Sakura")
    assert sakura.canonical and sakura.parents.filter(name="Naruto", type="fandom").exists()
    synonym = Tag.objects.get(type="character", name="Sakura Haruno")
    assert not synonym.canonical and synonym.merger == sakura


@pytest.mark.django_db
def test_export_then_load_round_trips(archive, tmp_path, capsys):
    Tag.objects.create(name="Lighthouses", type="additional", canonical=True)
    out = tmp_path / "tags.json"
    call_command("tags", "export", str(out))
    exported = json.loads(out.read_text())
    names = {entry["name"] for entry in exported["tags"]}
    assert {"Haruno Sakura", "Naruto", "Lighthouses"} <= names

    csv_out = tmp_path / "tags.csv"
    call_command("tags", "export", str(csv_out))
    Tag.objects.filter(name="Lighthouses").delete()
    call_command("tags", "load", str(csv_out))
    assert Tag.objects.get(name="Lighthouses").canonical


@pytest.mark.django_db
def test_load_reports_bad_files_clearly(archive, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "fanfold-tags", "version": 1, "tags": [{"type": "spaceship", "name": "X"}]}')
    with pytest.raises(CommandError, match=r"bad\.json"):
        call_command("tags", "load", str(bad))
    with pytest.raises(CommandError, match="cannot read"):
        call_command("tags", "load", str(tmp_path / "missing.json"))
    garbage = tmp_path / "garbage.json"
    garbage.write_bytes(b"\x00\xff not json")
    with pytest.raises(CommandError):
        call_command("tags", "load", str(garbage))
