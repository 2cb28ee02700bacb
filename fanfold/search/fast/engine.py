"""FastEngine: the same answers as OrmEngine, from the in-memory index (search.fast.index).

A query becomes bitmap algebra: included tags are ANDed posting lists (of their canonical filter
tags), excluded tags and saved exclusions are subtracted, flags and languages are bitmaps, word and
date ranges are value buckets with exact edges, the full-text part is the database's own text index
(FTS5 / GIN) returning ids. Facets count intersections (large results, pruned by posting size) or
gather the results' filter tags (small results). The page is cut from a per-sort order and its
20 works are then read from the database.

Anything the index does not model (listings scoped to a creator or a collection) goes to OrmEngine.
"""

from __future__ import annotations

import heapq
import time
from dataclasses import dataclass

import numpy as np
from django.db import connection
from pyroaring import BitMap

from fanfold.accounts.models import Preference
from fanfold.core import permissions
from fanfold.core.text import normalize_key
from fanfold.search import fulltext
from fanfold.search.engine import FACET_SIZE, Facet, Page, _state
from fanfold.search.fast.index import FACET_TYPE_LIST, NUMERIC_SORTS, Index, bitmap, current, ids_of
from fanfold.search.query import FACET_TYPES, WorkQuery
from fanfold.social.models import muted_user_ids
from fanfold.tags.models import TagType
from fanfold.works.models import Creatorship, Work

SPARSE = 20_000  # results up to this size are sorted from their own keys
SPARSE_FACETS = 30_000  # and up to this size faceted by gathering their filter tags


@dataclass
class Answer:
    ids: list[int]  # the page, in order
    count: int
    facets: dict[str, list[Facet]]
    unknown: list[str]
    text: fulltext.TextQuery


class Unsupported(Exception):
    """The query uses something the index does not model; the caller falls back to OrmEngine."""


