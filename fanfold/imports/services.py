"""Importing files: detect the format, parse, map, and write one work per file in one transaction."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from django.conf import settings
from django.db import transaction

from fanfold.imports.formats import ao3_epub, ao3_html, fanficfare, fanfold_book, frontmatter, plaintext
from fanfold.imports.formats.common import MAX_FILE_BYTES, looks_binary
from fanfold.imports.mapping import WorkDraft, to_draft
from fanfold.imports.models import ImportRecord
from fanfold.imports.parsed import ImportFailed, ParsedWork
from fanfold.tags.resolver import TagIndex
from fanfold.works.models import Work
from fanfold.works.services import create_work

logger = logging.getLogger(__name__)

FORMATS: tuple[ModuleType, ...] = (fanfold_book, ao3_html, ao3_epub, fanficfare, frontmatter, plaintext)
# Files a folder import picks up; named files are always tried.
IMPORTABLE_SUFFIXES = {".txt", ".text", ".html", ".htm", ".xhtml", ".epub", ".md", ".markdown"}


def detect_format(data: bytes, filename: str = "") -> ModuleType:
    scores = []
    for module in FORMATS:
        try:
            scores.append((module.sniff(data, filename), module))
        except Exception:  # a sniffer must never decide the fate of a file by crashing
            logger.exception("sniffer %s failed on %s", module.__name__, filename)
    best_score, best = max(scores, key=lambda pair: pair[0], default=(0, None))
    if best is None or best_score <= 0:
        if looks_binary(data) and not data.startswith(b"PK"):
            raise ImportFailed("the file is binary, not text")
        raise ImportFailed("unknown format: not plain text, AO3 HTML or EPUB, FanFicFare TXT or Markdown")
    return best


def parse_bytes(data: bytes, filename: str = "") -> ParsedWork:
    """Parse a file of any supported format. Only ImportFailed escapes, with a one-line message."""
    if not data or not data.strip():
        raise ImportFailed("the file is empty")
    if len(data) > MAX_FILE_BYTES:
        raise ImportFailed(f"the file is too large (limit {MAX_FILE_BYTES // (1024 * 1024)} MiB)")
    module = detect_format(data, filename)
    try:
        parsed = module.parse(data, filename)
    except ImportFailed:
        raise
    except RecursionError:
        raise ImportFailed("the file is nested too deeply to read") from None
    except MemoryError:
        raise ImportFailed("the file is too large to read") from None
    except Exception as exc:
        logger.exception("parser %s failed on %s", module.__name__, filename)
        raise ImportFailed(f"could not read the file ({type(exc).__name__}); please report it") from None
    if not any(ch.body.strip() for ch in parsed.chapters):
        raise ImportFailed("no story text found")
    return parsed


@dataclass
class ImportOutcome:
    path: str
    status: str  # "imported", "skipped", "failed", "parsed" (dry run)
    message: str = ""
    draft: WorkDraft | None = None
    work: Work | None = None


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def import_bytes(data: bytes, filename: str, index: TagIndex, *, dry_run: bool = False) -> ImportOutcome:
    try:
        digest = digest_of(data)
        if not dry_run:
            record = ImportRecord.objects.filter(digest=digest).select_related("work").first()
            if record is not None:
                return ImportOutcome(filename, "skipped", f"already imported as work {record.work_id}")
        parsed = parse_bytes(data, filename)
        draft = to_draft(parsed, index, default_language=settings.DEFAULT_WORK_LANGUAGE)
    except ImportFailed as exc:
        return ImportOutcome(filename, "failed", str(exc))
    if dry_run:
        return ImportOutcome(filename, "parsed", draft=draft)
    try:
        with transaction.atomic():
            work = create_work(draft)
            ImportRecord.objects.create(
                digest=digest, work=work, filename=filename[-500:], source_format=draft.source_format
            )
    except Exception as exc:  # the transaction rolled back: nothing of this work was written
        logger.exception("saving %s failed", filename)
        return ImportOutcome(
            filename, "failed", f"could not save the work ({type(exc).__name__}); nothing was written"
        )
    return ImportOutcome(filename, "imported", f"work {work.id}", draft=draft, work=work)


def import_path(path: Path, index: TagIndex, *, dry_run: bool = False) -> ImportOutcome:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return ImportOutcome(
                str(path), "failed", f"the file is too large (limit {MAX_FILE_BYTES // (1024 * 1024)} MiB)"
            )
        data = path.read_bytes()
    except OSError as exc:
        return ImportOutcome(str(path), "failed", f"cannot read: {exc.strerror or exc}")
    return import_bytes(data, str(path), index, dry_run=dry_run)


def expand_paths(paths: list[str]) -> Iterator[tuple[Path, str | None]]:
    """Files named directly, and importable files inside folders (recursively), in a stable order.

    Yields (path, None) for a file to import, or (path, message) for a name that cannot be used.
    """
    for name in paths:
        path = Path(name)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if (
                    child.is_file()
                    and not child.name.startswith(".")
                    and child.suffix.lower() in IMPORTABLE_SUFFIXES
                ):
                    yield child, None
        elif path.is_file():
            yield path, None
        elif path.exists():
            yield path, "not a regular file"
        else:
            yield path, "no such file or folder"
