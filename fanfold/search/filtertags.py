"""Works' filter tags (``WorkFilterTag``): what a filter or a facet counts a work under.

A work's filter tags are the canonical tag of each of its tags (a synonym's canonical tag; an
unwrangled tag stands for itself) plus every meta tag above those, transitively. They are refreshed
with the search document whenever a work is written (``search.indexing.index_works``) and, when
wrangling changes what tags mean, for every affected work by ``recompute_for_tags`` — run in the
background (``search.tasks.recompute_filter_tags``), set-based and in batches, never inside the
wrangler's request.

Every refresh also appends the works to the search change log (``search.fast.changes``), which is
how the in-memory indexes of all server processes learn of writes: ``index_works`` always comes
through here.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from fanfold.search.fast.changes import note_changed
from fanfold.search.models import WorkFilterTag
from fanfold.tags.models import Tag, sub_tag_ids
from fanfold.works.models import WorkTag

BATCH = 1000


def _ancestors(tag_ids: set[int]) -> dict[int, set[int]]:
    """For each tag, every meta tag above it (transitively): one query per level of links."""
    links = Tag.meta_tags.through.objects
    parents: dict[int, set[int]] = {}
    frontier, seen = set(tag_ids), set(tag_ids)
    for _ in range(50):  # the same bound as tags.models.MAX_META_DEPTH
        if not frontier:
            break
        rows = list(links.filter(from_tag_id__in=frontier).values_list("from_tag_id", "to_tag_id"))
        for sub_id, meta_id in rows:
            parents.setdefault(sub_id, set()).add(meta_id)
        reached = {meta_id for _, meta_id in rows}
        frontier = reached - seen
        seen |= reached
    result: dict[int, set[int]] = {}
    for tag_id in tag_ids:
        found: set[int] = set()
        stack = list(parents.get(tag_id, ()))
        while stack:
            current = stack.pop()
            if current not in found:
                found.add(current)
                stack.extend(parents.get(current, ()))
        result[tag_id] = found
    return result


def filter_tags_of(work_ids: Iterable[int]) -> dict[int, dict[int, str]]:
    """work id -> {filter tag id: tag type}, computed from the works' tags as they are now."""
    ids = list(work_ids)
    direct: dict[int, set[int]] = {work_id: set() for work_id in ids}
    for work_id, tag_id, merger_id in WorkTag.objects.filter(work_id__in=ids).values_list(
        "work_id", "tag_id", "tag__merger_id"
    ):
        direct[work_id].add(merger_id or tag_id)
    targets = set().union(*direct.values()) if direct else set()
    above = _ancestors(targets)
    every = targets.union(*above.values()) if above else targets
    types = dict(Tag.objects.filter(id__in=every).values_list("id", "type"))
    result: dict[int, dict[int, str]] = {}
    for work_id, tags in direct.items():
        expanded = tags.union(*(above.get(t, set()) for t in tags))
        result[work_id] = {t: types[t] for t in expanded if t in types}
    return result


def refresh_filter_tags(work_ids: Iterable[int]) -> int:
    """Rewrite these works' filter tags; returns how many rows were written."""
    ids = list(dict.fromkeys(work_ids))
    written = 0
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        computed = filter_tags_of(batch)
        rows = [
            WorkFilterTag(work_id=work_id, tag_id=tag_id, tag_type=tag_type)
            for work_id, tags in computed.items()
            for tag_id, tag_type in tags.items()
        ]
        with transaction.atomic():
            WorkFilterTag.objects.filter(work_id__in=batch).delete()
            WorkFilterTag.objects.bulk_create(rows, batch_size=2000)
            # In the same transaction: every process's search index replays it (search.fast).
            note_changed(batch)
        written += len(rows)
    return written


def works_affected_by(tag_ids: Iterable[int]) -> list[int]:
    """Works whose filter tags may change when these tags are wrangled: works tagged with them, with
    their synonyms, or with any tag below them (and those tags' synonyms)."""
    start = set(tag_ids)
    if not start:
        return []
    tags = start | sub_tag_ids(start)
    tags |= set(Tag.objects.filter(merger_id__in=tags).values_list("id", flat=True))
    return list(
        WorkTag.objects.filter(tag_id__in=tags)
        .order_by("work_id")
        .values_list("work_id", flat=True)
        .distinct()
    )


def recompute_for_tags(tag_ids: Iterable[int]) -> int:
    """After wrangling: refresh the filter tags and the searchable tag names of every affected work.
    Returns how many works were refreshed."""
    from fanfold.search.indexing import refresh_document_tags

    work_ids = works_affected_by(tag_ids)
    for start in range(0, len(work_ids), BATCH):
        batch = work_ids[start : start + BATCH]
        refresh_filter_tags(batch)
        refresh_document_tags(batch)
    return len(work_ids)
