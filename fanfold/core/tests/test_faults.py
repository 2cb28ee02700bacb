"""Power-cut-style kills with real processes: `fanfold serve` (gunicorn + task worker) and a
`fanfold import` are SIGKILLed in the middle of posting and importing; after a restart every
acknowledged work is there and whole, nothing is half-written and the interrupted task runs again.
"""

from __future__ import annotations

import datetime as dt
import http.client
import os
import signal
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import pytest
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from fanfold.core.tests import procs
from fanfold.core.worker import new_worker_id, recover_stale_tasks

FILES = 25  # files to import; the kill comes after the third

SETUP = """
import sys
from fanfold.accounts.models import User
from fanfold.accounts.tokens import create_token
from fanfold.core.tests.procs import probe
from fanfold.tags.services import ensure_fixed_tags
ensure_fixed_tags()
user = User.objects.create_user("tidewriter", "tide@example.org", "a long pass phrase 1")
_, token = create_token(user, "fault test")
result = probe.enqueue(sys.argv[1])
print(token, result.id)
"""

# Every work with its chapter count, tag count and whether it has a search document; the tasks.
INVENTORY = """
import json
from django.db.models import Count
from django_tasks_db.models import DBTaskResult
from fanfold.imports.models import ImportRecord
from fanfold.search.models import SearchDocument
from fanfold.works.models import Work
docs = set(SearchDocument.objects.values_list("work_id", flat=True))
works = {w.pk: [w.title, w.nchapters, w.ntags, w.pk in docs] for w in Work.objects.annotate(
    nchapters=Count("chapters", distinct=True), ntags=Count("tags", distinct=True))}
imports = {r.filename: r.work_id for r in ImportRecord.objects.all()}
tasks = {str(t.id): [t.status, t.worker_ids] for t in DBTaskResult.objects.all()}
print(json.dumps({"works": works, "imports": imports, "tasks": tasks}))
"""


def _write_import_files(folder, count: int) -> None:
    folder.mkdir()
    for n in range(1, count + 1):
        paragraphs = "\n\n".join(f"Harbour bell {n}, stroke {i}: the tide turned again." for i in range(60))
        (folder / f"tide-{n:03}.md").write_text(
            f"---\ntitle: Tide Table {n}\nauthor: harbourmaster\nfandom: Saltmarsh Almanac (Original Work)\n"
            f"characters: [Odile Marsh]\n---\n# Chapter 1: Ebb\n{paragraphs}\n\n# Chapter 2: Flood\n{paragraphs}\n"
        )


def _work(n: int) -> dict:
    return {
        "title": f"Lantern Watch {n}",
        "fandoms": ["Saltmarsh Almanac (Original Work)"],
        "characters": ["Odile Marsh"],
        "additional_tags": ["Found Family"],
        "chapters": [
            {"title": "Dusk", "body": f"<p>The lamp of watch {n} was lit.</p>" * 50},
            {"title": "Dawn", "body": f"<p>The lamp of watch {n} went out.</p>" * 50},
        ],
    }


def _wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_sigkill_during_posts_imports_and_a_task_loses_nothing_acknowledged(tmp_path):
    with procs.new_archive(tmp_path) as archive:
        markers = tmp_path / "markers"
        markers.mkdir()
        token, probe_id = archive.python(SETUP.replace("sys.argv[1]", repr(str(markers)))).split()
        import_dir = tmp_path / "incoming"
        _write_import_files(import_dir, FILES)
        port = procs.free_port()
        log = tmp_path / "serve.log"
        server = archive.serve(port, log=log)
        procs.wait_until_serving(port, server)
        # The task worker has claimed the probe and is in the middle of it.
        _wait_for(lambda: (markers / "probe-1").exists(), 30, "the task worker to start the probe task")

        acknowledged: list[int] = []
        stop_posting = threading.Event()

        def poster(first: int) -> None:
            n = first
            while not stop_posting.is_set():
                try:
                    status, body = procs.request(port, "POST", "/api/v1/works", _work(n), token=token)
                except (OSError, http.client.HTTPException):  # the server died: never acknowledged
                    return
                if status == 201:
                    acknowledged.append(body["id"])
                n += 2

        posters = [threading.Thread(target=poster, args=(first,), daemon=True) for first in (1, 2)]
        for thread in posters:
            thread.start()
        importer = subprocess.Popen(
            [procs.PYTHON, "-m", "fanfold.cli", "import", str(import_dir)],
            env=archive.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            start_new_session=True,
        )
        imported: list[str] = []

        def read_imports() -> None:
            assert importer.stdout is not None
            for line in importer.stdout:
                if line.startswith("imported: "):
                    imported.append(line.split(" ", 2)[1])

        reader = threading.Thread(target=read_imports, daemon=True)
        reader.start()
        _wait_for(lambda: len(acknowledged) >= 4 and len(imported) >= 3, 60, "posts and imports under way")

        # The power cut: every process of the server and the importer at the same instant.
        os.killpg(importer.pid, signal.SIGKILL)
        procs.power_cut(server)
        importer.wait(timeout=10)
        stop_posting.set()
        for thread in posters:
            thread.join(timeout=30)
        reader.join(timeout=10)
        killed_at_posts, killed_at_imports = len(acknowledged), len(imported)
        assert len(imported) < FILES, "the import finished before the kill; nothing was interrupted"

        if procs.vendor() == "sqlite":
            with sqlite3.connect(archive.sqlite_path()) as db:
                assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
                assert db.execute("PRAGMA foreign_key_check").fetchall() == []

        # Restart: the archive comes up cleanly, re-runs the interrupted task, and serves every work.
        restart_began = time.monotonic()
        restarted = archive.serve(port, log=log)
        procs.wait_until_serving(port, restarted)
        serving_again = time.monotonic() - restart_began
        _wait_for(lambda: (markers / "probe-2").exists(), 30, "the interrupted task to run again")
        task_rerun = time.monotonic() - restart_began
        for pk in acknowledged[:3] + acknowledged[-3:]:
            status, body = procs.request(port, "GET", f"/api/v1/works/{pk}")
            assert status == 200 and body["chapters_posted"] == 2
        # The import picks up where it was killed: done files are skipped, the rest imported.
        rerun = archive.fanfold("import", "--quiet", str(import_dir))
        # (A file whose transaction committed just before the kill, its line not yet printed, is
        # skipped too, so at least the acknowledged ones are.)
        assert "failed 0." in rerun.stdout
        skipped = int(rerun.stdout.split("skipped ")[1].split(",")[0])
        assert skipped >= killed_at_imports
        assert procs.stop(restarted) == 0  # SIGTERM: a clean shutdown

        final = archive.python_json(INVENTORY)
        works = {int(pk): value for pk, value in final["works"].items()}
        missing = set(acknowledged) - set(works)
        assert not missing, f"posted works acknowledged (201) before the kill are gone: {sorted(missing)}"
        for pk, (_title, chapters, tags, searchable) in works.items():
            # Acknowledged or not, every work that exists is whole: nothing half-written survived.
            assert chapters == 2 and tags >= 2 and searchable, f"work {pk} is half-written: {works[pk]}"
        assert len(final["imports"]) == FILES and set(final["imports"].values()) <= set(works)
        # The probe was claimed by the killed worker, then run again by the restarted one.
        status, workers = final["tasks"][probe_id]
        assert status == "SUCCESSFUL" and len(workers) == 2, final["tasks"][probe_id]
    print(
        f"\nkilled after {killed_at_posts} acknowledged posts and {killed_at_imports} imported files; "
        f"serving again {serving_again:.1f} s after the restart, interrupted task re-run after {task_rerun:.1f} s"
    )


