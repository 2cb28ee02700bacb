"""A deterministic synthetic archive with AO3's shape, bulk-loaded for benchmarks and engine tests.

Everything is drawn from one ``numpy.random.Generator`` per step, seeded from ``--seed``, so the same
(N, seed) always gives the same archive. The shape follows AO3: Zipf-like fandom and tag popularity
(about 30 fandoms per 1,000 works), characters and relationships belonging to fandoms, a shared pool
of additional tags, synonyms (a work tagged with a synonym is found under its canonical tag) and a few
meta tags, 5 to 40 tags per work, log-normal word counts (median about 3,000), chaptered works,
heavy-tailed kudos/hits/bookmarks/comments, 15 years of dates and several languages.

Names and text are made of invented syllables. Story text (``bodies=True``) uses a second syllable
set, so words of the story never occur in titles, summaries or tag names: a search for them measures
the story-text index alone (the bench's ``body_search`` class).

Loading is raw SQL ``executemany`` in large transactions. On SQLite the loaded tables' secondary
indexes and the FTS triggers are dropped during the load and rebuilt once at the end, with
``synchronous=OFF`` for the duration (WAL stays on).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
from django.db import connection, transaction

from fanfold.core.text import normalize_key
from fanfold.tags import vocabulary as vocab

CHUNK = 20_000  # works per generation step (fixed: part of what makes the output deterministic)
EPOCH = dt.date(2011, 1, 1)
DAYS = 15 * 365
LANGUAGES: tuple[tuple[str, float], ...] = (
    ("en", 0.86), ("es", 0.03), ("zh", 0.03), ("ru", 0.025), ("fr", 0.015), ("de", 0.012),
    ("pt", 0.01), ("ja", 0.008), ("it", 0.005), ("ko", 0.005),
)  # fmt: skip
# Consonant + vowel syllables: every word parses one way, so names made from distinct numbers differ.
META_SYLLABLES = tuple(c + v for c in "kbdghlmnprstvw" for v in "aeiou")
BODY_SYLLABLES = tuple(c + v for c in "qxzj" for v in "aeiou")  # q, x, z, j never occur in META
LOADED_TABLES = (
    "tags_tag",
    "tags_tag_meta_tags",
    "works_work",
    "works_chapter",
    "works_creatorship",
    "works_worktag",
    "search_workfiltertag",
    "search_searchdocument",
    "accounts_user",
    "accounts_pseud",
)


class GenerateError(Exception):
    """The archive cannot be generated as asked (a clear message for the command line)."""


def _word(index: int, syllables: tuple[str, ...] | list[str], minimum: int = 2) -> str:
    """A unique pronounceable word for each index (a bijective base-len(syllables) numeral)."""
    base = len(syllables)
    parts: list[str] = []
    n = index
    while True:
        parts.append(syllables[n % base])
        n //= base
        if n == 0 and len(parts) >= minimum:
            break
        if n == 0:
            n = 0  # pad with the first syllable up to the minimum length
    return "".join(parts)


def _zipf_weights(n: int, exponent: float) -> np.ndarray:
    weights = 1.0 / np.arange(1, n + 1, dtype=np.float64) ** exponent
    return weights / weights.sum()


def _skewed_index(rng: np.random.Generator, sizes: np.ndarray, power: float = 2.5) -> np.ndarray:
    """For each size s, an index in [0, s) favouring small indexes (popular items come first)."""
    u = rng.random(len(sizes))
    return np.minimum((sizes * u**power).astype(np.int64), sizes - 1)


@dataclass
class TagPlan:
    """Every tag of the synthetic archive: ids, names and types in parallel lists."""

    names: list[str]
    types: list[str]
    canonical: list[bool]
    merger: list[int | None]  # index into the lists, for synonyms
    first_id: int
    fixed: dict[str, list[int]]  # fixed type -> tag ids (existing rows)
    fandom_ids: np.ndarray
    fandom_p: np.ndarray
    char_offset: np.ndarray  # per fandom: first character id / count
    char_count: np.ndarray
    rel_offset: np.ndarray
    rel_count: np.ndarray
    extra_ids: np.ndarray
    extra_p: np.ndarray
    synonym_of: dict[int, int]  # canonical tag id -> a synonym's id
    meta_of: dict[int, int]  # sub tag id -> meta tag id

    def tag_id(self, index: int) -> int:
        return self.first_id + index


def plan_tags(n_works: int, rng: np.random.Generator, first_id: int, fixed: dict[str, list[int]]) -> TagPlan:
    n_fandoms = max(8, round(n_works * 0.03))
    names: list[str] = []
    types: list[str] = []

    def add(name: str, tag_type: str) -> int:
        names.append(name)
        types.append(tag_type)
        return first_id + len(names) - 1

    suffixes = ("Chronicles", "Saga", "(Anime)", "(Video Game)", "- All Media Types", "(TV)", "Trilogy")
    fandom_ids = np.array(
        [
            add(f"{_word(i, META_SYLLABLES).title()} {suffixes[i % len(suffixes)]}", "fandom")
            for i in range(n_fandoms)
        ],
        dtype=np.int64,
    )
    fandom_p = _zipf_weights(n_fandoms, 1.05)
    # Popular fandoms have more characters and ships; a fandom with a few works has a handful.
    char_count = np.maximum(3, np.round(4 + 4000 * fandom_p**0.75 * (n_fandoms / 1000) ** 0.25)).astype(
        np.int64
    )
    char_count = np.minimum(char_count, 400)
    rel_count = np.maximum(2, char_count // 2)
    char_offset = np.zeros(n_fandoms, dtype=np.int64)
    rel_offset = np.zeros(n_fandoms, dtype=np.int64)
    people = 0
    for f in range(n_fandoms):
        char_offset[f] = first_id + len(names)
        for _ in range(int(char_count[f])):
            given = _word(people, META_SYLLABLES).title()
            family = _word(people * 7 + 3, META_SYLLABLES, 3).title()
            add(f"{given} {family}", "character")
            people += 1
        rel_offset[f] = first_id + len(names)
        for r in range(int(rel_count[f])):
            a = names[char_offset[f] - first_id + (r % int(char_count[f]))]
            b = names[char_offset[f] - first_id + ((r * 3 + 1) % int(char_count[f]))]
            sep = " & " if r % 4 == 3 else "/"
            add(f"{a}{sep}{b} ({r})", "relationship")
    n_extra = max(60, round(n_works * 0.05))
    themes = ("Angst", "Fluff", "Hurt/Comfort", "Alternate Universe", "Slow Burn", "Found Family", "Humor")
    extra_ids = np.array(
        [
            add(f"{themes[i % len(themes)]} - {_word(i, META_SYLLABLES).title()}", "additional")
            if i >= len(themes)
            else add(themes[i], "additional")
            for i in range(n_extra)
        ],
        dtype=np.int64,
    )
    extra_p = _zipf_weights(n_extra, 1.1)
    canonical = [True] * len(names)
    merger: list[int | None] = [None] * len(names)
    synonym_of: dict[int, int] = {}
    # About one canonical tag in six has a synonym (an abbreviation, a misspelling).
    count = len(names)
    for index in np.flatnonzero(rng.random(count) < 1 / 6).tolist():
        tag_id = first_id + index
        synonym_of[tag_id] = add(f"{names[index]} (syn)", types[index])
        canonical.append(False)
        merger.append(index)
    # A few additional tags are sub tags of the themes ("Alternate Universe - X" under "Alternate Universe").
    meta_of = {int(extra_ids[i]): int(extra_ids[i % len(themes)]) for i in range(len(themes), n_extra, 9)}
    return TagPlan(
        names, types, canonical, merger, first_id, fixed, fandom_ids, fandom_p, char_offset, char_count,
        rel_offset, rel_count, extra_ids, extra_p, synonym_of, meta_of,
    )  # fmt: skip


@dataclass
class Chunk:
    ids: np.ndarray
    columns: dict[str, np.ndarray]
    work_tags: tuple[np.ndarray, np.ndarray]  # (work id, tag id) as the work was tagged
    filter_tags: tuple[np.ndarray, np.ndarray, np.ndarray]  # (work id, tag id, type code)
    creators: tuple[np.ndarray, np.ndarray, np.ndarray]  # (work id, pseud index, position)
    chapters: np.ndarray  # chapters per work


def _chunk(plan: TagPlan, first_work: int, size: int, seed: int, index: int, n_pseuds: int) -> Chunk:
    rng = np.random.default_rng([seed, 7, index])
    ids = np.arange(first_work, first_work + size, dtype=np.int64)
    fixed = plan.fixed
    # Tags per work: 5..40, a right-skewed count (median about 14).
    total = np.clip(np.round(rng.lognormal(np.log(13), 0.5, size)), 5, 40).astype(np.int64)
    n_fandom = 1 + (rng.random(size) < 0.10) + (rng.random(size) < 0.02)
    n_warn = 1 + (rng.random(size) < 0.15)
    n_cat = np.minimum(rng.poisson(0.9, size), 2)
    n_char = np.minimum(1 + rng.poisson(2.5, size), 8)
    n_rel = np.minimum(rng.poisson(1.0, size), 4)
    n_extra = np.maximum(0, total - 1 - n_warn - n_cat - n_fandom - n_char - n_rel)

    pairs_w: list[np.ndarray] = []
    pairs_t: list[np.ndarray] = []

    def emit(counts: np.ndarray, tags: np.ndarray) -> None:
        pairs_w.append(np.repeat(ids, counts))
        pairs_t.append(tags)

    ratings = np.array(fixed["rating"])
    emit(np.ones(size, np.int64), ratings[rng.choice(len(ratings), size, p=[0.12, 0.28, 0.32, 0.14, 0.14])])
    warnings = np.array(fixed["warning"])
    emit(
        n_warn, warnings[rng.choice(len(warnings), int(n_warn.sum()), p=[0.3, 0.45, 0.12, 0.06, 0.04, 0.03])]
    )
    categories = np.array(fixed["category"])
    emit(
        n_cat, categories[rng.choice(len(categories), int(n_cat.sum()), p=[0.25, 0.2, 0.35, 0.1, 0.05, 0.05])]
    )
    main_fandom = rng.choice(len(plan.fandom_ids), size, p=plan.fandom_p)
    extra_fandoms = rng.choice(len(plan.fandom_ids), int((n_fandom - 1).sum()), p=plan.fandom_p)
    emit(np.ones(size, np.int64), plan.fandom_ids[main_fandom])
    emit(n_fandom - 1, plan.fandom_ids[extra_fandoms])
    owner = np.repeat(main_fandom, n_char)
    emit(n_char, plan.char_offset[owner] + _skewed_index(rng, plan.char_count[owner]))
    owner = np.repeat(main_fandom, n_rel)
    emit(n_rel, plan.rel_offset[owner] + _skewed_index(rng, plan.rel_count[owner]))
    emit(n_extra, plan.extra_ids[rng.choice(len(plan.extra_ids), int(n_extra.sum()), p=plan.extra_p)])
    work_col = np.concatenate(pairs_w)
    tag_col = np.concatenate(pairs_t)
    # Some taggings use a synonym instead of the canonical tag.
    if plan.synonym_of:
        canon = np.fromiter(plan.synonym_of.keys(), np.int64)
        syn = np.fromiter(plan.synonym_of.values(), np.int64)
        order = np.argsort(canon)
        canon, syn = canon[order], syn[order]
        pos = np.clip(np.searchsorted(canon, tag_col), 0, len(canon) - 1)
        swap = (canon[pos] == tag_col) & (rng.random(len(tag_col)) < 0.3)
        tag_col = np.where(swap, syn[pos], tag_col)
    key = np.unique(work_col * (1 << 32) + tag_col)
    work_col, tag_col = key >> 32, key & 0xFFFFFFFF
    # Filter tags: canonical of each tag, plus meta tags above it.
    first = plan.first_id
    merger_ids = np.array([(first + m) if m is not None else 0 for m in plan.merger], dtype=np.int64)
    rel = tag_col - first
    canonical_col = np.where(rel >= 0, merger_ids[np.clip(rel, 0, len(merger_ids) - 1)], 0)
    canonical_col = np.where((rel >= 0) & (canonical_col > 0), canonical_col, tag_col)
    fw, ft = [work_col], [canonical_col]
    if plan.meta_of:
        subs = np.fromiter(plan.meta_of.keys(), np.int64)
        metas = np.fromiter(plan.meta_of.values(), np.int64)
        order = np.argsort(subs)
        subs, metas = subs[order], metas[order]
        pos = np.clip(np.searchsorted(subs, canonical_col), 0, len(subs) - 1)
        hit = subs[pos] == canonical_col
        fw.append(work_col[hit])
        ft.append(metas[pos[hit]])
    key = np.unique(np.concatenate(fw) * (1 << 32) + np.concatenate(ft))
    f_work, f_tag = key >> 32, key & 0xFFFFFFFF

    words = np.maximum(100, np.round(rng.lognormal(np.log(3000), 1.2, size))).astype(np.int64)
    chapters = np.where(rng.random(size) < 0.6, 1, 1 + np.minimum(rng.geometric(0.2, size), 120))
    chapters = np.minimum(chapters, np.maximum(1, words // 200))
    complete = (chapters == 1) | (rng.random(size) < 0.45)
    published = rng.integers(0, DAYS, size)
    span = np.where(chapters > 1, rng.integers(0, 400, size), 0)
    updated = np.minimum(published + span, DAYS - 1)
    kudos = np.floor(rng.pareto(1.3, size) * 20 * (words / 3000) ** 0.3).astype(np.int64)
    hits = kudos * rng.integers(8, 30, size) + rng.integers(0, 200, size)
    bookmarks = np.floor(kudos * rng.random(size) * 0.25).astype(np.int64)
    comments = np.floor(kudos * rng.random(size) * 0.3 + rng.poisson(0.5, size)).astype(np.int64)
    codes = [c for c, _ in LANGUAGES]
    weights = np.array([w for _, w in LANGUAGES])
    language = rng.choice(len(codes), size, p=weights / weights.sum())
    restricted = rng.random(size) < 0.07
    hidden = rng.random(size) < 0.002
    draft = rng.random(size) < 0.005
    # Creators: a Zipf-like few write a lot; 4% of works have a co-creator.
    creator_p = _zipf_weights(n_pseuds, 0.8)
    lead = rng.choice(n_pseuds, size, p=creator_p)
    co = rng.random(size) < 0.04
    second = (lead[co] + 1 + rng.integers(0, n_pseuds - 1, int(co.sum()))) % n_pseuds
    c_work = np.concatenate([ids, ids[co]])
    c_pseud = np.concatenate([lead, second])
    c_pos = np.concatenate([np.zeros(size, np.int64), np.ones(int(co.sum()), np.int64)])
    title_a = rng.integers(0, 3000, size)
    title_b = rng.integers(0, 3000, size)
    return Chunk(
        ids=ids,
        columns={
            "words": words,
            "chapters": chapters,
            "complete": complete,
            "published": published,
            "updated": updated,
            "kudos": kudos,
            "hits": hits,
            "bookmarks": bookmarks,
            "comments": comments,
            "language": language,
            "restricted": restricted,
            "hidden": hidden,
            "draft": draft,
            "title_a": title_a,
            "title_b": title_b,
            "main_fandom": main_fandom,
        },
        work_tags=(work_col, tag_col),
        filter_tags=(f_work, f_tag, np.zeros(0)),
        creators=(c_work, c_pseud, c_pos),
        chapters=chapters,
    )


class TextMaker:
    """Sentences from a Zipf-weighted invented vocabulary (fast: a draw and a join)."""

    def __init__(self, rng: np.random.Generator, syllables, size: int):
        self.words = np.array([_word(i + 40, syllables) for i in range(size)], dtype=object)
        self.p = _zipf_weights(size, 1.0)
        self.rng = rng

    def text(self, n: int) -> str:
        return " ".join(self.words[self.rng.choice(len(self.words), n, p=self.p)].tolist())

    def many(self, counts: np.ndarray) -> list[str]:
        drawn = self.words[self.rng.choice(len(self.words), int(counts.sum()), p=self.p)].tolist()
        out, start = [], 0
        for n in counts.tolist():
            out.append(" ".join(drawn[start : start + n]))
            start += n
        return out


def meta_words(size: int = 3000) -> list[str]:
    """The metadata vocabulary (titles and summaries), most common first."""
    return [_word(i + 40, META_SYLLABLES) for i in range(size)]


def body_words(size: int = 2000) -> list[str]:
    """The story-text-only vocabulary, most common first."""
    return [_word(i + 40, BODY_SYLLABLES) for i in range(size)]


def existing_works() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM works_work")
        return int(cursor.fetchone()[0])


def _max_id(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        return int(cursor.fetchone()[0])


def _insert(sql: str, rows: list[tuple] | Iterator[tuple]) -> None:
    if connection.vendor == "sqlite":
        # The driver's own cursor: Django's wrapper costs a Python call per row at these volumes.
        connection.ensure_connection()
        connection.connection.executemany(sql.replace("%s", "?"), rows)
        return
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows if isinstance(rows, list) else list(rows))


def _sqlite_index_sql(tables: tuple[str, ...]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(indexes, triggers) of the loaded tables as (name, CREATE statement); autoindexes excluded."""
    with connection.cursor() as cursor:
        marks = ", ".join(["%s"] * len(tables))
        cursor.execute(
            f"SELECT type, name, sql FROM sqlite_master WHERE tbl_name IN ({marks}) "
            "AND type IN ('index', 'trigger') AND sql IS NOT NULL",
            list(tables),
        )
        rows = cursor.fetchall()
    return [(n, s) for t, n, s in rows if t == "index"], [(n, s) for t, n, s in rows if t == "trigger"]


