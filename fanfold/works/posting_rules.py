"""The rules of posting: the inputs the posting services take, and the checks each input passes.

Every check raises ``PostingError`` with a one-line message and the field at fault, before anything is
written. ``works.posting`` (the services) re-exports the inputs; callers import them from there.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.models import Q
from django.utils import timezone

from fanfold.accounts.models import Pseud
from fanfold.core import permissions
from fanfold.core.html import TEXT_FORMATS, MarkdownTooComplex, html_to_text, user_text_to_safe_html
from fanfold.core.languages import LANGUAGES, language_code
from fanfold.core.text import count_words, normalize_key
from fanfold.social.models import CommentPermission
from fanfold.tags import vocabulary as vocab
from fanfold.tags.models import TagType
from fanfold.works.models import RelatedWork, Work

MAX_TITLE_LENGTH = 255
MAX_SUMMARY_LENGTH = 1250
MAX_NOTES_LENGTH = 5000
MAX_BODY_LENGTH = 500_000
MAX_TAG_LENGTH = 150
MAX_TAGS = 75  # fandom, relationship, character and additional tags together, as on AO3
MAX_CHAPTERS_EXPECTED = 5000
MAX_CO_CREATORS = 20
MAX_GIFTS = 20
MAX_GIFT_NAME_LENGTH = 100
MAX_RELATED = 10
MAX_SERIES_POSITION = 10_000


class PostingError(Exception):
    """A refused or invalid post. message: one line for the user; field: the input field at fault, or None."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass
class ChapterInput:
    body: str  # raw text in text_format; sanitised by the service (nh3 allow-list)
    title: str = ""
    summary: str = ""
    notes: str = ""
    end_notes: str = ""
    text_format: str = "html"


@dataclass
class RelatedInput:
    url: str  # a work on this archive (/works/N/ or full URL) or an external URL
    relation: str = "inspired_by"  # RelatedWork.Relation value
    title: str = ""  # for external works
    creator: str = ""


@dataclass
class WorkInput:
    title: str
    fandoms: list[str]
    rating: str = ""  # "" -> "Not Rated"; else a fixed rating name
    warnings: list[str] = field(default_factory=list)  # [] -> "Creator Chose Not To Use Archive Warnings"
    categories: list[str] = field(default_factory=list)
    relationships: list[str] = field(default_factory=list)
    characters: list[str] = field(default_factory=list)
    additional_tags: list[str] = field(default_factory=list)
    summary: str = ""
    notes: str = ""
    end_notes: str = ""
    text_format: str = "html"  # for summary/notes/end_notes
    language: str = "en"
    chapters: list[ChapterInput] = field(default_factory=list)  # used by post_work only; at least one
    chapters_expected: int | None = None  # None = unknown ("?"); complete when posted == expected
    published: dt.date | None = None  # backdating; not in the future
    restricted: bool = False
    draft: bool = False
    comment_permission: str = "everyone"  # social.models.CommentPermission value
    moderate_comments: bool = False
    pseud_ids: list[int] = field(default_factory=list)  # the poster's own pseuds; [] = default pseud
    co_creators: list[str] = field(default_factory=list)  # usernames invited; they must accept
    gifts: list[str] = field(default_factory=list)  # usernames (checked with gift_refusal) or plain names
    series_title: str = ""  # add to the poster's series of that title, or start one
    series_position: int | None = None
    related: list[RelatedInput] = field(default_factory=list)


WORK_FIELDS: frozenset[str] = frozenset(f.name for f in dataclasses.fields(WorkInput)) - {"chapters"}

_TAG_FIELDS = (
    (TagType.FANDOM, "fandoms"),
    (TagType.RELATIONSHIP, "relationships"),
    (TagType.CHARACTER, "characters"),
    (TagType.ADDITIONAL, "additional_tags"),
)
TAG_FIELD_NAMES = frozenset({"rating", "warnings", "categories"} | {name for _, name in _TAG_FIELDS})
TEXT_FIELDS = (("summary", MAX_SUMMARY_LENGTH), ("notes", MAX_NOTES_LENGTH), ("end_notes", MAX_NOTES_LENGTH))
_LABELS = {
    "summary": "The summary",
    "notes": "The notes",
    "end_notes": "The end notes",
}
# AO3 stores the "chose not to warn" warning under this older name; both are accepted.
_WARNING_ALIASES = {normalize_key("Choose Not To Use Archive Warnings"): vocab.CHOSE_NOT_TO_WARN}
_LOCAL_WORK_PATH = re.compile(r"^/works/(\d+)(?:/.*)?$")