class FastEngine:
    def __init__(self, index: Index | None = None):
        self._index = index  # a fixed index (tests: one per simulated process); else the process's

    def index(self) -> Index:
        if self._index is None:
            return current(connection.alias)
        self._index = self._index.refresh()
        return self._index

    def run(self, query: WorkQuery, viewer) -> Page:
        if query.scope is not None and query.scope.kind != "tag":
            raise Unsupported(f"scope {query.scope.kind}")
        return self._run(self.index(), query, viewer)

    # --- the result set ---------------------------------------------------------------------------

    def answer(self, query: WorkQuery, viewer) -> Answer:
        """Everything but the works' listing data: the page's ids, the count, the facets."""
        if query.scope is not None and query.scope.kind != "tag":
            raise Unsupported(f"scope {query.scope.kind}")
        index = self.index()
        with index.lock:
            results, unknown = self.filtered(index, query, viewer)
            text = fulltext.parse(query.q)
            sort = query.effective_sort
            if query.q.strip():
                results = self._text(results, text)
            offset = (query.page - 1) * query.per_page
            if sort == "best_match" and text.include:
                page_ids = _best_match_page(index, results, text, offset, query.per_page)
            else:
                page_ids = self._page(index, results, sort, None, offset, query.per_page)
            return Answer(page_ids, len(results), self._facets(index, results, query), unknown, text)

    def _run(self, index: Index, query: WorkQuery, viewer) -> Page:
        found = self.answer(query, viewer)
        works = Work.objects.filter(id__in=found.ids).with_listing_data().in_bulk()
        return Page(
            results=[works[i] for i in found.ids if i in works],
            count=found.count,
            page=query.page,
            per_page=query.per_page,
            facets=found.facets,
            snippets=fulltext.snippets(found.text, found.ids) if query.q.strip() else {},
            unknown_tags=found.unknown,
        )

    def filtered(self, index: Index, query: WorkQuery, viewer) -> tuple[BitMap, list[str]]:
        """The listed works matching everything but the text query, and the unknown tag names."""
        works = self._listed(index, viewer)
        unknown: list[str] = []
        if query.scope is not None:
            works &= self._union(index, _targets_of_ids([query.scope.id]))
        targets = _targets_by_name([*query.include, *query.exclude])
        for name in query.include:
            found = targets.get(normalize_key(name))
            if not found:
                unknown.append(name)
                return BitMap(), unknown
            works &= self._union(index, found)
        excluded: set[int] = set()
        for name in query.exclude:
            found = targets.get(normalize_key(name))
            if found:
                excluded |= found
            else:
                unknown.append(name)
        if getattr(viewer, "is_authenticated", False):
            excluded |= _saved_exclusion_targets(viewer)
            muted = muted_user_ids(viewer)
            if muted:
                works -= bitmap(np.array(_works_of_users(muted), dtype=np.int64))
        if excluded:
            works -= self._union(index, excluded)
        if query.rating:
            works &= self._union(index, set(_fixed_tag_ids(TagType.RATING, query.rating)))
        if query.complete is not None:
            works = works & index.complete if query.complete else works - index.complete
        if query.words_from is not None or query.words_to is not None:
            works &= index.ranges["words"].select(index.cols["words"], query.words_from, query.words_to)
        if query.updated_from is not None or query.updated_to is not None:
            low = None if query.updated_from is None else _epoch_day(query.updated_from)
            high = None if query.updated_to is None else _epoch_day(query.updated_to)
            works &= index.ranges["updated"].select(index.cols["updated"], low, high)
        if query.language:
            works &= index.languages.get(query.language, BitMap())
        if query.crossover == "only":
            works &= index.crossover
        elif query.crossover:
            works -= index.crossover
        return works, unknown

    @staticmethod
    def _union(index: Index, tag_ids: set[int]) -> BitMap:
        lists = [index.postings[t] for t in tag_ids if t in index.postings]
        if not lists:
            return BitMap()
        return BitMap.union(*lists) if len(lists) > 1 else lists[0].copy()

    @staticmethod
    def _listed(index: Index, viewer) -> BitMap:
        """permissions.listed_works as bitmaps: the flags from the index, the collection rule and the
        viewer's own works from the database (small sets)."""
        works = index.exists - index.draft
        if permissions.is_staff(viewer):
            return works
        public = works - index.hidden
        if not permissions.is_signed_in(viewer):
            public -= index.restricted
        hidden_ids = _unrevealed_work_ids(viewer)
        if hidden_ids:
            public -= bitmap(np.array(hidden_ids, dtype=np.int64))
        if permissions.is_signed_in(viewer):
            own = _works_of_users({viewer.pk})
            if own:
                public |= bitmap(np.array(own, dtype=np.int64)) & works
        return public

    def _text(self, works: BitMap, text: fulltext.TextQuery) -> BitMap:
        """Narrow to the text query through the database's text index (ids only)."""
        positive = fulltext.matching_ids_sql(text)
        if positive is not None:
            works &= bitmap(_ids_from_sql(positive.sql, positive.params))
        negative = fulltext.excluded_ids_sql(text)
        if negative is not None:
            works -= bitmap(_ids_from_sql(negative.sql, negative.params))
        return works

    # --- sorting and the page ---------------------------------------------------------------------

    def _page(
        self, index: Index, works: BitMap, sort: str, scores: dict[int, float] | None, offset: int, size: int
    ) -> list[int]:
        total = len(works)
        if offset >= total:
            return []
        want = offset + size
        if sort == "best_match":  # without words to rank by (no query, or only exclusions)
            sort = "updated"
        if total <= SPARSE:
            ids = ids_of(works)
            if sort in NUMERIC_SORTS:
                key = index.cols[NUMERIC_SORTS[sort]][ids]
                order = np.lexsort((-ids, -key))
            else:
                order = np.argsort(index.rank(sort)[ids], kind="stable")
            return ids[order][offset:want].tolist()
        # Dense: walk the precomputed order and keep members, a chunk at a time.
        order = index.order(sort)
        member = np.zeros(index.size, dtype=bool)
        member[ids_of(works)] = True
        found: list[np.ndarray] = []
        have = 0
        start = 0
        chunk = max(1024, int(want * len(order) / max(total, 1) * 1.3))
        while have < want and start < len(order):
            part = order[start : start + chunk]
            hits = part[member[part]]
            found.append(hits)
            have += len(hits)
            start += chunk
            chunk *= 2
        return np.concatenate(found)[offset:want].tolist()

    # --- facets -----------------------------------------------------------------------------------

    def _facets(self, index: Index, works: BitMap, query: WorkQuery) -> dict[str, list[Facet]]:
        if len(works) <= SPARSE_FACETS:
            counts_by_type = self._gathered_counts(index, works)
        else:
            counts_by_type = {t: self._pruned_counts(index, works, t) for t in FACET_TYPES.values()}
        wanted = sorted({t for pairs in counts_by_type.values() for t, _ in pairs})
        names = dict(_rows(f"SELECT id, name FROM tags_tag WHERE id IN ({_marks(wanted)})", wanted))
        named = _tags_named_all([*query.exclude, *query.include])
        included = {normalize_key(n) for n in query.include}
        excluded = {normalize_key(n) for n in query.exclude}
        facets: dict[str, list[Facet]] = {}
        for key, tag_type in FACET_TYPES.items():
            pairs = sorted(
                counts_by_type.get(tag_type, []), key=lambda p: (-p[1], names.get(p[0], "").lower())
            )
            listed = [
                Facet(names[i], n, _state(names[i], included, excluded))
                for i, n in pairs[:FACET_SIZE]
                if i in names
            ]
            shown = {normalize_key(f.name) for f in listed}
            for tag_id, tag_name in named.get(tag_type, []):
                if normalize_key(tag_name) not in shown:
                    posting = index.postings.get(tag_id)
                    count = works.intersection_cardinality(posting) if posting is not None else 0
                    listed.append(Facet(tag_name, count, _state(tag_name, included, excluded)))
                    shown.add(normalize_key(tag_name))
            facets[key] = listed
        return facets

    @staticmethod
    def _gathered_counts(index: Index, works: BitMap) -> dict[str, list[tuple[int, int]]]:
        """Small results: every filter tag of every result, counted. Returns the top candidates
        per type (all tags tied with the tenth)."""
        ids = ids_of(works)
        if len(ids) == 0:
            return {}
        changed = [i for i in ids.tolist() if i in index.overlay] if index.overlay else []
        plain = np.setdiff1d(ids, np.array(changed, dtype=np.int64), assume_unique=True) if changed else ids
        plain = plain[plain + 1 < len(index.csr_ptr)]
        starts, ends = index.csr_ptr[plain], index.csr_ptr[plain + 1]
        lengths = ends - starts
        positions = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(int(lengths.sum()))
        parts = [index.csr_tags[positions]] + [index.overlay[i] for i in changed]
        every = np.concatenate(parts)
        if len(every) == 0:
            return {}
        # bincount over tag ids beats sorting (np.unique) by far: ids are dense, the array is reused.
        counted = np.bincount(every)
        tags = np.flatnonzero(counted)
        counts = counted[tags]
        known = tags < len(index.type_code)
        codes = np.full(len(tags), -1, dtype=np.int8)
        codes[known] = index.type_code[tags[known]]
        by_type: dict[str, list[tuple[int, int]]] = {}
        for code, tag_type in enumerate(FACET_TYPE_LIST):
            mask = codes == code
            if not mask.any():
                continue
            type_tags, type_counts = tags[mask], counts[mask]
            if len(type_counts) > FACET_SIZE:
                floor = np.partition(type_counts, len(type_counts) - FACET_SIZE)[
                    len(type_counts) - FACET_SIZE
                ]
                keep = type_counts >= floor
                type_tags, type_counts = type_tags[keep], type_counts[keep]
            by_type[tag_type] = list(zip(type_tags.tolist(), type_counts.tolist(), strict=True))
        return by_type

    @staticmethod
    def _pruned_counts(index: Index, works: BitMap, tag_type: str) -> list[tuple[int, int]]:
        """Large results: intersect with posting lists biggest first; stop when no later tag can
        reach the tenth count (its whole list is smaller)."""
        ids, sizes, grown = index.types_by_size(tag_type)
        best: list[int] = []  # min-heap of the FACET_SIZE largest counts so far
        found: list[tuple[int, int]] = []
        seen: set[int] = set()

        def consider(tag: int) -> None:
            count = works.intersection_cardinality(index.postings[tag])
            seen.add(tag)
            if count == 0:
                return
            found.append((tag, count))
            if len(best) < FACET_SIZE:
                heapq.heappush(best, count)
            elif count > best[0]:
                heapq.heapreplace(best, count)

        for tag in grown:
            if tag in index.postings:
                consider(tag)
        for tag, size in zip(ids.tolist(), sizes.tolist(), strict=True):
            if len(best) == FACET_SIZE and size < best[0]:
                break
            if tag not in seen:
                consider(tag)
        return _top_with_ties(found)


