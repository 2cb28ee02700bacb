"""Posting, editing and deleting works and chapters: the services behind the posting pages and the API.

Every function checks its permission in ``fanfold.core.permissions`` and raises ``PostingError`` (a one-line
``message`` and the input ``field`` at fault) for a refused or invalid request. Validation happens before
anything is written, and each call is one transaction, so a refused post never leaves half a work behind.
After each write the work's search document is rebuilt; subscribers hear of posted works and new chapters
through ``social.services.enqueue_subscriber_notifications`` (a task run after the commit), never of drafts.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone

from fanfold.accounts.models import Pseud
from fanfold.core import permissions
from fanfold.search.fast.changes import note_changed
from fanfold.search.indexing import index_works
from fanfold.search.models import SearchDocument
from fanfold.social.models import CommentPermission, CommentSettings
from fanfold.social.services import SocialError, enqueue_subscriber_notifications, update_comment_settings
from fanfold.tags import vocabulary as vocab
from fanfold.tags.models import Tag, TagType
from fanfold.tags.services import build_index, ensure_fixed_tags, get_or_create_tags
from fanfold.works.models import (
    Chapter,
    CreatorInvitation,
    Creatorship,
    Gift,
    RelatedWork,
    Series,
    SeriesWork,
    Work,
    WorkTag,
)
from fanfold.works.posting_chapters import add_chapter, delete_chapter, reorder_chapters, update_chapter
from fanfold.works.posting_rules import (
    TAG_FIELD_NAMES,
    TEXT_FIELDS,
    TEXT_FORMATS,
    WORK_FIELDS,
    ChapterInput,
    CleanChapter,
    CleanTags,
    PostingError,
    RelatedInput,
    RelatedLink,
    WorkInput,
    clean_chapters_expected,
    clean_comment_permission,
    clean_gifts,
    clean_invitees,
    clean_language,
    clean_new_work,
    clean_published,
    clean_related,
    clean_series_position,
    clean_series_title,
    clean_tags,
    clean_texts,
    clean_title,
    default_pseud,
    is_complete,
    own_pseuds,
    require_edit,
)

__all__ = [
    "TEXT_FORMATS",
    "WORK_FIELDS",
    "ChapterInput",
    "PostingError",
    "RelatedInput",
    "WorkInput",
    "WorkPreview",
    "accept_invitation",
    "add_chapter",
    "decline_invitation",
    "default_pseud",
    "delete_chapter",
    "delete_work",
    "import_upload",
    "post_work",
    "preview_work",
    "publish_work",
    "reorder_chapters",
    "update_chapter",
    "update_work",
    "work_input_from",
]


# --- series ----------------------------------------------------------------------------------------------


def _series_for(title: str, user_ids: set[int]) -> Series:
    """The creators' own series of that title (one holding a work of theirs), else a new one."""
    existing = (
        Series.objects.filter(
            title__iexact=title, memberships__work__creatorships__pseud__user_id__in=user_ids
        )
        .distinct()
        .order_by("pk")
        .first()
    )
    return existing or Series.objects.create(title=title)


def _join_series(work: Work, title: str, position: int | None, user_ids: set[int]) -> Series:
    current = (
        SeriesWork.objects.filter(work=work, series__title__iexact=title).select_related("series").first()
    )
    series = current.series if current else _series_for(title, user_ids)
    members = series.memberships.exclude(work=work)
    if position is None:
        position = (members.aggregate(m=Max("position"))["m"] or 0) + 1
    elif members.filter(position=position).exists():
        members.filter(position__gte=position).update(position=F("position") + 1)
    SeriesWork.objects.update_or_create(series=series, work=work, defaults={"position": position})
    return series


def _leave_series(work: Work, keep: Series | None = None) -> None:
    """Take the work out of its series (but ``keep``); a series left with no works goes too."""
    memberships = SeriesWork.objects.filter(work=work)
    if keep is not None:
        memberships = memberships.exclude(series=keep)
    series_ids = list(memberships.values_list("series_id", flat=True))
    memberships.delete()
    Series.objects.filter(pk__in=series_ids, memberships__isnull=True).delete()


# --- writing -------------------------------------------------------------------------------------------------


def _tags_for(tags: CleanTags) -> list[Tag]:
    result: list[Tag] = []
    for tag_type, names in tags.names():
        try:
            result += get_or_create_tags(tag_type, names)
        except ValueError:  # a fixed tag missing from a fresh database: the vocabulary is not loaded yet
            ensure_fixed_tags()
            result += get_or_create_tags(tag_type, names)
    return result