# --- small cleaners --------------------------------------------------------------------------------------


def _one_line(text: str) -> str:
    return " ".join((text or "").split())


def _checked_length(text: str, limit: int, what: str, field_name: str) -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    if len(text) > limit:
        raise PostingError(
            f"{what} can be at most {limit:,} characters long (it has {len(text):,}).", field_name
        )
    return text


def _text_format(value: str, field_name: str = "text_format") -> str:
    if value not in TEXT_FORMATS:
        raise PostingError(
            f"Unknown text format {value!r}: use one of {', '.join(TEXT_FORMATS)}.", field_name
        )
    return value


def _safe_html(text: str, text_format: str, *, limit: int, what: str, field_name: str) -> str:
    text = _checked_length(text, limit, what, field_name)
    try:
        return user_text_to_safe_html(text, text_format) if text else ""
    except MarkdownTooComplex as error:
        raise PostingError(f"{what}: {error}", field_name) from None


def clean_title(value: str) -> str:
    title = _one_line(value)
    if not title:
        raise PostingError("Please give the work a title.", "title")
    if len(title) > MAX_TITLE_LENGTH:
        raise PostingError(
            f"The title can be at most {MAX_TITLE_LENGTH} characters long (it has {len(title)}).", "title"
        )
    return title


def _tag_names(values: list[str] | str, field_name: str) -> list[str]:
    """Names trimmed, commas splitting names, duplicates (ignoring case and accents) dropped."""
    if isinstance(values, str):
        values = [values]
    names: list[str] = []
    seen: set[str] = set()
    for value in values:
        for part in str(value).split(","):
            name = _one_line(part)
            key = normalize_key(name)
            if not key or key in seen:
                continue
            if len(name) > MAX_TAG_LENGTH:
                raise PostingError(
                    f"Tags can be at most {MAX_TAG_LENGTH} characters long: {name[:40]!r}… is {len(name)}.",
                    field_name,
                )
            seen.add(key)
            names.append(name)
    return names


def _fixed_name(value: str, choices: tuple[str, ...], aliases: dict[str, str] | None = None) -> str | None:
    key = normalize_key(value)
    for name in choices:
        if normalize_key(name) == key:
            return name
    return (aliases or {}).get(key)


def _rating(value: str) -> str:
    if not _one_line(value):
        return vocab.NOT_RATED
    rating = _fixed_name(value, vocab.RATINGS)
    if rating is None:
        raise PostingError(f"{value!r} is not a rating: choose one of {', '.join(vocab.RATINGS)}.", "rating")
    return rating


def _warnings(values: list[str]) -> list[str]:
    chosen: list[str] = []
    for value in _tag_names(values, "warnings"):
        warning = _fixed_name(value, vocab.WARNINGS, _WARNING_ALIASES)
        if warning is None:
            raise PostingError(
                f"{value!r} is not an archive warning: choose from {', '.join(vocab.WARNINGS)}.", "warnings"
            )
        if warning not in chosen:
            chosen.append(warning)
    if not chosen:
        return [vocab.CHOSE_NOT_TO_WARN]
    if vocab.CHOSE_NOT_TO_WARN in chosen and len(chosen) > 1:
        raise PostingError(f"{vocab.CHOSE_NOT_TO_WARN!r} can't be combined with other warnings.", "warnings")
    return [w for w in vocab.WARNINGS if w in chosen]


def _categories(values: list[str]) -> list[str]:
    chosen: set[str] = set()
    for value in _tag_names(values, "categories"):
        category = _fixed_name(value, vocab.CATEGORIES)
        if category is None:
            raise PostingError(
                f"{value!r} is not a category: choose from {', '.join(vocab.CATEGORIES)}.", "categories"
            )
        chosen.add(category)
    return [c for c in vocab.CATEGORIES if c in chosen]


def clean_language(value: str) -> str:
    code = language_code(value or "")
    if code is None or code not in LANGUAGES:
        raise PostingError(f"Unknown language {value!r}.", "language")
    return code