def _top_with_ties(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The FACET_SIZE largest counts and everything tied with the last (names break those ties)."""
    if len(pairs) <= FACET_SIZE:
        return pairs
    counts = sorted((c for _, c in pairs), reverse=True)
    floor = counts[FACET_SIZE - 1]
    return [p for p in pairs if p[1] >= floor]


# Raw SQL for the small lookups of every query: the ORM's query building costs more than the query.


def _marks(values) -> str:
    return ", ".join(["%s"] * len(values)) if values else "NULL"


def _rows(sql: str, params) -> list[tuple]:
    if not params:
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return cursor.fetchall()


def _targets_by_name(names: list[str]) -> dict[str, set[int]]:
    """name key -> the canonical tags a filter on that name means (any type with that name)."""
    keys = sorted({normalize_key(n) for n in names})
    targets: dict[str, set[int]] = {}
    for key, tag_id, merger_id in _rows(
        f"SELECT name_key, id, merger_id FROM tags_tag WHERE name_key IN ({_marks(keys)})", keys
    ):
        targets.setdefault(key, set()).add(merger_id or tag_id)
    return targets


def _tags_named_all(names: list[str]) -> dict[str, list[tuple[int, str]]]:
    """engine._tags_named for every type at once: type -> [(id, name)] of the tags with these names
    (a synonym as its canonical tag), in the order OrmEngine lists them (by the tag's name)."""
    keys = sorted({normalize_key(n) for n in names})
    found: dict[str, list[tuple[int, str]]] = {}
    for tag_type, tag_id, name, merger_id, merger_name in _rows(
        "SELECT t.type, t.id, t.name, m.id, m.name FROM tags_tag t LEFT JOIN tags_tag m ON m.id = t.merger_id "
        f"WHERE t.name_key IN ({_marks(keys)}) ORDER BY t.name",
        keys,
    ):
        found.setdefault(tag_type, []).append((merger_id, merger_name) if merger_id else (tag_id, name))
    return found


def _targets_of_ids(tag_ids: list[int]) -> set[int]:
    rows = _rows(f"SELECT id, merger_id FROM tags_tag WHERE id IN ({_marks(tag_ids)})", tag_ids)
    return {m or i for i, m in rows}


def _saved_exclusion_targets(viewer) -> set[int]:
    ids = [i for i in Preference.objects.filter(user=viewer).values_list("excluded_tags", flat=True) if i]
    return _targets_of_ids(ids) if ids else set()


_UNREVEALED_TTL = 0.5  # seconds: collection changes are not in the change log; this bounds their delay
_unrevealed_cache: dict[int | None, tuple[float, list[int]]] = {}


def _unrevealed_work_ids(viewer) -> list[int]:
    """Works an unrevealed collection hides from this viewer (permissions' rule), cached briefly."""
    key = viewer.pk if permissions.is_signed_in(viewer) else None
    now = time.monotonic()
    cached = _unrevealed_cache.get(key)
    if cached is not None and now - cached[0] < _UNREVEALED_TTL:
        return cached[1]
    ids = permissions.unrevealed_work_ids(viewer)
    if len(_unrevealed_cache) > 10_000:
        _unrevealed_cache.clear()
    _unrevealed_cache[key] = (now, ids)
    return ids


def _works_of_users(user_ids: set[int]) -> list[int]:
    return list(
        Creatorship.objects.filter(pseud__user_id__in=list(user_ids)).values_list("work_id", flat=True)
    )


def _fixed_tag_ids(tag_type: str, names) -> list[int]:
    names = list(names)
    sql = f"SELECT id FROM tags_tag WHERE type = %s AND name IN ({_marks(names)})"
    return [r[0] for r in _rows(sql, [tag_type, *names])] if names else []


def _epoch_day(day) -> int:
    return (day - day.__class__(1970, 1, 1)).days


def _ids_from_sql(sql: str, params) -> np.ndarray:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))