def _set_tags(work: Work, tags: CleanTags) -> None:
    wanted = {t.pk: t for t in _tags_for(tags)}
    WorkTag.objects.filter(work=work).exclude(tag_id__in=list(wanted)).delete()
    present = set(WorkTag.objects.filter(work=work).values_list("tag_id", flat=True))
    WorkTag.objects.bulk_create(WorkTag(work=work, tag_id=pk) for pk in wanted if pk not in present)


def _set_related(work: Work, related: list[RelatedLink]) -> None:
    RelatedWork.objects.filter(work=work).delete()
    RelatedWork.objects.bulk_create(
        RelatedWork(
            work=work, relation=r.relation, parent=r.parent, url=r.url, title=r.title, creator=r.creator
        )
        for r in related
    )


def _invite(work: Work, inviter, invitees: list[Any]) -> None:
    credited = set(Creatorship.objects.filter(work=work).values_list("pseud__user_id", flat=True))
    for invitee in invitees:
        if invitee.pk not in credited:
            invitation, created = CreatorInvitation.objects.get_or_create(
                work=work, user=invitee, defaults={"invited_by": inviter}
            )
            if created:
                _notify_invitee(invitation.pk)


def _notify_invitee(invitation_id: int) -> None:
    from fanfold.social.tasks import send_invitation_notification

    transaction.on_commit(lambda: send_invitation_notification.enqueue(invitation_id))


def _save_comment_settings(user, work: Work, permission: str | None, moderate: bool | None) -> None:
    try:
        update_comment_settings(user, work, comment_permission=permission, moderate_comments=moderate)
    except SocialError as exc:
        raise PostingError(exc.message, "comment_permission") from None


def post_work(user, data: WorkInput) -> Work:
    """Post a work (or save it as a draft) with its chapters, tags, creators, gifts, series and links."""
    clean = clean_new_work(user, data)
    today = timezone.localdate()
    published = clean.published or today
    with transaction.atomic():
        work = Work.objects.create(
            title=clean.title,
            summary=clean.texts["summary"],
            notes=clean.texts["notes"],
            end_notes=clean.texts["end_notes"],
            language=clean.language,
            word_count=sum(c.word_count for c in clean.chapters),
            chapters_expected=clean.chapters_expected,
            complete=is_complete(clean.chapters_expected, len(clean.chapters)),
            published=published,
            updated=published,
            backdated=published < today,
            restricted=bool(data.restricted),
            draft=bool(data.draft),
        )
        Creatorship.objects.bulk_create(
            Creatorship(work=work, pseud=pseud, position=i)
            for i, pseud in enumerate(clean.pseuds or [default_pseud(user)])
        )
        _set_tags(work, clean.tags)
        Chapter.objects.bulk_create(
            Chapter(
                work=work,
                position=position,
                title=c.title,
                summary=c.summary,
                notes=c.notes,
                end_notes=c.end_notes,
                body=c.body,
                word_count=c.word_count,
                published=published,
            )
            for position, c in enumerate(clean.chapters, start=1)
        )
        _invite(work, user, clean.invitees)
        Gift.objects.bulk_create(
            Gift(work=work, recipient_name=g.name, recipient=g.recipient) for g in clean.gifts
        )
        if clean.series_title:
            _join_series(work, clean.series_title, clean.series_position, {user.pk})
        _set_related(work, clean.related)
        if clean.comment_permission != CommentPermission.EVERYONE or data.moderate_comments:
            _save_comment_settings(user, work, clean.comment_permission, bool(data.moderate_comments))
        index_works([work.pk])
        if not work.draft:
            enqueue_subscriber_notifications(work)
            _check_exchange_gifts(work)
    return work


def _check_exchange_gifts(work: Work) -> None:
    """A posted gift may answer a gift-exchange assignment; checked once the post has committed."""
    from fanfold.exchanges.services import record_posted_gifts  # local: exchanges imports works

    transaction.on_commit(lambda: record_posted_gifts(work))


@dataclass
class WorkPreview:
    """What a work will look like once posted (nothing saved): for the preview page."""

    title: str
    rating: str
    warnings: list[str]
    categories: list[str]
    fandoms: list[str]
    relationships: list[str]
    characters: list[str]
    additional_tags: list[str]
    language: str
    summary: str
    notes: str
    end_notes: str
    chapters: list[CleanChapter]
    word_count: int
    chapters_expected: int | None
    complete: bool
    published: dt.date
    creators: list[str]
    co_creators: list[str]
    gifts: list[str]
    series_title: str
    related: list[dict[str, str]]


