"""Helpers of the collection tests. All names and text are invented for the tests."""

from __future__ import annotations

import datetime as dt
from itertools import count

from django.utils import timezone

from fanfold.challenges.models import Collection, Membership
from fanfold.challenges.services import CollectionSettings, create_collection, invite_member, join_collection
from fanfold.works.tests.posting_support import post

_titles = count(1)


def collection_for(people, name: str = "harbour-fest", **settings) -> Collection:
    """A collection owned by people["owner"], with people["moderator"] and people["member"] in it."""
    fields = {"title": name.replace("-", " ").title(), **settings}
    collection = create_collection(people["owner"], name, CollectionSettings(**fields))
    invite_member(people["owner"], collection, people["moderator"], Membership.Role.MODERATOR)
    join_collection(people["moderator"], collection)
    invite_member(people["owner"], collection, people["member"])
    join_collection(people["member"], collection)
    return collection


def work_of(user, **overrides):
    """A posted work by ``user``."""
    overrides.setdefault("title", f"Tide Table {next(_titles)}")
    return post(user, **overrides)


def later(**kwargs) -> dt.datetime:
    return timezone.now() + dt.timedelta(**kwargs)


def earlier(**kwargs) -> dt.datetime:
    return timezone.now() - dt.timedelta(**kwargs)
