"""Relationship notation: splitting a header's free text into ships, reading "A/B", "A x B",
"A & B", and cutting portmanteaus ("NaruSakuSasu") into name prefixes.

Pure text functions; whatever needs tag knowledge comes in as a callable from ``resolver``.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass

from fanfold.tags.names import clean

ROMANTIC = "/"
PLATONIC = "&"


@dataclass(frozen=True)
class ShipText:
    """One relationship as written, and the qualifier that was in front of (or behind) it."""

    text: str
    qualifier: str = ""


@dataclass(frozen=True)
class ShipNotation:
    kind: str  # ROMANTIC or PLATONIC
    parts: tuple[str, ...]
    hint: str = ""  # a disambiguation written once after the last name: "A/B (Good Omens)"


# Qualifiers in front of a ship ("hints of SasuSaku"); several may stack ("implied past").
_QUALIFIER_WORDS = (
    r"hints?\s+of|hinted|hinting|implied|implicit|background|past|one[-\s]?sided|mentions?\s+of|mentioned"
    r"|slight(?:ly)?|eventual(?:ly)?|minor|side|brief|unrequited|possible|onesided|very|some|a\s+bit\s+of"
)
_LEADING_QUALIFIER = re.compile(
    rf"^(?:(?:{_QUALIFIER_WORDS})\s+|pre-\s*|\((?:{_QUALIFIER_WORDS})\)\s*)", re.I
)
_TRAILING_QUALIFIER = re.compile(
    rf"\s*(?:\(\s*(?:{_QUALIFIER_WORDS}|if\s+you\s+squint(?:\s+hard)?)\s*\)"
    r"|\(?if\s+you\s+squint(?:\s+hard)?\)?)\s*$",
    re.I,
)
# Between independent entries; a qualifier never carries across these.
_ENTRY_SEPARATORS = re.compile(r"\s*(?:[,;\n]|\s\+\s|\+)\s*")
_PIPE = re.compile(r"\s*\|\s*")
# Between ships of one entry ("SasuSaku and NaruSaku"); "&" may also join two people.
_CONJUNCTION = re.compile(r"(\s+and\s+|\s*&\s*)", re.I)
_X_SEPARATOR = re.compile(r"\s+[x×]\s+|\s*×\s*", re.I)
_AMPERSAND = re.compile(r"\s*&\s*")
_WRAPPING = " \t\"'“”‘’[]{}.:-–—"


def strip_qualifiers(text: str) -> tuple[str, str]:
    """("hints of SasuSaku") -> ("SasuSaku", "hints of"); qualifiers are reported as written."""
    found: list[str] = []
    text = text.strip()
    for _ in range(6):  # a few stacked qualifiers at most
        match = _LEADING_QUALIFIER.match(text)
        if not match or not text[match.end() :].strip():
            break
        found.append(match.group(0).strip().strip("()"))
        text = text[match.end() :].strip()
    match = _TRAILING_QUALIFIER.search(text)
    if match and text[: match.start()].strip():
        found.append(match.group(0).strip().strip("()").strip())
        text = text[: match.start()].strip()
    return text, clean(" ".join(found))


def _tidy(text: str) -> str:
    text = clean(text)
    # Wrapping quotes, brackets and stray punctuation; a balanced "(...)" at the end is a hint.
    while text and (text[0] in _WRAPPING or (text[-1] in _WRAPPING and not text.endswith(")"))):
        text = text.strip(_WRAPPING)
    return text


def split_relationships(
    raw: str, is_ship: Callable[[str], bool], is_known: Callable[[str], bool]
) -> list[ShipText]:
    """Free text from a header -> one ShipText per relationship, in order of appearance.

    Entries are separated by ",", ";", "+", "|" and new lines; a qualifier ("hints of",
    "implied", ...) applies to its entry, i.e. also to ships joined by "and"/"&" inside it
    ("hints of SasuSaku and NaruSaku + NaruSakuSasu": the first two). "&" between two
    people is a platonic ship ("Sakura & Ino") and is not split; ``is_ship`` tells a ship
    ("A/B", "A x B", a known portmanteau) from a person. ``is_known`` protects whole known
    tags that contain a separator ("Tartaglia | Childe/Zhongli (Genshin Impact)").
    """
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return []
    whole, _qualifier = strip_qualifiers(_tidy(text))
    if whole and is_known(whole):
        return [ShipText(whole, _qualifier)]
    result: list[ShipText] = []
    for entry in _ENTRY_SEPARATORS.split(text):
        entry = _tidy(entry)
        if not entry:
            continue
        pieces = [entry] if is_known(strip_qualifiers(entry)[0]) else _PIPE.split(entry)
        for piece in pieces:
            result += _split_entry(_tidy(piece), is_ship)
    return result


def _split_entry(entry: str, is_ship: Callable[[str], bool]) -> list[ShipText]:
    if not entry:
        return []
    entry, entry_qualifier = strip_qualifiers(entry)
    # Atoms between conjunctions, with the conjunction text kept for re-joining people.
    pieces = _CONJUNCTION.split(entry)
    atoms = [_tidy(a) for a in pieces[0::2]]
    joiners = pieces[1::2]
    parsed = [strip_qualifiers(a) for a in atoms]
    ships = [bool(t) and is_ship(t) for t, _q in parsed]

    # Group consecutive non-ship atoms (people) back together: "Sakura & Ino" is one ship.
    groups: list[tuple[str, str]] = []  # (text, own qualifier)
    index = 0
    while index < len(atoms):
        if ships[index] or not atoms[index]:
            if atoms[index]:
                groups.append(parsed[index])
            index += 1
            continue
        end = index
        while end + 1 < len(atoms) and not ships[end + 1] and atoms[end + 1]:
            end += 1
        joined = atoms[index] + "".join(joiners[k] + atoms[k + 1] for k in range(index, end))
        if end > index or not groups:
            groups.append(strip_qualifiers(clean(joined)))
        else:
            # A lone person next to ships ("Kakashi/Sakura & Naruto"): keep it with the ship before,
            # so the text passes through as written instead of becoming a one-person "ship".
            previous, qualifier = groups.pop()
            groups.append((clean(previous + joiners[index - 1] + joined), qualifier))
        index = end + 1
    return [ShipText(text, own or entry_qualifier) for text, own in groups if text]


def parse_notation(text: str) -> ShipNotation | None:
    """ "A/B/C", "A x B", "A × B", "A & B" -> the parts; None when the text has no ship notation."""
    text = clean(text)
    base, hint = text, ""
    match = re.match(r"^(?P<body>.*[/&×xX].*?)\s*\((?P<hint>[^()]+)\)$", text)
    if match:
        base, hint = match.group("body").strip(), match.group("hint").strip()
    if "/" in base:
        if "&" in base:
            return None  # "A/B & C" is no single AO3 tag
        kind, parts = ROMANTIC, base.split("/")
    elif "&" in base:
        kind, parts = PLATONIC, _AMPERSAND.split(base)
    elif _X_SEPARATOR.search(base):
        kind, parts = ROMANTIC, _X_SEPARATOR.split(base)
    else:
        return None
    cleaned = tuple(clean(p) for p in parts)
    if len(cleaned) < 2 or not all(cleaned):
        return None
    return ShipNotation(kind, cleaned, hint)


def x_splits(word: str) -> list[tuple[str, str]]:
    """ "SasukexSakura" -> [("Sasuke", "Sakura")]: every split at an inner "x" (both sides >= 2)."""
    if " " in word:
        return []
    return [(word[:i], word[i + 1 :]) for i, ch in enumerate(word) if ch in "xX" and 2 <= i <= len(word) - 3]


def looks_like_portmanteau(word: str) -> bool:
    return 4 <= len(word) <= 40 and word.isalpha()


def segment_portmanteau(
    word: str, lookup: Callable[[str], set[int]], *, max_steps: int = 4000
) -> list[tuple[int, ...]]:
    """Ways to cut ``word`` into name prefixes of >= 2 letters, each naming one character.

    ``lookup(prefix)`` gives the characters whose name (a given name, family name or other
    name) starts with the prefix; a cut is used only when that is exactly one character.
    Camel case ("NaruSakuSasu") is tried first; otherwise every cut of the lower-case word.
    Returns the distinct character sequences found (two or more different characters each).
    """
    if not looks_like_portmanteau(word):
        return []
    camel = re.findall(r"[A-Z][a-z]+", word)
    camel_readings: list[tuple[int, ...]] = []
    if len(camel) >= 2 and "".join(camel) == word:
        found = [lookup(piece.lower()) for piece in camel]
        if all(len(ids) == 1 for ids in found):
            sequence = tuple(next(iter(ids)) for ids in found)
            if len(set(sequence)) == len(sequence):
                return [sequence]
        # "YamaKaka", "DekuTodo": a piece that starts several names gives several readings; the
        # caller keeps the one that is a known relationship, if exactly one is.
        if all(1 <= len(ids) <= 3 for ids in found):
            for sequence in itertools.product(*(sorted(ids) for ids in found)):
                if len(set(sequence)) == len(sequence):
                    camel_readings.append(tuple(sequence))

    lower = word.lower()
    results: list[tuple[int, ...]] = []
    steps = 0

    def walk(position: int, chosen: tuple[int, ...]) -> None:
        nonlocal steps
        if position == len(lower):
            if len(chosen) >= 2 and chosen not in results:
                results.append(chosen)
            return
        for end in range(position + 2, len(lower) + 1):
            steps += 1
            if steps > max_steps or len(results) > 8:
                return
            ids = lookup(lower[position:end])
            if not ids:
                break  # no name starts with this prefix, so none with a longer one either
            if len(ids) == 1:
                (character,) = ids
                if character not in chosen:
                    walk(end, (*chosen, character))

    walk(0, ())
    return results + [reading for reading in camel_readings if reading not in results]
