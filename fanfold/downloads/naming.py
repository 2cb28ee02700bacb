"""File names as AO3 makes them, and the formats Fanfold offers."""

from __future__ import annotations

import html
import re
import unicodedata

MAX_NAME_CHARS = 24

# Format -> (label shown in the menu, MIME type). Order is the menu's order (AO3's, plus TXT).
FORMATS: dict[str, tuple[str, str]] = {
    "azw3": ("AZW3", "application/vnd.amazon.ebook"),
    "epub": ("EPUB", "application/epub+zip"),
    "mobi": ("MOBI", "application/x-mobipocket-ebook"),
    "pdf": ("PDF", "application/pdf"),
    "html": ("HTML", "text/html; charset=utf-8"),
    "txt": ("TXT", "text/plain; charset=utf-8"),
}
CALIBRE_FORMATS = frozenset({"azw3", "mobi"})

# Letters that NFKD does not decompose into ASCII; the common ones in fan fiction titles.
_TRANSLITERATE = str.maketrans(
    {"ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "œ": "oe", "Œ": "OE", "đ": "d", "Đ": "D",
     "ł": "l", "Ł": "L", "þ": "th", "Þ": "Th", "ð": "d", "Ð": "D", "ı": "i", "’": "", "‘": ""}
)  # fmt: skip


def to_ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATE))
    return decomposed.encode("ascii", "ignore").decode("ascii")


def file_stem(title: str, work_id: int) -> str:
    """AO3's rule: decode entities, ASCII only, keep word characters, spaces, "_" and "-", squash
    spaces, cut to 24 characters at a word boundary, spaces to underscores; a name shorter than
    3 characters gets "_Work_<id>" (titles in non-Latin scripts end up as "Work_<id>")."""
    name = to_ascii(html.unescape(title))
    name = re.sub(r"[^\w _-]+", "", name, flags=re.ASCII)
    name = re.sub(r"\s+", " ", name).strip()
    if len(name) > MAX_NAME_CHARS:
        cut = name.rfind(" ", 0, MAX_NAME_CHARS + 1)
        name = name[: cut if cut > 0 else MAX_NAME_CHARS].strip()
    name = name.replace(" ", "_")
    if len(name) < 3:
        name = f"{name}_Work_{work_id}" if name else f"Work_{work_id}"
    return name


def file_name(title: str, work_id: int, fmt: str) -> str:
    return f"{file_stem(title, work_id)}.{fmt}"