def clean_comment_permission(value: str) -> str:
    if value not in CommentPermission.values:
        choices = ", ".join(CommentPermission.values)
        raise PostingError(
            f"Unknown comment permission {value!r}: use one of {choices}.", "comment_permission"
        )
    return value


def clean_published(value: dt.date | None, today: dt.date) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        raise PostingError("The publication date must be a date (YYYY-MM-DD).", "published")
    if value > today:
        raise PostingError("The publication date can't be in the future.", "published")
    return value


def clean_chapters_expected(value: int | None, posted: int) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise PostingError("The expected number of chapters must be a whole number.", "chapters_expected")
    if value < 1 or value > MAX_CHAPTERS_EXPECTED:
        raise PostingError(
            f"The expected number of chapters must be between 1 and {MAX_CHAPTERS_EXPECTED:,}.",
            "chapters_expected",
        )
    if value < posted:
        raise PostingError(
            f"The expected number of chapters can't be less than the chapters posted ({posted}).",
            "chapters_expected",
        )
    return value


def is_complete(expected: int | None, posted: int) -> bool:
    return expected is not None and posted >= expected


def clean_series_position(value: int | None) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_SERIES_POSITION:
        raise PostingError(
            f"The part number in the series must be between 1 and {MAX_SERIES_POSITION:,}.", "series_position"
        )
    return value


# --- chapters ----------------------------------------------------------------------------------------------


@dataclass
class CleanChapter:
    """A chapter as it will be stored: safe HTML and its word count."""

    title: str
    summary: str
    notes: str
    end_notes: str
    body: str
    word_count: int


def clean_chapter(data: ChapterInput, prefix: str = "", label: str = "") -> CleanChapter:
    """``prefix`` names the fields of one chapter of several ("chapters.1."); ``label`` starts messages."""
    try:
        text_format = _text_format(data.text_format, f"{prefix}text_format")
        title = _one_line(data.title)
        if len(title) > MAX_TITLE_LENGTH:
            raise PostingError(
                f"The chapter title can be at most {MAX_TITLE_LENGTH} characters long (it has {len(title)}).",
                f"{prefix}title",
            )
        raw_body = (data.body or "").strip()
        if not raw_body:
            raise PostingError("Please write the chapter text: it can't be empty.", f"{prefix}body")
        body = _safe_html(
            raw_body, text_format, limit=MAX_BODY_LENGTH, what="The chapter text", field_name=f"{prefix}body"
        )
        if not html_to_text(body).strip() and "<img" not in body:
            raise PostingError("The chapter text is empty once unsupported HTML is removed.", f"{prefix}body")
        parts = {}
        for name, limit, what in (
            ("summary", MAX_SUMMARY_LENGTH, "The chapter summary"),
            ("notes", MAX_NOTES_LENGTH, "The chapter notes"),
            ("end_notes", MAX_NOTES_LENGTH, "The chapter end notes"),
        ):
            parts[name] = _safe_html(
                getattr(data, name), text_format, limit=limit, what=what, field_name=f"{prefix}{name}"
            )
    except PostingError as exc:
        if label:
            exc.message = f"{label}: {exc.message}"
            exc.args = (exc.message,)
        raise
    return CleanChapter(
        title=title,
        summary=parts["summary"],
        notes=parts["notes"],
        end_notes=parts["end_notes"],
        body=body,
        word_count=count_words(html_to_text(body)),
    )


# --- people: pseuds, co-creators, gift recipients -----------------------------------------------------------


def default_pseud(user) -> Pseud:
    """The account's default pseud (created, named after the account, when it has none yet)."""
    pseud = user.pseuds.order_by("-is_default", "id").first()
    if pseud is None:
        pseud = Pseud.objects.create(user=user, name=user.username[:100], is_default=True)
    return pseud


def own_pseuds(user, pseud_ids: list[int]) -> list[Pseud]:
    """The poster's chosen pseuds; [] asks for the default pseud, which the writer fetches (or creates,
    for an account without one) inside its transaction, so a refused post creates nothing."""
    ids = list(dict.fromkeys(pseud_ids or []))
    if not ids:
        return []
    try:
        pseuds = {p.pk: p for p in Pseud.objects.filter(user_id=user.pk, pk__in=ids)}
    except (TypeError, ValueError):
        raise PostingError("Pseud ids must be numbers.", "pseud_ids") from None
    if len(pseuds) != len(ids):
        raise PostingError("You can only post under your own pseuds.", "pseud_ids")
    return [pseuds[i] for i in ids]


