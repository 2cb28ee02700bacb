"""Tag set files: canonical tags, synonyms and parents as JSON or CSV (docs/tag-sets.md).

JSON: {"format": "fanfold-tags", "version": 1, "tags": [{"type": ..., "name": ..., ...}, ...]}
CSV:  type,name,canonical,merger,fandoms,characters,synonyms,media[,meta]  (lists joined with "|";
      the meta column, a tag's meta tags, is written only when some tag has one)
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass

from fanfold.core.text import normalize_key
from fanfold.tags import vocabulary
from fanfold.tags.records import (
    CHARACTER,
    FANDOM,
    FANDOM_CHILD_TYPES,
    FIXED_TAG_TYPES,
    MAX_NAME_LENGTH,
    RELATIONSHIP,
    TAG_TYPES,
    TagRecord,
)

FORMAT_NAME = "fanfold-tags"
FORMAT_VERSION = 1
BASE_CSV_COLUMNS = ("type", "name", "canonical", "merger", "fandoms", "characters", "synonyms", "media")
CSV_COLUMNS = (*BASE_CSV_COLUMNS, "meta")
JSON_KEYS = frozenset(CSV_COLUMNS)
MAX_MEDIA_LENGTH = 100
_FIXED_NAMES = {
    "rating": vocabulary.RATINGS,
    "warning": vocabulary.WARNINGS,
    "category": vocabulary.CATEGORIES,
}
_TRUE = {"true", "yes", "1", "y"}
_FALSE = {"false", "no", "0", "n"}


class TagsetError(ValueError):
    """A tag set file that cannot be loaded; the message names the entry or line."""


@dataclass(frozen=True)
class _Located:
    record: TagRecord
    where: str  # "entry 3" or "line 4", for messages


# --- loading ---


def load_tagset(data: bytes | str, fmt: str = "json") -> list[TagRecord]:
    """Parse and validate a tag set. Raises TagsetError naming the first problem's entry or line."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise TagsetError(f"the file is not UTF-8 text (byte {exc.start})") from None
    else:
        text = data.removeprefix("\ufeff")
    if fmt == "json":
        located = _read_json(text)
    elif fmt == "csv":
        located = _read_csv(text)
    else:
        raise TagsetError(f"unknown tag set format {fmt!r} (use json or csv)")
    _validate(located)
    return [item.record for item in located]


