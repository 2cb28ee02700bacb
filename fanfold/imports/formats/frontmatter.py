"""Markdown or HTML files that start with YAML front matter ("---", YAML, "---").

Tools disagree on key names (``author`` / ``authors`` / ``creator``, ``pairing`` /
``relationships`` / ``ships`` …), so keys are normalised and looked up in one table;
anything else is kept in ``unmapped`` as written. A value given as a YAML list is one
tag per item (``tags_are_exact``); a plain string is free text for the mapping to split.

The YAML is untrusted: it is capped in size, loaded with a SafeLoader that refuses
anchors and aliases (alias bombs) and deep nesting, and must be a mapping.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any

import yaml
from lxml import etree
from markdown_it import MarkdownIt

from fanfold.core.html import MarkdownTooComplex, check_markdown_markup, sanitize
from fanfold.imports.formats.common import clean_value, decode_text, split_list
from fanfold.imports.formats.dates import parse_date
from fanfold.imports.formats.markup import (
    Element,
    children,
    keep_alignment,
    localname,
    parse_html,
    text_of,
)
from fanfold.imports.limits import MAX_ELEMENTS, MAX_MARKDOWN_MARKUP
from fanfold.imports.parsed import (
    ImportFailed,
    ParsedChapter,
    ParsedCollection,
    ParsedRelatedWork,
    ParsedSeries,
    ParsedWork,
)

SOURCE_FORMAT = "frontmatter"
MAX_FRONT_MATTER_BYTES = 256 * 1024
MAX_YAML_DEPTH = 20

_OPENING = re.compile(r"\A\ufeff?---[ \t]*\n")
_CLOSING = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.M)

# Normalised key -> field. Keys are lower-cased with spaces and dashes as underscores.
_KEYS: dict[str, str] = {}
for _field, _names in {
    "title": "title",
    "creators": "author authors creator creators by writer writers pseud pseuds",
    "fandoms": "fandom fandoms",
    "relationships": "relationship relationships pairing pairings ship ships",
    "characters": "character characters",
    "rating": "rating ratings content_rating rated",
    "warnings": "warning warnings archive_warning archive_warnings",
    "categories": "category categories",
    "additional_tags": "tag tags additional_tag additional_tags freeform freeforms",
    "genres": "genre genres",
    "summary": "summary description",
    "notes": "note notes start_note start_notes author_note author_notes authors_note authors_notes",
    "end_notes": "end_note end_notes endnote endnotes",
    "chapters": "chapters chapter_count",
    "complete": "complete completed status",
    "published": "date date_published published posted publish_date date_posted",
    "updated": "updated date_updated last_updated modified lastmod date_modified",
    "words": "word_count words wordcount",
    "language": "language lang",
    "series": "series",
    "series_position": "series_index series_position series_part series_number",
    "collections": "collection collections",
    "gifts": "gift gifts recipient recipients gifted_to",
    "source_url": "ao3_url ao3_link url source source_url link original_url",
    "inspired_by": "inspired_by",
    "translation_of": "translation_of",
}.items():
    for _name in _names.split():
        _KEYS[_name] = _field

_TAG_FIELDS = (
    "fandoms",
    "relationships",
    "characters",
    "warnings",
    "categories",
    "additional_tags",
    "genres",
)

_COMPLETE_WORDS = {"complete", "completed", "finished", "done", "yes", "true", "oneshot", "one-shot"}
_INCOMPLETE_WORDS = {
    "in progress", "in-progress", "wip", "ongoing", "incomplete", "unfinished", "no", "false",
    "abandoned", "hiatus", "on hiatus", "discontinued",
}  # fmt: skip

_HTML_SUFFIXES = (".html", ".htm", ".xhtml")
_HTML_BLOCK_START = re.compile(
    r"\A\s*(?:<!doctype|<html|<body|<(?:p|div|h[1-6]|blockquote|ul|ol|table|section|article|hr|pre|center|main)\b)",
    re.I,
)

_NUMBER_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    r"sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred"
)
_CHAPTER_NUMBER = rf"(?:\d+|[ivxlc]+|(?:{_NUMBER_WORDS})(?:[- ](?:{_NUMBER_WORDS}))?)"
_CHAPTER_HEADING = re.compile(
    rf"^(?:chapter|ch\.|part)\s+{_CHAPTER_NUMBER}\b\s*(?:[:.\-–—)]\s*(?P<title>.*))?$", re.I
)
_NUMBERED_HEADING = re.compile(r"^\d+\s*[.:)]\s+(?P<title>.+)$")
_NAMED_HEADING = re.compile(r"^(?:prologue|epilogue|interlude|foreword|afterword)\b", re.I)
_SERIES_WITH_PART = re.compile(
    r"^(?P<name>.+?)(?:,\s*|\s+)(?:part|book|#|vol\.?|volume)\s*(?P<pos>\d+)$", re.I
)
_CHAPTER_COUNT = re.compile(r"^\s*(\d+)\s*/\s*(\d+|\?)\s*$")

_MARKDOWN = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


# --- front matter --------------------------------------------------------------------------------


class _StrictLoader(yaml.SafeLoader):
    """A SafeLoader that refuses anchors and aliases (alias bombs) and deep nesting."""

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:  # type: ignore[override]
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise ImportFailed("the front matter uses YAML anchors or aliases, which are refused")
        self._depth += 1
        if self._depth > MAX_YAML_DEPTH:
            raise ImportFailed("the front matter is nested too deeply")
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def split_front_matter(text: str) -> tuple[str, str]:
    """(YAML text, body) of a document that starts with "---"; ImportFailed otherwise."""
    opening = _OPENING.match(text)
    if not opening:
        raise ImportFailed("the file does not start with YAML front matter (a '---' line)")
    start = opening.end()
    # Look for the closing line only within the size limit, so a huge file costs nothing.
    window_end = min(len(text), start + MAX_FRONT_MATTER_BYTES + 8)
    closing = _CLOSING.search(text, start, window_end)
    if closing is None:
        if window_end < len(text):
            raise ImportFailed(f"the front matter is larger than {MAX_FRONT_MATTER_BYTES // 1024} KiB")
        raise ImportFailed("the front matter has no closing '---' line")
    front = text[start : closing.start()]
    if len(front.encode("utf-8")) > MAX_FRONT_MATTER_BYTES:
        raise ImportFailed(f"the front matter is larger than {MAX_FRONT_MATTER_BYTES // 1024} KiB")
    return front, text[closing.end() :].lstrip("\n")


def load_front_matter(front: str) -> dict[Any, Any]:
    """The YAML mapping; ImportFailed for invalid YAML, aliases, deep nesting or a non-mapping."""
    if not front.strip():
        raise ImportFailed("the front matter is empty")
    try:
        loaded = yaml.load(front, Loader=_StrictLoader)  # a SafeLoader subclass
    except ImportFailed:
        raise
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or str(exc)
        raise ImportFailed(
            f"the front matter is not valid YAML ({' '.join(str(problem).split())[:120]})"
        ) from exc
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        raise ImportFailed(f"the front matter has a value YAML cannot read ({type(exc).__name__})") from exc
    if not isinstance(loaded, dict):
        raise ImportFailed("the front matter is not a mapping of keys to values")
    return loaded


def _normal_key(key: Any) -> str:
    return re.sub(r"[\s\-]+", "_", str(key).strip().lower())


# --- detection -----------------------------------------------------------------------------------


def sniff(data: bytes, filename: str = "") -> int:
    """90 for "---" + a YAML mapping with a title or two known keys; lower for weaker signs."""
    head = data[: MAX_FRONT_MATTER_BYTES + 4096]
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    if not head.startswith(b"---"):
        return 0
    try:
        front, _body = split_front_matter(head.decode("utf-8", errors="replace").replace("\r\n", "\n"))
        meta = load_front_matter(front)
    except ImportFailed:
        return 5
    known = {_KEYS[key] for key in map(_normal_key, meta) if key in _KEYS}
    if "title" in known or len(known) >= 2:
        return 90
    return 40 if known else 20


# --- parsing -------------------------------------------------------------------------------------


def parse(data: bytes, filename: str = "") -> ParsedWork:
    """Parse a Markdown or HTML file with YAML front matter."""
    text = decode_text(data)
    front, body = split_front_matter(text)
    meta = load_front_matter(front)
    work = ParsedWork(source_format=SOURCE_FORMAT)
    _read_metadata(meta, work)

    is_html = filename.lower().endswith(_HTML_SUFFIXES) or bool(_HTML_BLOCK_START.match(body))
    if not is_html:
        try:
            check_markdown_markup(body, MAX_MARKDOWN_MARKUP)
        except MarkdownTooComplex:
            raise ImportFailed(
                f"the Markdown has more than {MAX_MARKDOWN_MARKUP:,} line breaks and markup characters, "
                "too many to convert in reasonable time: save it as HTML instead"
            ) from None
    # Count tags before libxml2 (or markdown-it, for inline HTML) spends time on an element flood.
    if body.count("<") > MAX_ELEMENTS:
        raise ImportFailed(f"the document has more than {MAX_ELEMENTS:,} elements")
    html = body if is_html else _MARKDOWN.render(body)
    if not html.strip():
        raise ImportFailed("the file has no story text after the front matter")
    root = parse_html(
        f'<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>{html}</body></html>'.encode()
    )
    if not work.title:
        work.title = _first_heading(root) or (PurePosixPath(filename).stem if filename else "")
    preamble, chapters = _split_chapters(root, work.title)
    if preamble:
        work.notes = f"{work.notes}\n{preamble}" if work.notes else preamble
    work.chapters = [c for c in chapters if c.body or c.title]
    if not work.chapters:
        raise ImportFailed("the file has no story text after the front matter")
    return work


# --- values --------------------------------------------------------------------------------------


def _as_text(value: Any) -> str:
    """A value as one line of text; non-strings compactly (YAML lists and mappings as JSON)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return " ".join(value.split())  # all whitespace, newlines too: these are one-line values
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, bytes):
        return ""
    return json.dumps(value, ensure_ascii=False, default=str, separators=(", ", ": "))


