"""WorkQuery: what a reader asked a listing for, parsed from (and written back to) clean URLs.

The same object drives the HTML listings, the JSON API and the command line, so they always agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from fanfold.tags import vocabulary as vocab

SORTS = {
    "best_match": "Best match",
    "creator": "Creator",
    "title": "Title",
    "posted": "Date posted",
    "updated": "Date updated",
    "words": "Word count",
    "hits": "Hits",
    "kudos": "Kudos",
    "comments": "Comments",
    "bookmarks": "Bookmarks",
}
CROSSOVER_CHOICES = ("", "exclude", "only")  # "" = include crossovers (the default)
PER_PAGE = 20
MAX_PAGE = 5000
MAX_TAGS = 50  # per include/exclude list; more is abuse, not a reader
MAX_QUERY_LENGTH = 500

# Facet keys, in the order the sidebar shows them, and the tag type behind each.
FACET_TYPES: dict[str, str] = {
    "rating": "rating",
    "warnings": "warning",
    "categories": "category",
    "fandoms": "fandom",
    "relationships": "relationship",
    "characters": "character",
    "additional_tags": "additional",
}


@dataclass(frozen=True)
class Scope:
    """A listing inside one context: a tag's works, a creator's, a collection's."""

    kind: str  # "tag", "pseud", "user", "collection"
    id: int


@dataclass(frozen=True)
class WorkQuery:
    q: str = ""
    include: tuple[str, ...] = ()  # tag names, any type; several are ANDed
    exclude: tuple[str, ...] = ()
    rating: tuple[str, ...] = ()  # AO3 rating names; several are ORed
    complete: bool | None = None
    crossover: str = ""
    words_from: int | None = None
    words_to: int | None = None
    updated_from: dt.date | None = None
    updated_to: dt.date | None = None
    language: str = ""
    sort: str = ""  # "" = best match when searching, else date updated
    page: int = 1
    per_page: int = PER_PAGE
    scope: Scope | None = field(default=None, compare=True)

    @property
    def effective_sort(self) -> str:
        if self.sort in SORTS:
            return self.sort
        return "best_match" if self.q.strip() else "updated"

    def with_changes(self, **changes) -> WorkQuery:
        return replace(self, **changes)

    @classmethod
    def from_params(cls, params: Mapping[str, Sequence[str]] | object) -> tuple[WorkQuery, list[str]]:
        """Parse URL parameters (a QueryDict or a dict of lists). Bad values are dropped and reported."""
        getlist = params.getlist if hasattr(params, "getlist") else (lambda k: list(params.get(k, [])))  # type: ignore[attr-defined,union-attr]
        errors: list[str] = []

        def first(name: str) -> str:
            values = [v for v in getlist(name) if v is not None]
            return str(values[-1]).strip() if values else ""

        def tags(name: str) -> tuple[str, ...]:
            names: list[str] = []
            for value in getlist(name):
                for part in str(value).split(","):
                    part = " ".join(part.split())
                    if part and part not in names:
                        names.append(part[:150])
            if len(names) > MAX_TAGS:
                errors.append(f"{name}: at most {MAX_TAGS} tags")
                names = names[:MAX_TAGS]
            return tuple(names)

        def whole(name: str, *, minimum: int = 0) -> int | None:
            text = first(name).replace(",", "").replace("_", "")
            if not text:
                return None
            try:
                number = int(text)
            except ValueError:
                errors.append(f"{name}: {text!r} is not a whole number")
                return None
            if number < minimum:
                errors.append(f"{name}: must be at least {minimum}")
                return None
            return number

        def date(name: str) -> dt.date | None:
            text = first(name)
            if not text:
                return None
            try:
                return dt.date.fromisoformat(text)
            except ValueError:
                errors.append(f"{name}: {text!r} is not a date (use YYYY-MM-DD)")
                return None

        complete_text = first("complete").lower()
        complete: bool | None = None
        if complete_text in {"true", "1", "yes", "complete", "t"}:
            complete = True
        elif complete_text in {"false", "0", "no", "incomplete", "in_progress", "f"}:
            complete = False
        elif complete_text not in {"", "all"}:
            errors.append(f"complete: {complete_text!r} is not true or false")

        crossover = first("crossover").lower()
        if crossover in {"include", "all", "true"}:
            crossover = ""
        if crossover not in CROSSOVER_CHOICES:
            errors.append(f"crossover: {crossover!r} is not include, exclude or only")
            crossover = ""

        ratings = []
        for name in tags("rating"):
            match = next((r for r in vocab.RATINGS if r.lower() == name.lower()), None)
            if match:
                ratings.append(match)
            else:
                errors.append(f"rating: {name!r} is not one of {', '.join(vocab.RATINGS)}")

        sort = first("sort")
        if sort and sort not in SORTS:
            errors.append(f"sort: {sort!r} is not one of {', '.join(SORTS)}")
            sort = ""

        page = whole("page", minimum=1) or 1
        if page > MAX_PAGE:
            errors.append(f"page: at most {MAX_PAGE}")
            page = MAX_PAGE
        q = first("q")
        if len(q) > MAX_QUERY_LENGTH:
            errors.append(f"q: at most {MAX_QUERY_LENGTH} characters")
            q = q[:MAX_QUERY_LENGTH]

        query = cls(
            q=q,
            include=tags("include"),
            exclude=tags("exclude"),
            rating=tuple(ratings),
            complete=complete,
            crossover=crossover,
            words_from=whole("words_from"),
            words_to=whole("words_to"),
            updated_from=date("updated_from"),
            updated_to=date("updated_to"),
            language=first("language")[:35],
            sort=sort,
            page=page,
        )
        return query, errors

    def to_params(self, **overrides) -> list[tuple[str, str]]:
        """The query as URL parameters (only the ones that differ from the defaults)."""
        query = replace(self, **overrides) if overrides else self
        params: list[tuple[str, str]] = []
        if query.q:
            params.append(("q", query.q))
        params += [("include", name) for name in query.include]
        params += [("exclude", name) for name in query.exclude]
        params += [("rating", name) for name in query.rating]
        if query.complete is not None:
            params.append(("complete", "true" if query.complete else "false"))
        if query.crossover:
            params.append(("crossover", query.crossover))
        for name in ("words_from", "words_to"):
            value = getattr(query, name)
            if value is not None:
                params.append((name, str(value)))
        for name in ("updated_from", "updated_to"):
            value = getattr(query, name)
            if value is not None:
                params.append((name, value.isoformat()))
        if query.language:
            params.append(("language", query.language))
        if query.sort:
            params.append(("sort", query.sort))
        if query.page != 1:
            params.append(("page", str(query.page)))
        return params
