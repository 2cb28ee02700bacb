"""From what a file says (ParsedWork) to what the archive stores (WorkDraft).

Pure: the tag knowledge comes in as a TagIndex, so this runs without a database.
The rating table is documented in docs/import-formats.md; keep the two in step.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

from fanfold.core.html import html_to_text, sanitize
from fanfold.core.languages import guess_language, language_code
from fanfold.core.text import count_words, normalize_key
from fanfold.imports.parsed import ParsedWork
from fanfold.tags import vocabulary as vocab
from fanfold.tags.resolver import Resolved, TagIndex

# Source rating (folded) -> AO3 rating. Film-style, FanFiction.Net, Wattpad and plain words.
RATING_TABLE: dict[str, str] = {
    "g": vocab.GENERAL, "pg": vocab.GENERAL, "k": vocab.GENERAL, "k+": vocab.GENERAL,
    "fiction k": vocab.GENERAL, "fiction k+": vocab.GENERAL, "general": vocab.GENERAL,
    "all ages": vocab.GENERAL, "everyone": vocab.GENERAL, "u": vocab.GENERAL,
    "pg-13": vocab.TEEN, "pg13": vocab.TEEN, "pg-15": vocab.TEEN, "t": vocab.TEEN, "teen": vocab.TEEN,
    "teens": vocab.TEEN, "fiction t": vocab.TEEN, "12+": vocab.TEEN, "13+": vocab.TEEN, "15+": vocab.TEEN,
    "r": vocab.MATURE, "m": vocab.MATURE, "fiction m": vocab.MATURE, "mature": vocab.MATURE,
    "16+": vocab.MATURE, "17+": vocab.MATURE,
    "nc-17": vocab.EXPLICIT, "nc17": vocab.EXPLICIT, "nc-18": vocab.EXPLICIT, "ma": vocab.EXPLICIT,
    "fiction ma": vocab.EXPLICIT, "x": vocab.EXPLICIT, "xxx": vocab.EXPLICIT, "adult": vocab.EXPLICIT,
    "explicit": vocab.EXPLICIT, "18+": vocab.EXPLICIT, "nsfw": vocab.EXPLICIT,
    "not rated": vocab.NOT_RATED, "unrated": vocab.NOT_RATED, "none": vocab.NOT_RATED,
}  # fmt: skip

# Free-text warnings (folded) -> AO3 archive warning.
WARNING_TABLE: dict[str, str] = {
    "choose not to use archive warnings": vocab.CHOSE_NOT_TO_WARN, "cntw": vocab.CHOSE_NOT_TO_WARN,
    "creator chose not to warn": vocab.CHOSE_NOT_TO_WARN, "chose not to warn": vocab.CHOSE_NOT_TO_WARN,
    "author chose not to use archive warnings": vocab.CHOSE_NOT_TO_WARN,
    "none": vocab.NO_WARNINGS, "no warnings": vocab.NO_WARNINGS, "n/a": vocab.NO_WARNINGS,
    "no warning": vocab.NO_WARNINGS, "no warnings apply": vocab.NO_WARNINGS,
    "no archive warnings": vocab.NO_WARNINGS, "nothing": vocab.NO_WARNINGS,
    "major character death": vocab.CHARACTER_DEATH, "character death": vocab.CHARACTER_DEATH,
    "mcd": vocab.CHARACTER_DEATH, "death": vocab.CHARACTER_DEATH,
    "graphic violence": vocab.VIOLENCE, "violence": vocab.VIOLENCE,
    "graphic depictions of violence": vocab.VIOLENCE,
    "rape": vocab.NON_CON, "non-con": vocab.NON_CON, "noncon": vocab.NON_CON, "rape/non-con": vocab.NON_CON,
    "underage": vocab.UNDERAGE, "underage sex": vocab.UNDERAGE,
}  # fmt: skip

CATEGORY_TABLE: dict[str, str] = {
    "gen": "Gen", "general": "Gen", "het": "F/M", "f/m": "F/M", "m/f": "F/M", "slash": "M/M",
    "m/m": "M/M", "femslash": "F/F", "femmeslash": "F/F", "f/f": "F/F", "multi": "Multi",
    "poly": "Multi", "multiple": "Multi", "other": "Other",
}  # fmt: skip

_GIFT_OK = re.compile(r"^[\w.\-]{1,100}$")


@dataclass
class ChapterDraft:
    title: str
    summary: str
    notes: str
    end_notes: str
    body: str
    word_count: int


@dataclass
class SeriesDraft:
    name: str
    position: int | None


@dataclass
class CollectionDraft:
    name: str
    prompt_day: int | None = None
    prompt_text: str = ""
    prompt_tags: list[str] = field(default_factory=list)


@dataclass
class RelatedDraft:
    relation: str
    title: str
    url: str
    creator: str


@dataclass
class WorkDraft:
    """Everything a new work needs, with tag names as the archive will show them."""

    title: str
    creators: list[str]
    rating: str
    warnings: list[str]
    categories: list[str]
    fandoms: list[str]
    relationships: list[str]
    characters: list[str]
    additional_tags: list[str]
    language: str
    summary: str
    notes: str
    end_notes: str
    series: list[SeriesDraft]
    collections: list[CollectionDraft]
    gifts: list[str]
    related: list[RelatedDraft]
    chapters: list[ChapterDraft]
    word_count: int
    complete: bool
    chapters_expected: int | None
    published: dt.date | None
    updated: dt.date | None
    source_format: str
    source_url: str
    unmapped: dict[str, str]
    # Canonical-ness of each tag name (by type), so the writer knows what it may create.
    canonical_names: dict[str, set[str]] = field(default_factory=dict)

    def as_json(self) -> dict:
        """The shape `fanfold import --dry-run --json` prints (documented in docs/import-formats.md)."""
        return {
            "title": self.title,
            "creators": self.creators,
            "rating": self.rating,
            "warnings": self.warnings,
            "categories": self.categories,
            "fandoms": self.fandoms,
            "relationships": self.relationships,
            "characters": self.characters,
            "additional_tags": self.additional_tags,
            "language": self.language,
            "summary": self.summary,
            "notes": self.notes,
            "end_notes": self.end_notes,
            "series": [asdict(s) for s in self.series],
            "collections": [
                {
                    "name": c.name,
                    "prompt": (
                        {"day": c.prompt_day, "text": c.prompt_text, "tags": c.prompt_tags}
                        if c.prompt_day or c.prompt_text
                        else None
                    ),
                }
                for c in self.collections
            ],
            "gifts": self.gifts,
            "related_works": [asdict(r) for r in self.related],
            "chapters": [
                {"position": i, "title": ch.title, "word_count": ch.word_count}
                for i, ch in enumerate(self.chapters, start=1)
            ],
            "word_count": self.word_count,
            "complete": self.complete,
            "chapters_expected": self.chapters_expected,
            "published": self.published.isoformat() if self.published else None,
            "updated": self.updated.isoformat() if self.updated else None,
            "source_format": self.source_format,
            "source_url": self.source_url,
            "unmapped": self.unmapped,
        }


def convert_rating(raw: str) -> str | None:
    """The AO3 rating for a source rating, or None when the text is not a rating we know."""
    text = normalize_key(raw).strip(" .")
    if not text:
        return None
    for name in vocab.RATINGS:
        if text == normalize_key(name):
            return name
    if text in RATING_TABLE:
        return RATING_TABLE[text]
    # "PG-13 for language", "R (violence)", "Rated: T": the first word decides.
    text = re.sub(r"^(rated|rating)\s*:?\s*", "", text)
    first = re.split(r"[\s(,;/]+", text, maxsplit=1)[0]
    return RATING_TABLE.get(first)


class _Collector:
    """An ordered, de-duplicated list of tag names (case-insensitively)."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self._keys: set[str] = set()
        self.canonical: set[str] = set()

    def add(self, name: str, *, canonical: bool = False) -> None:
        name = name.strip()
        if not name:
            return
        key = normalize_key(name)
        if key not in self._keys:
            self._keys.add(key)
            self.names.append(name)
        if canonical:
            self.canonical.add(name)

    def add_resolved(self, resolved: Resolved) -> None:
        self.add(resolved.name, canonical=resolved.canonical)