def preview_work(user, data: WorkInput) -> WorkPreview:
    """Check a new work as post_work does and return how it will look; writes nothing."""
    clean = clean_new_work(user, data)
    by_type = clean.tags.by_type
    return WorkPreview(
        title=clean.title,
        rating=clean.tags.rating,
        warnings=clean.tags.warnings,
        categories=clean.tags.categories,
        fandoms=by_type[TagType.FANDOM],
        relationships=by_type[TagType.RELATIONSHIP],
        characters=by_type[TagType.CHARACTER],
        additional_tags=by_type[TagType.ADDITIONAL],
        language=clean.language,
        summary=clean.texts["summary"],
        notes=clean.texts["notes"],
        end_notes=clean.texts["end_notes"],
        chapters=clean.chapters,
        word_count=sum(c.word_count for c in clean.chapters),
        chapters_expected=clean.chapters_expected,
        complete=is_complete(clean.chapters_expected, len(clean.chapters)),
        published=clean.published or timezone.localdate(),
        creators=[p.name for p in clean.pseuds] or [_default_pseud_name(user)],
        co_creators=[u.username for u in clean.invitees],
        gifts=[g.name for g in clean.gifts],
        series_title=clean.series_title,
        related=[
            {
                "relation": RelatedWork.Relation(r.relation).label,
                "title": r.parent.title if r.parent else (r.title or r.url),
                "url": reverse("works:detail", args=[r.parent.pk]) if r.parent else r.url,
                "creator": r.creator,
            }
            for r in clean.related
        ],
    )


def _default_pseud_name(user) -> str:
    pseud = user.pseuds.order_by("-is_default", "id").first()
    return pseud.name if pseud else user.username


def work_input_from(work: Work) -> WorkInput:
    """The work's current values, in the shape post_work and update_work take (for edit forms)."""
    tags: dict[str, list[str]] = {}
    for tag in work.tags.order_by("name"):
        tags.setdefault(tag.type, []).append(tag.name)
    comment_settings = CommentSettings.for_work(work)
    membership = work.series_memberships.select_related("series").order_by("series_id").first()
    return WorkInput(
        title=work.title,
        fandoms=tags.get(TagType.FANDOM, []),
        rating=(tags.get(TagType.RATING) or [""])[0],
        warnings=[w for w in vocab.WARNINGS if w in tags.get(TagType.WARNING, [])],
        categories=[c for c in vocab.CATEGORIES if c in tags.get(TagType.CATEGORY, [])],
        relationships=tags.get(TagType.RELATIONSHIP, []),
        characters=tags.get(TagType.CHARACTER, []),
        additional_tags=tags.get(TagType.ADDITIONAL, []),
        summary=work.summary,
        notes=work.notes,
        end_notes=work.end_notes,
        text_format="html",
        language=work.language,
        chapters=[
            ChapterInput(body=c.body, title=c.title, summary=c.summary, notes=c.notes, end_notes=c.end_notes)
            for c in work.chapters.order_by("position")
        ],
        chapters_expected=work.chapters_expected,
        published=work.published if work.backdated else None,
        restricted=work.restricted,
        draft=work.draft,
        comment_permission=str(comment_settings.comment_permission),
        moderate_comments=comment_settings.moderate_comments,
        pseud_ids=list(
            work.creatorships.filter(pseud__user__isnull=False)
            .order_by("position")
            .values_list("pseud_id", flat=True)
        ),
        co_creators=list(
            work.creator_invitations.order_by("created_at", "id").values_list("user__username", flat=True)
        ),
        gifts=list(work.gifts.order_by("id").values_list("recipient_name", flat=True)),
        series_title=membership.series.title if membership else "",
        series_position=membership.position if membership else None,
        related=[
            RelatedInput(
                url=f"/works/{r.parent_id}/" if r.parent_id else r.url,
                relation=r.relation,
                title="" if r.parent_id else r.title,
                creator="" if r.parent_id else r.creator,
            )
            for r in work.related_works.order_by("id")
        ],
    )


def _normalised(value: Any) -> Any:
    return value.replace("\r\n", "\n").strip() if isinstance(value, str) else value


