"""The file cache: build once under concurrent requests (threads and processes), atomic files."""

from __future__ import annotations

import multiprocessing
import threading
import time
from pathlib import Path

import pytest

from fanfold.downloads import cache


def _slow_build(counter: Path):
    def build(tmp: Path) -> None:
        with open(counter, "a") as handle:
            handle.write("built\n")
        time.sleep(0.3)
        tmp.write_text("the book")

    return build


def test_threads_build_once(tmp_path):
    target, counter = tmp_path / "v" / "Book.epub", tmp_path / "count"
    results = []

    def request() -> None:
        results.append(cache.ensure(target, _slow_build(counter)).read_text())

    threads = [threading.Thread(target=request) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["the book"] * 6
    assert counter.read_text().count("built") == 1
    assert [p.name for p in target.parent.iterdir() if not p.name.endswith(".lock")] == ["Book.epub"]


def _process_request(target: str, counter: str) -> None:
    cache.ensure(Path(target), _slow_build(Path(counter)))


def test_processes_build_once(tmp_path):
    target, counter = tmp_path / "v" / "Book.epub", tmp_path / "count"
    context = multiprocessing.get_context("fork")
    processes = [context.Process(target=_process_request, args=(str(target), str(counter))) for _ in range(3)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(30)
        assert process.exitcode == 0
    assert counter.read_text().count("built") == 1
    assert target.read_text() == "the book"


def test_waiting_is_bounded(tmp_path):
    target, counter = tmp_path / "v" / "Book.epub", tmp_path / "count"
    started = threading.Event()

    def build(tmp: Path) -> None:
        started.set()
        time.sleep(1)
        tmp.write_text("the book")

    builder = threading.Thread(target=cache.ensure, args=(target, build))
    builder.start()
    started.wait(5)
    t0 = time.monotonic()
    with pytest.raises(cache.LockTimeout):
        cache.ensure(target, _slow_build(counter), wait=0.2)
    assert time.monotonic() - t0 < 0.9
    builder.join()
    assert target.read_text() == "the book" and not counter.exists()


def test_a_failed_build_leaves_no_file(tmp_path):
    target = tmp_path / "v" / "Book.epub"

    def broken(tmp: Path) -> None:
        tmp.write_text("half a bo")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        cache.ensure(target, broken)
    assert not target.exists()
    assert [p.name for p in target.parent.iterdir() if not p.name.endswith(".lock")] == []


def test_new_versions_replace_old_ones(tmp_path, settings):
    settings.DATA_DIR = tmp_path
    old = cache.version_dir(5, 100, False) / "Book.epub"
    new = cache.version_dir(5, 200, False) / "Book.epub"
    cache.ensure(old, lambda tmp: tmp.write_text("old"))
    cache.ensure(new, lambda tmp: tmp.write_text("new"))
    assert not old.parent.exists() and new.read_text() == "new"
