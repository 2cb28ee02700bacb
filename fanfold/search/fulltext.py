"""Full-text search over works: user query syntax, and the SQLite / PostgreSQL backends.

Query syntax (both databases): words must all occur; "a phrase" in quotes; -word or -"a phrase"
excludes. Matching ignores case and accents. Snippets come back as safe HTML with <mark>.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from django.db import connection
from django.db.models.expressions import RawSQL

_TERM = re.compile(r'(-?)"([^"]*)"?|(-?)(\S+)')
_WORD_CHARS = re.compile(r"\w+")
START, STOP = "\x02", "\x03"  # snippet markers: never in stored text, escaped around them


@dataclass(frozen=True)
class TextQuery:
    include: tuple[str, ...]  # words and phrases, each as space-separated tokens
    exclude: tuple[str, ...]
    raw: str

    @property
    def empty(self) -> bool:
        return not self.include and not self.exclude


def parse(text: str) -> TextQuery:
    include: list[str] = []
    exclude: list[str] = []
    for match in _TERM.finditer(text):
        negative = bool(match.group(1) or match.group(3))
        body = match.group(2) if match.group(2) is not None else match.group(4)
        tokens = " ".join(_WORD_CHARS.findall(body or ""))
        if not tokens:
            continue
        (exclude if negative else include).append(tokens)
    return TextQuery(tuple(include), tuple(exclude), text)


def _fts5_phrase(tokens: str) -> str:
    return '"' + tokens.replace('"', '""') + '"'


def _fts5_expression(query: TextQuery) -> tuple[str, str]:
    """(positive expression, negative expression) for FTS5 MATCH; either may be empty."""
    positive = " AND ".join(_fts5_phrase(t) for t in query.include)
    negative = " OR ".join(_fts5_phrase(t) for t in query.exclude)
    return positive, negative


def _pg_tsquery_text(tokens: str) -> str:
    return " <-> ".join(f"'{token}'" for token in tokens.lower().split())


def _pg_expression(query: TextQuery) -> tuple[str, str]:
    positive = " & ".join(f"({_pg_tsquery_text(t)})" for t in query.include)
    negative = " | ".join(f"({_pg_tsquery_text(t)})" for t in query.exclude)
    return positive, negative


def matching_ids_sql(query: TextQuery) -> RawSQL | None:
    """A subquery of the ids of works matching the positive terms (None when there are none)."""
    if connection.vendor == "postgresql":
        positive, _ = _pg_expression(query)
        if not positive:
            return None
        return RawSQL(
            "SELECT work_id FROM search_searchdocument WHERE document @@ to_tsquery('simple', %s)", [positive]
        )
    positive, _ = _fts5_expression(query)
    if not positive:
        return None
    return RawSQL("SELECT rowid FROM search_fts WHERE search_fts MATCH %s", [positive])


def excluded_ids_sql(query: TextQuery) -> RawSQL | None:
    if connection.vendor == "postgresql":
        _, negative = _pg_expression(query)
        if not negative:
            return None
        return RawSQL(
            "SELECT work_id FROM search_searchdocument WHERE document @@ to_tsquery('simple', %s)", [negative]
        )
    _, negative = _fts5_expression(query)
    if not negative:
        return None
    return RawSQL("SELECT rowid FROM search_fts WHERE search_fts MATCH %s", [negative])


def rank_sql(query: TextQuery) -> RawSQL | None:
    """Relevance of each work (higher is better): title > creators and tags > summary > story."""
    if connection.vendor == "postgresql":
        positive, _ = _pg_expression(query)
        if not positive:
            return None
        return RawSQL(
            "(SELECT ts_rank_cd(d.document, to_tsquery('simple', %s)) FROM search_searchdocument d "
            "WHERE d.work_id = works_work.id)",
            [positive],
        )
    positive, _ = _fts5_expression(query)
    if not positive:
        return None
    # bm25 is smaller for better matches; negate it so "higher is better" on both databases.
    return RawSQL(
        "(SELECT -bm25(search_fts, 10.0, 5.0, 4.0, 2.0, 1.0) FROM search_fts "
        "WHERE search_fts MATCH %s AND search_fts.rowid = works_work.id)",
        [positive],
    )


def snippets(query: TextQuery, work_ids: list[int]) -> dict[int, str]:
    """An excerpt around the matches of each work, as safe HTML with <mark>."""
    if not work_ids or not query.include:
        return {}
    placeholders = ", ".join(["%s"] * len(work_ids))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            positive, _ = _pg_expression(query)
            cursor.execute(
                "SELECT work_id, ts_headline('simple', summary || E'\\n' || body, to_tsquery('simple', %s), "
                "'StartSel=\x02, StopSel=\x03, MaxWords=40, MinWords=15, MaxFragments=2, "
                'FragmentDelimiter=" … "\') '
                f"FROM search_searchdocument WHERE work_id IN ({placeholders})",
                [positive, *work_ids],
            )
        else:
            positive, _ = _fts5_expression(query)
            cursor.execute(
                "SELECT rowid, snippet(search_fts, -1, char(2), char(3), ' … ', 32) FROM search_fts "
                f"WHERE search_fts MATCH %s AND rowid IN ({placeholders})",
                [positive, *work_ids],
            )
        rows = cursor.fetchall()
    return {work_id: _marked_html(text) for work_id, text in rows if text and START in text}


_ADJACENT_MARKS = re.compile(STOP + r"(\s+)" + START)


def _marked_html(text: str) -> str:
    text = _ADJACENT_MARKS.sub(r"\1", " ".join(text.split()))  # "<mark>a</mark> <mark>b</mark>" -> one
    return html.escape(text, quote=False).replace(START, "<mark>").replace(STOP, "</mark>")
