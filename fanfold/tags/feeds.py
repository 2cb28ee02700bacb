"""Atom feed of a tag's newest works (the tag, its canonical tag and every synonym)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.syndication.views import Feed
from django.db.models import Exists, OuterRef, Prefetch
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from fanfold.core.permissions import visible_works, works_with_hidden_creators
from fanfold.search.engine import filter_tag_ids_for_tags
from fanfold.tags.models import Tag
from fanfold.tags.views import tag_by_name
from fanfold.works.models import Creatorship, Work, WorkTag

FEED_SIZE = 20


def _moment(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


class TagWorksFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, name: str) -> Tag:
        return tag_by_name(name).filter_tag

    def title(self, obj: Tag) -> str:
        return f"{obj.name} – {settings.SITE_NAME}"

    def subtitle(self, obj: Tag) -> str:
        return f"The newest works tagged {obj.name} on {settings.SITE_NAME}."

    def link(self, obj: Tag) -> str:
        return reverse("tags:detail", args=[obj.name])

    def feed_url(self, obj: Tag) -> str:
        return reverse("tags:feed", args=[obj.name])

    def items(self, obj: Tag) -> list[Work]:
        # Feeds are fetched by readers that are not signed in and are shared: only public works.
        ids = filter_tag_ids_for_tags([obj.pk])
        works = (
            visible_works(AnonymousUser())
            .filter(Exists(WorkTag.objects.filter(work=OuterRef("pk"), tag_id__in=ids)))
            .defer("notes", "end_notes", "source_fields")
            .prefetch_related(
                Prefetch("creatorships", queryset=Creatorship.objects.select_related("pseud__user"))
            )
            .order_by("-updated", "-id")
        )
        items = list(works[:FEED_SIZE])
        hidden = works_with_hidden_creators(w.pk for w in items)  # one query for the feed
        for work in items:
            setattr(work, "creators_hidden", work.pk in hidden)  # noqa: B010 (not a model field)
        return items

    def item_title(self, item: Work) -> str:
        return item.title

    def item_link(self, item: Work) -> str:
        return reverse("works:detail", args=[item.pk])

    def item_description(self, item: Work) -> str:
        return item.summary  # safe HTML; the Atom writer escapes it into <summary type="html">

    def item_author_name(self, item: Work) -> str:
        if getattr(item, "creators_hidden", False):  # an anonymous collection's work; feeds are public
            return "Anonymous"
        return ", ".join(str(pseud) for pseud in item.creator_pseuds) or "Anonymous"

    def item_pubdate(self, item: Work) -> dt.datetime:
        return _moment(item.published)

    def item_updateddate(self, item: Work) -> dt.datetime:
        return _moment(item.updated)
