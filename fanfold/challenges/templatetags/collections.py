"""Template helpers of collections: who a work's creators are shown as (anonymous collections)."""

from __future__ import annotations

import contextlib

from django import template

from fanfold.challenges.models import CollectionItem
from fanfold.core.permissions import can_see_creators, works_with_hidden_creators

register = template.Library()

_MEMO = "_fanfold_hidden_creator_works"


def _hidden_here(work, viewer) -> bool:
    """Whether an anonymous collection hides the work's creators, asked once per request (the ids
    are kept on the request's user object), so a listing page costs one query, not one per blurb."""
    annotated = getattr(work, "creators_hidden_now", None)  # see creators_hidden_expression
    if annotated is not None:
        return bool(annotated)
    if viewer is None:
        return work.pk in works_with_hidden_creators([work.pk])
    ids = getattr(viewer, _MEMO, None)
    if ids is None:
        ids = works_with_hidden_creators()
        with contextlib.suppress(AttributeError):  # an object that takes no attributes: ask again
            setattr(viewer, _MEMO, ids)
    return work.pk in ids


@register.filter
def shown_creators(work, viewer=None) -> list:
    """The work's pseuds, or [] while an anonymous collection hides them from this viewer (templates
    print "Anonymous" for an empty list): ``{% for pseud in work|shown_creators:request.user %}``."""
    if _hidden_here(work, viewer) and not can_see_creators(viewer, work):
        return []
    return work.creator_pseuds


@register.filter
def creators_shown(work, viewer=None) -> bool:
    return not _hidden_here(work, viewer) or can_see_creators(viewer, work)


@register.filter
def series_creators(works, viewer=None) -> list:
    """The pseuds of a series page's works, leaving out those an anonymous collection hides."""
    creators: list = []
    for work in works:
        for pseud in shown_creators(work, viewer):
            if pseud not in creators:
                creators.append(pseud)
    return creators


@register.filter
def listed_collection_items(work) -> list:
    """The work's collection items a reader should see named on the work page: approved, accepted by
    the creator (not pending, rejected or merely invited). Uses the prefetched items."""
    return [
        item
        for item in work.collection_items.all()
        if item.status == CollectionItem.Status.APPROVED and item.creator_approved
    ]
