"""docs/import-formats.md documents the rating and warning tables; keep them in step with the code."""

from __future__ import annotations

import re
from pathlib import Path

from fanfold.imports.mapping import RATING_TABLE, WARNING_TABLE

DOC = Path(__file__).resolve().parents[3] / "docs" / "import-formats.md"


def documented(section: str) -> dict[str, str]:
    text = DOC.read_text(encoding="utf-8").split(f"### {section}", 1)[1].split("\n### ", 1)[0]
    table: dict[str, str] = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 2 and "`" in cells[0]:
            for source in re.findall(r"`([^`]+)`", cells[0]):
                table[source] = cells[1]
    return table


def test_rating_table_is_documented():
    assert documented("Rating") == RATING_TABLE


def test_warning_table_is_documented():
    assert documented("Warnings") == WARNING_TABLE
