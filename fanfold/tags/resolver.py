"""TagIndex: turns the tag text people write into the archive's canonical tags (pure, no database).

Built from TagRecords (canonical tags with their synonyms and parents; synonyms may also come as
separate non-canonical records with a ``merger``). The matchers and their confidences are in
``matchers``; relationship notation and portmanteau cutting in ``ships``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from fanfold.tags.matchers import (
    CONFIDENCE,
    STRONG,
    Candidates,
    Tag,
    TypeTable,
    candidates,
    match_case,
    match_exact,
    match_synonym,
    portmanteau_words,
)
from fanfold.tags.names import clean, compose_relationship, exact_key, loose_key, split_hint
from fanfold.tags.records import CHARACTER, FANDOM, FIXED_TAG_TYPES, RELATIONSHIP, TagRecord
from fanfold.tags.ships import (
    PLATONIC,
    ROMANTIC,
    ShipText,
    looks_like_portmanteau,
    parse_notation,
    segment_portmanteau,
    split_relationships,
    x_splits,
)

_MAX_FANDOM_TRIALS = 300
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
# Suggestions at or above this confidence are offered to wranglers (and measured by
# ``fanfold tags evaluate``); weaker matches are left for a person to decide.
DEFAULT_SUGGESTION_THRESHOLD = 0.85


@dataclass(frozen=True)
class Resolved:
    """The archive's tag for some text. Unknown text keeps its name as written (canonical False)."""

    name: str
    tag_type: str
    canonical: bool
    fandoms: tuple[str, ...] = ()
    characters: tuple[str, ...] = ()  # relationships: their canonical characters
    confidence: float = 0.0
    method: str = "unknown"  # which matcher decided (see CONFIDENCE)


@dataclass(frozen=True)
class _Choice:
    tag: Tag | None
    method: str = "unknown"
    confidence: float = 0.0
    ambiguous: tuple[int, ...] = ()  # the tied candidates when no single tag won


