"""Request and response shapes of the API (they are the OpenAPI document's schemas too)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from fanfold.api.common import MAX_ID


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


# --- Readers' actions (kudos, comments, bookmarks, mutes, blocks) ------------------------------------
#
# Request bodies refuse unknown fields, so a misspelt field is an error rather than silently ignored.


class StrictIn(Schema):
    model_config = ConfigDict(extra="forbid")


class KudosOut(Schema):
    work_id: int
    kudos: int = Field(description="The work's kudos count, yours included.")


class CommentOut(Schema):
    id: int
    parent_id: int | None = Field(
        description="The comment this one replies to; null for a thread's first comment. The parent "
        "may be missing from the list when you muted its author."
    )
    depth: int = Field(description="0 for a thread's first comment, 1 for a reply to it, and so on.")
    chapter: int | None = Field(
        description="The chapter's position, or null for a comment on the whole work."
    )
    author: str = Field(description="The commenter's pseud, or a guest's name; empty when deleted.")
    guest: bool = Field(description="Whether a guest (no account) wrote it.")
    body: str = Field(description="Safe HTML; empty when deleted.")
    deleted: bool = Field(description="A deleted comment stays as a placeholder while it has replies.")
    frozen: bool = Field(description="A frozen thread takes no new replies.")
    status: str = Field(description='"published", or "pending" while it waits for moderation.')
    created_at: dt.datetime
    edited_at: dt.datetime | None


class CommentListOut(Schema):
    count: int = Field(description="All comments you can see on the work, replies included.")
    page: int
    num_pages: int
    results: list[CommentOut] = Field(
        description="Up to 20 threads per page, each first comment followed by its replies (depth first)."
    )


class CommentIn(StrictIn):
    body: str = Field(description="Plain text (paragraphs kept) or AO3's limited HTML.")
    chapter: int | None = Field(
        default=None, ge=1, le=MAX_ID, description="Comment on this chapter (its position)."
    )
    parent_id: int | None = Field(default=None, ge=1, le=MAX_ID, description="Reply to this comment.")
    name: str = Field(default="", max_length=200, description="Guests only: the name to show.")
    email: str = Field(default="", max_length=254, description="Guests only: never shown.")


class BookmarkOut(Schema):
    id: int
    work_id: int
    work_title: str
    work_url: str
    user: str = Field(description="The bookmarker's username.")
    notes: str = Field(description="Safe HTML.")
    tags: list[str] = Field(description="The bookmarker's own tags.")
    rec: bool = Field(description="A recommendation.")
    private: bool = Field(description="Only its owner sees a private bookmark.")
    created_at: dt.datetime
    updated_at: dt.datetime


class BookmarkListOut(Schema):
    count: int
    page: int
    num_pages: int
    results: list[BookmarkOut] = Field(description="Up to 20 per page, most recently changed first.")


class BookmarkIn(StrictIn):
    work_id: int = Field(ge=1)
    notes: str = Field(default="", description="Plain text or limited HTML.")
    tags: list[str] = Field(default_factory=list, description="Your own tags for the bookmark.")
    rec: bool = False
    private: bool = False


class BookmarkPatch(StrictIn):
    """Only the fields sent change; null leaves a field as it is."""

    notes: str | None = None
    tags: list[str] | None = None
    rec: bool | None = None
    private: bool | None = None


class UsernameIn(StrictIn):
    username: str = Field(min_length=1, max_length=150)


class UserRelationOut(Schema):
    username: str
    created_at: dt.datetime = Field(description="When you muted or blocked them.")


class UserRelationListOut(Schema):
    results: list[UserRelationOut]


# --- Posting works -----------------------------------------------------------------------------------------

TextFormat = Literal["html", "markdown", "plain"]
_TEXT_FORMAT = "How the texts are written: html (AO3's limited HTML, sanitised), markdown or plain."


class PostingErrorOut(Error):
    field: str | None = Field(
        default=None, description='The input field at fault, e.g. "title" or "chapters.1.body"; null if none.'
    )


class ChapterIn(StrictIn):
    body: str = Field(description="The chapter's text.")
    title: str = ""
    summary: str = ""
    notes: str = ""
    end_notes: str = ""
    text_format: TextFormat = Field(default="html", description=_TEXT_FORMAT)


class RelatedIn(StrictIn):
    url: str = Field(
        description="A work on this archive (/works/N/ or its full address), or an external address."
    )
    relation: str = Field(default="inspired_by", description="inspired_by or translation_of.")
    title: str = Field(default="", description="For an external work.")
    creator: str = Field(default="", description="For an external work.")


class WorkFieldsIn(StrictIn):
    """The fields a work is posted with; all of them but chapters can be changed later."""

    rating: str = Field(default="", description='An AO3 rating\'s name; empty for "Not Rated".')
    warnings: list[str] = Field(
        default_factory=list, description="Archive warnings; none means the creator chose not to use them."
    )
    categories: list[str] = Field(default_factory=list, description="Gen, F/M, M/M, F/F, Multi, Other.")
    relationships: list[str] = Field(default_factory=list)
    characters: list[str] = Field(default_factory=list)
    additional_tags: list[str] = Field(default_factory=list)
    summary: str = ""
    notes: str = ""
    end_notes: str = ""
    text_format: TextFormat = Field(default="html", description=_TEXT_FORMAT + " For summary and notes.")
    language: str = Field(default="en", description="A language code.")
    chapters_expected: int | None = Field(
        default=None, description="How many chapters the work will have; null when not known."
    )
    published: dt.date | None = Field(default=None, description="Backdate the work (not in the future).")
    restricted: bool = Field(default=False, description="Only logged-in users may read it.")
    draft: bool = Field(default=False, description="A draft is seen only by its creators; it never expires.")
    comment_permission: Literal["everyone", "registered", "nobody"] = "everyone"
    moderate_comments: bool = Field(default=False, description="Comments wait for your approval.")
    pseud_ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(
        default_factory=list, description="Your own pseuds to post under; none: your default."
    )
    co_creators: list[str] = Field(default_factory=list, description="Usernames to invite; they must accept.")
    gifts: list[str] = Field(
        default_factory=list,
        description="Usernames (who must accept gifts) or names of people without an account.",
    )
    series_title: str = Field(
        default="", description="Add the work to your series of this title, or start one."
    )
    series_position: int | None = Field(
        default=None, description="Its place in the series; null: at the end."
    )
    related: list[RelatedIn] = Field(
        default_factory=list, description="Works this one is inspired by or translates."
    )


class WorkIn(WorkFieldsIn):
    title: str
    fandoms: list[str] = Field(description="At least one fandom.")
    chapters: list[ChapterIn] = Field(description="At least one chapter, in order.")


class WorkPatch(WorkFieldsIn):
    """Every field is optional: only the fields sent change (send null to clear chapters_expected,
    published or series_position)."""

    # Left out means unchanged; null is refused (a work always has a title and a fandom).
    title: str = Field(default=None)  # type: ignore[assignment]
    fandoms: list[str] = Field(default=None, description="At least one fandom.")  # type: ignore[arg-type]
