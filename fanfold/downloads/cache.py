"""Built files, cached per work version under ``DATA_DIR/downloads``.

The key is the work id, its ``modified_at``, whether its creators are hidden, the format and
``BUILDER_VERSION`` (raise it when the output of a builder changes). Builds are done once:
an exclusive ``fcntl`` lock per file serialises builders across processes, the file is written
under a temporary name and renamed into place, so readers never see half a file.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings

BUILDER_VERSION = 1


def root() -> Path:
    return Path(settings.DATA_DIR) / "downloads"


def version_dir(work_id: int, stamp: int, hidden: bool) -> Path:
    return root() / str(work_id) / f"{stamp}-{'anon' if hidden else 'named'}-v{BUILDER_VERSION}"


class LockTimeout(Exception):
    """Another process is still building the file."""


def ensure(path: Path, build: Callable[[Path], None], *, wait: float | None = None) -> Path:
    """The cached file at ``path``, built with ``build(tmp_path)`` unless it exists already.

    Waits for a build in progress elsewhere (at most ``wait`` seconds when given, then raises
    LockTimeout) rather than building the same file twice.
    """
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = path.with_name(f".{path.name}.lock")
    with open(lock_path, "a") as lock:
        _lock(lock, wait)
        try:
            if path.exists():  # built by whoever held the lock before us
                return path
            # The temporary name keeps the suffix: calibre picks the output format by it.
            tmp = path.with_name(f".{os.getpid()}-{threading.get_ident()}-{path.name}")
            try:
                build(tmp)
                os.replace(tmp, path)
            finally:
                tmp.unlink(missing_ok=True)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    _prune_old_versions(path.parent)
    return path


def _lock(handle, wait: float | None) -> None:
    if wait is None:
        fcntl.flock(handle, fcntl.LOCK_EX)
        return
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise LockTimeout(str(handle.name)) from None
            time.sleep(0.05)


def _prune_old_versions(current: Path) -> None:
    """Files of earlier versions of the work are never asked for again."""
    try:
        siblings = [p for p in current.parent.iterdir() if p.is_dir() and p != current]
    except OSError:
        return
    for old in siblings:
        shutil.rmtree(old, ignore_errors=True)


def clear(work_id: int | None = None) -> None:
    target = root() / str(work_id) if work_id is not None else root()
    shutil.rmtree(target, ignore_errors=True)


def cached_work_ids() -> list[int]:
    base = root()
    if not base.is_dir():
        return []
    return [int(p.name) for p in base.iterdir() if p.is_dir() and p.name.isdigit()]


def sweep(existing_work_ids: set[int], *, older_than: float = 3600) -> int:
    """Remove what builds killed mid-way left behind (temporary files older than ``older_than``
    seconds) and the files of works that no longer exist. Returns the number of paths removed."""
    base = root()
    if not base.is_dir():
        return 0
    removed = 0
    cutoff = time.time() - older_than
    for work_dir in base.iterdir():
        if not work_dir.is_dir():
            continue
        if not work_dir.name.isdigit() or int(work_dir.name) not in existing_work_ids:
            shutil.rmtree(work_dir, ignore_errors=True)
            removed += 1
            continue
        for leftover in work_dir.glob("*/.*"):
            if leftover.name.endswith(".lock"):
                continue  # a lock file is reused by the next build; it holds no data
            try:
                if leftover.stat().st_mtime < cutoff:
                    leftover.unlink()
                    removed += 1
            except FileNotFoundError:
                pass
    return removed
