"""Fanfold's own downloads (EPUB and HTML), read back with every field intact.

Both carry the work's metadata as JSON: the EPUB in ``META-INF/fanfold.json`` (with each
chapter's stored text), the HTML in ``<script type="application/json" id="fanfold-metadata">``
with each chapter's text between ``<!--fanfold:chapter N-->`` markers (stored text has no
comments, so the markers cannot occur inside it). See fanfold/downloads/content.py.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re

from fanfold.imports.formats.ao3_epub import _Archive
from fanfold.imports.formats.common import check_size
from fanfold.imports.parsed import (
    ImportFailed,
    ParsedChapter,
    ParsedCollection,
    ParsedRelatedWork,
    ParsedSeries,
    ParsedWork,
)

EPUB_MEMBER = "META-INF/fanfold.json"
SOURCE_EPUB = "fanfold_epub"
SOURCE_HTML = "fanfold_html"
_SCRIPT = re.compile(rb'<script[^>]*\bid="fanfold-metadata"[^>]*>(.*?)</script>', re.DOTALL | re.IGNORECASE)
_HTML_SNIFF = b'id="fanfold-metadata"'


def sniff(data: bytes, filename: str = "") -> int:
    """99 for a Fanfold EPUB or HTML download (ahead of the AO3 readers, whose layout it shares)."""
    if data.startswith(b"PK\x03\x04"):
        try:
            return 99 if _Archive(data).find(EPUB_MEMBER) else 0
        except Exception:  # a guess, not an import
            return 0
    head = data[: 256 * 1024]
    return 99 if _HTML_SNIFF in head and b'name="generator" content="Fanfold"' in head else 0


def parse(data: bytes, filename: str = "") -> ParsedWork:
    check_size(data)
    if data.startswith(b"PK\x03\x04"):
        archive = _Archive(data)
        member = archive.find(EPUB_MEMBER)
        if member is None:
            raise ImportFailed("not a Fanfold EPUB: it has no META-INF/fanfold.json")
        metadata = _load(archive.read(member))
        bodies = [str(ch.get("body", "")) for ch in _chapters(metadata)]
        return _parsed(metadata, bodies, SOURCE_EPUB)
    match = _SCRIPT.search(data)
    if match is None:
        raise ImportFailed("not a Fanfold HTML download: its metadata block is missing")
    # json_script escapes "<", ">" and "&" as \\u escapes; the text inside <script> is not entity-encoded.
    metadata = _load(match.group(1))
    text = data.decode("utf-8", errors="replace")
    bodies = []
    for position in range(1, len(_chapters(metadata)) + 1):
        found = re.search(
            rf"<!--fanfold:chapter {position}-->(.*?)<!--/fanfold:chapter {position}-->", text, re.DOTALL
        )
        if found is None:
            raise ImportFailed(f"the Fanfold HTML download is damaged: chapter {position}'s text is missing")
        bodies.append(found.group(1))
    return _parsed(metadata, bodies, SOURCE_HTML)


def _load(raw: bytes) -> dict:
    try:
        metadata = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        try:  # an HTML file saved by an editor that entity-encoded the block
            metadata = json.loads(html.unescape(raw.decode("utf-8", errors="replace")))
        except json.JSONDecodeError:
            raise ImportFailed("the Fanfold metadata in the file is damaged (not valid JSON)") from None
    if not isinstance(metadata, dict) or not isinstance(metadata.get("fanfold"), int):
        raise ImportFailed("the Fanfold metadata in the file is damaged (not a Fanfold work)")
    return metadata


def _chapters(metadata: dict) -> list[dict]:
    chapters = metadata.get("chapters")
    if not isinstance(chapters, list) or not all(isinstance(c, dict) for c in chapters):
        raise ImportFailed("the Fanfold metadata in the file is damaged (no chapter list)")
    return chapters


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _names(value: object) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _date(value: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _dicts(value: object) -> list[dict]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _parsed(metadata: dict, bodies: list[str], source_format: str) -> ParsedWork:
    ratings = _names(metadata.get("rating"))
    source_fields = metadata.get("source_fields")
    unmapped = (
        {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in source_fields.items()}
        if isinstance(source_fields, dict)
        else {}
    )
    complete = metadata.get("complete")
    return ParsedWork(
        source_format=source_format,
        title=_text(metadata.get("title")),
        creators=_names(metadata.get("creators")),
        summary=_text(metadata.get("summary")),
        notes=_text(metadata.get("notes")),
        end_notes=_text(metadata.get("end_notes")),
        rating=ratings[0] if ratings else "",
        warnings=_names(metadata.get("warnings")),
        categories=_names(metadata.get("categories")),
        fandoms=_names(metadata.get("fandoms")),
        relationships=_names(metadata.get("relationships")),
        characters=_names(metadata.get("characters")),
        # Tags not yet sorted into a type come back as additional tags.
        additional_tags=_names(metadata.get("additional_tags")) + _names(metadata.get("other_tags")),
        tags_are_exact=True,
        language=_text(metadata.get("language")),
        series=[
            ParsedSeries(_text(s.get("name")), _int(s.get("position")))
            for s in _dicts(metadata.get("series"))
            if _text(s.get("name"))
        ],
        collections=[
            ParsedCollection(
                name=_text(c.get("name")),
                prompt_day=_int(c.get("prompt_day")),
                prompt_text=_text(c.get("prompt_text")),
                prompt_words=_names(c.get("prompt_words")),
            )
            for c in _dicts(metadata.get("collections"))
            if _text(c.get("name"))
        ],
        gifts=_names(metadata.get("gifts")),
        related=[
            ParsedRelatedWork(
                relation=_text(r.get("relation")) or "inspired_by",
                title=_text(r.get("title")),
                url=_text(r.get("url")),
                creator=_text(r.get("creator")),
            )
            for r in _dicts(metadata.get("related"))
        ],
        published=_date(metadata.get("published")),
        updated=_date(metadata.get("updated")),
        complete=complete if isinstance(complete, bool) else None,
        chapters_expected=_int(metadata.get("chapters_expected")),
        source_url=_text(metadata.get("source_url")),
        chapters=[
            ParsedChapter(
                title=_text(c.get("title")),
                summary=_text(c.get("summary")),
                notes=_text(c.get("notes")),
                end_notes=_text(c.get("end_notes")),
                body=body,
            )
            for c, body in zip(_chapters(metadata), bodies, strict=True)
        ],
        unmapped=unmapped,
    )