def generate(
    n_works: int,
    seed: int,
    *,
    bodies: bool = False,
    body_words_per_work: int = 300,
    append: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, int]:
    """Write a synthetic archive of ``n_works`` works into the configured database; returns row counts."""
    from fanfold.tags.services import ensure_fixed_tags

    if n_works < 1:
        raise GenerateError("--works must be at least 1")
    if existing_works() and not append:
        raise GenerateError(
            f"the database already holds {existing_works()} works; generate into an empty database "
            "(or pass --append to add a second synthetic archive beside them)"
        )
    report = progress or (lambda stage, done, total: None)
    ensure_fixed_tags()
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, type, name FROM tags_tag WHERE type IN ('rating', 'warning', 'category')")
        by_name = {(t, n): i for i, t, n in cursor.fetchall()}
    fixed = {
        "rating": [by_name[("rating", n)] for n in vocab.RATINGS],
        "warning": [by_name[("warning", n)] for n in vocab.WARNINGS],
        "category": [by_name[("category", n)] for n in vocab.CATEGORIES],
    }
    rng = np.random.default_rng([seed, 1])
    plan = plan_tags(n_works, rng, _max_id("tags_tag") + 1, fixed)
    if append:  # names must stay unique per type: mark the second archive's tags
        suffix = f" [{plan.first_id}]"
        plan.names = [n + suffix for n in plan.names]
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    stamp = now.isoformat() if connection.vendor == "postgresql" else now.strftime("%Y-%m-%d %H:%M:%S")
    # Bulk mode (no secondary indexes or triggers during the load, no fsync) needs to run outside a
    # transaction; inside one (tests, small archives) rows go in with every index in place.
    sqlite = connection.vendor == "sqlite" and not connection.in_atomic_block
    dropped: tuple[list[tuple[str, str]], list[tuple[str, str]]] = ([], [])
    if sqlite:
        dropped = _sqlite_index_sql(LOADED_TABLES)
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA foreign_keys=OFF")  # the generator writes consistent ids itself
            for name, _ in dropped[0] + dropped[1]:
                kind = "INDEX" if any(name == n for n, _ in dropped[0]) else "TRIGGER"
                cursor.execute(f'DROP {kind} IF EXISTS "{name}"')
    counts: dict[str, int] = {}
    try:
        counts = _load(plan, n_works, seed, bodies, body_words_per_work, stamp, report)
    finally:
        if sqlite:
            report("indexes", 0, len(dropped[0]) + 2)
            with connection.cursor() as cursor:
                for i, (_, sql) in enumerate(dropped[0]):
                    cursor.execute(sql)
                    report("indexes", i + 1, len(dropped[0]) + 2)
                cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
                for _, sql in dropped[1]:
                    cursor.execute(sql)
                cursor.execute("ANALYZE")
                cursor.execute("PRAGMA synchronous=NORMAL")
                cursor.execute("PRAGMA foreign_keys=ON")
            report("indexes", len(dropped[0]) + 2, len(dropped[0]) + 2)
    from fanfold.search.fast.changes import note_rebuild

    note_rebuild()  # every process's in-memory index starts again from the new rows
    if connection.vendor == "postgresql":
        _reset_sequences()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return counts