def _as_written(value: Any) -> str:
    """An unmapped value: strings verbatim, anything else compactly."""
    return value if isinstance(value, str) else _as_text(value)


def _as_list(value: Any) -> tuple[list[str], bool]:
    """(entries, given as a list)."""
    if isinstance(value, (list, tuple, set)):
        return [text for text in (_as_text(_named(item)) for item in value) if text], True
    text = _as_text(value)
    return ([text] if text else []), False


def _named(item: Any) -> Any:
    """A list item such as {name: quietharbor, url: …} stands for its name."""
    if isinstance(item, dict):
        lowered = {_normal_key(k): v for k, v in item.items()}
        for key in ("name", "title", "tag"):
            if isinstance(lowered.get(key), str):
                return lowered[key]
    return item


def _rich_text(value: Any) -> str:
    """Summary or notes: HTML kept (sanitised), anything else read as Markdown."""
    if isinstance(value, (list, tuple)):
        value = "\n\n".join(_as_text(item) for item in value)
    elif not isinstance(value, str):
        value = _as_text(value)
    value = value.strip()
    if not value:
        return ""
    return sanitize(value if _HTML_BLOCK_START.match(value) else _MARKDOWN.render(value))


def _position(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)) and float(value).is_integer() and 0 < value < 1_000_000:
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return _position(int(value.strip()))
    return None