def _usernames(values: list[str] | str) -> list[str]:
    names: list[str] = []
    seen: set[str] = set()
    for value in [values] if isinstance(values, str) else values:
        for part in str(value).split(","):
            name = _one_line(part).lstrip("@").rstrip(".,;:!?")
            if name and name.lower() not in seen:
                seen.add(name.lower())
                names.append(name)
    return names


def _accounts_by_name(names: list[str]) -> dict[str, Any]:
    """Lower-cased username -> active account, for those names that are accounts here."""
    if not names:
        return {}
    users = get_user_model().objects.filter(reduce(or_, (Q(username__iexact=name) for name in names)))
    return {u.username.lower(): u for u in users}


def clean_invitees(user, values: list[str]) -> list[Any]:
    names = _usernames(values)
    if len(names) > MAX_CO_CREATORS:
        raise PostingError(f"You can invite at most {MAX_CO_CREATORS} co-creators.", "co_creators")
    accounts = _accounts_by_name(names)
    invitees = []
    for name in names:
        account = accounts.get(name.lower())
        if account is None:
            raise PostingError(f"There is no user named {name!r} to invite as a co-creator.", "co_creators")
        if account.pk == user.pk:
            continue  # naming oneself is harmless: the poster is credited anyway
        refusal = permissions.co_creator_refusal(user, account)
        if refusal:
            raise PostingError(refusal, "co_creators")
        invitees.append(account)
    return invitees


@dataclass
class GiftTo:
    name: str
    recipient: Any = None  # an account here, or None for a plain name


def clean_gifts(user, values: list[str], *, already: set[str] | None = None) -> list[GiftTo]:
    """Recipients, checked with ``permissions.gift_refusal`` unless already given (``already``: keys)."""
    names = _usernames(values)
    if len(names) > MAX_GIFTS:
        raise PostingError(f"A work can be a gift to at most {MAX_GIFTS} people.", "gifts")
    accounts = _accounts_by_name(names)
    gifts = []
    for name in names:
        if len(name) > MAX_GIFT_NAME_LENGTH:
            raise PostingError(
                f"Gift recipients' names can be at most {MAX_GIFT_NAME_LENGTH} characters long.", "gifts"
            )
        account = accounts.get(name.lower())
        if account is not None and not account.is_active:
            account = None  # a closed account gets the name only
        if account is not None and name.lower() not in (already or set()):
            refusal = permissions.gift_refusal(user, account)
            if refusal:
                raise PostingError(refusal, "gifts")
        gifts.append(GiftTo(account.username if account else name, account))
    return gifts


# --- series and related works -------------------------------------------------------------------------------


def clean_series_title(value: str) -> str:
    title = _one_line(value)
    if len(title) > MAX_TITLE_LENGTH:
        raise PostingError(
            f"The series title can be at most {MAX_TITLE_LENGTH} characters long.", "series_title"
        )
    return title


@dataclass
class RelatedLink:
    relation: str
    parent: Work | None
    url: str
    title: str
    creator: str


def _local_work_id(url: str) -> int | None:
    """The id of a work on this archive, from "/works/12/", "/works/12/chapters/3/" or the full URL."""
    base = settings.BASE_URL.rstrip("/")
    if url.lower().startswith(base.lower() + "/"):
        url = url[len(base) :]
    if not url.startswith("/"):
        return None
    match = _LOCAL_WORK_PATH.match(urlsplit(url).path)
    return int(match.group(1)) if match else None