def _read_json(text: str) -> list[_Located]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TagsetError(f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    if not isinstance(document, dict):
        raise TagsetError('expected a JSON object with "format", "version" and "tags"')
    if document.get("format") != FORMAT_NAME:
        raise TagsetError(f'"format" must be "{FORMAT_NAME}"')
    if document.get("version") != FORMAT_VERSION:
        raise TagsetError(f"unsupported version {document.get('version')!r} (this Fanfold reads version 1)")
    unknown = set(document) - {"format", "version", "tags", "description"}
    if unknown:
        raise TagsetError(f"unknown top-level key {sorted(unknown)[0]!r}")
    entries = document.get("tags")
    if not isinstance(entries, list):
        raise TagsetError('"tags" must be a list')
    located = []
    for number, entry in enumerate(entries, start=1):
        where = f"entry {number}"
        if not isinstance(entry, dict):
            raise TagsetError(f"{where}: expected an object")
        name = entry.get("name")
        if isinstance(name, str) and name.strip():
            where = f'{where} ("{name.strip()[:60]}")'
        unknown = set(entry) - JSON_KEYS
        if unknown:
            raise TagsetError(f"{where}: unknown key {sorted(unknown)[0]!r}")
        canonical = entry.get("canonical", True)
        if not isinstance(canonical, bool):
            raise TagsetError(f'{where}: "canonical" must be true or false')
        merger = entry.get("merger")
        if merger is not None and not isinstance(merger, str):
            raise TagsetError(f'{where}: "merger" must be a tag name')
        media = entry.get("media", "")
        if not isinstance(media, str):
            raise TagsetError(f'{where}: "media" must be text')
        record = TagRecord(
            name=_json_text(entry.get("name"), "name", where),
            type=_json_text(entry.get("type"), "type", where),
            canonical=canonical,
            merger=(merger.strip() or None) if merger else None,
            fandoms=_json_list(entry, "fandoms", where),
            characters=_json_list(entry, "characters", where),
            synonyms=_json_list(entry, "synonyms", where),
            media=media.strip(),
            meta=_json_list(entry, "meta", where),
        )
        located.append(_Located(record, where))
    return located


def _json_text(value: object, key: str, where: str) -> str:
    if not isinstance(value, str):
        raise TagsetError(f'{where}: "{key}" is missing or not text')
    return value.strip()


def _json_list(entry: dict, key: str, where: str) -> tuple[str, ...]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TagsetError(f'{where}: "{key}" must be a list of tag names')
    return tuple(v.strip() for v in value if v.strip())


def _read_csv(text: str) -> list[_Located]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            raise TagsetError("the CSV file is empty")
        columns = [c.strip().lower() for c in header]
        for column in columns:
            if column not in CSV_COLUMNS:
                raise TagsetError(f"line 1: unknown column {column!r} (columns: {', '.join(CSV_COLUMNS)})")
        if len(set(columns)) != len(columns):
            raise TagsetError("line 1: a column is named twice")
        if "type" not in columns or "name" not in columns:
            raise TagsetError('line 1: the columns "type" and "name" are required')
        located = []
        for row in reader:
            where = f"line {reader.line_num}"
            if not any(cell.strip() for cell in row) or row[0].lstrip().startswith("#"):
                continue  # blank lines and "#" comments
            if len(row) > len(columns):
                raise TagsetError(f"{where}: {len(row)} fields, the header has {len(columns)}")
            cells = dict(zip(columns, (c.strip() for c in row), strict=False))
            record = TagRecord(
                name=cells.get("name", ""),
                type=cells.get("type", ""),
                canonical=_csv_bool(cells.get("canonical", ""), where),
                merger=cells.get("merger") or None,
                fandoms=split_list(cells.get("fandoms", "")),
                characters=split_list(cells.get("characters", "")),
                synonyms=split_list(cells.get("synonyms", "")),
                media=cells.get("media", ""),
                meta=split_list(cells.get("meta", "")),
            )
            located.append(_Located(record, where))
    except csv.Error as exc:
        raise TagsetError(f"line {reader.line_num}: {exc}") from None
    return located


def _csv_bool(value: str, where: str) -> bool:
    folded = value.strip().lower()
    if not folded or folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise TagsetError(f"{where}: canonical must be true or false, not {value!r}")


def split_list(cell: str) -> tuple[str, ...]:
    """A CSV list cell: names separated by "|". A pipe with a space on both sides belongs to a
    name (AO3 writes alternate names that way: "Tartaglia | Childe"); "\\|" is a literal pipe."""
    items: list[str] = []
    current: list[str] = []
    index = 0
    while index < len(cell):
        ch = cell[index]
        if ch == "\\" and index + 1 < len(cell) and cell[index + 1] in "\\|":
            current.append(cell[index + 1])
            index += 2
            continue
        spaced = 0 < index < len(cell) - 1 and cell[index - 1].isspace() and cell[index + 1].isspace()
        if ch == "|" and not spaced:
            items.append("".join(current))
            current = []
        else:
            current.append(ch)
        index += 1
    items.append("".join(current))
    return tuple(item.strip() for item in items if item.strip())


def join_list(names: Iterable[str]) -> str:
    """The inverse of split_list."""
    return "|".join(_escape_item(name.strip()) for name in names if name.strip())


def _escape_item(name: str) -> str:
    out: list[str] = []
    for index, ch in enumerate(name):
        if ch == "\\":
            out.append("\\\\")
        elif ch == "|":
            spaced = 0 < index < len(name) - 1 and name[index - 1] == " " and name[index + 1] == " "
            out.append("|" if spaced else "\\|")
        else:
            out.append(ch)
    return "".join(out)


# --- validation ---


def _check_name(name: str, what: str, where: str) -> None:
    if not name:
        raise TagsetError(f"{where}: {what} is empty")
    if "," in name:
        raise TagsetError(f"{where}: {what} {name!r} contains a comma (tag names cannot)")
    if len(name) > MAX_NAME_LENGTH:
        raise TagsetError(f"{where}: {what} is {len(name)} characters long (at most {MAX_NAME_LENGTH})")
    if any(ch in name for ch in "\n\r\t"):
        raise TagsetError(f"{where}: {what} {name!r} contains a line break or tab")


def _validate(located: list[_Located]) -> None:
    # Pass 1: each entry on its own; collect every name (and synonym) per type.
    defined: dict[tuple[str, str], str] = {}  # (type, key) -> where it is defined
    canonical: dict[tuple[str, str], str] = {}  # (type, key) -> where a canonical tag is defined
    for item in located:
        record, where = item.record, item.where
        if record.type not in TAG_TYPES:
            raise TagsetError(f"{where}: unknown type {record.type!r} (types: {', '.join(TAG_TYPES)})")
        _check_name(record.name, "the name", where)
        for what, names in (
            ("synonym", record.synonyms),
            ("fandom", record.fandoms),
            ("character", record.characters),
            ("meta tag", record.meta),
        ):
            seen: set[str] = set()
            for name in names:
                _check_name(name, f"the {what}", where)
                if normalize_key(name) in seen:
                    raise TagsetError(f"{where}: the {what} {name!r} is listed twice")
                seen.add(normalize_key(name))
        if record.fandoms and record.type not in FANDOM_CHILD_TYPES:
            raise TagsetError(f"{where}: only characters, relationships and additional tags have fandoms")
        if record.characters and record.type != RELATIONSHIP:
            raise TagsetError(f"{where}: only relationships have characters")
        if record.media and record.type != FANDOM:
            raise TagsetError(f"{where}: only fandoms have a media")
        if len(record.media) > MAX_MEDIA_LENGTH:
            raise TagsetError(f"{where}: the media is longer than {MAX_MEDIA_LENGTH} characters")
        if record.canonical and record.merger:
            raise TagsetError(f"{where}: a canonical tag has no merger (set canonical to false)")
        if not record.canonical and (
            record.synonyms or record.fandoms or record.characters or record.media or record.meta
        ):
            raise TagsetError(f"{where}: only canonical tags have synonyms, parents, meta tags or media")
        if record.merger:
            _check_name(record.merger, "the merger", where)
        if (
            record.type in FIXED_TAG_TYPES
            and record.canonical
            and record.name not in _FIXED_NAMES[record.type]
        ):
            allowed = ", ".join(_FIXED_NAMES[record.type])
            raise TagsetError(f"{where}: {record.name!r} is not one of AO3's {record.type} tags ({allowed})")
        for name in (record.name, *record.synonyms):
            key = (record.type, normalize_key(name))
            if key in defined:
                raise TagsetError(f"{where}: duplicate {record.type} {name!r} (already in {defined[key]})")
            defined[key] = where
        if record.canonical:
            canonical[(record.type, normalize_key(record.name))] = where

    # Pass 2: references to other entries.
    for item in located:
        record, where = item.record, item.where
        if record.merger:
            if (record.type, normalize_key(record.merger)) not in canonical:
                raise TagsetError(
                    f"{where}: the merger {record.merger!r} is not a canonical {record.type} in this tag set"
                )
            if normalize_key(record.merger) == normalize_key(record.name):
                raise TagsetError(f"{where}: a tag cannot be its own merger")
        for name in record.fandoms:
            if (FANDOM, normalize_key(name)) not in defined:
                raise TagsetError(f"{where}: unknown fandom {name!r} (add the fandom to the tag set)")
        for name in record.characters:
            if (CHARACTER, normalize_key(name)) not in defined:
                raise TagsetError(f"{where}: unknown character {name!r} (add the character to the tag set)")
        for name in record.meta:
            if normalize_key(name) == normalize_key(record.name):
                raise TagsetError(f"{where}: a tag cannot be its own meta tag")
            if (record.type, normalize_key(name)) not in canonical:
                raise TagsetError(
                    f"{where}: the meta tag {name!r} is not a canonical {record.type} in this tag set"
                )
    _check_meta_loops(located)


def _check_meta_loops(located: list[_Located]) -> None:
    """Meta links must not loop (A over B over A): a filter on any of them would be unbounded."""
    metas: dict[tuple[str, str], list[tuple[str, str]]] = {}
    where_of: dict[tuple[str, str], str] = {}
    for item in located:
        key = (item.record.type, normalize_key(item.record.name))
        metas[key] = [(item.record.type, normalize_key(m)) for m in item.record.meta]
        where_of[key] = item.where
    done: set[tuple[str, str]] = set()
    for start in metas:
        path: set[tuple[str, str]] = set()
        stack: list[tuple[tuple[str, str], bool]] = [(start, False)]
        while stack:
            key, leaving = stack.pop()
            if leaving:
                path.discard(key)
                done.add(key)
                continue
            if key in path:
                raise TagsetError(f"{where_of.get(key, 'a tag')}: its meta tags form a loop")
            if key in done:
                continue
            path.add(key)
            stack.append((key, True))
            stack.extend((m, False) for m in metas.get(key, ()))


# --- dumping ---


def dump_tagset(records: Iterable[TagRecord], fmt: str = "json") -> str:
    """A tag set file for the records (one JSON entry per line, or CSV with a header)."""
    records = list(records)
    if fmt == "json":
        body = ",\n".join("    " + json.dumps(_json_entry(r), ensure_ascii=False) for r in records)
        return (
            "{\n"
            f'  "format": "{FORMAT_NAME}",\n'
            f'  "version": {FORMAT_VERSION},\n'
            '  "tags": [\n' + (body + "\n" if records else "") + "  ]\n}\n"
        )
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        with_meta = any(r.meta for r in records)
        writer.writerow(CSV_COLUMNS if with_meta else BASE_CSV_COLUMNS)
        for r in records:
            writer.writerow(
                [
                    r.type,
                    r.name,
                    "true" if r.canonical else "false",
                    r.merger or "",
                    join_list(r.fandoms),
                    join_list(r.characters),
                    join_list(r.synonyms),
                    r.media,
                ]
                + ([join_list(r.meta)] if with_meta else [])
            )
        return out.getvalue()
    raise TagsetError(f"unknown tag set format {fmt!r} (use json or csv)")


def _json_entry(record: TagRecord) -> dict[str, object]:
    entry: dict[str, object] = {"type": record.type, "name": record.name, "canonical": record.canonical}
    if record.merger:
        entry["merger"] = record.merger
    if record.fandoms:
        entry["fandoms"] = list(record.fandoms)
    if record.characters:
        entry["characters"] = list(record.characters)
    if record.synonyms:
        entry["synonyms"] = list(record.synonyms)
    if record.media:
        entry["media"] = record.media
    if record.meta:
        entry["meta"] = list(record.meta)
    return entry