def _series(value: Any, position: Any) -> list[ParsedSeries]:
    items = value if isinstance(value, (list, tuple)) else [value]
    found = []
    for item in items:
        if isinstance(item, dict):
            lowered = {_normal_key(k): v for k, v in item.items()}
            name = _as_text(lowered.get("name") or lowered.get("title"))
            pos = next((lowered[k] for k in ("position", "part", "index", "number") if k in lowered), None)
            if name:
                found.append(ParsedSeries(name, _position(pos)))
            continue
        name = _as_text(item)
        if not name:
            continue
        match = _SERIES_WITH_PART.match(name)
        if match:
            found.append(ParsedSeries(clean_value(match.group("name")), int(match.group("pos"))))
        else:
            found.append(ParsedSeries(name, None))
    if len(found) == 1 and found[0].position is None:
        found[0].position = _position(position)
    return found


def _related(value: Any, relation: str) -> list[ParsedRelatedWork]:
    items = value if isinstance(value, (list, tuple)) else [value]
    found = []
    for item in items:
        if isinstance(item, dict):
            lowered = {_normal_key(k): v for k, v in item.items()}
            related = ParsedRelatedWork(
                relation,
                title=_as_text(lowered.get("title") or lowered.get("name")),
                url=_as_text(lowered.get("url") or lowered.get("link")),
                creator=_as_text(lowered.get("creator") or lowered.get("author") or lowered.get("by")),
            )
        else:
            text = _as_text(item)
            if re.match(r"^https?://\S+$", text):
                related = ParsedRelatedWork(relation, url=text)
            elif " by " in text:
                title, creator = text.rsplit(" by ", 1)
                related = ParsedRelatedWork(relation, title=title.strip(), creator=creator.strip())
            else:
                related = ParsedRelatedWork(relation, title=text)
        if related.title or related.url or related.creator:
            found.append(related)
    return found