def update_work(user, work: Work, changes: dict[str, Any]) -> Work:
    """Change some of a work's fields (keys from WORK_FIELDS); values equal to the current ones are skipped.

    Only what changes is checked, so an imported work whose old summary is longer than the posting
    limit can still have its title fixed. ``pseud_ids`` are the editing creator's own pseuds (other
    creators stay credited); ``co_creators`` lists the pending invitations (new names are invited,
    missing ones withdrawn); ``series_title`` and ``related`` replace the work's series and links.
    Setting ``draft`` to False posts a draft (see publish_work); a posted work can't become a draft.
    """
    require_edit(user, work)
    unknown = sorted(set(changes) - WORK_FIELDS)
    if unknown:
        raise PostingError(f"Unknown field {unknown[0]!r}.", unknown[0])
    current = work_input_from(work)
    changed = {
        name: value
        for name, value in changes.items()
        if _normalised(value) != _normalised(getattr(current, name))
    }
    changed.pop("text_format", None)  # it only says how to read the texts sent along with it
    if not changed:
        return work
    data = dataclasses.replace(current, **changes)
    if "text_format" not in changes:
        data.text_format = "html"  # the current texts are stored HTML
    updates: dict[str, Any] = {}
    today = timezone.localdate()

    tags = clean_tags(data) if changed.keys() & TAG_FIELD_NAMES else None
    if "title" in changed:
        updates["title"] = clean_title(data.title)
    text_changes = changed.keys() & {name for name, _ in TEXT_FIELDS}
    if text_changes:
        updates.update(clean_texts(data, text_changes))
    if "language" in changed:
        updates["language"] = clean_language(data.language)
    posted = work.chapters.count()
    if "chapters_expected" in changed:
        updates["chapters_expected"] = clean_chapters_expected(data.chapters_expected, posted)
        updates["complete"] = is_complete(updates["chapters_expected"], posted)
    if "published" in changed:
        if data.published is not None:
            updates["published"] = clean_published(data.published, today)
            updates["backdated"] = updates["published"] < today
        else:  # no chosen date: a posted work keeps its date, a draft will take the posting day
            updates["backdated"] = False
            if work.draft:
                updates["published"] = today
    if "comment_permission" in changed:
        clean_comment_permission(data.comment_permission)
    if "restricted" in changed:
        updates["restricted"] = bool(data.restricted)
    publishing = False
    if "draft" in changed:
        if data.draft and not work.draft:
            raise PostingError("A posted work can't become a draft again.", "draft")
        publishing = work.draft and not data.draft
        if publishing:
            _check_ready_to_post(data)
    is_creator = permissions.is_creator(user, work)
    pseuds = None
    if "pseud_ids" in changed:
        own = set(Pseud.objects.filter(user_id=user.pk).values_list("pk", flat=True))
        credited = set(current.pseud_ids)
        mine = [i for i in data.pseud_ids if i in own or i not in credited]
        if not is_creator:
            raise PostingError(
                "Only the work's creators can change the pseuds it is credited to.", "pseud_ids"
            )
        pseuds = own_pseuds(user, mine)
    invitees = clean_invitees(user, data.co_creators) if "co_creators" in changed else None
    gifts = None
    if "gifts" in changed:
        gifts = clean_gifts(user, data.gifts, already={name.lower() for name in current.gifts})
    series_title = series_position = None
    if changed.keys() & {"series_title", "series_position"}:
        series_title = clean_series_title(data.series_title)
        series_position = clean_series_position(data.series_position)
    related = clean_related(user, data.related, work) if "related" in changed else None

    with transaction.atomic():
        if tags is not None:
            _set_tags(work, tags)
        if "published" in updates:
            # Chapters posted with the work move with its date; later chapters keep theirs.
            Chapter.objects.filter(work=work, published=work.published).update(published=updates["published"])
        for name, value in updates.items():
            setattr(work, name, value)
        if "published" in updates:
            latest = work.chapters.aggregate(m=Max("published"))["m"]
            work.updated = max(d for d in (latest, work.published) if d is not None)
        work.save()
        if "comment_permission" in changed or "moderate_comments" in changed:
            _save_comment_settings(user, work, data.comment_permission, bool(data.moderate_comments))
        if pseuds is not None:
            _replace_own_pseuds(work, user, pseuds or [default_pseud(user)])
        if invitees is not None:
            CreatorInvitation.objects.filter(work=work).exclude(user__in=invitees).delete()
            _invite(work, user, invitees)
        if gifts is not None:
            Gift.objects.filter(work=work).delete()
            Gift.objects.bulk_create(
                Gift(work=work, recipient_name=g.name, recipient=g.recipient) for g in gifts
            )
        if series_title is not None:
            if series_title:
                owners = permissions.creator_user_ids(work) | {user.pk}
                _leave_series(work, keep=_join_series(work, series_title, series_position, owners))
            else:
                _leave_series(work)
        if related is not None:
            _set_related(work, related)
        if publishing:
            _publish(work, today)
        index_works([work.pk])
        if publishing:
            enqueue_subscriber_notifications(work)
        if not work.draft:
            _check_exchange_gifts(work)
    return work