def _tag_name(raw: str) -> str:
    """AO3 tag names have no commas and at most 150 characters."""
    return re.sub(r"\s+", " ", raw.replace(",", " ")).strip()[:150]


# Tags from a file whose tags are exact (an AO3 download) are renamed only by near-certain
# matches (a synonym, case or name order); a looser guess would rewrite what the creator chose.
EXACT_SOURCE_MIN_CONFIDENCE = 0.97


def to_draft(parsed: ParsedWork, index: TagIndex, *, default_language: str = "en") -> WorkDraft:
    unmapped = dict(parsed.unmapped)

    def resolve(tag_type: str, raw: str, fandoms: list[str] | None = None) -> Resolved:
        name = _tag_name(raw)
        if tag_type == "relationship":
            resolved = index.resolve_relationship(name, fandoms or ())
        else:
            resolved = index.resolve(tag_type, name, fandoms or ())
        if parsed.tags_are_exact and resolved.confidence < EXACT_SOURCE_MIN_CONFIDENCE:
            return Resolved(
                name=name, tag_type=tag_type, canonical=False, fandoms=(), characters=(), confidence=0
            )
        return resolved

    categories = _Collector()
    warnings = _Collector()
    additional = _Collector()
    fandoms = _Collector()
    relationships = _Collector()
    characters = _Collector()

    # Rating: AO3's table, the original kept when it was not already an AO3 rating.
    rating = vocab.NOT_RATED
    if parsed.rating.strip():
        converted = convert_rating(parsed.rating)
        rating = converted or vocab.NOT_RATED
        if converted is None or normalize_key(converted) != normalize_key(parsed.rating):
            unmapped.setdefault("Rating", parsed.rating.strip())

    # Warnings: AO3's six; anything else becomes an additional tag (and is kept as written).
    unknown_warnings = []
    for raw in parsed.warnings:
        key = normalize_key(raw).strip(" .")
        match = next((w for w in vocab.WARNINGS if normalize_key(w) == key), None) or WARNING_TABLE.get(key)
        if match:
            warnings.add(match, canonical=True)
        elif key:
            unknown_warnings.append(raw.strip())
            additional.add_resolved(resolve("additional", raw))
    if unknown_warnings:
        unmapped.setdefault("Warnings", ", ".join(parsed.warnings))
    if not warnings.names:
        warnings.add(vocab.CHOSE_NOT_TO_WARN, canonical=True)

    # Categories, and "Genre: gen" as the Gen category; other genres are additional tags.
    for raw in parsed.categories:
        category = CATEGORY_TABLE.get(normalize_key(raw).strip(" ."))
        if category:
            categories.add(category, canonical=True)
        elif raw.strip():
            unmapped.setdefault("Category", ", ".join(parsed.categories))
            additional.add_resolved(resolve("additional", raw))
    for raw in parsed.genres:
        if normalize_key(raw).strip(" .") in {"gen", "general (gen)"}:
            categories.add("Gen", canonical=True)
        elif raw.strip():
            additional.add_resolved(resolve("additional", raw))
    for raw in parsed.additional_tags:
        additional.add_resolved(resolve("additional", raw))

    # Fandoms first, so names can be resolved within them.
    for raw in parsed.fandoms:
        fandoms.add_resolved(resolve("fandom", raw))
    fandom_context = list(fandoms.names)

    resolved_people: list[Resolved] = []
    qualifiers: list[str] = []
    for raw in parsed.relationships:
        ships = [raw] if parsed.tags_are_exact else None
        if ships is None:
            split = index.split_relationships(raw)
            ships = [s.text for s in split]
            qualifiers += [f"{s.qualifier} {s.text}".strip() for s in split if s.qualifier]
        for ship in ships:
            resolved = resolve("relationship", ship, fandom_context)
            relationships.add_resolved(resolved)
            resolved_people.append(resolved)
    if qualifiers:
        unmapped.setdefault("Relationships (as written)", "; ".join(r.strip() for r in parsed.relationships))
    # With no fandom named, the ships' fandoms are the best context for lone given names.
    character_context = fandom_context or index.infer_fandoms(resolved_people)

    for raw in parsed.characters:
        resolved = resolve("character", raw, character_context)
        characters.add_resolved(resolved)
        resolved_people.append(resolved)
    if not parsed.tags_are_exact:
        # A free-text header rarely lists the characters of its pairings; filters need them.
        for resolved in resolved_people:
            for name in resolved.characters:
                characters.add(name, canonical=True)

    if not fandoms.names:
        for name in index.infer_fandoms(resolved_people):
            fandoms.add(name, canonical=True)

    # Collections and prompts; the prompt's words are additional tags too.
    collections = []
    for parsed_collection in parsed.collections:
        prompt_tags = []
        for word in parsed_collection.prompt_words:
            resolved = resolve("additional", word)
            additional.add_resolved(resolved)
            prompt_tags.append(resolved.name)
        written = parsed_collection.prompt_words
        if [normalize_key(t) for t in prompt_tags] != [normalize_key(w) for w in written]:
            # The prompt's words were wrangled (e.g. a typo fixed): keep the creator's own wording.
            words = ", ".join(written)
            unmapped.setdefault("Prompt (as written)", f"{parsed_collection.prompt_text} ({words})".strip())
        collections.append(
            CollectionDraft(
                name=parsed_collection.name.strip(),
                prompt_day=parsed_collection.prompt_day,
                prompt_text=parsed_collection.prompt_text.strip(),
                prompt_tags=prompt_tags,
            )
        )

    chapters = []
    for chapter in parsed.chapters:
        body = sanitize(chapter.body)
        chapters.append(
            ChapterDraft(
                title=chapter.title.strip(),
                summary=sanitize(chapter.summary),
                notes=sanitize(chapter.notes),
                end_notes=sanitize(chapter.end_notes),
                body=body,
                word_count=count_words(html_to_text(body)),
            )
        )
    body_text = " ".join(html_to_text(ch.body)[:5000] for ch in chapters[:3])

    language = language_code(parsed.language) if parsed.language.strip() else None
    if parsed.language.strip() and language is None:
        unmapped.setdefault("Language", parsed.language.strip())
    if language is None:
        language = guess_language(body_text, default_language)

    complete = parsed.complete
    if complete is None:
        complete = parsed.chapters_expected is None or len(chapters) >= parsed.chapters_expected
    chapters_expected = parsed.chapters_expected
    if complete and chapters_expected is None:
        chapters_expected = len(chapters)

    gifts = []
    for name in parsed.gifts:
        name = name.strip().lstrip("@").rstrip(".,!?;:")
        if name and name not in gifts:
            gifts.append(name)
            if not _GIFT_OK.match(name):
                unmapped.setdefault("Gift", ", ".join(parsed.gifts))

    updated = parsed.updated or parsed.published
    canonical_names = {
        "warning": warnings.canonical,
        "category": categories.canonical,
        "fandom": fandoms.canonical,
        "relationship": relationships.canonical,
        "character": characters.canonical,
        "additional": additional.canonical,
    }
    return WorkDraft(
        title=re.sub(r"\s+", " ", parsed.title).strip()[:255] or "Untitled",
        creators=_unique(c.strip() for c in parsed.creators),
        rating=rating,
        warnings=warnings.names,
        categories=[c for c in vocab.CATEGORIES if c in categories.names],
        fandoms=fandoms.names,
        relationships=relationships.names,
        characters=characters.names,
        additional_tags=additional.names,
        language=language,
        summary=sanitize(parsed.summary),
        notes=sanitize(parsed.notes),
        end_notes=sanitize(parsed.end_notes),
        series=[SeriesDraft(s.name.strip(), s.position) for s in parsed.series if s.name.strip()],
        collections=collections,
        gifts=gifts,
        related=[RelatedDraft(r.relation, r.title, r.url, r.creator) for r in parsed.related],
        chapters=chapters,
        word_count=sum(ch.word_count for ch in chapters),
        complete=complete,
        chapters_expected=chapters_expected,
        published=parsed.published,
        updated=updated,
        source_format=parsed.source_format,
        source_url=parsed.source_url,
        unmapped=unmapped,
        canonical_names=canonical_names,
    )


def _unique(names: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    result = []
    for name in names:
        key = normalize_key(name)
        if name and key not in seen:
            seen.add(key)
            result.append(name)
    return result
