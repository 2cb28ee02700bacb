"""How text is matched to one tag type's tags: the lookup keys (TypeTable) and the matchers.

Each matcher is a separate function over one tag type's keys, with a fixed confidence, so
wrangling suggestions can use (and measure) them one by one:

    exact 1.0      the same tag by the archive's own key (case, accents, spacing)
    synonym 1.0    a wrangled synonym
    case 0.99      punctuation and spaces too ("hurt comfort", "Mrs Hudson", "Slowburn")
    disambiguation 0.97   without the "(Fandom)" part or one of the " | " names ("Yamato")
    name_order 0.97       "Sakura Haruno" <-> "Haruno Sakura"
    honorific 0.95 (at most)  "Kakashi-sensei", "Professor Snape", then the matchers above
    given_name 0.9  one name alone ("Kakashi"), unique among the candidate fandoms' characters
    portmanteau 0.9 "NaruSaku" cut into name prefixes (see ``resolver`` and ``ships``)
    wording 0.9     additional tags: "2" for "to", "and" for "/", "h/c", "AU - X" / "X AU" for
                    "Alternate Universe - X…" ("enemies 2 lovers", "AU - modern")
    typo 0.85       one edit per word of 5+ letters: additional tags ("injures" -> "Injuries") and
                    characters' full names ("Hermoine Granger")
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from fanfold.tags.names import (
    alternatives,
    au_setting,
    base_names,
    deletion_variants,
    exact_key,
    loose_key,
    name_parts,
    order_key,
    split_hint,
    strip_honorifics,
    tokens,
    within_one_edit,
    wording_key,
)
from fanfold.tags.records import ADDITIONAL, CHARACTER, FANDOM, RELATIONSHIP

CONFIDENCE = {
    "exact": 1.0,
    "synonym": 1.0,
    "case": 0.99,
    "disambiguation": 0.97,
    "name_order": 0.97,
    "honorific": 0.95,
    "given_name": 0.9,
    "portmanteau": 0.9,
    "wording": 0.9,
    "typo": 0.85,
    "unknown": 0.0,
}
# A full name matched this way is accepted even outside the candidate fandoms (a crossover).
STRONG = frozenset({"exact", "synonym", "case", "name_order"})
SHIP_KEEP = "/&"  # in relationship keys "A/B" and "A & B" stay different tags


@dataclass(slots=True)
class Tag:
    id: int
    name: str
    type: str
    fandoms: list[str] = field(default_factory=list)
    characters: list[str] = field(default_factory=list)
    synonyms: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Candidates:
    """One matcher's answer: the tags it found, before fandoms narrow them down."""

    method: str
    ids: tuple[int, ...]
    # Rivals found by a weaker matcher that must compete at this level: "Sam" is both
    # "Sam (Stardew Valley)" without its disambiguation and the given name of Sam Winchester.
    rivals: tuple[int, ...] = ()

    @property
    def confidence(self) -> float:
        return CONFIDENCE[self.method]

    @property
    def all_ids(self) -> tuple[int, ...]:
        return self.ids + tuple(i for i in self.rivals if i not in self.ids)

    def method_of(self, tag_id: int) -> str:
        return self.method if tag_id in self.ids else "given_name"


def _add(keys: dict[str, list[int]], key: str, tag_id: int) -> None:
    if key:
        ids = keys.setdefault(key, [])
        if tag_id not in ids:
            ids.append(tag_id)


