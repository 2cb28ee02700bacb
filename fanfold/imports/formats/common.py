"""Shared helpers for the format parsers: decoding, size limits, header labels."""

from __future__ import annotations

import codecs
import re

# Limits that keep a hostile or broken file from eating the machine (re-exported for the parsers).
from fanfold.imports.limits import (  # noqa: F401
    MAX_FILE_BYTES,
    MAX_LINES,
    MAX_TEXT_CHARS,
    MAX_ZIP_MEMBERS,
    MAX_ZIP_RATIO,
    MAX_ZIP_TOTAL_BYTES,
)
from fanfold.imports.parsed import ImportFailed


def check_size(data: bytes) -> None:
    if not data or not data.strip():
        raise ImportFailed("the file is empty")
    if len(data) > MAX_FILE_BYTES:
        raise ImportFailed(
            f"the file is too large ({len(data) // (1024 * 1024)} MiB; the limit is {MAX_FILE_BYTES // (1024 * 1024)} MiB)"
        )


def looks_binary(data: bytes) -> bool:
    """True for data that is not text in any encoding we read (NUL bytes, control soup)."""
    head = data[:8192]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls > max(4, len(head) // 100)


def decode_text(data: bytes) -> str:
    """Decode a text file: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252.

    Line ends are normalised to "\\n" and non-breaking spaces kept (callers decide).
    Raises ImportFailed for empty, oversized or binary input.
    """
    check_size(data)
    if data.startswith(codecs.BOM_UTF8):
        text = data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ImportFailed("the file claims to be UTF-16 but is not valid UTF-16") from exc
    else:
        if looks_binary(data):
            raise ImportFailed("the file is binary, not text")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
    if len(text) > MAX_TEXT_CHARS:
        raise ImportFailed("the text is too long to be one work")
    if text.count("\n") > MAX_LINES:
        raise ImportFailed(f"the text has more than {MAX_LINES:,} lines, too many to be one work")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ImportFailed("the file is empty")
    return text


_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u3000]+")


def clean_value(value: str) -> str:
    """Collapse runs of spaces (including non-breaking ones) and trim."""
    return _SPACES.sub(" ", value).strip()


def split_list(value: str) -> list[str]:
    """Split a header value such as "Angst, Gen; Fluff" on commas and semicolons."""
    return [item for item in (clean_value(part) for part in re.split(r"[,;]", value)) if item]