@pytest.mark.django_db
def test_recover_stale_tasks_requeues_only_tasks_of_dead_workers(monkeypatch):
    from fanfold.core import worker

    def running(worker_id: str, started_minutes_ago: int = 1, attempts: int = 1) -> DBTaskResult:
        return DBTaskResult.objects.create(
            status=TaskResultStatus.RUNNING,
            args_kwargs={"args": [], "kwargs": {}},
            task_path="fanfold.search.tasks.recompute_filter_tags",
            backend_name="default",
            run_after=timezone.now(),
            started_at=timezone.now() - dt.timedelta(minutes=started_minutes_ago),
            worker_ids=[f"{worker_id}"] * attempts,
        )

    host = worker._hostname()
    dead = subprocess.Popen(["true"])
    dead.wait()  # a pid that no longer runs
    mine = running(new_worker_id())  # this very process: alive
    killed = running(f"{host}:{dead.pid}:abcdefgh")
    elsewhere_recent = running("other-host:41:abcdefgh", started_minutes_ago=5)
    elsewhere_old = running("other-host:42:abcdefgh", started_minutes_ago=120)
    crashing = running(f"{host}:{dead.pid}:abcdefgh", attempts=3)
    foreign_id = running("a0b1c2d3e4f5", started_minutes_ago=5)  # a plain db_worker's id

    recovery = recover_stale_tasks(stale_seconds=3600, max_attempts=3)

    def status(result: DBTaskResult) -> str:
        result.refresh_from_db()
        return result.status

    assert set(recovery.requeued) == {str(killed.id), str(elsewhere_old.id)}
    assert recovery.failed == [str(crashing.id)]
    assert status(killed) == status(elsewhere_old) == TaskResultStatus.READY
    assert status(mine) == status(elsewhere_recent) == status(foreign_id) == TaskResultStatus.RUNNING
    assert status(crashing) == TaskResultStatus.FAILED
    assert "died 3 times" in crashing.traceback


MAKE_LONG_WORKS = """
from fanfold.works.tests.factories import chapter, make_work
body = "".join(f"<p>Line {i} of the harbour log: the lamp was trimmed and the tide noted.</p>" for i in range(120))
print(" ".join(str(make_work(title=f"Harbour Log {n}", chapters=[chapter(body), chapter(body)]).pk)
               for n in range(1, 2)))
"""


def _whole_pdf(path) -> bool:
    data = path.read_bytes()
    return data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:]


def test_sigkill_during_a_download_build_leaves_no_half_file(tmp_path):
    with procs.new_archive(tmp_path) as archive:
        ids = archive.python(MAKE_LONG_WORKS).split()
        out = tmp_path / "out"
        cache = archive.data_dir / "downloads"
        export = subprocess.Popen(
            [procs.PYTHON, "-m", "fanfold.cli", "export", *ids, "--format", "pdf", "-o", str(out)],
            env=archive.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        # Kill while the PDF is being built: the cache takes a lock file before it starts, and
        # writes the file under a temporary name that it renames when the file is whole.
        _wait_for(
            lambda: export.poll() is not None or any(cache.rglob(".*.pdf.lock")),
            90,
            "a PDF build in progress",
        )
        assert export.poll() is None, "the export finished before it could be killed"
        os.killpg(export.pid, signal.SIGKILL)
        export.wait(timeout=10)
        visible = [p for p in cache.rglob("*.pdf") if not p.name.startswith(".")]
        visible += [p for p in out.glob("*.pdf")] if out.exists() else []
        assert all(_whole_pdf(p) for p in visible), "a half-written PDF is visible under its real name"

        again = archive.fanfold("export", *ids, "--format", "pdf", "-o", str(out))
        written = [line for line in again.stdout.splitlines() if line.strip()]
        assert len(written) == len(ids)
        assert all(_whole_pdf(Path(line)) for line in written)
