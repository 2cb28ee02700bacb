"""Query pieces other apps use on collections (the search engine's "collection" scope)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from fanfold.challenges.models import CollectionItem


def collection_works_q(collection_id: int) -> Q:
    """Works a collection lists (a Q on Work): approved items, accepted by their creators, of the
    collection and of its sub-collections. One EXISTS, so a work in two sub-collections counts once."""
    items = CollectionItem.objects.listed().in_collection(collection_id)
    return Q(Exists(items.filter(work=OuterRef("pk"))))