def _reset_sequences() -> None:
    from django.apps import apps
    from django.core.management.color import no_style

    labels = (
        *("tags.Tag", "works.Work", "works.Chapter", "works.Creatorship", "works.WorkTag"),
        *("search.WorkFilterTag", "accounts.Pseud", "accounts.User"),
    )
    models = [apps.get_model(label) for label in labels]
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


def _load(plan, n_works, seed, bodies, body_words_per_work, stamp, report) -> dict[str, int]:
    counts = {"tags": len(plan.names)}
    with transaction.atomic():
        rows = [
            (plan.first_id + i, name, t, normalize_key(name), c, "", False, stamp, (plan.first_id + m) if m is not None else None)
            for i, (name, t, c, m) in enumerate(zip(plan.names, plan.types, plan.canonical, plan.merger, strict=True))
        ]  # fmt: skip
        _insert(
            "INSERT INTO tags_tag (id, name, type, name_key, canonical, media, unwrangleable, created_at, "
            "merger_id) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            rows,
        )
        _insert(
            "INSERT INTO tags_tag_meta_tags (from_tag_id, to_tag_id) VALUES (%s, %s)",
            list(plan.meta_of.items()),
        )
        n_pseuds = max(20, n_works // 150)
        first_user = _max_id("accounts_user") + 1
        first_pseud = _max_id("accounts_pseud") + 1
        users = [
            (first_user + i, "!", False, f"synthetic{first_user + i}", "", "", "", False, True, stamp, "")
            for i in range(n_pseuds)
        ]
        _insert(
            "INSERT INTO accounts_user (id, password, is_superuser, username, first_name, last_name, email, "
            "is_staff, is_active, date_joined, suspension_reason) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, "
            "%s, %s, %s)",
            users,
        )
        pseud_names = [f"{_word(i + 11, META_SYLLABLES).title()}{i}" for i in range(n_pseuds)]
        _insert(
            "INSERT INTO accounts_pseud (id, name, is_default, description, created_at, user_id) "
            "VALUES (%s, %s, %s, %s, %s, %s)",
            [(first_pseud + i, pseud_names[i], True, "", stamp, first_user + i) for i in range(n_pseuds)],
        )
        counts["pseuds"] = n_pseuds
    type_of = {plan.first_id + i: t for i, t in enumerate(plan.types)}
    for t, ids in plan.fixed.items():
        type_of.update(dict.fromkeys(ids, t))
    tag_ids = np.fromiter(type_of.keys(), np.int64)
    type_names = sorted(set(type_of.values()))
    type_codes = np.array([type_names.index(type_of[i]) for i in tag_ids.tolist()], dtype=np.int64)
    lookup_order = np.argsort(tag_ids)
    tag_ids, type_codes = tag_ids[lookup_order], type_codes[lookup_order]
    tag_name = {plan.first_id + i: n for i, n in enumerate(plan.names)}
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, name FROM tags_tag WHERE type IN ('rating', 'warning', 'category')")
        tag_name.update(dict(cursor.fetchall()))
    merger_name = {plan.first_id + i: plan.names[m] for i, m in enumerate(plan.merger) if m is not None}
    meta_text = TextMaker(np.random.default_rng([seed, 3]), META_SYLLABLES, 3000)
    body_text = TextMaker(np.random.default_rng([seed, 4]), BODY_SYLLABLES, 2000) if bodies else None
    codes = [c for c, _ in LANGUAGES]
    first_work = _max_id("works_work") + 1
    first_chapter = _max_id("works_chapter") + 1
    totals = dict.fromkeys(("works", "chapters", "work_tags", "filter_tags"), 0)
    done = 0
    step = 0
    report("works", 0, n_works)
    while done < n_works:
        size = min(CHUNK, n_works - done)
        chunk = _chunk(plan, first_work + done, size, seed, step, n_pseuds)
        c = chunk.columns
        ids = chunk.ids.tolist()
        titles = [
            f"{w1.title()} {w2}" for w1, w2 in zip(meta_text.words[c["title_a"]].tolist(), meta_text.words[c["title_b"]].tolist(), strict=True)
        ]  # fmt: skip
        summaries = meta_text.many(np.full(size, 12))
        published = [(EPOCH + dt.timedelta(days=int(d))).isoformat() for d in c["published"].tolist()]
        updated = [(EPOCH + dt.timedelta(days=int(d))).isoformat() for d in c["updated"].tolist()]
        with transaction.atomic():
            _insert(
                "INSERT INTO works_work (id, title, summary, notes, end_notes, language, word_count, "
                "chapters_expected, complete, published, updated, restricted, draft, hidden_by_admin, "
                "source_format, source_url, source_fields, hits, kudos_count, comments_count, bookmarks_count, "
                "created_at, modified_at, backdated) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, "
                "%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                [
                    (i, t, f"<p>{s}</p>", "", "", codes[lang], wc, ch if comp else None, comp, pub, upd, r, d, h, "synthetic", "", "{}", hi, k, cm, b, stamp, stamp, True)
                    for i, t, s, lang, wc, ch, comp, pub, upd, r, d, h, hi, k, cm, b in zip(
                        ids, titles, summaries, c["language"].tolist(), c["words"].tolist(), c["chapters"].tolist(),
                        c["complete"].tolist(), published, updated, c["restricted"].tolist(), c["draft"].tolist(),
                        c["hidden"].tolist(), c["hits"].tolist(), c["kudos"].tolist(), c["comments"].tolist(),
                        c["bookmarks"].tolist(), strict=True,
                    )
                ],
            )  # fmt: skip
            n_chapters = chunk.chapters
            ch_work = np.repeat(chunk.ids, n_chapters)
            starts = np.cumsum(n_chapters) - n_chapters
            ch_pos = np.arange(len(ch_work)) - np.repeat(starts, n_chapters) + 1
            ch_words = np.repeat(c["words"] // n_chapters, n_chapters)
            work_bodies: list[str] = []
            if body_text is not None:
                work_bodies = body_text.many(np.minimum(c["words"], body_words_per_work))
                # Split each work's text over its chapters by words.
                pieces = []
                for text, n in zip(work_bodies, n_chapters.tolist(), strict=True):
                    words = text.split(" ")
                    per = -(-len(words) // n)
                    pieces += [f"<p>{' '.join(words[k * per : (k + 1) * per])}</p>" for k in range(n)]
            else:
                pieces = ["<p>Synthetic work: no story text was generated.</p>"] * len(ch_work)
            chapter_rows = [
                (first_chapter + totals["chapters"] + k, p, "", "", "", "", body, wc, None, w)
                for k, (w, p, wc, body) in enumerate(zip(ch_work.tolist(), ch_pos.tolist(), ch_words.tolist(), pieces, strict=True))
            ]  # fmt: skip
            _insert(
                "INSERT INTO works_chapter (id, position, title, summary, notes, end_notes, body, word_count, "
                "published, work_id) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                chapter_rows,
            )
            cw, cp, cpos = chunk.creators
            _insert(
                "INSERT INTO works_creatorship (position, pseud_id, work_id) VALUES (%s, %s, %s)",
                list(zip(cpos.tolist(), (cp + first_pseud).tolist(), cw.tolist(), strict=True)),
            )
            ww, wt = chunk.work_tags
            _insert(
                "INSERT INTO works_worktag (work_id, tag_id) VALUES (%s, %s)",
                list(zip(ww.tolist(), wt.tolist(), strict=True)),
            )
            fw, ft, _ = chunk.filter_tags
            ftype = type_codes[np.searchsorted(tag_ids, ft)]
            _insert(
                "INSERT INTO search_workfiltertag (work_id, tag_id, tag_type) VALUES (%s, %s, %s)",
                list(zip(fw.tolist(), ft.tolist(), [type_names[t] for t in ftype.tolist()], strict=True)),
            )
            # Search documents: the same text fields search.indexing.document_for writes.
            tag_lists: dict[int, list[str]] = {}
            for w, t in zip(ww.tolist(), wt.tolist(), strict=True):
                names = tag_lists.setdefault(w, [])
                names.append(tag_name[t])
                if t in merger_name:
                    names.append(merger_name[t])
            creators: dict[int, list[str]] = {}
            for w, p in zip(cw.tolist(), cp.tolist(), strict=True):
                creators.setdefault(w, []).append(pseud_names[p])
            _insert(
                "INSERT INTO search_searchdocument (work_id, title, creators, tags, summary, body) "
                "VALUES (%s, %s, %s, %s, %s, %s)",
                [
                    (i, t, " ".join(creators.get(i, [])), "\n".join(sorted(tag_lists.get(i, []))), s,
                     work_bodies[k] if work_bodies else "")
                    for k, (i, t, s) in enumerate(zip(ids, titles, summaries, strict=True))
                ],
            )  # fmt: skip
        totals["works"] += size
        totals["chapters"] += len(ch_work)
        totals["work_tags"] += len(ww)
        totals["filter_tags"] += len(fw)
        done += size
        step += 1
        report("works", done, n_works)
    counts.update(totals)
    return counts