class TypeTable:
    """The tags of one type and their lookup keys."""

    def __init__(self, tag_type: str) -> None:
        self.type = tag_type
        self.tags: list[Tag] = []
        self.by_exact: dict[str, int] = {}
        self.by_synonym: dict[str, list[int]] = {}
        self.by_loose: dict[str, list[int]] = {}
        self.by_base: dict[str, list[int]] = {}
        self.by_order: dict[str, list[int]] = {}
        self.by_part: dict[str, list[int]] = {}
        self._typo: dict[tuple[int, str], list[tuple[tuple[str, ...], int]]] | None = None
        self._wording: dict[str, list[int]] | None = None
        self._au: list[tuple[str, int]] | None = None

    @property
    def keep(self) -> str:
        return SHIP_KEEP if self.type == RELATIONSHIP else ""

    def index(self, tag: Tag) -> None:
        keep = self.keep
        for name in (tag.name, *tag.synonyms):
            _add(self.by_loose, loose_key(name, keep), tag.id)
            if self.type == RELATIONSHIP:
                continue
            for base in base_names(name, fandom=self.type == FANDOM):
                _add(self.by_base, loose_key(base), tag.id)
                if self.type == CHARACTER:
                    _add(self.by_order, order_key(base), tag.id)
            # One name alone may be a given or family name; long synonyms ("The Boy Who Lived") are
            # descriptions, not names, so only names of one or two words give parts.
            if self.type == CHARACTER and (name is tag.name or len(tokens(split_hint(name)[0])) <= 2):
                for part in name_parts(name):
                    _add(self.by_part, part, tag.id)
                for word in split_hint(name)[0].split():
                    if "-" in word.strip("-"):
                        _add(self.by_part, loose_key(word), tag.id)
        for synonym in tag.synonyms:
            _add(self.by_synonym, exact_key(synonym), tag.id)

    def wording_index(self) -> dict[str, list[int]]:
        """``wording_key`` of every name and synonym -> tag ids; built on first use."""
        if self._wording is None:
            wording: dict[str, list[int]] = {}
            for tag in self.tags:
                for name in (tag.name, *tag.synonyms):
                    _add(wording, wording_key(name), tag.id)
            self._wording = wording
        return self._wording

    def au_settings(self) -> list[tuple[str, int]]:
        """The setting words of "Alternate Universe - X" tags (and "X AU" synonyms), with tag ids."""
        if self._au is None:
            settings: list[tuple[str, int]] = []
            for tag in self.tags:
                for name in (tag.name, *tag.synonyms):
                    setting = au_setting(name)
                    if setting and (setting, tag.id) not in settings:
                        settings.append((setting, tag.id))
            self._au = settings
        return self._au

    def typo_index(self) -> dict[tuple[int, str], list[tuple[tuple[str, ...], int]]]:
        """(word count, a one-deletion form of the first word) -> (words, tag id); built on first use."""
        if self._typo is None:
            typo: dict[tuple[int, str], list[tuple[tuple[str, ...], int]]] = {}
            for tag in self.tags:
                for name in (tag.name, *tag.synonyms):
                    words = tuple(tokens(name))
                    if not words:
                        continue
                    first = words[0]
                    variants = deletion_variants(first) if len(first) >= 5 else {first}
                    for variant in variants:
                        entries = typo.setdefault((len(words), variant), [])
                        if (words, tag.id) not in entries:
                            entries.append((words, tag.id))
            self._typo = typo
        return self._typo


# --- Matchers: each takes one type's table and the text, and returns the tags it finds. ---


def match_exact(table: TypeTable, text: str) -> tuple[int, ...]:
    tag_id = table.by_exact.get(exact_key(text))
    return () if tag_id is None else (tag_id,)


def match_synonym(table: TypeTable, text: str) -> tuple[int, ...]:
    return tuple(table.by_synonym.get(exact_key(text), ()))


def match_case(table: TypeTable, text: str) -> tuple[int, ...]:
    return tuple(table.by_loose.get(loose_key(text, table.keep), ()))


def match_disambiguation(table: TypeTable, text: str) -> tuple[int, ...]:
    found: list[int] = []
    for base in base_names(text, fandom=table.type == FANDOM):
        for tag_id in table.by_base.get(loose_key(base), ()):
            if tag_id not in found:
                found.append(tag_id)
    return tuple(found)


def match_name_order(table: TypeTable, text: str) -> tuple[int, ...]:
    return tuple(table.by_order.get(order_key(split_hint(text)[0]), ()))


def match_given_name(table: TypeTable, text: str) -> tuple[int, ...]:
    base = split_hint(text)[0]
    words = tokens(base)
    if len(words) > 1 and len(base.split()) == 1:
        return tuple(table.by_part.get(loose_key(base), ()))  # a hyphenated name alone: "Obi-Wan"
    if len(words) != 1 or len(words[0]) < 2:
        return ()
    return tuple(table.by_part.get(words[0], ()))


