"""Benchmarks of the query service: a fixed, seeded query mix through FastEngine and OrmEngine on the
same database in the same run, and an HTTP load test against a running server.

Query classes:
- ``facet_listing``: 1 to 3 included tags (taken from a random work's filter tags, so results are
  never trivially empty; popular tags come up often, as they do for readers), 0 to 5 excluded tags
  (popular and rare, warnings among them), a rating filter, completion, a word-count range, any sort,
  page 1 or page 50 of 20, with the facets.
- ``metadata_search``: one or two words of the synthetic metadata vocabulary (titles, summaries), not
  among its 50 most common (the stop words of this vocabulary), sometimes with an included tag.
- ``body_search``: one or two words that occur only in story text (archives made with --bodies).

Each query's time is the engine's answer: the page's ids in order, the count and the facets
(FastEngine.answer; for the baseline, OrmEngine's own filtered/ordered/facets steps). Reading the
page's 20 works with their listing data (``with_listing_data``, the same for both engines) is
measured apart and reported with --verbose-json.
"""

from __future__ import annotations

import http.client
import json
import random
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import numpy as np
from django.contrib.auth.models import AnonymousUser
from django.db import connection

from fanfold.search.engine import OrmEngine
from fanfold.search.fast.engine import FastEngine
from fanfold.search.fast.index import SNAPSHOT_MIN_WORKS, Index, current, snapshot_path
from fanfold.search.query import SORTS, WorkQuery
from fanfold.search.synthetic import body_words, meta_words
from fanfold.tags import vocabulary as vocab
from fanfold.tags.models import Tag

CLASSES = ("facet_listing", "metadata_search", "body_search")


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values), q)) if values else 0.0


@dataclass
class QueryMix:
    queries: dict[str, list[WorkQuery]]
    notes: list[str]


def has_bodies() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM search_searchdocument WHERE body <> '' LIMIT 1")
        return cursor.fetchone() is not None


def query_mix(index: Index, n: int, seed: int) -> QueryMix:
    """``n`` queries per class, drawn from the archive's actual tags with a seeded RNG."""
    rng = random.Random(seed)
    notes: list[str] = []
    ids = np.frombuffer(index.exists.to_array(), dtype=np.uint32)
    if len(ids) == 0:
        raise ValueError("the archive holds no works: run `fanfold generate --works N` first")
    tag_ids: list[int] = []
    per_type = {}
    for tag_type in ("fandom", "character", "relationship", "additional", "warning"):
        ordered, _, _ = index.types_by_size(tag_type)
        popular = ordered[:200].tolist()
        rest = ordered[200:].tolist()
        rare = rng.sample(rest, min(200, len(rest)))
        per_type[tag_type] = (popular, rare)
        tag_ids += popular + rare
    names = dict(Tag.objects.filter(id__in=tag_ids).values_list("id", "name"))
    # A synonym's name filters like its canonical tag: readers type both.
    synonyms = dict(Tag.objects.filter(merger_id__in=tag_ids).values_list("merger_id", "name"))

    def name_of(tag: int) -> str:
        if tag in synonyms and rng.random() < 0.2:
            return synonyms[tag]
        return names.get(tag, "")

    def common_filters(query: dict) -> dict:
        excluded = []
        for _ in range(rng.choice((0, 0, 1, 2, 3, 5))):
            kind = rng.choice(("fandom", "character", "relationship", "additional", "warning"))
            popular, rare = per_type[kind]
            pool = popular if rng.random() < 0.6 else rare
            if pool:
                excluded.append(name_of(rng.choice(pool)))
        query["exclude"] = tuple(
            dict.fromkeys(n for n in excluded if n and n not in query.get("include", ()))
        )
        if rng.random() < 0.3:
            query["rating"] = tuple(rng.sample(vocab.RATINGS, rng.choice((1, 2))))
        if rng.random() < 0.3:
            query["complete"] = rng.random() < 0.6
        if rng.random() < 0.3:
            low = rng.choice((None, 1000, 5000, 10000))
            high = rng.choice((None, 20000, 50000)) if low is None else rng.choice((None, low * 4))
            query["words_from"], query["words_to"] = low, high
        return query

    listings = []
    for _ in range(n):
        work = int(ids[rng.randrange(len(ids))])
        tags = [t for t in index.filter_tags_of(work).tolist() if index.tag_type.get(t) != "rating"]
        chosen = rng.sample(tags, min(len(tags), rng.choice((1, 1, 2, 2, 3))))
        include = tuple(
            dict.fromkeys(n for n in Tag.objects.filter(id__in=chosen).values_list("name", flat=True))
        )
        query = common_filters({"include": include})
        query["sort"] = rng.choice([s for s in SORTS if s != "best_match"] + [""])
        query["page"] = 50 if rng.random() < 0.2 else 1
        listings.append(WorkQuery(**query))
    meta = meta_words()[50:]
    searches = []
    for _ in range(n):
        words = " ".join(rng.sample(meta, rng.choice((1, 1, 2))))
        query = {"q": words}
        if rng.random() < 0.4:
            popular, _ = per_type["fandom"]
            query["include"] = (names.get(rng.choice(popular[:50]), ""),)
        if rng.random() < 0.3:
            query["sort"] = rng.choice(("kudos", "updated", "words"))
        searches.append(WorkQuery(**query))
    queries = {"facet_listing": listings, "metadata_search": searches, "body_search": []}
    if has_bodies():
        body = body_words()[20:]
        queries["body_search"] = [
            WorkQuery(q=" ".join(rng.sample(body, rng.choice((1, 1, 2))))) for _ in range(n)
        ]
    else:
        notes.append("body_search skipped: the archive has no story text (generate with --bodies)")
    return QueryMix(queries, notes)


