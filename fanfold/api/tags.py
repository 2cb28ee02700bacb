"""/api/v1/tags: look up tags by name, for autocomplete and for turning fan shorthand into tags.

A result is always a canonical tag. It matches when its name, or one of its synonyms' names,
starts with the text or has a word starting with it; the resolver (tags.resolver.TagIndex) adds
what only it knows, such as "SasuSaku" or "sasuke x sakura" -> "Haruno Sakura/Uchiha Sasuke".
"""

from __future__ import annotations

import threading
import time
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Count, Max, Q
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from ninja import Router, Status
from ninja.params import P, QueryEx

from fanfold.api.schemas import Error, TagListOut
from fanfold.core.permissions import listed_works
from fanfold.core.text import normalize_key
from fanfold.tags.models import Tag, TagType
from fanfold.tags.resolver import TagIndex
from fanfold.tags.services import build_index

router = Router(tags=["tags"])

DEFAULT_LIMIT = 20
MAX_LIMIT = 50
MAX_TEXT = 150  # a tag name's maximum length
MIN_CONFIDENCE = 0.9  # resolver answers below this (typo matches) are guesses, not lookups
LOOKUP_TYPES = tuple(t.value for t in TagType if t != TagType.UNSORTED)
# Characters after which a word starts inside a tag's name ("Haruno Sakura/Uchiha Sasuke").
_WORD_STARTS = (" ", "/", "(", "|", "-")
_MAX_COUNTED_IDS = 1000


@router.get(
    "",
    response={200: TagListOut, 400: Error},
    summary="Look up tags (autocomplete)",
    description=(
        "Canonical tags whose name or a synonym's name starts with q, or has a word starting with q, "
        "plus what the resolver recognises (fan shorthand such as ship portmanteaus). Exact and "
        "resolved matches come first, then the others, most used first."
    ),
    url_name="tag_lookup",
)
def lookup_tags(
    request: HttpRequest,
    q: QueryEx[str, P(description="The text to look up (required).")] = "",
    tag_type: QueryEx[TagType | None, P(alias="type", description="Only tags of this type.")] = None,
    limit: QueryEx[
        int, P(ge=1, description=f"How many results, at most {MAX_LIMIT} (more is read as {MAX_LIMIT}).")
    ] = DEFAULT_LIMIT,
):
    text = " ".join(q.split())
    if not normalize_key(text):
        return Status(400, {"detail": "q: give the text to look up, e.g. ?q=Sakura"})
    if len(text) > MAX_TEXT:
        return Status(400, {"detail": f"q: at most {MAX_TEXT} characters"})
    types = (tag_type.value,) if tag_type else LOOKUP_TYPES
    return {"results": lookup(text, types, min(limit, MAX_LIMIT), request.user)}


def lookup(text: str, types: tuple[str, ...], limit: int, viewer) -> list[dict[str, Any]]:
    """The canonical tags for ``text``, best first (see the module docstring); a constant number of queries."""
    key = normalize_key(text)
    found: dict[int, _Found] = {}

    # 1. Canonical tags and synonyms whose name starts with the text, or has a word that does.
    rows = (
        Tag.objects.filter(type__in=types)
        .filter(Q(canonical=True) | Q(merger__canonical=True))
        .filter(_word_start(key))
        .values_list(
            "id", "name", "name_key", "type", "canonical", "merger_id", "merger__name", "merger__name_key"
        )
    )
    for tag_id, name, name_key, tag_type, canonical, merger_id, merger_name, merger_key in rows:
        if canonical:
            hit = found.setdefault(tag_id, _Found(tag_id, name, name_key, tag_type))
            hit.offer(name, name_key, key, own=True)
        else:
            hit = found.setdefault(merger_id, _Found(merger_id, merger_name, merger_key, tag_type))
            hit.offer(name, name_key, key, own=False)

    # 2. What the resolver recognises ("SasuSaku", "sasuke x sakura"): exact matches too.
    resolved = _resolve(text, types)
    if resolved:
        wanted = reduce(or_, (Q(type=t, name_key=normalize_key(n)) for t, n in resolved))
        for tag_id, name, name_key, tag_type in Tag.objects.filter(wanted, canonical=True).values_list(
            "id", "name", "name_key", "type"
        ):
            hit = found.setdefault(tag_id, _Found(tag_id, name, name_key, tag_type))
            if not hit.exact:
                hit.exact, hit.matched = True, text
    if not found:
        return []

    # 3. One aggregate: visible works per canonical tag, its synonyms included.
    counts = _work_counts(list(found), viewer)
    ranked = sorted(
        found.values(), key=lambda h: (not h.exact, -counts.get(h.id, 0), not h.prefix, h.name_key, h.type)
    )[:limit]

    # 4. The results' fandoms, in one query.
    fandoms: dict[int, list[str]] = {}
    parents = (
        Tag.parents.through.objects.filter(
            from_tag_id__in=[h.id for h in ranked], to_tag__type=TagType.FANDOM
        )
        .order_by("to_tag__name")
        .values_list("from_tag_id", "to_tag__name")
    )
    for tag_id, name in parents:
        fandoms.setdefault(tag_id, []).append(name)

    return [
        {
            "name": h.name,
            "type": h.type,
            "canonical": True,
            "matched": h.matched,
            "fandoms": fandoms.get(h.id, []),
            "works": counts.get(h.id, 0),
        }
        for h in ranked
    ]


