"""Writes to works. HTML views, the API and the command line all create works through here."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.text import slugify

from fanfold.accounts.models import Pseud
from fanfold.challenges.models import (
    CalendarFill,
    Collection,
    CollectionItem,
    CollectionPrompt,
    PromptCalendar,
)
from fanfold.imports.mapping import WorkDraft
from fanfold.search.indexing import index_works
from fanfold.tags.models import TagType
from fanfold.tags.services import get_or_create_tags
from fanfold.works.models import Chapter, Creatorship, Gift, RelatedWork, Series, SeriesWork, Work, WorkTag

_DRAFT_TAG_FIELDS = (
    (TagType.WARNING, "warnings"),
    (TagType.CATEGORY, "categories"),
    (TagType.FANDOM, "fandoms"),
    (TagType.RELATIONSHIP, "relationships"),
    (TagType.CHARACTER, "characters"),
    (TagType.ADDITIONAL, "additional_tags"),
)


def external_pseud(name: str) -> Pseud:
    """The pseud of a creator who has no account here (an imported author)."""
    pseud = Pseud.objects.external().annotate(lname=Lower("name")).filter(lname=name.lower()).first()
    return pseud or Pseud.objects.create(name=name[:100], user=None)


@transaction.atomic
def create_work(
    draft: WorkDraft,
    *,
    pseuds: list[Pseud] | None = None,
    today: dt.date | None = None,
    as_draft: bool = False,
) -> Work:
    """Create a work with its chapters, tags, creators, series, collections and gifts, all or nothing.

    The importer's way in (``fanfold import``, and uploads on the posting pages with ``as_draft``, so
    the uploader checks the work before posting it). The posting form and the API use
    ``works.posting.post_work``, which checks everything a creator types.
    """
    today = today or timezone.localdate()
    published = draft.published or today
    work = Work.objects.create(
        title=draft.title,
        summary=draft.summary,
        notes=draft.notes,
        end_notes=draft.end_notes,
        language=draft.language,
        word_count=draft.word_count,
        chapters_expected=draft.chapters_expected,
        complete=draft.complete,
        published=published,
        updated=max(draft.updated or published, published),
        backdated=published < today,
        draft=as_draft,
        source_format=draft.source_format,
        source_url=draft.source_url[:500],
        source_fields=draft.unmapped,
    )
    creators = pseuds if pseuds is not None else [external_pseud(name) for name in draft.creators]
    Creatorship.objects.bulk_create(
        Creatorship(work=work, pseud=pseud, position=i) for i, pseud in enumerate(creators)
    )
    tags = get_or_create_tags(TagType.RATING, [draft.rating])
    for tag_type, attribute in _DRAFT_TAG_FIELDS:
        names = getattr(draft, attribute)
        tags += get_or_create_tags(tag_type, names, draft.canonical_names.get(tag_type))
    WorkTag.objects.bulk_create(WorkTag(work=work, tag=tag) for tag in {t.id: t for t in tags}.values())
    Chapter.objects.bulk_create(
        Chapter(
            work=work,
            position=position,
            title=chapter.title[:255],
            summary=chapter.summary,
            notes=chapter.notes,
            end_notes=chapter.end_notes,
            body=chapter.body,
            word_count=chapter.word_count,
            published=published,
        )
        for position, chapter in enumerate(draft.chapters, start=1)
    )
    for series_draft in draft.series:
        series = _series_for(series_draft.name, creators)
        position = series_draft.position or (series.memberships.count() + 1)
        SeriesWork.objects.create(series=series, work=work, position=position)
    for collection_draft in draft.collections:
        collection = _collection_for(collection_draft.name, published)
        calendar = collection.calendar_or_none
        prompt = None
        if collection_draft.prompt_day or collection_draft.prompt_text:
            prompt = _prompt_for(collection, collection_draft.prompt_day, collection_draft.prompt_text)
            if calendar is None:  # an event's own prompts are its moderators' to tag
                prompt_tags = get_or_create_tags(
                    TagType.ADDITIONAL, collection_draft.prompt_tags, draft.canonical_names.get("additional")
                )
                prompt.tags.add(*prompt_tags)
        item = CollectionItem.objects.create(collection=collection, work=work, prompt=prompt)
        if calendar is not None and prompt is not None and prompt.day and prompt.day <= calendar.days:
            CalendarFill.objects.create(item=item, day=prompt.day, prompt=prompt)
    Gift.objects.bulk_create(Gift(work=work, recipient_name=name[:100]) for name in draft.gifts)
    RelatedWork.objects.bulk_create(
        RelatedWork(
            work=work, relation=r.relation, title=r.title[:255], url=r.url[:500], creator=r.creator[:100]
        )
        for r in draft.related
    )
    index_works([work.id])
    return work


def _series_for(title: str, creators: list[Pseud]) -> Series:
    """The creators' existing series of that title, else a new one."""
    existing = Series.objects.filter(title__iexact=title)
    if creators:
        existing = existing.filter(memberships__work__creatorships__pseud__in=creators)
    return existing.distinct().first() or Series.objects.create(title=title[:255])


def _collection_for(title: str, on: dt.date | None = None) -> Collection:
    """The collection an imported work names: an existing prompt calendar of that name ("Whumptober"
    finds the event "Whumptober 2024"; the one running on ``on``, else of that year, else the latest),
    else the collection of that name, created if need be."""
    name = slugify(title)[:100] or "collection"
    calendars = list(
        PromptCalendar.objects.select_related("collection").filter(
            Q(collection__name=name)
            | Q(collection__name__startswith=f"{name}-")
            | Q(collection__title__iexact=title.strip())
            | Q(collection__title__istartswith=f"{title.strip()} ")
        )
    )
    if calendars:

        def rank(calendar: PromptCalendar) -> tuple:
            running = on is not None and calendar.start_date <= on <= calendar.end_date
            same_year = on is not None and calendar.start_date.year == on.year
            return (calendar.collection.name == name, running, same_year, calendar.start_date)

        return max(calendars, key=rank).collection
    collection, _ = Collection.objects.get_or_create(name=name, defaults={"title": title[:255]})
    return collection


def _prompt_for(collection: Collection, day: int | None, text: str) -> CollectionPrompt:
    """An event's prompt for that day (the alternative the fill names, else the day's first), else one by
    its text; created when the collection has none."""
    if day:
        prompts = list(collection.prompts.filter(day=day).order_by("id"))
        named = [p for p in prompts if text and p.text.casefold() == text.strip().casefold()]
        if named or prompts:
            return (named or prompts)[0]
    elif text:
        prompt = collection.prompts.filter(day__isnull=True, text__iexact=text).first()
        if prompt:
            return prompt
    return CollectionPrompt.objects.create(collection=collection, day=day, text=text[:500])
