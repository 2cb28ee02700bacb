"""Response shapes of the API (they are the OpenAPI document's schemas too)."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class Error(Schema):
    detail: str | list[str] = Field(
        description="What went wrong: one message, or one message per bad parameter."
    )


class FacetOut(Schema):
    name: str = Field(description="The canonical tag's name.")
    count: int = Field(description="Works in the current results with this tag (or one of its synonyms).")
    state: str = Field(description='"include", "exclude" or "" (the tag is not a filter yet).')


class FacetsOut(Schema):
    rating: list[FacetOut]
    warnings: list[FacetOut]
    categories: list[FacetOut]
    fandoms: list[FacetOut]
    relationships: list[FacetOut]
    characters: list[FacetOut]
    additional_tags: list[FacetOut]


class WorkBase(Schema):
    """What a work's blurb shows."""

    id: int
    title: str
    creators: list[str] = Field(description="Pseud names, in credit order.")
    rating: str | None = Field(description="The AO3 rating's name.")
    warnings: list[str] = Field(description="Archive warnings, in AO3's order.")
    categories: list[str] = Field(description="Categories, in AO3's order.")
    fandoms: list[str]
    relationships: list[str]
    characters: list[str]
    additional_tags: list[str] = Field(description="Additional tags, then tags whose type is not sorted yet.")
    language: str = Field(description="BCP 47 language code.")
    summary: str = Field(description="Safe HTML, as stored.")
    word_count: int
    chapters_posted: int
    chapters_expected: int | None = Field(description="null when the length is not known.")
    complete: bool
    published: dt.date
    updated: dt.date
    kudos: int
    hits: int
    bookmarks: int
    comments: int
    url: str = Field(description="Absolute path of the work's page.")


class WorkListItem(WorkBase):
    chapters: str = Field(description='"3/5", or "3/?" when the length is not known.')
    snippet: str | None = Field(
        default=None,
        description="Only when q is given: the matching text, safe HTML with <mark>; may be empty.",
    )


class WorkListOut(Schema):
    count: int = Field(description="All matching works, not just this page.")
    page: int
    num_pages: int
    results: list[WorkListItem]
    facets: FacetsOut = Field(description="The most used tags in all the results (top 10 of each type).")
    unknown_tags: list[str] = Field(
        description="Included or excluded names that match no tag (an unknown include matches nothing)."
    )


class SeriesOut(Schema):
    id: int
    name: str
    position: int


class PromptOut(Schema):
    day: int | None
    text: str
    tags: list[str]


class CollectionOut(Schema):
    name: str = Field(description="The collection's short name (as in its URL).")
    title: str
    prompt: PromptOut | None = Field(description="The prompt this work fills, if any.")


class ChapterOut(Schema):
    position: int
    title: str
    summary: str = Field(description="Safe HTML.")
    notes: str = Field(description="Safe HTML.")
    end_notes: str = Field(description="Safe HTML.")
    word_count: int
    body: str = Field(description="Safe HTML.")


class WorkDetailOut(WorkBase):
    series: list[SeriesOut]
    collections: list[CollectionOut]
    gifts: list[str] = Field(description="Recipients' names.")
    notes: str = Field(description="Safe HTML.")
    end_notes: str = Field(description="Safe HTML.")
    source_format: str = Field(description="The format an imported work came from; empty if posted here.")
    chapters: list[ChapterOut]


class TagOut(Schema):
    name: str = Field(description="The canonical tag's name.")
    type: str
    canonical: bool
    matched: str = Field(
        description="The text that matched: the tag's own name, a synonym, or your text when the "
        "resolver recognised it (e.g. a ship portmanteau)."
    )
    fandoms: list[str]
    works: int = Field(description="Works you may see that use this tag or one of its synonyms.")


class TagListOut(Schema):
    results: list[TagOut]