def match_typo(table: TypeTable, text: str) -> tuple[int, ...]:
    """One edit (Damerau–Levenshtein) per word of 5+ letters, every word matching, in tags of two or
    more words. The first letter must agree: typos there are rare, while "Track"/"Crack" or
    "Bluff"/"Fluff" are different words."""
    words = tokens(text)
    # A single word is too often another real word one edit away ("morning"/"Mourning").
    if len(words) < 2:
        return ()
    first = words[0]
    variants = deletion_variants(first) if len(first) >= 4 else {first}
    index = table.typo_index()
    found: list[int] = []
    for variant in variants:
        for candidate, tag_id in index.get((len(words), variant), ()):
            if tag_id in found:
                continue
            if all(
                q == c or (len(c) >= 5 and q[:1] == c[:1] and within_one_edit(q, c))
                for q, c in zip(words, candidate, strict=True)
            ):
                found.append(tag_id)
    return tuple(found)


def match_wording(table: TypeTable, text: str) -> tuple[int, ...]:
    """Additional tags worded another common way: the same words once "2"/"to", "and"/"&"/"/" and
    abbreviations are folded ("Grief and Mourning", "Emotional h/c"), or an AU named by its start
    ("AU - modern" -> "Alternate Universe - Modern Setting", "coffee shop au")."""
    found = list(table.wording_index().get(wording_key(text), ()))
    if found:
        return tuple(found)
    setting = au_setting(text)
    if not setting:
        return ()
    exact: list[int] = []
    starts: list[int] = []
    for key, tag_id in table.au_settings():
        if key == setting:
            exact.append(tag_id)
        elif key.startswith(setting + " "):
            starts.append(tag_id)
    return tuple(dict.fromkeys(exact or starts))


def _with_rivals(table: TypeTable, found: Candidates, text: str) -> Candidates:
    """A one-word character name found without its disambiguation ("Sam", "Gabriel") is no
    stronger than a given name: other characters with that given name compete with it."""
    if table.type != CHARACTER or not found.ids or found.method in {"exact", "synonym", "name_order"}:
        return found
    rivals = match_given_name(table, text)
    return Candidates(found.method, found.ids, rivals) if rivals else found


_FULL_MATCHERS: tuple[tuple[str, Callable[[TypeTable, str], tuple[int, ...]]], ...] = (
    ("exact", match_exact),
    ("synonym", match_synonym),
    ("case", match_case),
    ("disambiguation", match_disambiguation),
    ("name_order", match_name_order),
)


def candidates(table: TypeTable, text: str) -> Iterator[Candidates]:
    """Every matcher's answer for the text, strongest first (empty answers included)."""
    for method, matcher in _FULL_MATCHERS:
        if method == "disambiguation" and table.type == RELATIONSHIP:
            continue
        if method == "name_order" and table.type != CHARACTER:
            continue
        yield _with_rivals(table, Candidates(method, matcher(table, text)), text)
    if table.type == CHARACTER:
        stripped = strip_honorifics(split_hint(text)[0])
        if stripped != split_hint(text)[0]:
            for _method, matcher in _FULL_MATCHERS:
                yield _with_rivals(table, Candidates("honorific", matcher(table, stripped)), stripped)
        yield Candidates("given_name", match_given_name(table, stripped))
    if table.type == CHARACTER:
        # A full name with a slip ("Hermoine Granger"); single names are left alone, since one
        # edit away from a given name is too often another real name.
        yield Candidates("typo", match_typo(table, split_hint(text)[0]))
    if table.type == ADDITIONAL:
        yield Candidates("wording", match_wording(table, text))
        yield Candidates("typo", match_typo(table, text))


def portmanteau_words(tag: Tag) -> set[str]:
    """Words a portmanteau may take a prefix of: the name's and synonyms' words (Tenzou, Deku)."""
    words: set[str] = set()
    for name in (tag.name, *tag.synonyms):
        words.update(w for w in name_parts(name) if w.isalpha())
        base = split_hint(name)[0]
        for alternative in [base, *alternatives(base)]:
            single = loose_key(alternative)
            if single.isalpha() and len(single) >= 2 and len(tokens(alternative)) == 1:
                words.add(single)
    return words
