"""fanfold maintenance: old hit rows, the search change log and download leftovers go; nothing that
is still needed does, and every process's search index stays right after the log is compacted."""

from __future__ import annotations

import datetime as dt
import os
import time

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.utils import timezone

from fanfold.downloads import cache
from fanfold.search.fast import index as index_module
from fanfold.search.fast.engine import FastEngine
from fanfold.search.fast.index import Index, compact_change_log, snapshot_path, write_snapshot
from fanfold.search.models import IndexChange
from fanfold.search.query import WorkQuery
from fanfold.search.synthetic import generate
from fanfold.social.models import Hit
from fanfold.social.services import record_hit
from fanfold.works.models import Work
from fanfold.works.tests.factories import make_work

pytestmark = pytest.mark.django_db


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    index_module.reset()
    yield tmp_path
    index_module.reset()


def _age_log(seconds: float) -> None:
    IndexChange.objects.update(created_at=timezone.now() - dt.timedelta(seconds=seconds))


def titles(engine: FastEngine) -> set[str]:
    page = engine.run(WorkQuery(sort="created", per_page=100), AnonymousUser())
    return {w.title for w in page.results}


def test_old_hit_rows_go_and_the_counts_stay(data_dir):
    work = make_work(title="Counted Lantern")
    record_hit(work, ip="198.51.100.1", today=timezone.localdate() - dt.timedelta(days=3))
    record_hit(work, ip="198.51.100.1", today=timezone.localdate())
    call_command("maintenance")
    assert list(Hit.objects.values_list("day", flat=True)) == [timezone.localdate()]
    work.refresh_from_db()
    assert work.hits == 2


def test_compacting_without_a_snapshot_keeps_the_newest_entry_and_processes_stay_right(data_dir):
    make_work(title="First Tide")
    make_work(title="Ebb Tide")
    engine = FastEngine(Index.build())
    assert "First Tide" in titles(engine)
    _age_log(2 * 86_400)
    latest = IndexChange.objects.latest("id").id
    before = IndexChange.objects.count()
    assert before > 1
    assert compact_change_log(keep_seconds=86_400) == before - 1
    assert list(IndexChange.objects.values_list("id", flat=True)) == [latest]
    make_work(title="Second Tide")  # the engine's position is gone: it must start again, not miss this
    assert {"First Tide", "Ebb Tide", "Second Tide"} <= titles(engine)


def test_young_entries_stay(data_dir):
    make_work(title="Fresh Ink")
    before = IndexChange.objects.count()
    assert compact_change_log(keep_seconds=86_400) == 0
    assert IndexChange.objects.count() == before


def test_compacting_with_a_snapshot_lets_a_lagging_process_reload_from_it(data_dir, monkeypatch):
    monkeypatch.setattr(index_module, "SNAPSHOT_MIN_WORKS", 10)
    generate(40, seed=5)
    write_snapshot()
    lagging = FastEngine(Index.load(snapshot_path()))
    assert lagging.index() is not None
    make_work(title="After The Snapshot")
    _age_log(2 * 86_400)
    dropped = compact_change_log(keep_seconds=86_400)
    assert dropped > 0
    saved = Index.load(snapshot_path())
    assert saved is not None and IndexChange.objects.filter(id=saved.applied).exists()
    built = []
    monkeypatch.setattr(Index, "build", classmethod(lambda cls: built.append(1) or pytest.fail("built")))
    make_work(title="After The Compaction")
    assert {"After The Snapshot", "After The Compaction"} <= titles(lagging)
    assert not built  # reloaded from the snapshot, not rebuilt from the database


def test_download_leftovers_go_and_current_files_stay(data_dir):
    work = make_work(title="Kept Book")
    version = cache.version_dir(work.id, 1, False)
    version.mkdir(parents=True)
    (version / "Kept_Book.epub").write_bytes(b"book")
    (version / ".Kept_Book.epub.lock").write_bytes(b"")
    stale = version / ".123-456-Kept_Book.pdf"
    stale.write_bytes(b"half a pdf")
    old = time.time() - 7200
    os.utime(stale, (old, old))
    fresh = version / ".789-1-Kept_Book.mobi"  # a build in progress right now
    fresh.write_bytes(b"being written")
    gone = cache.version_dir(work.id + 1000, 1, False)
    gone.mkdir(parents=True)
    (gone / "Deleted.epub").write_bytes(b"book of a deleted work")
    assert not Work.objects.filter(id=work.id + 1000).exists()
    call_command("maintenance")
    assert (version / "Kept_Book.epub").exists() and fresh.exists()
    assert (version / ".Kept_Book.epub.lock").exists()
    assert not stale.exists()
    assert not gone.parent.exists()