def _replace_own_pseuds(work: Work, user, pseuds: list[Pseud]) -> None:
    Creatorship.objects.filter(work=work, pseud__user_id=user.pk).exclude(pseud__in=pseuds).delete()
    present = set(Creatorship.objects.filter(work=work).values_list("pseud_id", flat=True))
    last = Creatorship.objects.filter(work=work).aggregate(m=Max("position"))["m"]
    start = 0 if last is None else last + 1
    new = [p for p in pseuds if p.pk not in present]
    Creatorship.objects.bulk_create(
        Creatorship(work=work, pseud=p, position=start + i) for i, p in enumerate(new)
    )


def _publish(work: Work, today: dt.date) -> None:
    """A draft becomes a posted work: dated today unless its creator backdated it."""
    published = work.published if work.backdated else today
    work.draft = False
    work.published = published
    work.updated = published
    work.save(update_fields=["draft", "published", "updated", "modified_at"])
    Chapter.objects.filter(work=work).update(published=published)


def _check_ready_to_post(data: WorkInput) -> None:
    """What a draft needs before it is posted; an uploaded file may lack some of it, such as a fandom."""
    clean_tags(data)
    clean_title(data.title)
    if not data.chapters:
        raise PostingError("A work needs at least one chapter.", "chapters")


def publish_work(user, work: Work) -> Work:
    """Post a draft (today's date unless backdated); checks what posting needs, then tells subscribers."""
    require_edit(user, work)
    if not work.draft:
        raise PostingError("This work has already been posted.", "draft")
    _check_ready_to_post(work_input_from(work))
    with transaction.atomic():
        _publish(work, timezone.localdate())
        index_works([work.pk])
        enqueue_subscriber_notifications(work)
        _check_exchange_gifts(work)
    return work


def delete_work(user, work: Work) -> None:
    """Delete the work, its chapters and its search document; a series left empty goes too."""
    if not permissions.can_delete_work(user, work):
        raise PostingError("Only the work's creators can delete it.")
    with transaction.atomic():
        SearchDocument.objects.filter(work_id=work.pk).delete()
        _leave_series(work)
        work_id = work.pk
        work.delete()
        note_changed([work_id])  # every process's search index drops it


# --- co-creator invitations -----------------------------------------------------------------------------------


def accept_invitation(user, invitation: CreatorInvitation) -> Creatorship:
    """The invitee becomes a credited co-creator (under their default pseud) and may edit the work."""
    if not permissions.can_post(user) or invitation.user_id != user.pk:
        raise PostingError("This invitation is not yours.")
    with transaction.atomic():
        pseud = default_pseud(user)
        last = Creatorship.objects.filter(work_id=invitation.work_id).aggregate(m=Max("position"))["m"]
        creatorship, _ = Creatorship.objects.get_or_create(
            work_id=invitation.work_id, pseud=pseud, defaults={"position": 0 if last is None else last + 1}
        )
        invitation.delete()
        index_works([creatorship.work_id])
    return creatorship


def decline_invitation(user, invitation: CreatorInvitation) -> None:
    if not permissions.can_post(user) or invitation.user_id != user.pk:
        raise PostingError("This invitation is not yours.")
    invitation.delete()


# --- uploading a file ---------------------------------------------------------------------------------------


def import_upload(user, data: bytes, filename: str) -> Work:
    """A file read by the importer becomes a draft credited to the uploader's default pseud."""
    from fanfold.imports.mapping import to_draft
    from fanfold.imports.parsed import ImportFailed
    from fanfold.imports.services import parse_bytes
    from fanfold.works.services import create_work

    if not permissions.can_post(user):
        raise PostingError("Please log in with an active account to post a work.")
    try:
        parsed = parse_bytes(data, filename)
        draft = to_draft(parsed, build_index(), default_language=settings.DEFAULT_WORK_LANGUAGE)
    except ImportFailed as exc:
        raise PostingError(f"Could not import {filename}: {exc}", "file") from None
    with transaction.atomic():
        return create_work(draft, pseuds=[default_pseud(user)], as_draft=True)