def orm_answer(engine: OrmEngine, query: WorkQuery, viewer) -> tuple[list[int], int, dict]:
    """OrmEngine.run without reading the page's listing data: the same work as FastEngine.answer."""
    from fanfold.search import fulltext

    works, _ = engine.filtered(query, viewer)
    text = fulltext.parse(query.q)
    sort = query.effective_sort
    rank = fulltext.rank_sql(text) if sort == "best_match" else None
    count = works.count()
    offset = (query.page - 1) * query.per_page
    ids = list(
        engine.ordered(works, sort, rank).values_list("id", flat=True)[offset : offset + query.per_page]
    )
    return ids, count, engine.facets(works, query)


def _time(run: Callable[[WorkQuery], object], queries: list[WorkQuery]) -> list[float]:
    times = []
    for query in queries:
        started = time.perf_counter()
        run(query)
        times.append((time.perf_counter() - started) * 1000)
    return times


def run_bench(n_queries: int, baseline_queries: int, seed: int, log: Callable[[str], None]) -> dict:
    started = time.perf_counter()
    index = current(connection.alias)  # from the snapshot when there is one, else built (and saved)
    log(f"index ready in {time.perf_counter() - started:.1f} s ({len(index.exists):,} works)")
    started = time.perf_counter()
    for sort in SORTS:  # one-time costs of a process, not of a query: paid here, reported apart
        if sort != "best_match":
            index.order(sort)
    for tag_type in ("rating", "warning", "category", "fandom", "relationship", "character", "additional"):
        index.types_by_size(tag_type)
    log(f"orders and facet lists ready in {time.perf_counter() - started:.1f} s")
    if len(index.exists) >= SNAPSHOT_MIN_WORKS:
        index.save(snapshot_path(connection.alias))  # with the orders: the next process starts warm
    fast = FastEngine()
    orm = OrmEngine()
    guest = AnonymousUser()
    mix = query_mix(index, n_queries, seed)
    for note in mix.notes:
        log(note)
    works = len(index.exists)
    result: dict = {"works": works, "classes": {}}
    details: dict = {}
    for name in CLASSES:
        queries = mix.queries[name]
        if not queries:
            continue
        for query in queries[:5]:  # warm the caches (orders, type lists, the database's pages)
            fast.answer(query, guest)
        times = _time(lambda q: fast.answer(q, guest), queries)
        subset = queries[:baseline_queries]
        base = _time(lambda q: orm_answer(orm, q, guest), subset)
        fast_subset = times[: len(subset)]
        result["classes"][name] = {
            "p50_ms": round(percentile(times, 50), 2),
            "p95_ms": round(percentile(times, 95), 2),
            "p99_ms": round(percentile(times, 99), 2),
            "baseline_p50_ms": round(percentile(base, 50), 2),
            "baseline_p95_ms": round(percentile(base, 95), 2),
            # Same queries on both sides: the baseline's subset against the fast engine's times for it.
            "ratio_p50": round(percentile(base, 50) / max(percentile(fast_subset, 50), 1e-9), 1),
        }
        # The whole run() with the page's 20 works and their listing data (the same reading for
        # every engine), on the first 50 queries, shown apart.
        fetch = _time(lambda q: fast.run(q, guest), queries[: min(len(queries), 50)])
        details[name] = {
            "queries": len(times),
            "baseline_queries": len(base),
            "run_with_listing_data_p50_ms": round(percentile(fetch, 50), 2),
            "run_with_listing_data_p95_ms": round(percentile(fetch, 95), 2),
        }
        log(f"{name}: {json.dumps(result['classes'][name])} {json.dumps(details[name])}")
    result["_details"] = details
    return result


# --- HTTP ------------------------------------------------------------------------------------------


def http_bench(url: str, seconds: float, concurrency: int, paths: list[str]) -> dict:
    """A closed-loop load test: ``concurrency`` threads, each with its own keep-alive connection,
    requesting ``paths`` round robin for ``seconds``."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    errors = [0] * concurrency
    stop = time.perf_counter() + seconds

    def worker(slot: int) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=30)
        i = slot
        while time.perf_counter() < stop:
            path = paths[i % len(paths)]
            i += 1
            started = time.perf_counter()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    errors[slot] += 1
                latencies[slot].append((time.perf_counter() - started) * 1000)
            except (OSError, http.client.HTTPException):
                errors[slot] += 1
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=30)

    threads = [threading.Thread(target=worker, args=(s,)) for s in range(concurrency)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    every = [x for slot in latencies for x in slot]
    return {
        "url": url,
        "seconds": round(elapsed, 1),
        "concurrency": concurrency,
        "requests": len(every),
        "errors": sum(errors),
        "throughput_rps": round(len(every) / elapsed, 1),
        "p50_ms": round(percentile(every, 50), 1),
        "p95_ms": round(percentile(every, 95), 1),
        "mean_ms": round(statistics.fmean(every), 1) if every else 0.0,
    }


def http_paths(index: Index, seed: int, n: int = 200) -> list[str]:
    """Work pages and filtered listings, alternating, from the archive's works and tags."""
    rng = random.Random(seed)
    listed = index.exists - index.draft - index.hidden - index.restricted
    ids = np.frombuffer(listed.to_array(), dtype=np.uint32)
    paths = []
    for _ in range(n):
        work = int(ids[rng.randrange(len(ids))])
        paths.append(f"/works/{work}/")
        tags = [
            t for t in index.filter_tags_of(work).tolist() if index.tag_type.get(t) in ("fandom", "character")
        ]
        names = list(Tag.objects.filter(id__in=tags[:2]).values_list("name", flat=True))
        params = [("include", n) for n in names] + [("sort", rng.choice(("kudos", "updated", "words")))]
        paths.append("/works/?" + urlencode(params))
    return paths
