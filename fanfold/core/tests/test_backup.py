"""`fanfold backup` while works are being written, then `fanfold restore` into an empty archive.

Real processes on the test run's database kind (SQLite file, or a PostgreSQL database of their own).
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import threading
import time

from fanfold.core.tests import procs

# Writes works one transaction at a time and prints each id once its transaction has committed.
WRITER = """
import sys
from pathlib import Path
from django.db import transaction
from fanfold.works.tests.factories import chapter, make_work
stop = Path(sys.argv[1])
n = 0
while not stop.exists() and n < 400:
    n += 1
    with transaction.atomic():
        work = make_work(title=f"Tidewater {n}", chapters=[chapter(f"<p>Part one of {n}.</p>"),
                                                        chapter(f"<p>Part two of {n}.</p>")])
    print(work.pk, flush=True)
"""

# What the restored archive holds: every work with its chapters, tags and search document.
INVENTORY = """
import json
from django.db.models import Count
from fanfold.search.models import SearchDocument
from fanfold.works.models import Work
works = {w.pk: [w.title, w.nchapters, w.ntags] for w in Work.objects.annotate(
    nchapters=Count("chapters", distinct=True), ntags=Count("tags", distinct=True))}
docs = set(SearchDocument.objects.values_list("work_id", flat=True))
print(json.dumps({"works": works, "documents": sorted(docs)}))
"""


def _start_writer(archive: procs.Archive, stop_file) -> tuple[subprocess.Popen, list[int], threading.Thread]:
    writer = subprocess.Popen(
        [procs.PYTHON, "-c", "import django\ndjango.setup()\n" + WRITER, str(stop_file)],
        env=archive.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    committed: list[int] = []

    def read() -> None:
        assert writer.stdout is not None
        for line in writer.stdout:
            committed.append(int(line))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    return writer, committed, reader


def _wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_backup_while_writing_then_restore_keeps_every_committed_work(tmp_path):
    with procs.new_archive(tmp_path) as archive:
        (archive.data_dir / "media" / "icons").mkdir(parents=True)
        (archive.data_dir / "media" / "icons" / "odile.png").write_bytes(b"\x89PNG not really")
        secret = (
            (archive.data_dir / "secret_key").read_text()
            if (archive.data_dir / "secret_key").exists()
            else ""
        )

        stop_file = tmp_path / "stop"
        writer, committed, reader = _start_writer(archive, stop_file)
        _wait_for(lambda: len(committed) >= 5 or writer.poll() is not None, 60, "the first works")
        assert writer.poll() is None, writer.stderr.read() if writer.stderr else ""
        before_backup = set(committed)  # printed only after their transactions committed

        backup_dir = tmp_path / "backup"
        started = time.monotonic()
        done = archive.fanfold("backup", str(backup_dir))
        backup_seconds = time.monotonic() - started
        during_backup = len(committed) - len(before_backup)
        writing_throughout = writer.poll() is None
        stop_file.touch()
        writer.wait(timeout=60)
        reader.join(timeout=10)
        assert writer.returncode == 0, writer.stderr.read() if writer.stderr else ""
        assert "Backed up the" in done.stdout
        # The writer kept writing from before the backup started until after it ended.
        assert writing_throughout, "the writer stopped before the backup finished"

        manifest = json.loads((backup_dir / "manifest.json").read_text())
        assert manifest["database"]["vendor"] == procs.vendor()
        paths = {entry["path"] for entry in manifest["files"]}
        assert "media/icons/odile.png" in paths
        assert not any(p.startswith(("static/", "fanfold.sqlite3")) for p in paths)

    target = procs.empty_database(tmp_path)
    try:
        restored = target.fanfold("restore", str(backup_dir))
        assert "Restored the" in restored.stdout, restored.stderr

        inventory = target.python_json(INVENTORY)
        works = {int(pk): value for pk, value in inventory["works"].items()}
        missing = before_backup - set(works)
        assert not missing, f"works committed before the backup are missing: {sorted(missing)}"
        for pk in before_backup:
            _title, chapters, tags = works[pk]
            assert chapters == 2 and tags > 0, f"work {pk} came back incomplete: {works[pk]}"
        # A snapshot holds whole works only: nothing half-written, each one searchable.
        assert all(chapters == 2 for _, chapters, _ in works.values())
        assert set(inventory["documents"]) == set(works)
        assert (target.data_dir / "media" / "icons" / "odile.png").read_bytes() == b"\x89PNG not really"
        if secret:
            assert (target.data_dir / "secret_key").read_text() == secret
        if procs.vendor() == "sqlite":
            with sqlite3.connect(target.sqlite_path()) as db:
                assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
                assert db.execute("PRAGMA foreign_key_check").fetchall() == []

        # A second restore over the now-filled archive is refused, with a clear message.
        again = target.fanfold("restore", str(backup_dir), check=False)
        assert again.returncode != 0
        assert "not empty" in again.stderr and "--force" in again.stderr
        assert "Traceback" not in again.stderr
    finally:
        procs.drop_database(target)

    # A damaged backup is found out before anything is written.
    icon = backup_dir / "files" / "media" / "icons" / "odile.png"
    icon.write_bytes(b"tampered")
    checked = target.fanfold("restore", "--verify-only", str(backup_dir), check=False)
    assert checked.returncode != 0 and "does not match its checksum" in checked.stderr
    print(
        f"\nbackup of {len(before_backup)}+ works took {backup_seconds:.2f} s; {during_backup} committed meanwhile"
    )


def test_backup_refuses_unsafe_targets_and_restore_refuses_unfinished_backups(tmp_path):
    with procs.new_archive(tmp_path) as archive:
        inside = archive.fanfold("backup", str(archive.data_dir / "backups" / "one"), check=False)
        assert inside.returncode != 0 and "inside the data directory" in inside.stderr
        occupied = tmp_path / "occupied"
        occupied.mkdir()
        (occupied / "notes.txt").write_text("mine")
        taken = archive.fanfold("backup", str(occupied), check=False)
        assert taken.returncode != 0 and "not an empty folder" in taken.stderr
        unfinished = tmp_path / "unfinished"
        unfinished.mkdir()
        (unfinished / "database.sqlite3").write_bytes(b"")
        refused = archive.fanfold("restore", str(unfinished), check=False)
        assert refused.returncode != 0 and "did not finish" in refused.stderr
        assert "Traceback" not in inside.stderr + taken.stderr + refused.stderr
