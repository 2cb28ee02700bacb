"""`fanfold import`: folders, bad input, exit status, all-or-nothing writes."""

from __future__ import annotations

import json
import zipfile

import pytest
from django.core.management import call_command

from fanfold.imports.models import ImportRecord
from fanfold.works.models import Chapter, Work

STORY = """Title: The Lighthouse Keeper's Ledger
Author: tidewatcher
Fandom: Original Work
Rating: PG-13
Summary: A keeper counts the ships that never come.

The lamp was lit at six, as it had been every night for thirty years.

Marta wrote the date in the ledger and then, after a moment, the weather.
"""


def run_import(*args, **options):
    """Run the command; return its exit status (0 unless it called sys.exit)."""
    try:
        call_command("import", *args, **options)
    except SystemExit as exc:
        return exc.code
    return 0


@pytest.mark.django_db
def test_folder_is_imported_recursively(archive, tmp_path, capsys):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "one.txt").write_text(STORY)
    (tmp_path / "two.txt").write_text(STORY.replace("Ledger", "Logbook").replace("six", "seven"))
    (tmp_path / "picture.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")  # not picked up from a folder
    assert run_import(str(tmp_path)) == 0
    assert "Imported 2, skipped 0, failed 0." in capsys.readouterr().out
    work = Work.objects.get(title="The Lighthouse Keeper's Ledger")
    assert work.tags.get(type="rating").name == "Teen And Up Audiences"
    assert work.source_fields["Rating"] == "PG-13"
    assert Chapter.objects.filter(work=work).count() == 1


BAD_INPUTS = {
    "empty.txt": b"",
    "blank.txt": b"   \n\n  ",
    "binary.txt": bytes(range(256)) * 40,
    "broken.epub": b"PK\x03\x04 this is not really a zip",
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_gives_one_line_error_and_nonzero_status(archive, tmp_path, capsys, name):
    path = tmp_path / name
    path.write_bytes(BAD_INPUTS[name])
    assert run_import(str(path)) == 1
    captured = capsys.readouterr()
    errors = [line for line in captured.err.splitlines() if line.strip()]
    assert errors and errors[0].startswith("error: ")
    assert name in errors[0]
    assert "Traceback" not in captured.err + captured.out
    assert Work.objects.count() == 0


@pytest.mark.django_db
def test_zip_bomb_is_refused(archive, tmp_path, capsys):
    path = tmp_path / "bomb.epub"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive_file:
        archive_file.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        archive_file.writestr("OEBPS/big.xhtml", b"\0" * (120 * 1024 * 1024))
    assert run_import(str(path)) == 1
    assert "error:" in capsys.readouterr().err
    assert Work.objects.count() == 0


@pytest.mark.django_db
def test_missing_path_is_reported(archive, tmp_path, capsys):
    assert run_import(str(tmp_path / "nope.txt")) == 1
    assert "no such file or folder" in capsys.readouterr().err


@pytest.mark.django_db
def test_good_and_bad_files_together(archive, tmp_path, capsys):
    (tmp_path / "good.txt").write_text(STORY)
    (tmp_path / "bad.txt").write_bytes(b"")
    assert run_import(str(tmp_path / "good.txt"), str(tmp_path / "bad.txt")) == 1
    assert "Imported 1, skipped 0, failed 1." in capsys.readouterr().out
    assert Work.objects.count() == 1


@pytest.mark.django_db
def test_failure_while_saving_writes_nothing(archive, tmp_path, capsys, monkeypatch):
    from fanfold.works import services

    def explode(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(services.Gift.objects, "bulk_create", explode)
    (tmp_path / "story.txt").write_text(STORY)
    assert run_import(str(tmp_path / "story.txt")) == 1
    err = capsys.readouterr().err
    assert "nothing was written" in err and "Traceback" not in err
    assert Work.objects.count() == 0
    assert Chapter.objects.count() == 0
    assert ImportRecord.objects.count() == 0


@pytest.mark.django_db
def test_dry_run_json_writes_nothing(archive, tmp_path, capsys):
    (tmp_path / "story.txt").write_text(STORY)
    assert run_import(str(tmp_path / "story.txt"), dry_run=True, json=True) == 0
    works = json.loads(capsys.readouterr().out)
    assert works[0]["title"] == "The Lighthouse Keeper's Ledger"
    assert works[0]["rating"] == "Teen And Up Audiences"
    assert works[0]["creators"] == ["tidewatcher"]
    assert Work.objects.count() == 0