def clean_related(user, items: list[RelatedInput], work: Work | None = None) -> list[RelatedLink]:
    if len(items) > MAX_RELATED:
        raise PostingError(f"A work can name at most {MAX_RELATED} related works.", "related")
    related = []
    for item in items:
        if item.relation not in RelatedWork.Relation.values:
            choices = ", ".join(RelatedWork.Relation.values)
            raise PostingError(f"Unknown relation {item.relation!r}: use one of {choices}.", "related")
        url = (item.url or "").strip()
        if not url:
            raise PostingError("Please give the related work's URL.", "related")
        work_id = _local_work_id(url)
        if work_id is not None:
            parent = Work.objects.filter(pk=work_id).first()
            if parent is None or not permissions.can_view_work(user, parent):
                raise PostingError(f"There is no work {work_id} on this archive.", "related")
            if work is not None and parent.pk == work.pk:
                raise PostingError("A work can't be related to itself.", "related")
            related.append(RelatedLink(item.relation, parent, "", parent.title[:255], ""))
            continue
        if len(url) > 500:
            raise PostingError("The related work's URL can be at most 500 characters long.", "related")
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            raise PostingError(
                f"{url[:80]!r} is not a web address (http:// or https://) or a work on this archive.",
                "related",
            ) from None
        title, creator = _one_line(item.title), _one_line(item.creator)
        if len(title) > MAX_TITLE_LENGTH or len(creator) > 100:
            raise PostingError("The related work's title or creator is too long.", "related")
        related.append(RelatedLink(item.relation, None, url, title, creator))
    return related


# --- validating a whole work ---------------------------------------------------------------------------------


@dataclass
class CleanTags:
    rating: str
    warnings: list[str]
    categories: list[str]
    by_type: dict[str, list[str]]  # fandom, relationship, character, additional

    def names(self) -> list[tuple[str, list[str]]]:
        return [
            (TagType.RATING, [self.rating]),
            (TagType.WARNING, self.warnings),
            (TagType.CATEGORY, self.categories),
            *self.by_type.items(),
        ]


def clean_tags(data: WorkInput) -> CleanTags:
    rating = _rating(data.rating)
    warnings = _warnings(data.warnings)
    categories = _categories(data.categories)
    by_type = {tag_type.value: _tag_names(getattr(data, name), name) for tag_type, name in _TAG_FIELDS}
    if not by_type[TagType.FANDOM]:
        raise PostingError('Please add at least one fandom ("Original Work" if it has none).', "fandoms")
    total = sum(len(names) for names in by_type.values())
    if total > MAX_TAGS:
        raise PostingError(
            f"A work can have at most {MAX_TAGS} fandom, relationship, character and additional tags "
            f"together (this one has {total}).",
            "additional_tags",
        )
    return CleanTags(rating, warnings, categories, by_type)


def clean_texts(data: WorkInput, names: set[str] | None = None) -> dict[str, str]:
    text_format = _text_format(data.text_format)
    return {
        name: _safe_html(getattr(data, name), text_format, limit=limit, what=_LABELS[name], field_name=name)
        for name, limit in TEXT_FIELDS
        if names is None or name in names
    }


@dataclass
class CleanWork:
    title: str
    texts: dict[str, str]
    tags: CleanTags
    language: str
    chapters: list[CleanChapter]
    chapters_expected: int | None
    published: dt.date | None
    comment_permission: str
    pseuds: list[Pseud]
    invitees: list[Any]
    gifts: list[GiftTo]
    series_title: str
    series_position: int | None
    related: list[RelatedLink]


def clean_new_work(user, data: WorkInput) -> CleanWork:
    """Everything post_work and preview_work check, in the order of the posting form."""
    if not permissions.can_post(user):
        raise PostingError("Please log in with an active account to post a work.")
    tags = clean_tags(data)
    title = clean_title(data.title)
    texts = clean_texts(data)
    if not data.chapters:
        raise PostingError("A work needs at least one chapter.", "chapters")
    several = len(data.chapters) > 1
    chapters = [
        clean_chapter(chapter, prefix=f"chapters.{i}.", label=f"Chapter {i + 1}" if several else "")
        for i, chapter in enumerate(data.chapters)
    ]
    return CleanWork(
        title=title,
        texts=texts,
        tags=tags,
        language=clean_language(data.language),
        chapters=chapters,
        chapters_expected=clean_chapters_expected(data.chapters_expected, len(chapters)),
        published=clean_published(data.published, timezone.localdate()),
        comment_permission=clean_comment_permission(data.comment_permission),
        pseuds=own_pseuds(user, data.pseud_ids),
        invitees=clean_invitees(user, data.co_creators),
        gifts=clean_gifts(user, data.gifts),
        series_title=clean_series_title(data.series_title),
        series_position=clean_series_position(data.series_position),
        related=clean_related(user, data.related),
    )


def require_edit(user, work: Work) -> None:
    if not permissions.can_edit_work(user, work):
        raise PostingError("Only the work's creators can change it.")
