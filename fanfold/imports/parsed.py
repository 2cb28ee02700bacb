"""The parsers' common output: plain data, no database.

Every format module exposes ``parse(data: bytes, filename: str = "") -> ParsedWork``
and ``sniff(data: bytes, filename: str = "") -> int`` (0 = not mine, higher = more sure).
Parsers record what the file *says*; turning raw strings into canonical tags,
AO3 ratings and so on is the job of ``imports.mapping``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


class ImportFailed(Exception):
    """A file that cannot be imported. The message is shown to the user as is (one line)."""


@dataclass
class ParsedChapter:
    title: str = ""
    summary: str = ""  # safe HTML
    notes: str = ""  # safe HTML
    end_notes: str = ""  # safe HTML
    body: str = ""  # safe HTML


@dataclass
class ParsedSeries:
    name: str
    position: int | None = None


@dataclass
class ParsedCollection:
    """A collection the work belongs to, optionally with the prompt it fills."""

    name: str  # display title, e.g. "Whumptober 2020" or "Whumptober"
    prompt_day: int | None = None  # day of a prompt calendar, e.g. 24
    prompt_text: str = ""  # the main prompt, e.g. "One down, two to go"
    prompt_words: list[str] = field(default_factory=list)  # alternative prompts, become additional tags


@dataclass
class ParsedRelatedWork:
    relation: str  # "inspired_by" or "translation_of"
    title: str = ""
    url: str = ""
    creator: str = ""


@dataclass
class ParsedWork:
    source_format: str  # "plaintext", "challenge", "fanficfare", "ao3_html", "ao3_epub", "frontmatter", ...
    title: str = ""
    creators: list[str] = field(default_factory=list)
    summary: str = ""  # safe HTML
    notes: str = ""  # safe HTML
    end_notes: str = ""  # safe HTML
    # Raw tag text as the source has it. When ``tags_are_exact`` is False the
    # entries are free text from a header (e.g. "hints of SasuSaku and NaruSaku"),
    # which the mapping splits and resolves; when True each entry is one tag
    # (AO3 downloads), kept as is.
    rating: str = ""
    warnings: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    fandoms: list[str] = field(default_factory=list)
    relationships: list[str] = field(default_factory=list)
    characters: list[str] = field(default_factory=list)
    additional_tags: list[str] = field(default_factory=list)
    # "gen" becomes the Gen category, the rest additional tags.
    genres: list[str] = field(default_factory=list)
    tags_are_exact: bool = False
    language: str = ""  # as written: "English", "en", "Deutsch", ...
    series: list[ParsedSeries] = field(default_factory=list)
    collections: list[ParsedCollection] = field(default_factory=list)
    gifts: list[str] = field(default_factory=list)  # recipient names, without "@"
    related: list[ParsedRelatedWork] = field(default_factory=list)
    published: dt.date | None = None
    updated: dt.date | None = None
    complete: bool | None = None  # None = the source does not say
    chapters_expected: int | None = None  # None = unknown ("?")
    source_url: str = ""
    chapters: list[ParsedChapter] = field(default_factory=list)
    # Source fields that no structured field above holds, verbatim: label -> value.
    # E.g. {"Disclaimer": "...", "Word count": "1,234", "Beta": "..."}.
    unmapped: dict[str, str] = field(default_factory=dict)
