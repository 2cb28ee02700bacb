"""The in-memory index of one server process: work columns as NumPy arrays and posting lists as
roaring bitmaps, built from the database and kept fresh by replaying the change log.

Rows are work ids (arrays are indexed by id; ids are dense in practice). Posting lists are per
*filter tag* (search.models.WorkFilterTag): filtering on a tag name X is "has filter tag
canonical(X)", and facet counts are intersections with them.
"""

from __future__ import annotations

import array
import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.db import connection
from pyroaring import BitMap

from fanfold.search.fast import changes

log = logging.getLogger(__name__)

# Numeric sorts: (key column, descending); ties by id descending, as OrmEngine orders them.
NUMERIC_SORTS = {
    "posted": "published",
    "updated": "updated",
    "words": "words",
    "hits": "hits",
    "kudos": "kudos",
    "comments": "comments",
    "bookmarks": "bookmarks",
}
RANKED_SORTS = ("title", "creator")  # orders the database computes (its collation), kept as ranks
FACET_TYPE_LIST = ("rating", "warning", "category", "fandom", "relationship", "character", "additional")
TYPE_CODES = {t: i for i, t in enumerate(FACET_TYPE_LIST)}
COLUMNS = ("words", "published", "updated", "hits", "kudos", "comments", "bookmarks", "fandoms")
SNAPSHOT_VERSION = 1  # orders are optional members: older files still load
MAX_REPLAY = 20_000  # more changes than this at once: rebuild instead of replaying
BUCKETS = 64  # range filters: bitmaps of value buckets, exact filtering at the two edges only


def bitmap(ids: np.ndarray) -> BitMap:
    """A BitMap from a NumPy array of ids (through array.array: the fast constructor path)."""
    if len(ids) == 0:
        return BitMap()
    return BitMap(array.array("I", np.ascontiguousarray(ids, dtype=np.uint32).tobytes()))


def ids_of(bits: BitMap) -> np.ndarray:
    return np.frombuffer(bits.to_array(), dtype=np.uint32).astype(np.int64)


@dataclass
class RangeIndex:
    """Bitmaps of works by value bucket, for "from .. to" filters on one column."""

    bounds: np.ndarray  # lower bound of each bucket (ascending); bucket 0 takes everything below
    buckets: list[BitMap]

    @classmethod
    def build(cls, values: np.ndarray, present: np.ndarray) -> RangeIndex:
        ids = np.flatnonzero(present)
        vals = values[ids]
        if len(vals):
            bounds = np.unique(np.quantile(vals, np.linspace(0, 1, BUCKETS, endpoint=False)).astype(np.int64))
        else:
            bounds = np.zeros(1, dtype=np.int64)
        which = np.searchsorted(bounds, vals, side="right") - 1
        which = np.maximum(which, 0)
        order = np.argsort(which, kind="stable")
        ids, which = ids[order], which[order]
        edges = np.searchsorted(which, np.arange(len(bounds) + 1))
        buckets = [bitmap(ids[edges[b] : edges[b + 1]]) for b in range(len(bounds))]
        return cls(bounds, buckets)

    def bucket_of(self, value: int) -> int:
        return max(0, int(np.searchsorted(self.bounds, value, side="right")) - 1)

    def move(self, work_id: int, old: int | None, new: int | None) -> None:
        if old is not None:
            self.buckets[self.bucket_of(old)].discard(work_id)
        if new is not None:
            self.buckets[self.bucket_of(new)].add(work_id)

    def select(self, values: np.ndarray, low: int | None, high: int | None) -> BitMap:
        """Works with low <= value <= high (either bound may be None)."""
        first = 0 if low is None else self.bucket_of(low)
        last = len(self.buckets) - 1 if high is None else self.bucket_of(high)
        if first > last:
            return BitMap()
        inner = BitMap.union(*self.buckets[first + 1 : last]) if last - first > 1 else BitMap()
        for b in {first, last}:
            edge = ids_of(self.buckets[b])
            keep = np.ones(len(edge), dtype=bool)
            if low is not None:
                keep &= values[edge] >= low
            if high is not None:
                keep &= values[edge] <= high
            inner |= bitmap(edge[keep])
        return inner


