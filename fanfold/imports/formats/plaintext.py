"""Plain-text works: a LiveJournal-style header block, a challenge post, or bare text.

Three layouts, all read by one scanner of ``Key: value`` lines:

header block        ``Title: …`` / ``Author: …`` / ``Pairing: …`` lines (keys vary in case,
                    plural and spelling; separators may be non-breaking spaces or nothing),
                    values may wrap onto continuation lines, blank lines may sit between
                    entries; the story starts at the first blank line after which the text
                    is no longer ``Key: value`` lines.
challenge post      a title line ("Whumptober, Day 24 - Kakashi/Sakura"), then labelled
                    blocks such as ``Prompt:`` and ``Notes:``, then the story.
bare text           no header at all: the title comes from the file name.

Values are recorded as the file writes them; splitting ships, resolving tags and
turning ratings into AO3 ratings happen later, in ``imports.mapping``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePath

from fanfold.core.html import is_divider, text_to_html
from fanfold.imports.formats import fanficfare
from fanfold.imports.formats.common import clean_value, decode_text, split_list
from fanfold.imports.formats.dates import set_work_date
from fanfold.imports.parsed import (
    ImportFailed,
    ParsedChapter,
    ParsedCollection,
    ParsedSeries,
    ParsedWork,
)

NO_WARNINGS = "No Archive Warnings Apply"
_SNIFF_BYTES = 256 * 1024  # sniffing reads the head of the file only
_MAX_PATTERN_INPUT = 500  # longer values are not a series or prompt; keeps the lazy regexes linear

# Normalised header key -> what it fills. Keys not listed are kept in ``unmapped``.
_KEY_FIELDS: dict[str, str] = {}


def _alias(target: str, *keys: str) -> None:
    for key in keys:
        _KEY_FIELDS[key] = target


_alias("title", "title", "work title", "story title", "fic title")
_alias("author", "author", "authors", "writer", "writers", "by", "written by", "creator", "creators")
_alias("fandom", "fandom", "fandoms")
_alias("relationship", "pairing", "pairings", "relationship", "relationships", "ship", "ships")
_alias("character", "character", "characters")
_alias("rating", "rating")
_alias("warning", "warning", "warnings", "archive warning", "archive warnings", "content warning")
_alias("warning", "content warnings", "trigger warning", "trigger warnings")
_alias("genre", "genre", "genres")
_alias("category", "category", "categories")
_alias("tags", "tags", "tag", "additional tags", "freeform", "freeforms", "freeform tags")
_alias("summary", "summary", "description")
_alias("notes", "notes", "note", "author's notes", "author's note", "authors notes", "authors note")
_alias("notes", "author notes", "author note", "a/n", "a/ns", "an", "a.n.", "a.n")
_alias("dedication", "dedication", "dedicated to")
_alias("prompt", "prompt", "prompts")
_alias("series", "series")
_alias("gift", "recipient", "recipients", "for", "gift for", "gift", "written for")
_alias("language", "language")
_alias("status", "status")
_alias("published", "date", "posted", "published", "date posted", "date published", "posted on")
_alias("updated", "updated", "last updated", "date updated")
_alias("chapters", "chapters")
_alias("source", "source", "url", "link")
# Known keys without a structured field: they count as header evidence, and are kept verbatim.
_alias(
    "keep",
    "disclaimer", "disclaimers", "word count", "wordcount", "words", "length", "spoilers", "spoiler",
    "beta", "betas", "beta reader", "beta readers", "betaed by", "beta'd by", "archive", "archiving",
    "feedback", "challenge", "comments", "crossposted", "cross-posted", "timeline", "setting", "au",
    "mood", "music", "location", "current mood", "current music", "recs", "inspiration",
)  # fmt: skip

# Lines that look like "Word: text" but open the story, not a header entry.
_NOT_KEYS = {"chapter", "part", "prologue", "epilogue", "interlude", "book", "act", "scene", "http", "https"}

_KEY_LINE = re.compile(r"^[ \t\u00a0]*(?P<key>[^\W\d_][^:\n]{0,39}?)[ \t\u00a0]*:(?P<value>.*)$")
# An unlisted key: letters, spaces, apostrophes, hyphens, "&" and parentheses (no digits, no "/").
_UNKNOWN_KEY = re.compile(r"^[^\W\d_](?:[^\W\d_]|[ '’&()\-])*$")

# A prompt calendar in a title: "Whumptober, Day 24 - Kakashi/Sakura", "Flufftober day 3",
# "Whumptober 2020 Day 24: A/B", "Promptober — Day 12 — A/B", "Febuwhump Day #5".
_EVENT = re.compile(
    r"\b(?P<event>(?!october\b)[^\W\d_][\w'\-]*tober|febuwhump|whumpril)\b"
    r"(?:[\s,]+(?P<year>(?:19|20)\d\d))?"
    r"[\s,:.\-–—|]*(?:day|no\.?)\s*#?\s*(?P<day>\d{1,3})\b"
    r"(?P<rest>.*)$",
    re.IGNORECASE,
)
_SHIP_HINT = re.compile(r"/|&|\sx\s", re.IGNORECASE)
_GIFT = re.compile(
    r"\b(?:requested\s+by|request\s+(?:for|from)|gift\s+for|written\s+for|for)\s+@(?P<name>[\w.\-]+)",
    re.IGNORECASE,
)
_PEOPLE_SPLIT = re.compile(r"\s*,\s*|\s*&\s*|\s+and\s+", re.IGNORECASE)
_CHAPTERS = re.compile(r"^\s*(\d{1,5})\s*(?:/|of)\s*(\d{1,5}|\?)\s*$", re.IGNORECASE)
_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)
_COMPLETE_WORDS = {"complete", "completed", "finished", "done", "oneshot", "one-shot", "one shot"}
_WIP_WORDS = {"in progress", "in-progress", "wip", "ongoing", "incomplete", "unfinished", "work in progress"}
_NO_WARNING_WORDS = {"none", "no warnings", "no warning", "no warnings apply", "no archive warnings apply"}
_SERIES_PATTERNS = (
    # "Name, Part 2", "Name (Part 2)", "Name - Book 2", "Name, No. 2", "Name #2", "Name [2]"
    re.compile(r"^(?P<name>.+?)[\s,;:\-–—]*[(\[]?\s*(?:part|pt\.?|book|vol\.?|volume|no\.?|number|#)\s*"
               r"#?\s*(?P<pos>\d{1,4})\s*[)\]]?\s*$", re.IGNORECASE),
    re.compile(r"^(?P<name>.+?)\s*[(\[#]\s*(?P<pos>\d{1,4})\s*[)\]]?\s*$"),
    # "Part 2 of Name"
    re.compile(r"^(?:part|book|no\.?)\s*(?P<pos>\d{1,4})\s+(?:of|in)\s+(?P<name>.+)$", re.IGNORECASE),
)  # fmt: skip
_LIST_FIELDS = (
    "creators", "fandoms", "relationships", "characters", "warnings", "genres", "categories",
    "additional_tags", "gifts",
)  # fmt: skip
_HASHLIKE = re.compile(r"[0-9a-f\W_]+", re.IGNORECASE)  # hex digits and separators only


@dataclass
class _Entry:
    """One ``Key: value`` entry with its continuation lines."""

    key: str  # as written in the file
    kind: str  # a _KEY_FIELDS value, or "unknown"
    lines: list[str] = field(default_factory=list)

    @property
    def verbatim(self) -> str:
        return "\n".join(self.lines).strip()

    @property
    def flat(self) -> str:
        """The value on one line, for list-like fields whose continuation lines are soft wraps."""
        return clean_value(" ".join(self.lines))


@dataclass
class _Layout:
    kind: str  # "header", "challenge" (a title line, then labelled blocks), "bare"
    title_line: str
    entries: list[_Entry]
    body: str

    @property
    def known_keys(self) -> int:
        return sum(1 for e in self.entries if e.kind != "unknown")


# --- public API ------------------------------------------------------------------


def sniff(data: bytes, filename: str = "") -> int:
    """80 for a header block with two or more known keys, 70 for a challenge post, 10 for bare text."""
    if PurePath(filename).suffix.lower() in {".html", ".htm", ".xhtml", ".epub", ".zip"}:
        return 0
    try:
        text = decode_text(data[:_SNIFF_BYTES])
    except ImportFailed:
        return 0
    head = text.lstrip()
    if head.startswith("<") or re.search(r"<(?:html|body|!doctype)\b", head[:4000], re.IGNORECASE):
        return 0
    if head.split("\n", 1)[0].strip() == "---":  # YAML front matter
        return 0
    if fanficfare.score_text(text) > 0:
        return 0
    layout = _read_layout(text)
    if layout.kind == "header":
        return 80 if layout.known_keys >= 2 else 40
    if layout.kind == "challenge":
        if _EVENT.search(layout.title_line) or any(e.kind == "prompt" for e in layout.entries):
            return 70
        return 75 if layout.known_keys >= 2 else 40
    return 10


def parse(data: bytes, filename: str = "") -> ParsedWork:
    text = decode_text(data)
    layout = _read_layout(text)
    if not layout.body.strip():
        if layout.entries:
            raise ImportFailed("the file has a header but no story text after it")
        raise ImportFailed("the file has no story text")

    has_prompt = any(e.kind == "prompt" for e in layout.entries)
    event = _EVENT.search(layout.title_line) if layout.title_line else None
    # A title line with a prompt or a prompt calendar is a challenge post; with other keys only,
    # it is a header block that happens to start with the title.
    is_challenge = layout.kind == "challenge" and (event or has_prompt)
    work = ParsedWork(source_format="challenge" if is_challenge else "plaintext")

    if layout.kind == "challenge":
        work.title = clean_value(layout.title_line)  # a Title key, if any, is then kept in unmapped
    _apply_entries(work, layout)
    if not work.title:
        work.title = title_from_filename(filename)

    body = text_to_html(layout.body)
    if not body:  # only divider lines
        raise ImportFailed("the file has no story text")
    work.chapters = [ParsedChapter(body=body)]
    if work.complete is None:
        work.complete = True  # a single plain-text file is the whole work unless it says otherwise
    return work


def title_from_filename(filename: str) -> str:
    """A title from a file name: "my_fic-title.txt" -> "my fic title"; hash-like names -> "Untitled"."""
    stem = PurePath(filename.replace("\\", "/")).stem if filename else ""
    if not stem.strip() or _looks_hashlike(stem):
        return "Untitled"
    return clean_value(re.sub(r"[_\-]+", " ", stem)) or "Untitled"


# --- layout ----------------------------------------------------------------------


def _read_layout(text: str) -> _Layout:
    lines = text.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
    if first == len(lines):
        return _Layout("bare", "", [], "")
    first_line = lines[first]
    key = _key_of(first_line)
    if key is not None and key[1] != "unknown" and not _EVENT.search(first_line[:_MAX_PATTERN_INPUT]):
        entries, body_start = _scan_entries(lines, first)
        return _Layout("header", "", entries, "\n".join(lines[body_start:]))
    if len(first_line.strip()) <= 200 and not is_divider(first_line):
        entries, body_start = _scan_entries(lines, first + 1)
        if any(e.kind != "unknown" for e in entries):
            return _Layout("challenge", first_line.strip(), entries, "\n".join(lines[body_start:]))
    return _Layout("bare", "", [], "\n".join(lines[first:]))


def _scan_entries(lines: list[str], start: int) -> tuple[list[_Entry], int]:
    """Read ``Key: value`` entries from ``lines[start:]``; return them and where the story starts."""
    entries: list[_Entry] = []
    current: _Entry | None = None  # the entry a non-key line would continue
    i = start
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            current = None  # continuation stops at a blank line
            i += 1
            continue
        if is_divider(line):
            break  # "-----" or "***" between header and story
        key = _key_of(line)
        if key is not None and current is None and key[1] == "unknown" and not _known_key_follows(lines, i):
            key = None  # "Naruto: hey!" opening the story, not an unlisted header key
        if key is not None:
            written, kind, value = key
            current = _Entry(written, kind, [value] if value else [])
            entries.append(current)
        elif current is not None:
            current.lines.append(_strip_line(line))
        else:
            break  # prose after a blank line: the story
        i += 1
    if not entries:
        return [], start
    return entries, i


def _known_key_follows(lines: list[str], i: int) -> bool:
    """Whether a listed key comes after the unlisted one at lines[i] (past its continuation lines)."""
    for line in lines[i + 1 : i + 50]:
        if not line.strip():
            continue
        key = _key_of(line)
        if key is not None and key[1] != "unknown":
            return True
        if key is None and is_divider(line):
            return False
    return False


def _key_of(line: str) -> tuple[str, str, str] | None:
    """(key as written, kind, value) for a ``Key: value`` line, else None."""
    match = _KEY_LINE.match(line)
    if not match:
        return None
    written = match.group("key").strip()
    value = _strip_line(match.group("value"))
    if value.startswith("//"):  # "http://…", not a key
        return None
    normal = _normalise_key(written)
    kind = _KEY_FIELDS.get(normal)
    if kind is not None:
        return written, kind, value
    words = normal.split()
    if (
        not _UNKNOWN_KEY.match(written)
        or len(words) > 4
        or len(written) > 30
        or words[0] in _NOT_KEYS
        or not written[0].isupper()
    ):
        return None
    return written, "unknown", value


def _normalise_key(key: str) -> str:
    key = key.casefold().replace("’", "'").replace("(s)", "")
    return re.sub(r"\s+", " ", key.replace("\u00a0", " ")).strip()


def _strip_line(text: str) -> str:
    return text.strip(" \t\u00a0\u200b\ufeff")


def _looks_hashlike(stem: str) -> bool:
    if not _HASHLIKE.fullmatch(stem):
        return False
    tokens = re.findall(r"[0-9a-f]+", stem, re.IGNORECASE)
    return any(len(t) >= 8 and re.search(r"\d", t) for t in tokens) or stem.isdigit()


# --- mapping entries onto ParsedWork -----------------------------------------------


def _apply_entries(work: ParsedWork, layout: _Layout) -> None:
    prompt_values: list[str] = []
    summary_html: list[str] = []
    notes_html: list[str] = []
    gift_sources: list[str] = []
    kept: dict[str, list[str]] = {}  # becomes work.unmapped
    for entry in layout.entries:
        value, flat = entry.verbatim, entry.flat
        if not value:
            continue
        kind = entry.kind
        if kind == "title":
            if work.title:
                _keep(kept, entry.key, value)
            else:
                work.title = flat
        elif kind == "author":
            _extend(work.creators, split_people(flat))
        elif kind == "fandom":
            _extend(work.fandoms, split_list(flat))
        elif kind == "relationship":
            _extend(work.relationships, split_list(flat))  # raw chunks; ship splitting is mapping's job
        elif kind == "character":
            _extend(work.characters, split_list(flat))
        elif kind == "rating":
            if work.rating:
                _keep(kept, entry.key, value)
            else:
                work.rating = flat
        elif kind == "warning":
            if flat.casefold().strip(" .!") in _NO_WARNING_WORDS:
                _extend(work.warnings, [NO_WARNINGS])
            else:
                _extend(work.warnings, split_list(flat))
        elif kind == "genre":
            _extend(work.genres, split_list(flat))
        elif kind == "category":
            _extend(work.categories, split_list(flat))
        elif kind == "tags":
            _extend(work.additional_tags, split_list(flat))
        elif kind == "summary":
            summary_html.append(text_to_html(_unwrap(entry.lines)))
        elif kind == "notes":
            notes_html.append(text_to_html(_unwrap(entry.lines)))
            gift_sources.append(value)
        elif kind == "dedication":
            _keep(kept, entry.key, value)
            gift_sources.append(value)
        elif kind == "prompt":
            prompt_values.append(flat)
        elif kind == "series":
            work.series.append(parse_series(flat))
        elif kind == "gift":
            _extend(work.gifts, [_gift_name(n) for n in split_people(flat)])
        elif not _apply_single(work, kind, flat):
            _keep(kept, entry.key, value)  # unknown key, or a value we cannot read: kept as written

    work.summary = _join_html(*summary_html)
    work.notes = _join_html(*notes_html)
    for source in gift_sources:
        _extend(work.gifts, gifts_in(source))
    _apply_event(work, layout, prompt_values, kept)
    for name in _LIST_FIELDS:
        setattr(work, name, list(dict.fromkeys(getattr(work, name))))
    work.unmapped = {key: "\n".join(dict.fromkeys(values)) for key, values in kept.items()}


def _apply_event(work: ParsedWork, layout: _Layout, prompts: list[str], kept: dict[str, list[str]]) -> None:
    """A prompt calendar named in the title becomes a collection holding the Prompt block."""
    match = _EVENT.search((layout.title_line or work.title)[:_MAX_PATTERN_INPUT])
    if match is None:
        for prompt in prompts:
            _keep(kept, "Prompt", prompt)
        return
    name = match.group("event")
    if name.islower():
        name = name[0].upper() + name[1:]
    if match.group("year"):
        name = f"{name} {match.group('year')}"
    prompt_text, prompt_words = parse_prompt(prompts[0]) if prompts else ("", [])
    for extra in prompts[1:]:
        _keep(kept, "Prompt", extra)
    work.collections.append(ParsedCollection(name, int(match.group("day")), prompt_text, prompt_words))
    ship = re.sub(r"^[\s,:.\-–—|]+", "", match.group("rest")).strip()
    if ship and _SHIP_HINT.search(ship):
        _extend(work.relationships, [ship])


def _apply_single(work: ParsedWork, kind: str, value: str) -> bool:
    """Fill a single-valued field; False when the value is unreadable or the field already set."""
    if kind == "language" and not work.language:
        work.language = value
        return True
    if kind == "source" and _URL.match(value) and not work.source_url:
        work.source_url = value
        return True
    if kind == "status":
        return _apply_status(work, value)
    if kind in {"published", "updated"}:
        return set_work_date(work, kind, value)
    if kind == "chapters":
        return _apply_chapters(work, value)
    return False


def _apply_status(work: ParsedWork, value: str) -> bool:
    word = value.casefold().strip(" .!")
    if word in _COMPLETE_WORDS:
        work.complete = True
    elif word in _WIP_WORDS:
        work.complete = False
    else:
        return False
    return True


def _apply_chapters(work: ParsedWork, value: str) -> bool:
    match = _CHAPTERS.match(value)
    if match is None:
        return False
    posted, expected = int(match.group(1)), match.group(2)
    work.chapters_expected = None if expected == "?" else int(expected)
    if work.complete is None:
        work.complete = work.chapters_expected is not None and posted >= work.chapters_expected
    return True


# --- value helpers (also used by tests) ------------------------------------------


def split_people(value: str) -> list[str]:
    """Creator or recipient names: "A, B & C and D" -> ["A", "B", "C", "D"] (a leading "@" dropped)."""
    names = (clean_value(part).lstrip("@") for part in _PEOPLE_SPLIT.split(clean_value(value)))
    return [name for name in names if name]


def gifts_in(text: str) -> list[str]:
    """Recipients named in notes: "Requested by @name", "Gift for @name", "for @name" -> ["name"]."""
    return [name for name in (_gift_name(m.group("name")) for m in _GIFT.finditer(text)) if name]


def parse_prompt(value: str) -> tuple[str, list[str]]:
    """ "One down, two to go (a, b/c)" -> ("One down, two to go", ["a", "b", "c"]); "A | B | C" too."""
    text = clean_value(value)
    if len(text) > _MAX_PATTERN_INPUT:
        return text, []
    match = re.match(r"^(?P<main>.*?)\s*\((?P<alts>[^()]*)\)\s*$", text)
    if match and match.group("main"):
        words = [clean_value(w) for w in re.split(r"[,/;|]", match.group("alts"))]
        return match.group("main"), [w for w in words if w]
    if "|" in text:
        parts = [clean_value(p) for p in text.split("|") if clean_value(p)]
        if parts:
            return parts[0], parts[1:]
    return text, []


def parse_series(value: str) -> ParsedSeries:
    """ "Name, Part 2", "Name (Part 2)", "Name #2", "Part 2 of Name" -> ParsedSeries(name, 2)."""
    text = clean_value(value)
    if len(text) > _MAX_PATTERN_INPUT:
        return ParsedSeries(text, None)
    for pattern in _SERIES_PATTERNS:
        match = pattern.match(text)
        if match:
            name = match.group("name").strip(" ,;:-–—")
            if name:
                return ParsedSeries(name, int(match.group("pos")))
    return ParsedSeries(text, None)


def _gift_name(name: str) -> str:
    return name.strip().lstrip("@").rstrip(".,!?;:-")


def _unwrap(lines: list[str]) -> str:
    """Join lines that a mail client or editor hard-wrapped; keep short, deliberate lines apart."""
    if len(lines) >= 2 and all(50 <= len(line) <= 80 for line in lines[:-1]):
        return " ".join(lines)
    return "\n".join(lines)


def _join_html(*parts: str) -> str:
    return "\n".join(part for part in parts if part)


def _extend(target: list[str], values: list[str]) -> None:
    target.extend(value for value in values if value)  # duplicates go at the end, in one pass


def _keep(kept: dict[str, list[str]], key: str, value: str) -> None:
    """Record a value no structured field holds; a repeated key gathers its values."""
    if value:
        kept.setdefault(key, []).append(value)
