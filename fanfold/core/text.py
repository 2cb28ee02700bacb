"""Word counts as AO3 makes them, and small text helpers."""

from __future__ import annotations

import re
import unicodedata

# Han, Hiragana, Katakana and Thai are counted character by character (as AO3 does);
# Hangul is counted by words, since Korean separates words with spaces.
_CHARACTER_COUNTED = (
    "\u3040-\u309f"  # Hiragana
    "\u30a0-\u30ff"  # Katakana
    "\u31f0-\u31ff"  # Katakana phonetic extensions
    "\u3400-\u4dbf"  # CJK extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\uf900-\ufaff"  # CJK compatibility ideographs
    "\u0e00-\u0e7f"  # Thai
    "\U00020000-\U0002fa1f"  # CJK extensions B-F and compatibility supplement
)
_CHARACTER = re.compile(f"[{_CHARACTER_COUNTED}]")
_WORD = re.compile(rf"(?:(?![{_CHARACTER_COUNTED}])\w)+(?:['’\-](?:(?![{_CHARACTER_COUNTED}])\w)+)*")


def count_words(text: str) -> int:
    """Words in plain text; each Chinese, Japanese or Thai character counts as one word."""
    if not text:
        return 0
    return len(_CHARACTER.findall(text)) + len(_WORD.findall(text))


def normalize_key(name: str) -> str:
    """A lookup key: case, accents, curly apostrophes, runs of spaces and character width folded away."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.casefold().replace("’", "'")
    return re.sub(r"\s+", " ", text).strip()
