"""Downloads: who may download what, where the file lives, and building it (once).

Shared by the download view, the work page's menu and ``fanfold export``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from django.urls import reverse

from fanfold.core import permissions
from fanfold.downloads import cache, calibre
from fanfold.downloads.content import Book, build_book, creators_hidden
from fanfold.downloads.epub import build_epub
from fanfold.downloads.html import build_html
from fanfold.downloads.naming import CALIBRE_FORMATS, FORMATS, file_name, file_stem
from fanfold.downloads.pdf import build_pdf
from fanfold.downloads.txt import build_txt
from fanfold.works.models import Work

logger = logging.getLogger(__name__)

# Builds run in a small pool beside the request threads: a request waits for its file a bounded
# time and is answered 503 "try again shortly" when the build is slower; the build carries on.
BUILD_THREADS = 2


class DownloadUnavailable(Exception):
    """The format cannot be made here (calibre missing) or the build failed; the message says which."""


@dataclass(frozen=True)
class FormatLink:
    fmt: str
    label: str
    url: str  # "" when unavailable
    available: bool


def updated_at(work: Work) -> int:
    return int(work.modified_at.timestamp())


def format_available(fmt: str) -> bool:
    return fmt in FORMATS and (fmt not in CALIBRE_FORMATS or calibre.available())


def download_url(work: Work, fmt: str) -> str:
    """The URL of a download, carrying ``?updated_at=`` so caches break when the work changes."""
    path = reverse("downloads:file", args=[work.pk, file_stem(work.title, work.pk), fmt])
    return f"{path}?updated_at={updated_at(work)}"


def format_links(work: Work) -> list[FormatLink]:
    return [
        FormatLink(
            fmt, label, download_url(work, fmt) if format_available(fmt) else "", format_available(fmt)
        )
        for fmt, (label, _mime) in FORMATS.items()
    ]


def can_download(user, work: Work) -> bool:
    """Drafts and works hidden by an admin are never downloadable (even by their creators)."""
    if work.draft or work.hidden_by_admin:
        return False
    return permissions.can_view_work(user, work)


def cached_path(work: Work, fmt: str) -> Path:
    hidden = creators_hidden(work)
    return cache.version_dir(work.pk, updated_at(work), hidden) / file_name(work.title, work.pk, fmt)


def _builder(book: Book, fmt: str, epub_path: Callable[[], Path]) -> Callable[[Path], None]:
    if fmt == "epub":
        return lambda tmp: build_epub(book, tmp)
    if fmt == "pdf":
        return lambda tmp: build_pdf(book, tmp)
    if fmt == "html":
        return lambda tmp: build_html(book, tmp)
    if fmt == "txt":
        return lambda tmp: build_txt(book, tmp)
    if fmt in CALIBRE_FORMATS:
        return lambda tmp: calibre.convert(epub_path(), tmp)
    raise DownloadUnavailable(f"unknown format {fmt!r}")


def build_file(work: Work, fmt: str, *, wait: float | None = None) -> Path:
    """The cached file for the work in ``fmt``, built now unless it exists already."""
    if fmt not in FORMATS:
        raise DownloadUnavailable(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if not format_available(fmt):
        raise DownloadUnavailable(f"{FORMATS[fmt][0]} needs calibre (ebook-convert), which is not installed")
    path = cached_path(work, fmt)
    if path.exists():
        return path
    return _render(path, build_book(work), fmt, wait=wait)


def _render(path: Path, book: Book, fmt: str, *, wait: float | None = None) -> Path:
    """Build the file from a book already read (no database access: this runs in the pool too)."""

    def epub_path() -> Path:
        # AZW3 and MOBI are converted from our EPUB, which is cached beside them.
        return cache.ensure(path.with_suffix(".epub"), _builder(book, "epub", epub_path), wait=wait)

    try:
        return cache.ensure(path, _builder(book, fmt, epub_path), wait=wait)
    except (cache.LockTimeout, DownloadUnavailable):
        raise
    except calibre.ConversionFailed as exc:
        logger.error("building %s of work %s failed: %s", fmt, book.work_id, exc)
        raise DownloadUnavailable(f"the {FORMATS[fmt][0]} file could not be made: {exc}") from exc
    except Exception as exc:
        logger.exception("building %s of work %s failed", fmt, book.work_id)
        raise DownloadUnavailable(
            f"the {FORMATS[fmt][0]} file could not be made ({type(exc).__name__}); please report it"
        ) from exc


_pool = ThreadPoolExecutor(max_workers=BUILD_THREADS, thread_name_prefix="fanfold-download")
_in_flight: dict[Path, Future[Path]] = {}
_in_flight_lock = threading.Lock()


def start_build(work: Work, fmt: str) -> Future[Path]:
    """Build in the background (once per file in this process; the file lock covers other processes).

    The book is read from the database here, in the caller's thread; the pool only renders files.
    """
    path = cached_path(work, fmt)
    with _in_flight_lock:
        future = _in_flight.get(path)
    if future is not None:
        return future
    book = build_book(work)  # outside the lock: database reads must not hold up other requests
    with _in_flight_lock:
        future = _in_flight.get(path)
        if future is not None:
            return future
        future = _pool.submit(_render, path, book, fmt)
        _in_flight[path] = future

    def forget(_done: Future[Path]) -> None:
        with _in_flight_lock:
            _in_flight.pop(path, None)

    future.add_done_callback(forget)
    return future