def _scored_matches(text: fulltext.TextQuery) -> dict[int, float]:
    """work id -> relevance, computed as fulltext.rank_sql computes it, for every matching work."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            positive, _ = fulltext._pg_expression(text)
            cursor.execute(
                "SELECT work_id, ts_rank_cd(document, to_tsquery('simple', %s)) FROM search_searchdocument "
                "WHERE document @@ to_tsquery('simple', %s)",
                [positive, positive],
            )
        else:
            positive, _ = fulltext._fts5_expression(text)
            cursor.execute(
                "SELECT rowid, -bm25(search_fts, 10.0, 5.0, 4.0, 2.0, 1.0) FROM search_fts "
                "WHERE search_fts MATCH %s",
                [positive],
            )
        return {int(i): float(s) for i, s in cursor.fetchall()}


def _best_match_page(
    index: Index, works: BitMap, text: fulltext.TextQuery, offset: int, size: int
) -> list[int]:
    """The page by relevance (desc), then updated (desc), then id (desc), as OrmEngine orders it.

    SQLite: FTS5 scores and sorts in C and returns only the best ``k`` matches; that is exact once
    the page's last work scores strictly above the k-th match (nothing unfetched can tie or beat
    it), else k doubles. PostgreSQL: every match's score.
    """
    want = offset + size
    if len(works) == 0 or offset >= len(works):
        return []
    if connection.vendor == "postgresql":
        return _order_scored(index, works, _scored_matches(text), offset, want)
    positive, _ = fulltext._fts5_expression(text)
    k = max(200, want * 8)
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT rowid, -bm25(search_fts, 10.0, 5.0, 4.0, 2.0, 1.0) FROM search_fts "
                "WHERE search_fts MATCH %s ORDER BY bm25(search_fts, 10.0, 5.0, 4.0, 2.0, 1.0) LIMIT %s",
                [positive, k],
            )
            rows = cursor.fetchall()
        scores = {int(i): float(v) for i, v in rows}
        members = [i for i in scores if i in works]
        exhausted = len(rows) < k
        if exhausted or len(members) >= want:
            page = _order_scored(index, works, scores, 0, len(members))
            if exhausted or scores[page[want - 1]] > rows[-1][1]:
                return page[offset:want]
        k *= 4


def _order_scored(index: Index, works: BitMap, scores: dict[int, float], offset: int, want: int) -> list[int]:
    ids = np.array([i for i in scores if i in works], dtype=np.int64)
    if len(ids) == 0:
        return []
    score = np.array([scores[i] for i in ids.tolist()], dtype=np.float64)
    order = np.lexsort((-ids, -index.cols["updated"][ids], -score))
    return ids[order][offset:want].tolist()