class TagIndex:
    """The archive's tag knowledge in memory: resolve text to canonical tags, split and resolve ships."""

    def __init__(self, records: Iterable[TagRecord]) -> None:
        self._tables: dict[str, TypeTable] = {}
        pending_synonyms: list[TagRecord] = []
        for record in records:
            if record.canonical:
                self._add_canonical(record)
            elif record.merger:
                pending_synonyms.append(record)
        for record in pending_synonyms:
            table = self._tables.get(record.type)
            target = table.by_exact.get(exact_key(record.merger or "")) if table else None
            if table is not None and target is not None:
                tag = table.tags[target]
                if exact_key(record.name) != exact_key(tag.name) and record.name not in tag.synonyms:
                    tag.synonyms.append(record.name)
        for table in self._tables.values():
            for tag in table.tags:
                table.index(tag)
        self._canonicalize_fandom_parents()
        self._context_cache: dict[tuple[str, ...], frozenset[str]] = {}
        self._hint_cache: dict[str, frozenset[str]] = {}
        self._hints: dict[str, set[str]] | None = None
        # Built on first use (each is complete before it is stored, so threads may share the index).
        self._prefixes: dict[str, dict[str, set[int]]] = {}
        self._first_letters: dict[str, set[int]] | None = None
        self._ships: dict[tuple[str, frozenset[str]], Tag] | None = None
        self._ship_word_cache: dict[tuple[str, frozenset[str]], tuple[tuple[int, ...], ...]] = {}

    # --- building ---

    def _table(self, tag_type: str) -> TypeTable:
        table = self._tables.get(tag_type)
        if table is None:
            table = self._tables[tag_type] = TypeTable(tag_type)
        return table

    def _add_canonical(self, record: TagRecord) -> None:
        name = clean(record.name)
        if not name:
            return
        table = self._table(record.type)
        key = exact_key(name)
        existing = table.by_exact.get(key)
        if existing is None:
            tag = Tag(id=len(table.tags), name=name, type=record.type)
            table.tags.append(tag)
            table.by_exact[key] = tag.id
        else:
            tag = table.tags[existing]  # listed twice: merge what the records say
        for target, values in (
            (tag.fandoms, record.fandoms),
            (tag.characters, record.characters),
            (tag.synonyms, record.synonyms),
        ):
            for value in values:
                value = clean(value)
                if value and value not in target and not (target is tag.synonyms and exact_key(value) == key):
                    target.append(value)

    def _canonicalize_fandom_parents(self) -> None:
        """Parents may name a fandom by a synonym; use the canonical names, and map fandom -> characters."""
        fandoms = self._tables.get(FANDOM)
        self._characters_by_fandom: dict[str, list[int]] = {}
        for table in self._tables.values():
            if table.type == FANDOM:
                continue
            for tag in table.tags:
                names: list[str] = []
                for name in tag.fandoms:
                    if fandoms is not None:
                        found = match_exact(fandoms, name) or match_synonym(fandoms, name)
                        if len(found) == 1:
                            name = fandoms.tags[found[0]].name
                    if name not in names:
                        names.append(name)
                tag.fandoms = names
                if table.type == CHARACTER:
                    for name in names:
                        self._characters_by_fandom.setdefault(name, []).append(tag.id)

    # --- public API ---

    def __len__(self) -> int:
        return sum(len(t.tags) for t in self._tables.values())

    def is_known(self, tag_type: str, name: str) -> bool:
        """Whether ``name`` is a canonical tag (or a synonym) of this type in the index."""
        table = self._tables.get(tag_type)
        return bool(table and (match_exact(table, name) or match_synonym(table, name)))

    def resolve(self, tag_type: str, raw: str, fandoms: Sequence[str] = ()) -> Resolved:
        """The canonical tag for ``raw`` (see the module docstring), or ``raw`` itself, cleaned, as unknown.

        ``fandoms`` are the work's fandoms: names resolve within them, which is what makes
        a given name alone ("Kakashi", "Sherlock") safe to use.
        """
        text = clean(raw)
        if tag_type == RELATIONSHIP:
            return self.resolve_relationship(text, fandoms)
        table = self._tables.get(tag_type)
        if not text or table is None:
            return _unknown(tag_type, text)
        context = self._context(fandoms)
        if tag_type == CHARACTER:
            choice = self._match_character(text, context)
        elif tag_type == FANDOM or tag_type in FIXED_TAG_TYPES:
            choice = self._choose(table, text, frozenset(), strict=False)
        else:
            choice = self._choose(table, text, context, strict=False)
        if choice.tag is None:
            return _unknown(tag_type, text)
        tag = choice.tag
        tag_fandoms = (tag.name,) if tag_type == FANDOM else _narrow(tag.fandoms, context)
        return Resolved(tag.name, tag_type, True, tag_fandoms, (), choice.confidence, choice.method)

    def split_relationships(self, raw: str) -> list[ShipText]:
        """Free text from a header -> individual ships with their qualifiers (see ``ships``)."""
        return split_relationships(raw, self._is_ship, self._is_known_ship)

    def resolve_relationship(self, ship: str, fandoms: Sequence[str] = ()) -> Resolved:
        """One ship in any notation -> the canonical relationship tag.

        A known relationship tag or synonym wins; otherwise the characters are resolved
        ("A/B", "A x B", "AxB", "A × B", "A & B", three or more people, portmanteaus) and the
        name is the existing canonical tag with the same characters and kind, or AO3's usual
        form: the canonical names sorted alphabetically. Without fandoms, a ship is accepted
        when exactly one fandom explains all of its names.
        """
        text = clean(ship)
        if not text:
            return _unknown(RELATIONSHIP, text)
        context = self._context(fandoms)
        table = self._tables.get(RELATIONSHIP)
        if table is not None:
            choice = self._choose(table, text, context, strict=False, methods=("exact", "synonym", "case"))
            if choice.tag is not None:
                tag = choice.tag
                return Resolved(
                    tag.name,
                    RELATIONSHIP,
                    True,
                    _narrow(tag.fandoms or self._fandoms_of(self._ship_characters(tag)), context),
                    tuple(self._ship_characters(tag)),
                    choice.confidence,
                    choice.method,
                )

        notation = parse_notation(text)
        if notation is not None:
            parts = list(notation.parts)
            people_context = context
            if notation.hint:
                hinted = self._hint_fandoms(notation.hint)
                if hinted:
                    people_context = hinted
                else:
                    parts[-1] = f"{parts[-1]} ({notation.hint})"
            people = self._resolve_people(parts, people_context)
            if people is None:
                return _unknown(RELATIONSHIP, text)
            return self._relationship(notation.kind, people, people_context) or _unknown(RELATIONSHIP, text)

        # "Sasuke and Sakura" says nothing about the kind: only an existing ship of one kind fits.
        joined = [clean(part) for part in _AND.split(text)]
        if len(joined) >= 2 and all(joined):
            people = self._resolve_people(joined, context)
            if people is None:
                return _unknown(RELATIONSHIP, text)
            names = frozenset(tag.name for tag, _c, _m in people)
            kinds = [kind for kind in (ROMANTIC, PLATONIC) if (kind, names) in self._ship_sets()]
            if len(kinds) != 1:
                return _unknown(RELATIONSHIP, text)
            return self._relationship(kinds[0], people, context) or _unknown(RELATIONSHIP, text)

        # "SasukexSakura": only when both sides are names.
        found: dict[frozenset[int], list[tuple[Tag, float, str]]] = {}
        for left, right in x_splits(text):
            people = self._resolve_people([left, right], context)
            if people is not None:
                found[frozenset(tag.id for tag, _c, _m in people)] = people
        if len(found) == 1:
            (people,) = found.values()
            return self._relationship(ROMANTIC, people, context) or _unknown(RELATIONSHIP, text)

        characters = self._portmanteau(text, context)
        if characters is not None:
            people = [(tag, CONFIDENCE["portmanteau"], "portmanteau") for tag in characters]
            return self._relationship(ROMANTIC, people, context) or _unknown(RELATIONSHIP, text)
        return _unknown(RELATIONSHIP, text)

    def infer_fandoms(self, resolved_tags: Iterable[Resolved]) -> list[str]:
        """Fandoms implied by canonical characters and relationships (and fandom tags), in order."""
        result: list[str] = []
        for resolved in resolved_tags:
            if not resolved.canonical or resolved.tag_type not in {CHARACTER, RELATIONSHIP, FANDOM}:
                continue
            for name in resolved.fandoms:
                if name not in result:
                    result.append(name)
        return result

    # --- choosing among candidates ---

    def _choose(
        self,
        table: TypeTable,
        text: str,
        fandoms: frozenset[str],
        *,
        strict: bool,
        methods: Sequence[str] | None = None,
    ) -> _Choice:
        """The first matcher (strongest first) that singles out one tag.

        ``strict`` (characters): only tags in ``fandoms`` count, except a full name matched
        strongly. Otherwise fandoms only break ties. Ties that fandoms cannot break stop the
        search: a weaker matcher would only be less sure.
        """
        for found in candidates(table, text):
            ids = found.all_ids
            if not ids or (methods is not None and found.method not in methods):
                continue
            if len(ids) == 1 and (not strict or not fandoms):
                return self._chosen(table, ids[0], found)
            inside = [i for i in ids if fandoms.intersection(table.tags[i].fandoms)] if fandoms else []
            if len(inside) == 1:
                return self._chosen(table, inside[0], found)
            if len(inside) > 1 or not fandoms or not strict:
                return _Choice(None, ambiguous=tuple(inside or ids))
            if found.method in STRONG and len(ids) == 1:
                return self._chosen(table, ids[0], found)
        return _Choice(None)

    @staticmethod
    def _chosen(table: TypeTable, tag_id: int, found: Candidates) -> _Choice:
        method = found.method_of(tag_id)
        return _Choice(table.tags[tag_id], method, min(found.confidence, CONFIDENCE[method]))

    def _match_character(self, text: str, fandoms: frozenset[str]) -> _Choice:
        table = self._tables.get(CHARACTER)
        if table is None:
            return _Choice(None)
        _base, hint = split_hint(text)
        if hint:
            hinted = self._hint_fandoms(hint)
            if hinted:
                fandoms = hinted  # "Sakura (Naruto)" says where to look
        return self._choose(table, text, fandoms, strict=True)

    def _context(self, fandoms: Sequence[str]) -> frozenset[str]:
        """The canonical fandoms among the names given; unknown names are ignored."""
        key = tuple(fandoms)
        cached = self._context_cache.get(key)
        if cached is not None:
            return cached
        table = self._tables.get(FANDOM)
        names: set[str] = set()
        if table is not None:
            for raw in fandoms:
                text = clean(raw)
                if text:
                    choice = self._choose(table, text, frozenset(), strict=False)
                    if choice.tag is not None:
                        names.add(choice.tag.name)
        result = frozenset(names)
        if len(self._context_cache) < 10_000:
            self._context_cache[key] = result
        return result

    def _hint_fandoms(self, hint: str) -> frozenset[str]:
        """Fandoms a "(…)" disambiguation points to: "Naruto", "Good Omens", "Marvel"."""
        key = loose_key(hint)
        cached = self._hint_cache.get(key)
        if cached is not None:
            return cached
        if self._hints is None:
            hints: dict[str, set[str]] = {}
            for table in self._tables.values():
                if table.type == FANDOM:
                    continue
                for tag in table.tags:
                    tag_hint = split_hint(tag.name)[1]
                    if tag_hint and tag.fandoms:
                        hints.setdefault(loose_key(tag_hint), set()).update(tag.fandoms)
            self._hints = hints
        found = set(self._hints.get(key, ()))
        if not found and FANDOM in self._tables:
            choice = self._choose(self._tables[FANDOM], hint, frozenset(), strict=False)
            if choice.tag is not None:
                found.add(choice.tag.name)
        result = frozenset(found)
        self._hint_cache[key] = result
        return result

    # --- relationships ---

    def _resolve_people(
        self, parts: Sequence[str], fandoms: frozenset[str]
    ) -> list[tuple[Tag, float, str]] | None:
        """Each part as one canonical character, all different; None when any part fails.

        Without fandoms, names that are ambiguous across fandoms are tried fandom by fandom,
        and accepted when exactly one fandom explains every part ("Sherlock x John").
        """
        choices = [self._match_character(part, fandoms) for part in parts]
        if all(c.tag is not None for c in choices):
            return _distinct([(c.tag, c.confidence, c.method) for c in choices if c.tag is not None])
        if fandoms or any(c.tag is None and not c.ambiguous for c in choices):
            return None
        table = self._tables[CHARACTER]
        trial_fandoms: list[str] = []
        for choice in choices:
            for tag_id in choice.ambiguous:
                for name in table.tags[tag_id].fandoms:
                    if name not in trial_fandoms:
                        trial_fandoms.append(name)
        explained: dict[tuple[int, ...], list[tuple[Tag, float, str]]] = {}
        for name in trial_fandoms[:_MAX_FANDOM_TRIALS]:
            trial = [self._match_character(part, frozenset({name})) for part in parts]
            if all(c.tag is not None for c in trial):
                people = _distinct([(c.tag, c.confidence, c.method) for c in trial if c.tag is not None])
                if people is not None:
                    explained[tuple(tag.id for tag, _c, _m in people)] = people
        return next(iter(explained.values())) if len(explained) == 1 else None

    def _relationship(
        self, kind: str, people: list[tuple[Tag, float, str]], context: frozenset[str]
    ) -> Resolved | None:
        names = [tag.name for tag, _c, _m in people]
        confidence, method = min(((c, m) for _t, c, m in people), key=lambda cm: cm[0])
        existing = self._ship_sets().get((kind, frozenset(names)))
        if existing is not None:
            name = existing.name
            characters = sorted(names, key=lambda n: _position(name, n))
            fandoms = existing.fandoms or self._fandoms_of(characters)
        else:
            name = compose_relationship(names, platonic=kind == PLATONIC)
            if len(name) > 150 or "," in name:
                return None
            characters = sorted(names, key=lambda n: (exact_key(n), n))
            fandoms = self._fandoms_of(characters)
        return Resolved(
            name, RELATIONSHIP, True, _narrow(fandoms, context), tuple(characters), confidence, method
        )

    def _fandoms_of(self, character_names: Iterable[str]) -> list[str]:
        table = self._tables.get(CHARACTER)
        result: list[str] = []
        for name in character_names:
            tag_id = table.by_exact.get(exact_key(name)) if table else None
            if table is not None and tag_id is not None:
                for fandom in table.tags[tag_id].fandoms:
                    if fandom not in result:
                        result.append(fandom)
        return result

    def _ship_sets(self) -> dict[tuple[str, frozenset[str]], Tag]:
        """(kind, set of canonical characters) -> the canonical relationship tag; built on first use."""
        if self._ships is None:
            ships: dict[tuple[str, frozenset[str]], Tag] = {}  # filled before it is shared (threads)
            for tag in self._tables[RELATIONSHIP].tags if RELATIONSHIP in self._tables else ():
                characters = self._ship_characters(tag)
                if len(characters) >= 2:
                    ships.setdefault((_kind_of(tag.name), frozenset(characters)), tag)
            self._ships = ships
        return self._ships

    def _ship_characters(self, tag: Tag) -> list[str]:
        """A relationship tag's canonical characters: its parents, else read from its name."""
        table = self._tables.get(CHARACTER)
        if table is None:
            return list(tag.characters)
        result: list[str] = []
        names = list(tag.characters)
        context = frozenset(tag.fandoms)
        if not names:
            notation = parse_notation(tag.name)
            if notation is None:
                return []
            names = list(notation.parts)
            if notation.hint:
                names[-1] = f"{names[-1]} ({notation.hint})"
                context = context or self._hint_fandoms(notation.hint)
        for name in names:
            choice = self._choose(
                table, name, context, strict=True, methods=tuple(STRONG | {"disambiguation"})
            )
            resolved = choice.tag.name if choice.tag is not None else name
            if resolved not in result:
                result.append(resolved)
        return sorted(result, key=lambda n: _position(tag.name, n))

    def _is_known_ship(self, text: str) -> bool:
        table = self._tables.get(RELATIONSHIP)
        return bool(
            table and (match_exact(table, text) or match_synonym(table, text) or match_case(table, text))
        )

    def _is_ship(self, text: str) -> bool:
        """Whether the text is a ship rather than one person (for splitting "A & B and C/D")."""
        if parse_notation(text) is not None or self._is_known_ship(text):
            return True
        if self._match_character(text, frozenset()).tag is not None:
            return False
        if any(self._resolve_people([left, right], frozenset()) for left, right in x_splits(text)):
            return True
        return self._portmanteau(text, frozenset()) is not None

    def _portmanteau(self, word: str, fandoms: frozenset[str]) -> list[Tag] | None:
        """ "NaruSakuSasu" -> the characters, when one reading (in one fandom) explains the word."""
        if not looks_like_portmanteau(word) or CHARACTER not in self._tables:
            return None
        table = self._tables[CHARACTER]
        as_name = self._match_character(word, fandoms)
        if as_name.tag is not None or as_name.ambiguous:
            return None  # a name ("Sakura", "Gabriel"), not a blend of names
        if fandoms:
            trials = [fandoms]
        else:
            first = word[:2].lower()
            seen: list[str] = []
            for tag_id in self._prefix_index_all().get(first, ()):
                for name in table.tags[tag_id].fandoms:
                    if name not in seen:
                        seen.append(name)
            trials = [frozenset({name}) for name in seen[:_MAX_FANDOM_TRIALS]]
        readings: list[tuple[int, ...]] = []
        for trial in trials:
            for reading in self._segmentations(word, trial):
                if reading not in readings:
                    readings.append(reading)
        if len({frozenset(r) for r in readings}) > 1:
            # Several readings: keep the one that is a known relationship, if exactly one is.
            ships = self._ship_sets()
            readings = [r for r in readings if (ROMANTIC, frozenset(table.tags[i].name for i in r)) in ships]
        if len({frozenset(r) for r in readings}) != 1:
            return None
        return [table.tags[i] for i in readings[0]]

    def _segmentations(self, word: str, fandoms: frozenset[str]) -> tuple[tuple[int, ...], ...]:
        key = (word, fandoms)
        cached = self._ship_word_cache.get(key)
        if cached is None:
            prefixes = [self._prefix_index(name) for name in sorted(fandoms)]

            def lookup(prefix: str) -> set[int]:
                found: set[int] = set()
                for index in prefixes:
                    found |= index.get(prefix, set())
                return found

            cached = tuple(segment_portmanteau(word, lookup))
            if len(self._ship_word_cache) < 50_000:
                self._ship_word_cache[key] = cached
        return cached

    def _prefix_index(self, fandom: str) -> dict[str, set[int]]:
        """Name prefixes (2+ letters) of one fandom's characters -> character ids; built on first use."""
        index = self._prefixes.get(fandom)
        if index is None:
            index = {}
            table = self._tables.get(CHARACTER)
            for tag_id in self._characters_by_fandom.get(fandom, ()):
                if table is None:
                    break
                for word in portmanteau_words(table.tags[tag_id]):
                    for end in range(2, len(word) + 1):
                        index.setdefault(word[:end], set()).add(tag_id)
            self._prefixes[fandom] = index
        return index

    def _prefix_index_all(self) -> dict[str, set[int]]:
        """First two letters of any character's name words -> character ids (to pick trial fandoms)."""
        index = self._first_letters
        if index is None:
            index = {}
            table = self._tables.get(CHARACTER)
            for tag in table.tags if table else ():
                for word in portmanteau_words(tag):
                    index.setdefault(word[:2], set()).add(tag.id)
            self._first_letters = index
        return index


def _distinct(people: list[tuple[Tag, float, str]]) -> list[tuple[Tag, float, str]] | None:
    ids = [tag.id for tag, _c, _m in people]
    return people if len(set(ids)) == len(ids) else None


def _kind_of(name: str) -> str:
    notation = parse_notation(name)
    if notation is not None:
        return notation.kind
    return PLATONIC if "&" in name else ROMANTIC


def _position(ship_name: str, character: str) -> tuple[int, str]:
    """Where a character appears in a relationship's name (for listing them in that order)."""
    folded = exact_key(ship_name)
    for form in (character, split_hint(character)[0]):
        at = folded.find(exact_key(form))
        if at >= 0:
            return at, character
    return len(folded), character


def _narrow(fandoms: Sequence[str], context: frozenset[str]) -> tuple[str, ...]:
    """A tag's fandoms, limited to the work's fandoms when they share any."""
    inside = tuple(f for f in fandoms if f in context)
    return inside or tuple(fandoms)


def _unknown(tag_type: str, text: str) -> Resolved:
    return Resolved(text, tag_type, False)