@dataclass
class Index:
    """Everything the fast engine needs, for one database, as of change-log entry ``applied``."""

    applied: int = 0
    nonce: int = 0
    size: int = 1  # arrays hold ids 0 .. size-1
    cols: dict[str, np.ndarray] = field(default_factory=dict)
    exists: BitMap = field(default_factory=BitMap)
    draft: BitMap = field(default_factory=BitMap)
    hidden: BitMap = field(default_factory=BitMap)
    restricted: BitMap = field(default_factory=BitMap)
    complete: BitMap = field(default_factory=BitMap)
    crossover: BitMap = field(default_factory=BitMap)  # more than one fandom
    languages: dict[str, BitMap] = field(default_factory=dict)
    postings: dict[int, BitMap] = field(default_factory=dict)  # filter tag id -> works
    tag_type: dict[int, str] = field(default_factory=dict)
    type_code: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int8))  # by tag id
    # Each work's filter tags, for gathering facet counts of small result sets: a CSR built at load
    # time plus an overlay for works changed since.
    csr_ptr: np.ndarray = field(default_factory=lambda: np.zeros(2, dtype=np.int64))
    csr_tags: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    overlay: dict[int, np.ndarray] = field(default_factory=dict)
    ranges: dict[str, RangeIndex] = field(default_factory=dict)
    orders: dict[str, np.ndarray] = field(default_factory=dict)  # sort -> ids in order (lazy)
    ranks: dict[str, np.ndarray] = field(default_factory=dict)  # title/creator -> rank by id (lazy)
    dirty_sorts: set[str] = field(default_factory=set)
    # Per tag type: tag ids, biggest posting list first, with their sizes when sorted; tags that
    # grew since are in ``grown`` (facet pruning looks at those explicitly).
    type_order: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    grown: dict[str, set[int]] = field(default_factory=dict)
    built_seconds: float = 0.0
    from_database: bool = False  # built by reading every work (not loaded from a snapshot)
    lock: threading.RLock = field(default_factory=threading.RLock)

    # --- building ---------------------------------------------------------------------------------

    @classmethod
    def build(cls) -> Index:
        started = time.perf_counter()
        index = cls(from_database=True)
        index.applied, index.nonce = changes.latest()
        with connection.cursor() as cursor:
            cursor.execute("SELECT COALESCE(MAX(id), 0) FROM works_work")
            index.size = int(cursor.fetchone()[0]) + 1
        index._load_works()
        index._load_filter_tags()
        index._load_fandom_counts()
        index.built_seconds = time.perf_counter() - started
        return index

    def _day_sql(self, column: str) -> str:
        if connection.vendor == "postgresql":
            return f"({column} - DATE '1970-01-01')"
        return f"CAST(julianday({column}) - 2440587.5 AS INTEGER)"

    def _work_rows(self, where: str = "", params: list | None = None) -> list[tuple]:
        sql = (
            "SELECT id, draft, hidden_by_admin, restricted, complete, word_count, "
            f"{self._day_sql('published')}, {self._day_sql('updated')}, hits, kudos_count, comments_count, "
            f"bookmarks_count, language FROM works_work {where}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params or [])
            return cursor.fetchall()

    def _load_works(self) -> None:
        rows = self._work_rows()
        n = self.size
        for name in COLUMNS:
            self.cols[name] = np.zeros(n, dtype=np.int64)
        if not rows:
            self.ranges = {k: RangeIndex.build(self.cols[k], np.zeros(n, bool)) for k in ("words", "updated")}
            return
        columns = list(zip(*rows, strict=True))
        ids = np.array(columns[0], dtype=np.int64)
        flags = [np.array(c, dtype=bool) for c in columns[1:5]]
        self.exists = bitmap(ids)
        self.draft, self.hidden, self.restricted, self.complete = (bitmap(ids[f]) for f in flags)
        for name, values in zip(COLUMNS[:7], columns[5:12], strict=True):
            self.cols[name][ids] = np.array(values, dtype=np.int64)
        by_language: dict[str, list[int]] = {}
        for work_id, code in zip(columns[0], columns[12], strict=True):
            by_language.setdefault(code, []).append(work_id)
        self.languages = {code: bitmap(np.array(v)) for code, v in by_language.items()}
        present = np.zeros(n, dtype=bool)
        present[ids] = True
        self.ranges = {k: RangeIndex.build(self.cols[k], present) for k in ("words", "updated")}

    def _load_filter_tags(self) -> None:
        keys: list[np.ndarray] = []
        with connection.cursor() as cursor:
            # One integer per row (work << 32 | tag): half the Python objects of a pair.
            cursor.execute("SELECT work_id * 4294967296 + tag_id FROM search_workfiltertag")
            while True:
                batch = cursor.fetchmany(500_000)
                if not batch:
                    break
                keys.append(np.fromiter((r[0] for r in batch), dtype=np.int64, count=len(batch)))
            cursor.execute("SELECT id, type FROM tags_tag")
            self.tag_type = {int(i): t for i, t in cursor.fetchall()}
        self._type_codes()
        key = np.sort(np.concatenate(keys)) if keys else np.zeros(0, dtype=np.int64)
        works, tags = key >> 32, key & 0xFFFFFFFF
        self.csr_tags = tags
        self.csr_ptr = np.searchsorted(works, np.arange(self.size + 1))
        by_tag = np.argsort(tags, kind="stable")
        sorted_tags, sorted_works = tags[by_tag], works[by_tag]
        bounds = np.flatnonzero(np.diff(sorted_tags)) + 1
        starts = np.concatenate([[0], bounds]) if len(sorted_tags) else np.zeros(0, dtype=np.int64)
        ends = np.concatenate([bounds, [len(sorted_tags)]]) if len(sorted_tags) else starts
        tag_ids = sorted_tags[starts].tolist() if len(sorted_tags) else []
        self.postings = {
            tag: bitmap(sorted_works[s:e])
            for tag, s, e in zip(tag_ids, starts.tolist(), ends.tolist(), strict=True)
        }

    def _type_codes(self) -> None:
        top = max(self.tag_type, default=0)
        self.type_code = np.full(top + 1, -1, dtype=np.int8)
        for tag, kind in self.tag_type.items():
            self.type_code[tag] = TYPE_CODES.get(kind, -1)

    def _load_fandom_counts(self, work_ids: list[int] | None = None) -> None:
        """How many distinct canonical fandoms each work has (crossovers have more than one)."""
        where = ""
        params: list = []
        if work_ids is not None:
            where = f"AND wt.work_id IN ({', '.join(['%s'] * len(work_ids))})"
            params = list(work_ids)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT wt.work_id, COUNT(DISTINCT COALESCE(t.merger_id, t.id)) FROM works_worktag wt "
                f"JOIN tags_tag t ON t.id = wt.tag_id WHERE t.type = 'fandom' {where} GROUP BY wt.work_id",
                params,
            )
            rows = cursor.fetchall()
        counts = self.cols["fandoms"]
        if work_ids is not None:
            counts[np.array(work_ids, dtype=np.int64)] = 0
            for work_id in work_ids:
                self.crossover.discard(work_id)
        if rows:
            ids, values = (np.array(c, dtype=np.int64) for c in zip(*rows, strict=True))
            counts[ids] = values
            self.crossover |= bitmap(ids[values > 1])

    # --- snapshots: a new process loads in seconds, then replays the log from there -----------

    FLAGS = ("exists", "draft", "hidden", "restricted", "complete", "crossover")

    def save(self, path: Path) -> None:
        """Write the index to ``path`` (atomically: a temporary file renamed into place)."""
        tags = np.array(sorted(self.postings), dtype=np.int64)
        blobs = [self.postings[t].serialize() for t in tags.tolist()]
        offsets = np.cumsum([0] + [len(b) for b in blobs]).astype(np.int64)
        languages = sorted(self.languages)
        flag_blobs = [getattr(self, name).serialize() for name in self.FLAGS]
        flag_blobs += [self.languages[code].serialize() for code in languages]
        flag_offsets = np.cumsum([0] + [len(b) for b in flag_blobs]).astype(np.int64)
        type_names = sorted(set(self.tag_type.values()))
        type_ids = np.fromiter(self.tag_type.keys(), dtype=np.int64, count=len(self.tag_type))
        type_of = np.array([type_names.index(t) for t in self.tag_type.values()], dtype=np.int16)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp.npz")
        np.savez(
            temporary,
            meta=np.array([SNAPSHOT_VERSION, self.applied, self.nonce, self.size], dtype=np.int64),
            names=np.array([_database_identity(), *type_names, "|", *languages]),
            posting_tags=tags,
            posting_offsets=offsets,
            posting_blob=np.frombuffer(b"".join(blobs), dtype=np.uint8),
            flag_offsets=flag_offsets,
            flag_blob=np.frombuffer(b"".join(flag_blobs), dtype=np.uint8),
            type_ids=type_ids,
            type_of=type_of,
            csr_ptr=self.csr_ptr,
            csr_tags=self.csr_tags.astype(np.uint32),
            **{f"col_{name}": values for name, values in self.cols.items()},  # type: ignore[arg-type]
            **{f"order_{sort}": order for sort, order in self.orders.items() if sort not in self.dirty_sorts},  # type: ignore[arg-type]
        )
        temporary.replace(path)

    @classmethod
    def load(cls, path: Path) -> Index | None:
        """The index saved at ``path``, or None when there is none for this database."""
        try:
            data = np.load(path)
        except (OSError, ValueError):
            return None
        with data:
            version, applied, nonce, size = (int(v) for v in data["meta"])
            names = data["names"].tolist()
            if version != SNAPSHOT_VERSION or names[0] != _database_identity():
                return None
            split = names.index("|")
            type_names, languages = names[1:split], names[split + 1 :]
            index = cls(applied=applied, nonce=nonce, size=size)
            blob = data["posting_blob"].tobytes()
            offsets = data["posting_offsets"].tolist()
            index.postings = {
                tag: BitMap.deserialize(blob[offsets[i] : offsets[i + 1]])
                for i, tag in enumerate(data["posting_tags"].tolist())
            }
            blob = data["flag_blob"].tobytes()
            offsets = data["flag_offsets"].tolist()
            bitmaps = [BitMap.deserialize(blob[offsets[i] : offsets[i + 1]]) for i in range(len(offsets) - 1)]
            for name, bits in zip(cls.FLAGS, bitmaps, strict=False):
                setattr(index, name, bits)
            index.languages = dict(zip(languages, bitmaps[len(cls.FLAGS) :], strict=True))
            index.tag_type = dict(
                zip(data["type_ids"].tolist(), [type_names[i] for i in data["type_of"].tolist()], strict=True)
            )
            index.csr_ptr = data["csr_ptr"]
            index.csr_tags = data["csr_tags"].astype(np.int64)
            index.cols = {name: data[f"col_{name}"] for name in COLUMNS}
            for sort in (*NUMERIC_SORTS, *RANKED_SORTS):
                if f"order_{sort}" in data.files:
                    index.orders[sort] = data[f"order_{sort}"]
        index._type_codes()
        present = np.zeros(index.size, dtype=bool)
        present[ids_of(index.exists)] = True
        index.ranges = {k: RangeIndex.build(index.cols[k], present) for k in ("words", "updated")}
        return index

    # --- freshness ---------------------------------------------------------------------------------

    def refresh(self) -> Index:
        """Apply the change log; returns the index to use (a new one when a rebuild was needed)."""
        latest_id, latest_nonce = changes.latest()
        if latest_id == self.applied and latest_nonce == self.nonce:
            return self
        if latest_id < self.applied or (latest_id == self.applied and latest_nonce != self.nonce):
            return self._reload()  # the log went back (a rollback, a restored backup): start again
        if self.applied and changes.nonce_of(self.applied) != self.nonce:
            return self._reload()  # where this index stopped is gone (pruned, or rolled back)
        entries = changes.since(self.applied, MAX_REPLAY + 1)
        if any(work_id is None for _, work_id in entries):
            return Index.build()  # "everything changed" (a bulk load)
        if len(entries) > MAX_REPLAY:
            return self._reload()
        with self.lock:
            self.apply(sorted({w for _, w in entries if w is not None}))
            self.applied = entries[-1][0]
            self.nonce = changes.nonce_of(self.applied) or 0
        return self

    def _reload(self) -> Index:
        """Start again: from the snapshot when it is further on and still in the log (a daily
        `fanfold maintenance` keeps it recent), else from the database."""
        path = snapshot_path(connection.alias)
        snapshot = Index.load(path) if path.exists() else None
        if (
            snapshot is not None
            and snapshot.applied > self.applied  # strictly further: this cannot loop
            and changes.nonce_of(snapshot.applied) == snapshot.nonce
        ):
            return snapshot.refresh()
        return Index.build()

    def _grow(self, needed: int) -> None:
        if needed <= self.size:
            return
        new_size = max(needed, int(self.size * 1.25) + 1024)
        for name, values in self.cols.items():
            grown = np.zeros(new_size, dtype=values.dtype)
            grown[: self.size] = values
            self.cols[name] = grown
        self.csr_ptr = np.concatenate([self.csr_ptr, np.full(new_size - self.size, self.csr_ptr[-1])])
        for name, ranks in list(self.ranks.items()):
            grown = np.full(new_size, np.iinfo(np.int64).max, dtype=np.int64)
            grown[: self.size] = ranks
            self.ranks[name] = grown
        self.size = new_size

    def filter_tags_of(self, work_id: int) -> np.ndarray:
        if work_id in self.overlay:
            return self.overlay[work_id]
        if work_id + 1 >= len(self.csr_ptr):
            return np.zeros(0, dtype=np.int64)
        return self.csr_tags[self.csr_ptr[work_id] : self.csr_ptr[work_id + 1]]

    def apply(self, work_ids: list[int]) -> None:
        """Re-read these works (rows, filter tags, fandom counts); absent ones were deleted."""
        if not work_ids:
            return
        self._grow(max(work_ids) + 1)
        rows: dict[int, tuple] = {}
        retyped = False
        new_tags: dict[int, set[int]] = {w: set() for w in work_ids}
        for start in range(0, len(work_ids), 500):
            batch = work_ids[start : start + 500]
            marks = ", ".join(["%s"] * len(batch))
            for row in self._work_rows(f"WHERE id IN ({marks})", batch):
                rows[int(row[0])] = row
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT f.work_id, f.tag_id, t.type FROM search_workfiltertag f "
                    f"JOIN tags_tag t ON t.id = f.tag_id WHERE f.work_id IN ({marks})",
                    batch,
                )
                for work_id, tag_id, tag_type in cursor.fetchall():
                    new_tags[int(work_id)].add(int(tag_id))
                    if self.tag_type.get(int(tag_id)) != tag_type:
                        self.tag_type[int(tag_id)] = tag_type
                        retyped = True
        cols = self.cols
        for work_id in work_ids:
            # Out of every set first, then back in as the row is now.
            for old_tag in self.filter_tags_of(work_id).tolist():
                posting = self.postings.get(old_tag)
                if posting is not None:
                    posting.discard(work_id)  # a smaller list keeps the size order's bound valid
            for bits in (self.exists, self.draft, self.hidden, self.restricted, self.complete):
                bits.discard(work_id)
            for bits in self.languages.values():  # a handful of languages
                bits.discard(work_id)
            for name in ("words", "updated"):
                self.ranges[name].move(work_id, int(cols[name][work_id]), None)
            found = rows.get(work_id)
            if found is None:  # deleted
                self.overlay[work_id] = np.zeros(0, dtype=np.int64)
                for name in COLUMNS:
                    cols[name][work_id] = 0
                continue
            _, draft, hidden, restricted, complete = found[:5]
            self.exists.add(work_id)
            for flag, bits in ((draft, self.draft), (hidden, self.hidden), (restricted, self.restricted)):
                if flag:
                    bits.add(work_id)
            if complete:
                self.complete.add(work_id)
            for name, value in zip(COLUMNS[:7], found[5:12], strict=True):
                cols[name][work_id] = int(value)
            for name in ("words", "updated"):
                self.ranges[name].move(work_id, None, int(cols[name][work_id]))
            self.languages.setdefault(found[12], BitMap()).add(work_id)
            tags = np.array(sorted(new_tags[work_id]), dtype=np.int64)
            self.overlay[work_id] = tags
            for tag in tags.tolist():
                self.postings.setdefault(tag, BitMap()).add(work_id)
                self.grown.setdefault(self.tag_type.get(tag, ""), set()).add(tag)
        if retyped:
            self._type_codes()
        self._load_fandom_counts(work_ids)
        # Orders change with the keys: rebuilt lazily by the next query that needs them.
        self.dirty_sorts.update(NUMERIC_SORTS, RANKED_SORTS)

    # --- orders -----------------------------------------------------------------------------------

    def order(self, sort: str) -> np.ndarray:
        """Ids of every work in this sort's order (numeric sorts: key desc, id desc)."""
        if sort in self.dirty_sorts:
            self.orders.pop(sort, None)
            self.ranks.pop(sort, None)
            self.dirty_sorts.discard(sort)
        if sort not in self.orders:
            if sort in RANKED_SORTS:
                self.orders[sort] = self._db_order(sort)
            else:
                ids = ids_of(self.exists)
                key = self.cols[NUMERIC_SORTS[sort]][ids]
                self.orders[sort] = ids[np.lexsort((-ids, -key))]
        return self.orders[sort]

    def rank(self, sort: str) -> np.ndarray:
        """Position of each work id in a title/creator order (as the database collates names)."""
        order = self.order(sort)
        if sort not in self.ranks:
            ranks = np.full(self.size, np.iinfo(np.int64).max, dtype=np.int64)
            ranks[order] = np.arange(len(order))
            self.ranks[sort] = ranks
        return self.ranks[sort]

    @staticmethod
    def _db_order(sort: str) -> np.ndarray:
        from fanfold.search.engine import OrmEngine
        from fanfold.works.models import Work

        ids = OrmEngine.ordered(Work.objects.all(), sort, None).values_list("id", flat=True)
        return np.fromiter(ids.iterator(chunk_size=50_000), dtype=np.int64)

    def types_by_size(self, tag_type: str) -> tuple[np.ndarray, np.ndarray, set[int]]:
        """(tag ids of one type, biggest posting list first; their sizes then; tags grown since)."""
        grown = self.grown.get(tag_type, set())
        if tag_type not in self.type_order or len(grown) > 2000:
            ids = np.array([t for t, k in self.tag_type.items() if k == tag_type and t in self.postings])
            ids = ids.astype(np.int64)
            sizes = np.array([len(self.postings[t]) for t in ids.tolist()], dtype=np.int64)
            order = np.argsort(-sizes, kind="stable")
            self.type_order[tag_type] = (ids[order], sizes[order])
            grown = self.grown[tag_type] = set()
        ids, sizes = self.type_order[tag_type]
        return ids, sizes, grown


