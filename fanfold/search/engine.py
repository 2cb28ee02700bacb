"""The query service: WorkQuery + viewer -> one page of works, the total count and the facets.

`search_works` is the only entry point the HTML views, the API and the command line use.
OrmEngine is the plain Django ORM implementation: the correctness oracle, and the baseline
that a faster engine (same interface, same answers) is measured against.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Lower

from fanfold.accounts.models import Preference
from fanfold.core.permissions import hidden_creators_q, listed_works
from fanfold.core.text import normalize_key
from fanfold.search import fulltext
from fanfold.search.models import WorkFilterTag
from fanfold.search.query import FACET_TYPES, Scope, WorkQuery
from fanfold.social.models import muted_user_ids
from fanfold.tags.models import Tag, TagType
from fanfold.works.models import Creatorship, Work, WorkQuerySet, WorkTag


@dataclass(frozen=True)
class Facet:
    name: str  # the canonical tag's name
    count: int  # works in the current results with this tag (or one of its synonyms)
    state: str = ""  # "include", "exclude" or "" — excluded tags stay listed, with their state


@dataclass
class Page:
    results: list[Work]  # with listing data prefetched (Work.objects.with_listing_data())
    count: int  # all matching works, not just this page
    page: int
    per_page: int
    facets: dict[str, list[Facet]]  # keyed like search.query.FACET_TYPES, top 10 each
    snippets: dict[int, str] = field(default_factory=dict)  # work id -> safe HTML with <mark>, when q
    unknown_tags: list[str] = field(default_factory=list)  # include/exclude names that match no tag

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.count // self.per_page))


def search_works(query: WorkQuery, viewer) -> Page:
    """The one query service behind every listing, the API and the command line.

    FANFOLD_SEARCH_ENGINE picks the engine: "fast" (search.fast, the in-memory index), "orm" (this
    module's OrmEngine), or "auto" (the default): fast when the database has an index snapshot in
    DATA_DIR/search-index (archives of 50,000 works or more get one), else OrmEngine. OrmEngine also
    answers what the fast engine does not model. Both give the same answers
    (search/tests/test_fast_engine.py).
    """
    if _use_fast_engine():
        from fanfold.search.fast.engine import FastEngine, Unsupported

        try:
            return FastEngine().run(query, viewer)
        except Unsupported:
            pass
    return OrmEngine().run(query, viewer)


class OrmEngine:
    """Filters, facets, sorts and full-text search with the Django ORM and the database's text index."""

    def run(self, query: WorkQuery, viewer) -> Page:
        works, unknown = self.filtered(query, viewer)
        text = fulltext.parse(query.q)
        sort = query.effective_sort
        rank = fulltext.rank_sql(text) if sort == "best_match" else None
        count = works.count()
        offset = (query.page - 1) * query.per_page
        ordered = self.ordered(works, sort, rank)
        results = list(ordered.with_listing_data()[offset : offset + query.per_page])
        return Page(
            results=results,
            count=count,
            page=query.page,
            per_page=query.per_page,
            facets=self.facets(works, query),
            snippets=fulltext.snippets(text, [w.id for w in results]) if query.q.strip() else {},
            unknown_tags=unknown,
        )

    def filtered(self, query: WorkQuery, viewer) -> tuple[WorkQuerySet, list[str]]:
        works = listed_works(viewer)
        unknown: list[str] = []
        if query.scope is not None:
            works = self._scoped(works, query.scope)
            if query.scope.kind in ("user", "pseud"):
                # A creator's listing leaves out their works in anonymous collections, for others.
                works = works.exclude(hidden_creators_q(viewer))
        included = filter_tag_ids(query.include)
        for name in query.include:
            ids = included.get(name)
            if not ids:
                unknown.append(name)
                return works.none(), unknown  # an unknown tag matches nothing, as on AO3
            works = works.filter(_has_any_tag(ids))
        excluded = filter_tag_ids(query.exclude)
        unknown += [name for name in query.exclude if not excluded.get(name)]
        saved = saved_exclusion_ids(viewer)
        excluded_ids = set().union(*excluded.values(), saved) if (excluded or saved) else set()
        if excluded_ids:
            works = works.exclude(_has_any_tag(excluded_ids))
        muted = muted_user_ids(viewer) if getattr(viewer, "is_authenticated", False) else set()
        if muted:
            # Server-side, so the counts are right too (AO3 hides muted creators with CSS).
            works = works.exclude(
                Exists(Creatorship.objects.filter(work=OuterRef("pk"), pseud__user_id__in=muted))
            )
        if query.rating:
            works = works.filter(_has_any_tag(_fixed_tag_ids(TagType.RATING, query.rating)))
        if query.complete is not None:
            works = works.filter(complete=query.complete)
        if query.words_from is not None:
            works = works.filter(word_count__gte=query.words_from)
        if query.words_to is not None:
            works = works.filter(word_count__lte=query.words_to)
        if query.updated_from is not None:
            works = works.filter(updated__gte=query.updated_from)
        if query.updated_to is not None:
            works = works.filter(updated__lte=query.updated_to)
        if query.language:
            works = works.filter(language=query.language)
        if query.crossover:
            fandoms = _fandom_count()
            works = works.alias(fandom_count=fandoms)
            works = (
                works.filter(fandom_count__gt=1)
                if query.crossover == "only"
                else works.filter(fandom_count__lte=1)
            )
        text = fulltext.parse(query.q)
        matching = fulltext.matching_ids_sql(text)
        if matching is not None:
            works = works.filter(id__in=matching)
        excluded_text = fulltext.excluded_ids_sql(text)
        if excluded_text is not None:
            works = works.exclude(id__in=excluded_text)
        return works, unknown

    @staticmethod
    def _scoped(works: WorkQuerySet, scope: Scope) -> WorkQuerySet:
        if scope.kind == "tag":
            ids = filter_tag_ids_for_tags([scope.id])
            return works.filter(_has_any_tag(ids)) if ids else works.none()
        if scope.kind == "pseud":
            return works.filter(creatorships__pseud_id=scope.id)
        if scope.kind == "user":
            return works.filter(
                Exists(Creatorship.objects.filter(work=OuterRef("pk"), pseud__user_id=scope.id))
            )
        if scope.kind == "collection":
            from fanfold.challenges.queries import collection_works_q  # local: challenges imports search

            # Approved items the creator agreed to, sub-collections' included.
            return works.filter(collection_works_q(scope.id))
        raise ValueError(f"unknown scope {scope.kind!r}")

    @staticmethod
    def ordered(works: WorkQuerySet, sort: str, rank: RawSQL | None) -> WorkQuerySet:
        if sort == "best_match":
            if rank is None:
                return works.order_by("-updated", "-id")
            return works.annotate(rank=rank).order_by(F("rank").desc(nulls_last=True), "-updated", "-id")
        if sort == "creator":
            first_creator = Creatorship.objects.filter(work=OuterRef("pk")).order_by("position")
            return works.annotate(
                creator_name=Lower(Subquery(first_creator.values("pseud__name")[:1]))
            ).order_by(F("creator_name").asc(nulls_last=True), "-id")
        if sort == "title":
            return works.annotate(title_key=Lower("title")).order_by("title_key", "-id")
        field = {
            "posted": "published",
            "updated": "updated",
            "words": "word_count",
            "hits": "hits",
            "kudos": "kudos_count",
            "comments": "comments_count",
            "bookmarks": "bookmarks_count",
        }[sort]
        return works.order_by(f"-{field}", "-id")

    @staticmethod
    def facets(works: WorkQuerySet, query: WorkQuery) -> dict[str, list[Facet]]:
        """Top tags per type within the results, counted by filter tag: a synonym's works count
        under its canonical tag, a sub tag's under its meta tags too (search.filtertags)."""
        rows = (
            WorkFilterTag.objects.filter(work__in=works.values("id"))
            .values("tag_id", "tag_type")
            .annotate(works=Count("work_id"))
            .order_by()
        )
        by_type: dict[str, list[tuple[int, int]]] = {}
        for row in rows:
            by_type.setdefault(row["tag_type"], []).append((row["tag_id"], row["works"]))
        names = dict(
            Tag.objects.filter(id__in=[i for pairs in by_type.values() for i, _ in pairs]).values_list(
                "id", "name"
            )
        )
        included = {normalize_key(n) for n in query.include}
        excluded = {normalize_key(n) for n in query.exclude}
        facets: dict[str, list[Facet]] = {}
        for key, tag_type in FACET_TYPES.items():
            pairs = sorted(by_type.get(tag_type, []), key=lambda p: (-p[1], names.get(p[0], "").lower()))
            listed = [
                Facet(names[i], n, _state(names[i], included, excluded))
                for i, n in pairs[:FACET_SIZE]
                if i in names
            ]
            shown = {normalize_key(f.name) for f in listed}
            # Excluded (and included) tags of this type stay listed, with their state.
            for tag in _tags_named([*query.exclude, *query.include], tag_type):
                if normalize_key(tag.name) not in shown:
                    count = next((n for i, n in pairs if i == tag.id), 0)
                    listed.append(Facet(tag.name, count, _state(tag.name, included, excluded)))
                    shown.add(normalize_key(tag.name))
            facets[key] = listed
        return facets


FACET_SIZE = 10


def _state(name: str, included: set[str], excluded: set[str]) -> str:
    key = normalize_key(name)
    return "include" if key in included else "exclude" if key in excluded else ""


def _tags_named(names: list[str], tag_type: str) -> list[Tag]:
    if not names:
        return []
    tags = Tag.objects.filter(type=tag_type, name_key__in=[normalize_key(n) for n in names]).select_related(
        "merger"
    )
    return [t.merger if t.merger_id and t.merger else t for t in tags]


def _has_any_tag(tag_ids) -> Exists:
    return Exists(WorkTag.objects.filter(work=OuterRef("pk"), tag_id__in=list(tag_ids)))


def _fixed_tag_ids(tag_type: str, names) -> list[int]:
    return list(Tag.objects.filter(type=tag_type, name__in=list(names)).values_list("id", flat=True))


def _fandom_count() -> Coalesce:
    """How many distinct canonical fandoms a work has (a crossover has more than one)."""
    fandoms = (
        WorkTag.objects.filter(work=OuterRef("pk"), tag__type=TagType.FANDOM)
        .annotate(filter_id=Coalesce("tag__merger_id", "tag_id"))
        .values("work")
        .annotate(n=Count("filter_id", distinct=True))
        .values("n")
    )
    return Coalesce(Subquery(fandoms[:1]), 0)


def filter_tag_ids_for_tags(tag_ids: list[int]) -> set[int]:
    """The ids a filter on these tags matches: their canonical tags, every sub tag of those
    (transitively), and every synonym of all of them. A few queries, however many tags."""
    from fanfold.tags.models import sub_tag_ids  # local: keeps this change inside the function

    tags = Tag.objects.filter(id__in=tag_ids).only("id", "merger_id")
    targets = {t.merger_id or t.id for t in tags}
    if not targets:
        return set()
    targets |= sub_tag_ids(targets)
    synonyms = Tag.objects.filter(merger_id__in=targets).values_list("id", flat=True)
    return targets | set(synonyms)


def filter_tag_ids(names: tuple[str, ...] | list[str]) -> dict[str, set[int]]:
    """For each tag name (any type), the tag ids a filter on it matches (its canonical tag, that
    tag's sub tags, and their synonyms); unknown names are absent."""
    from fanfold.tags.models import sub_tag_map  # local: keeps this change inside the function

    if not names:
        return {}
    keys = {normalize_key(n): n for n in names}
    rows = Tag.objects.filter(name_key__in=list(keys)).values_list("name_key", "id", "merger_id")
    targets_by_key: dict[str, set[int]] = {}
    for key, tag_id, merger_id in rows:
        targets_by_key.setdefault(key, set()).add(merger_id or tag_id)
    all_targets = set().union(*targets_by_key.values()) if targets_by_key else set()
    subs = sub_tag_map(all_targets)
    for key, found in targets_by_key.items():
        targets_by_key[key] = found.union(*(subs.get(t, set()) for t in found))
    expanded = set().union(*targets_by_key.values()) if targets_by_key else set()
    synonyms: dict[int, set[int]] = {}
    for tag_id, merger_id in Tag.objects.filter(merger_id__in=expanded).values_list("id", "merger_id"):
        synonyms.setdefault(merger_id, set()).add(tag_id)
    result = {}
    for key, name in keys.items():
        targets = targets_by_key.get(key)
        if targets:
            result[name] = targets | set().union(*(synonyms.get(t, set()) for t in targets))
    return result


def saved_exclusion_ids(viewer) -> set[int]:
    """The reader's "never show me" tags, as filter ids (synonyms included)."""
    if not getattr(viewer, "is_authenticated", False):
        return set()
    ids = list(Preference.objects.filter(user=viewer).values_list("excluded_tags", flat=True))
    ids = [i for i in ids if i is not None]
    return filter_tag_ids_for_tags(ids) if ids else set()


def _use_fast_engine() -> bool:
    from django.db import connection

    from fanfold.core.env import env_choice
    from fanfold.search.fast.index import snapshot_path

    choice = env_choice("FANFOLD_SEARCH_ENGINE", "auto", ["auto", "fast", "orm"])
    if choice != "auto":
        return choice == "fast"
    # A big archive has an index snapshot (written by the first process that builds the index, by
    # `fanfold generate` and by `fanfold bench`): a file check, not a query on every listing.
    return snapshot_path(connection.alias).exists()
