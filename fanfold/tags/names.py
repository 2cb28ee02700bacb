"""Keys and small text helpers for matching tag names (pure functions, no index).

Every key is a folded form of a name; two names with the same key of some kind are
candidates for the same tag at that kind's confidence (see ``resolver``).
"""

from __future__ import annotations

import re
import unicodedata

from fanfold.core.text import normalize_key

_SPACES = re.compile(r"\s+")
_TRAILING_HINT = re.compile(r"^(?P<base>.*?)\s*\((?P<hint>[^()]*)\)\s*$", re.DOTALL)
_ALTERNATIVE_SEPARATOR = re.compile(r"\s+\|\s+")
_FANDOM_CREATOR = re.compile(r"\s+-\s+[^-]+$")  # "Harry Potter - J. K. Rowling"
_RELATED_FANDOMS = re.compile(r"\s*&\s*related fandoms\s*$", re.IGNORECASE)
_LEADING_THE = re.compile(r"^the\s+", re.IGNORECASE)

# Japanese honorifics fans attach to names ("Kakashi-sensei", "Sakura-chan"); longest first.
HONORIFICS = (
    "nii-san", "nee-san", "nii-chan", "nee-chan", "nii-sama", "nee-sama", "niisan", "neesan", "niichan",
    "neechan", "shishou", "shisho", "taichou", "taicho", "sensei", "senpai", "sempai", "kouhai", "kohai",
    "sama", "dono", "hime", "chan", "chin", "kun", "san", "tan", "nii", "nee", "jiji", "baa-chan",
)  # fmt: skip
_HONORIFIC = re.compile(
    r"(?:[-\s]+(?:" + "|".join(re.escape(h) for h in sorted(HONORIFICS, key=len, reverse=True)) + r"))+\s*$",
    re.IGNORECASE,
)
# Western titles in front of a name ("Professor Snape", "Lady Tsunade").
_TITLE = re.compile(
    r"^(?:mr|mrs|ms|miss|dr|lord|lady|sir|dame|master|professor|prof|captain|capt|inspector|prince|princess"
    r"|uncle|aunt|auntie)\.?\s+",
    re.IGNORECASE,
)

# Words that never identify a character on their own ("Geralt z Rivii", "Lady Catherine de Bourgh").
NAME_PARTICLES = frozenset(
    {"de", "da", "di", "del", "der", "den", "la", "le", "van", "von", "of", "the", "no", "z", "ze", "y"}
    | {
        "mr",
        "mrs",
        "ms",
        "miss",
        "dr",
        "lord",
        "lady",
        "sir",
        "dame",
        "jr",
        "sr",
        "master",
        "professor",
        "prof",
    }
    | {"captain", "capt", "inspector", "prince", "princess", "uncle", "aunt", "auntie", "king", "queen"}
)


def clean(text: str) -> str:
    """The text as written, with runs of whitespace (and control characters) made single spaces."""
    if not text.isprintable():  # rare: tabs, line breaks, control or format characters
        text = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text)
    return _SPACES.sub(" ", text).strip()


def exact_key(text: str) -> str:
    """The archive's own identity key: names with equal keys are the same tag."""
    return normalize_key(text)


def _fold(text: str) -> str:
    if text.isascii():  # the common case, and much faster
        return text.casefold()
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return text.casefold().replace("’", "'")


def loose_key(text: str, keep: str = "") -> str:
    """Letters and digits only: case, accents, punctuation and spaces folded away.

    ``keep`` names punctuation that matters, e.g. "/&" for relationships, where
    "A/B" (romantic) and "A & B" (platonic) are different tags.
    """
    return "".join(ch for ch in _fold(text) if ch.isalnum() or ch in keep)


def tokens(text: str) -> list[str]:
    """Folded words: "James \"Bucky\" Barnes" -> ["james", "bucky", "barnes"]."""
    text = _fold(text).replace("'", "")
    return [t for t in re.split(r"[^\w]+|_", text) if t]


def split_hint(name: str) -> tuple[str, str]:
    """("Yamato (Naruto)") -> ("Yamato", "Naruto"): the trailing parenthesised disambiguation."""
    match = _TRAILING_HINT.match(name)
    if match and match.group("base").strip() and match.group("hint").strip():
        return match.group("base").strip(), match.group("hint").strip()
    return name.strip(), ""


def alternatives(base: str) -> list[str]:
    """AO3 joins alternate names with " | ": "Tartaglia | Childe" -> ["Tartaglia", "Childe"]."""
    parts = [p.strip() for p in _ALTERNATIVE_SEPARATOR.split(base) if p.strip()]
    return parts if len(parts) > 1 else []