def _database_identity() -> str:
    settings = connection.settings_dict
    return f"{connection.vendor}:{settings.get('HOST') or ''}:{settings.get('PORT') or ''}:{settings['NAME']}"


def snapshot_path(alias: str = "default") -> Path:
    from django.conf import settings

    return Path(settings.DATA_DIR) / "search-index" / f"{alias}.npz"


def _with_snapshot(index: Index, alias: str) -> Index:
    """Leave a snapshot of a big index for the next process (with every order, so that no reader
    waits for one: title and creator ask the database)."""
    if len(index.exists) >= SNAPSHOT_MIN_WORKS:
        for sort in (*NUMERIC_SORTS, *RANKED_SORTS):
            index.order(sort)
        try:
            index.save(snapshot_path(alias))
        except OSError as exc:  # a read-only data dir only costs the next process a rebuild
            log.warning("could not save the search index snapshot: %s", exc)
    return index


def write_snapshot(alias: str = "default") -> Index:
    """Build the index from the database and save it (bulk loads, `fanfold generate`)."""
    return _with_snapshot(Index.build(), alias)


def compact_change_log(alias: str = "default", *, keep_seconds: float = 86_400) -> int:
    """Save a snapshot at the log's current position, then drop the log entries it holds that are
    older than ``keep_seconds``; the newest entry always stays (every process compares with it).

    A process whose position was dropped reloads from that snapshot at its next query. Returns the
    number of entries dropped.
    """
    import datetime as dt

    from django.utils import timezone

    from fanfold.search.models import IndexChange

    latest_id, _ = changes.latest()
    entries = IndexChange.objects.filter(
        id__lt=latest_id, created_at__lt=timezone.now() - dt.timedelta(seconds=keep_seconds)
    )
    if snapshot_path(alias).exists():
        index = _with_snapshot(current(alias), alias)
        if len(index.exists) < SNAPSHOT_MIN_WORKS:
            return 0  # no snapshot was written: processes replay from the log's start
        entries = entries.filter(id__lte=index.applied)
    deleted, _ = entries.delete()
    return deleted


def _open(alias: str) -> Index:
    index = Index.load(snapshot_path(alias)) if snapshot_path(alias).exists() else None
    if index is None:
        return _with_snapshot(Index.build(), alias)
    refreshed = index.refresh()
    if refreshed.from_database:  # the snapshot could not be brought up to date: refresh rebuilt it
        return _with_snapshot(refreshed, alias)
    return refreshed


_lock = threading.Lock()
_current: dict[str, Index] = {}
SNAPSHOT_MIN_WORKS = 50_000  # smaller archives build in a second or two: no snapshot needed


def current(alias: str = "default") -> Index:
    """This process's index for the database, fresh as of the change log's latest entry."""
    with _lock:
        index = _current.get(alias)
        if index is None:
            index = _open(alias)
        else:
            refreshed = index.refresh()
            # A rebuild from the database leaves a snapshot; a reload from the snapshot has one.
            if (
                refreshed is not index
                and refreshed.from_database
                and len(refreshed.exists) >= SNAPSHOT_MIN_WORKS
            ):
                refreshed.save(snapshot_path(alias))
            index = refreshed
        _current[alias] = index
        return index


def reset() -> None:
    with _lock:
        _current.clear()