class _Found:
    """A canonical tag that matched, and how well."""

    __slots__ = ("_rank", "exact", "id", "matched", "name", "name_key", "prefix", "type")

    def __init__(self, tag_id: int, name: str, name_key: str, tag_type: str) -> None:
        self.id, self.name, self.name_key, self.type = tag_id, name, name_key, tag_type
        self.matched = ""
        self.exact = False  # the text is this tag's name or a synonym's, or the resolver chose it
        self.prefix = False  # a matching name starts with the text (not just one of its words)
        self._rank: tuple[bool, bool, bool, str] | None = None

    def offer(self, name: str, name_key: str, key: str, *, own: bool) -> None:
        """A name that matched (the tag's own or a synonym's); the best one is shown as "matched"."""
        exact, prefix = name_key == key, name_key.startswith(key)
        self.exact |= exact
        self.prefix |= prefix
        rank = (not exact, not prefix, not own, name_key)
        if self._rank is None or rank < self._rank:
            self._rank, self.matched = rank, name


def _work_counts(tag_ids: list[int], viewer) -> dict[int, int]:
    """Canonical tag id -> works the viewer may see with it or one of its synonyms (one query).

    Many candidates (a one- or two-letter lookup) count every tag at once rather than send
    thousands of ids.
    """
    works = listed_works(viewer).order_by()
    if len(tag_ids) <= _MAX_COUNTED_IDS:
        group = Tag.objects.filter(Q(pk__in=tag_ids) | Q(merger_id__in=tag_ids)).values("pk")
        works = works.filter(tags__in=group)
    # Coalesce, not Case: a Case here turns the joins into LEFT JOINs, which SQLite plans badly.
    rows = (
        works.values(group_id=Coalesce("tags__merger_id", "tags__id"))
        .annotate(n=Count("pk", distinct=True))
        .values_list("group_id", "n")
    )
    wanted = set(tag_ids)
    return {group_id: n for group_id, n in rows if group_id in wanted}


def _word_start(key: str) -> Q:
    """Names (folded) that start with ``key`` or have a word that does."""
    return reduce(or_, (Q(name_key__contains=sep + key) for sep in _WORD_STARTS), Q(name_key__startswith=key))


def _resolve(text: str, types: tuple[str, ...]) -> list[tuple[str, str]]:
    """(type, canonical name) for each type the resolver is sure about."""
    index = tag_index()
    found = []
    for tag_type in types:
        resolved = index.resolve(tag_type, text)  # relationships: resolve_relationship, any notation
        if resolved.canonical and resolved.confidence >= MIN_CONFIDENCE:
            found.append((tag_type, resolved.name))
    return found


# --- the resolver, cached per process ------------------------------------------------------------

# Building the index takes a moment (about a second per 10,000 tags), so it is rebuilt at most
# every MIN_REBUILD_SECONDS when tags change, and every INDEX_TTL_SECONDS anyway. Results always
# come from the database: a slightly old index can only miss a shorthand for a brand-new tag.
INDEX_TTL_SECONDS = 600.0
MIN_REBUILD_SECONDS = 30.0
_index_lock = threading.Lock()
_index_cache: tuple[tuple[Any, ...], float, TagIndex] | None = None


def _tags_stamp() -> tuple[Any, ...]:
    """Changes when tags are added, removed, made canonical or merged (one cheap aggregate)."""
    stamp = Tag.objects.aggregate(
        n=Count("pk"),
        last=Max("pk"),
        canonical=Count("pk", filter=Q(canonical=True)),
        merged=Count("pk", filter=Q(merger__isnull=False)),
    )
    return tuple(stamp.values())


def _fresh(cached: tuple[tuple[Any, ...], float, TagIndex] | None, stamp: tuple[Any, ...]) -> bool:
    if cached is None:
        return False
    age = time.monotonic() - cached[1]
    return age < INDEX_TTL_SECONDS and (cached[0] == stamp or age < MIN_REBUILD_SECONDS)


def tag_index() -> TagIndex:
    """The resolver over the archive's tags (tags.services.build_index), cached per process.

    The stamp catches new tags and most wrangling; the TTL catches the rest (a renamed tag, a
    synonym moved to another canonical tag). Wrangling code may call ``clear_index_cache``.
    """
    global _index_cache
    stamp = _tags_stamp()
    cached = _index_cache
    if cached is not None and _fresh(cached, stamp):
        return cached[2]
    with _index_lock:  # one build at a time; the others wait for it and use it
        cached = _index_cache
        if cached is not None and _fresh(cached, stamp):
            return cached[2]
        index = build_index()
        _index_cache = (stamp, time.monotonic(), index)
        return index


def clear_index_cache() -> None:
    global _index_cache
    with _index_lock:
        _index_cache = None
