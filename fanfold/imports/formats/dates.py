"""Dates as files write them: ISO (AO3, YAML, OPF) and a few common human formats."""

from __future__ import annotations

import datetime as dt
import re

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$")
_YMD_SLASH = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$")
_MDY_SLASH = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_YEAR_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_TEXT_FORMATS = (
    "%d %B %Y",  # 24 October 2020
    "%d %b %Y",  # 24 Oct 2020
    "%B %d %Y",  # October 24 2020 (the comma is removed first)
    "%b %d %Y",  # Oct 24 2020
    "%A %B %d %Y",  # Saturday October 24 2020
    "%a %b %d %Y",  # Sat Oct 24 2020
    "%d %B, %Y",
    "%Y %B %d",
)


def _make(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_date(value: object) -> dt.date | None:
    """A date from a string, date or datetime; None when it is not a date we can read.

    Slashed dates with the year last are read month first (US style, as FanFiction.Net
    writes them) unless the first number cannot be a month.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    text = " ".join(value.replace(",", " ").split()).strip()
    if not text or len(text) > 64:
        return None
    text = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text, flags=re.I)
    if match := _ISO.match(text):
        return _make(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    if match := _YMD_SLASH.match(text):
        return _make(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    if match := _MDY_SLASH.match(text):
        first, second, year = int(match.group(1)), int(match.group(2)), int(match.group(3))
        if first > 12:
            return _make(year, second, first)
        return _make(year, first, second)
    if match := _YEAR_MONTH.match(text):
        return _make(int(match.group(1)), int(match.group(2)), 1)
    for fmt in _TEXT_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt.replace(",", "")).date()
        except ValueError:
            continue
    return None


def set_work_date(work, kind: str, value: str) -> bool:
    """Set work.published or work.updated ("published"/"updated") from text, unless already set.

    Returns False when the text is not a date or the field was already set, so the caller can keep
    the value verbatim in unmapped instead.
    """
    date = parse_date(value)
    if date is None or kind not in {"published", "updated"} or getattr(work, kind) is not None:
        return False
    setattr(work, kind, date)
    return True