def base_names(name: str, *, fandom: bool = False) -> list[str]:
    """Shorter forms of a name that still identify it: no disambiguation, each alternate name;
    for fandoms also without the creator ("Harry Potter - J. K. Rowling" -> "Harry Potter"),
    "& Related Fandoms" and a leading "The"."""
    base, _hint = split_hint(name)
    forms = [base, *alternatives(base)]
    if fandom:
        more = []
        for form in forms:
            for variant in (_FANDOM_CREATOR.sub("", form), _RELATED_FANDOMS.sub("", form)):
                more.append(variant)
        forms += more
        forms += [_LEADING_THE.sub("", f) for f in forms]
    seen: list[str] = []
    for form in forms:
        form = form.strip()
        if form and form not in seen:
            seen.append(form)
    return seen


def order_key(text: str) -> str:
    """Word order folded away: "Sakura Haruno" and "Haruno Sakura" share a key (two words or more)."""
    words = tokens(text)
    return " ".join(sorted(words)) if len(words) >= 2 else ""


def strip_honorifics(text: str) -> str:
    """ "Kakashi-sensei" -> "Kakashi", "Professor Snape" -> "Snape"; the text itself when none."""
    stripped = _HONORIFIC.sub("", text).strip()
    stripped = _TITLE.sub("", stripped).strip()
    return stripped or text


def name_parts(name: str) -> list[str]:
    """The words of a character's name that could be used alone (given or family name)."""
    base, _hint = split_hint(name)
    return [t for t in tokens(base) if len(t) >= 2 and t not in NAME_PARTICLES]


# Shorthand in additional tags, spelled out before comparing words.
_ABBREVIATIONS = {"h/c": "hurt comfort", "e2l": "enemies to lovers", "f2l": "friends to lovers"}
_CONNECTIVES = frozenset({"and", "&", "/", "n"})  # "Fluff and Angst", "Grief/Mourning", "Blood & Injury"
_NUMBER_WORDS = {"2": "to", "4": "for", "1": "one"}
_WORDING_TOKEN = re.compile(r"h/c|[&/]|[^\W_]+")
_AU_PREFIX = re.compile(
    r"^(?:au|alternate universe|alternative universe|alt universe)[\s\-:–—!]+(?P<rest>.+)$"
)
_AU_SUFFIX = re.compile(r"^(?P<rest>.+?)[\s\-:!]+(?:au|alternate universe)$")


def wording_key(text: str) -> str:
    """Words with shorthand spelled out and connectives dropped: "enemies 2 lovers" and "Enemies to
    Lovers", "Emotional h/c" and "Emotional Hurt/Comfort" get the same key."""
    words: list[str] = []
    for word in _WORDING_TOKEN.findall(_fold(text).replace("'", "")):
        word = _NUMBER_WORDS.get(word, word)
        words.extend(_ABBREVIATIONS.get(word, word).split())
    return " ".join(w for w in words if w not in _CONNECTIVES)


def au_setting(text: str) -> str:
    """ "AU - Modern", "AU: coffee shop", "Modern!AU", "Alternate Universe - Modern Setting" ->
    the setting's words ("modern", "coffee shop", "modern setting"); "" when it names no AU."""
    folded = " ".join(_fold(text).replace("'", "").split()).strip(" !.")
    match = _AU_PREFIX.match(folded) or _AU_SUFFIX.match(folded)
    if not match:
        return ""
    return wording_key(match.group("rest"))


def within_one_edit(a: str, b: str) -> bool:
    """Damerau–Levenshtein distance (optimal string alignment) of at most 1."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diffs = [i for i in range(la) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        return (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and a[diffs[0]] == b[diffs[1]]
            and a[diffs[1]] == b[diffs[0]]
        )
    if la > lb:
        a, b = b, a
    # b is one longer than a: deleting one character of b gives a.
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1 :]


def deletion_variants(word: str) -> set[str]:
    """The word and every form of it with one character deleted (for finding near misses fast)."""
    return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}


def compose_relationship(names: list[str], platonic: bool) -> str:
    """AO3's usual form of a relationship tag: characters' canonical names sorted alphabetically,
    joined with "/" (or " & "); a disambiguation they all share is written once at the end:
    "Aziraphale/Crowley (Good Omens)"."""
    ordered = sorted(names, key=lambda n: (exact_key(n), n))
    separator = " & " if platonic else "/"
    split = [split_hint(n) for n in ordered]
    hints = {hint for _base, hint in split}
    if len(hints) == 1 and "" not in hints:
        return separator.join(base for base, _hint in split) + f" ({split[0][1]})"
    return separator.join(ordered)