def _is_url(value: Any) -> bool:
    return isinstance(value, str) and bool(re.match(r"^https?://\S+$", value.strip()))


def _complete(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = _as_text(value).lower()
    if text in _COMPLETE_WORDS:
        return True
    if text in _INCOMPLETE_WORDS:
        return False
    return None


def _read_metadata(meta: dict[Any, Any], work: ParsedWork) -> None:
    by_field: dict[str, tuple[str, Any]] = {}
    for key, value in meta.items():
        field = _KEYS.get(_normal_key(key))
        written = str(key)
        if field == "source_url" and field in by_field and _is_url(value) and not _is_url(by_field[field][1]):
            # "source: my notebook" then "ao3_url: https://…": the URL wins, the note is kept.
            earlier_key, earlier_value = by_field.pop(field)
            work.unmapped[earlier_key] = _as_written(earlier_value)
        if field is None or field in by_field:
            # Unknown keys, and a second spelling of a key already read, are kept as written.
            if value is not None and _as_text(value):
                work.unmapped[written] = _as_written(value)
            continue
        by_field[field] = (written, value)

    def keep(field: str) -> None:
        written, value = by_field[field]
        if _as_text(value):
            work.unmapped[written] = _as_written(value)

    handlers: dict[str, Callable[[Any], None]] = {
        "title": lambda v: setattr(work, "title", _as_text(v)),
        "summary": lambda v: setattr(work, "summary", _rich_text(v)),
        "notes": lambda v: setattr(work, "notes", _rich_text(v)),
        "end_notes": lambda v: setattr(work, "end_notes", _rich_text(v)),
        "language": lambda v: setattr(work, "language", _as_text(v)),
    }
    for field, handler in handlers.items():
        if field in by_field:
            handler(by_field[field][1])

    # Tags: one list anywhere makes every entry exact; strings are then split on commas.
    tag_values = {field: _as_list(by_field[field][1]) for field in _TAG_FIELDS if field in by_field}
    work.tags_are_exact = any(given_as_list for _entries, given_as_list in tag_values.values())
    for field, (entries, given_as_list) in tag_values.items():
        if work.tags_are_exact and not given_as_list:
            entries = [part for entry in entries for part in split_list(entry)]
        getattr(work, field).extend(entries)
    if "rating" in by_field:
        work.rating = ", ".join(_as_list(by_field["rating"][1])[0])

    if "creators" in by_field:
        entries, given_as_list = _as_list(by_field["creators"][1])
        names = entries if given_as_list else [n for e in entries for n in split_list(e.replace("&", ","))]
        work.creators = [name.lstrip("@") for name in names if name.lstrip("@")]  # "@handle" is notation
    if "gifts" in by_field:
        entries, _given = _as_list(by_field["gifts"][1])
        work.gifts = [name.lstrip("@") for entry in entries for name in split_list(entry) if name.lstrip("@")]
    if "collections" in by_field:
        entries, given_as_list = _as_list(by_field["collections"][1])
        names = entries if given_as_list else [n for e in entries for n in split_list(e)]
        work.collections = [ParsedCollection(name) for name in names]
    if "series" in by_field:
        position = by_field.get("series_position", ("", None))[1]
        work.series = _series(by_field["series"][1], position)
    elif "series_position" in by_field:
        keep("series_position")

    for field, relation in (("inspired_by", "inspired_by"), ("translation_of", "translation_of")):
        if field in by_field:
            work.related.extend(_related(by_field[field][1], relation))

    if "published" in by_field:
        work.published = parse_date(by_field["published"][1])
        if work.published is None:
            keep("published")
    if "updated" in by_field:
        work.updated = parse_date(by_field["updated"][1])
        if work.updated is None:
            keep("updated")

    if "chapters" in by_field:
        count = _CHAPTER_COUNT.match(_as_text(by_field["chapters"][1]))
        if count:
            posted, expected = int(count.group(1)), count.group(2)
            work.chapters_expected = None if expected == "?" else int(expected)
            work.complete = work.chapters_expected is not None and posted >= work.chapters_expected
        else:
            keep("chapters")
    if "complete" in by_field:
        complete = _complete(by_field["complete"][1])
        if complete is None:
            keep("complete")
        else:
            work.complete = complete

    if "words" in by_field:
        work.unmapped["Words"] = _as_text(by_field["words"][1])
    if "source_url" in by_field:
        if _is_url(by_field["source_url"][1]):
            work.source_url = _as_text(by_field["source_url"][1])
        else:
            keep("source_url")


# --- body ----------------------------------------------------------------------------------------


def chapter_heading_title(heading: str) -> str | None:
    """The chapter's own title if the heading looks like a chapter heading, else None.

    "Chapter 1: Title" -> "Title", "Chapter Two" -> "", "2. Title" -> "Title", "Prologue" -> "Prologue".
    """
    heading = clean_value(heading)
    match = _CHAPTER_HEADING.match(heading) or _NUMBERED_HEADING.match(heading)
    if match:
        return clean_value(match.group("title") or "")
    if _NAMED_HEADING.match(heading):
        return heading
    return None


def _is_numbered(heading: str) -> bool:
    heading = clean_value(heading)
    return bool(_CHAPTER_HEADING.match(heading) or _NUMBERED_HEADING.match(heading))


def _content_root(root: Element) -> Element:
    body = next((e for e in root.iter() if localname(e) == "body"), root)
    # An HTML file may wrap everything in one <div>/<article>/<main>: look inside it.
    while True:
        kids = children(body)
        if (
            len(kids) == 1
            and localname(kids[0]) in ("div", "article", "main", "section")
            and not (body.text or "").strip()
            and not (kids[0].tail or "").strip()
        ):
            body = kids[0]
        else:
            return body


def _html_of(parts: list[Element], leading_text: str = "") -> str:
    """Sanitised HTML of consecutive top-level elements (with their tails) and any loose text before them."""
    html = "".join(etree.tostring(p, encoding="unicode", method="html", with_tail=True) for p in parts)
    if leading_text.strip():
        html = f"<p>{_escape(leading_text.strip())}</p>{html}"
    return sanitize(html)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _split_chapters(root: Element, title: str) -> tuple[str, list[ParsedChapter]]:
    """(preamble HTML, chapters): split at h1 or h2 chapter headings when there are two or more."""
    body = _content_root(root)
    keep_alignment(body)
    top = children(body)
    for level in ("h1", "h2"):
        headings = [i for i, el in enumerate(top) if localname(el) == level]
        numbered = [i for i in headings if _is_numbered(text_of(top[i]))]
        if len(numbered) >= 2:
            marks = [i for i in headings if chapter_heading_title(text_of(top[i])) is not None]
            break
    else:
        parts = top
        if parts and localname(parts[0]) == "h1" and title and text_of(parts[0]).lower() == title.lower():
            # The file repeats the title as its first heading.
            leading = (body.text or "") + (parts[0].tail or "")
            return "", [ParsedChapter(body=_html_of(parts[1:], leading))]
        return "", [ParsedChapter(body=_html_of(parts, body.text or ""))]

    preamble_parts = top[: marks[0]]
    leading = body.text or ""
    if (
        preamble_parts
        and localname(preamble_parts[0]) == "h1"
        and text_of(preamble_parts[0]).lower() == title.lower()
    ):
        leading += preamble_parts[0].tail or ""  # the repeated title goes, the text after it stays
        preamble_parts = preamble_parts[1:]
    preamble = _html_of(preamble_parts, leading)
    chapters = []
    for number, start in enumerate(marks):
        end = marks[number + 1] if number + 1 < len(marks) else len(top)
        heading = top[start]
        chapters.append(
            ParsedChapter(
                title=chapter_heading_title(text_of(heading)) or "",
                body=_html_of(top[start + 1 : end], heading.tail or ""),
            )
        )
    return preamble, chapters


def _first_heading(root: Element) -> str:
    """The text's first top-level h1, unless it is a chapter heading."""
    for element in children(_content_root(root)):
        if localname(element) == "h1":
            text = text_of(element)
            return "" if chapter_heading_title(text) is not None else text
    return ""
