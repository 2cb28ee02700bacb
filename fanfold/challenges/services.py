"""Writes to collections: creating them, membership, adding works, moderation, reveals.

Shared by the HTML views, the gift exchanges (``fanfold.exchanges``), the posting form and the
command line. Each function is one unit of work and raises ``CollectionError`` with a message to show.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from fanfold.challenges.models import (
    Collection,
    CollectionItem,
    CollectionPrompt,
    Membership,
    PromptCalendar,
    PromptMeme,
    validate_time_zone,
)
from fanfold.core.permissions import (
    can_edit_collection,
    can_moderate_collection,
    can_view_work,
    is_creator,
    post_to_collection_refusal,
)
from fanfold.works.models import Work

MAX_CALENDAR_DAYS = 366
RESERVED_NAMES = {"new", "invitations"}  # page addresses under /collections/


class CollectionError(Exception):
    """A refused or invalid change; the message is meant for the person who asked."""


def is_collection_moderator(user, collection: Collection) -> bool:
    """Owners and moderators of the collection (or its parent), and staff."""
    return can_moderate_collection(user, collection)


@dataclass
class CollectionSettings:
    """What the create and settings forms ask; every field is optional on update."""

    title: str = ""
    description: str = ""
    parent: Collection | None = None
    open: bool = True
    moderated: bool = False
    members_only: bool = False
    joining: str = Collection.Joining.OPEN
    anonymous: bool = False
    reveal_creators_at: dt.datetime | None = None
    unrevealed: bool = False
    reveal_at: dt.datetime | None = None


def _check_parent(user, collection: Collection | None, parent: Collection | None) -> None:
    if parent is None:
        return
    if parent.parent_id:
        raise CollectionError("A sub-collection can't have sub-collections of its own.")
    if collection is not None and (parent.pk == collection.pk or collection.children.exists()):
        raise CollectionError("A collection with sub-collections can't become a sub-collection.")
    if not can_edit_collection(user, parent):
        raise CollectionError(f"Only the owners of {parent.title} can add sub-collections to it.")


@transaction.atomic
def create_collection(
    user,
    name: str,
    settings: CollectionSettings,
    *,
    calendar: dict | None = None,
    meme: dict | None = None,
) -> Collection:
    """A new collection owned by ``user``; with ``calendar`` (time_zone, start_date, days) it is a prompt
    calendar, with ``meme`` (claim_days, claims_per_prompt, claims_per_user) a prompt meme."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise CollectionError("Log in to create a collection.")
    name = slugify(name)[:100]
    if not name:
        raise CollectionError(
            "Give the collection a name of letters, digits, - or _ (it goes in its address)."
        )
    if not settings.title.strip():
        raise CollectionError("Give the collection a title.")
    if name in RESERVED_NAMES or Collection.objects.filter(name=name).exists():
        raise CollectionError(f"The name {name!r} is taken; choose another.")
    _check_parent(user, None, settings.parent)
    collection = Collection(name=name, created_by=user)
    _apply(collection, settings)
    try:
        with transaction.atomic():
            collection.save()
    except IntegrityError as error:
        raise CollectionError(f"The name {name!r} is taken; choose another.") from error
    Membership.objects.create(
        collection=collection, user=user, role=Membership.Role.OWNER, status=Membership.Status.APPROVED
    )
    if calendar is not None:
        set_calendar(user, collection, **calendar)
    if meme is not None:
        PromptMeme.objects.create(collection=collection, **meme)
    _schedule_reveal(collection)
    return collection


def _apply(collection: Collection, settings: CollectionSettings) -> None:
    collection.title = settings.title.strip()[:255]
    collection.description = settings.description
    collection.parent = settings.parent
    collection.open = settings.open
    collection.moderated = settings.moderated
    collection.members_only = settings.members_only
    if settings.joining not in Collection.Joining.values:
        raise CollectionError("Choose how people join the collection.")
    collection.joining = settings.joining
    collection.anonymous = settings.anonymous
    collection.reveal_creators_at = settings.reveal_creators_at
    collection.unrevealed = settings.unrevealed
    if collection.reveal_at != settings.reveal_at:
        collection.reveal_notified_at = None  # a new reveal time: its notifications are still to come
    collection.reveal_at = settings.reveal_at


@transaction.atomic
def update_collection(user, collection: Collection, settings: CollectionSettings) -> Collection:
    if not can_edit_collection(user, collection):
        raise CollectionError("Only the collection's owners can change its settings.")
    _check_parent(user, collection, settings.parent)
    _apply(collection, settings)
    collection.save()
    _schedule_reveal(collection)
    return collection


def set_calendar(
    user, collection: Collection, *, time_zone: str, start_date: dt.date, days: int
) -> PromptCalendar:
    """Make the collection a prompt calendar (or change its dates)."""
    if not can_edit_collection(user, collection):
        raise CollectionError("Only the collection's owners can change its calendar.")
    try:
        validate_time_zone(time_zone)
    except ValidationError as error:
        raise CollectionError(error.messages[0]) from error
    if not 1 <= days <= MAX_CALENDAR_DAYS:
        raise CollectionError(f"A calendar has 1 to {MAX_CALENDAR_DAYS} days.")
    with transaction.atomic():
        calendar, _ = PromptCalendar.objects.update_or_create(
            collection=collection, defaults={"time_zone": time_zone, "start_date": start_date, "days": days}
        )
    return calendar


# ---- membership --------------------------------------------------------------------------------------


def join_collection(user, collection: Collection) -> Membership:
    """Join (open collections) or ask to join (collections that approve members); accepts an invitation."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise CollectionError("Log in to join a collection.")
    with transaction.atomic():
        membership = Membership.objects.select_for_update().filter(collection=collection, user=user).first()
        if membership is not None:
            if membership.status == Membership.Status.INVITED:
                membership.status = Membership.Status.APPROVED
                membership.save(update_fields=["status"])
            return membership
        if collection.joining == Collection.Joining.INVITE:
            raise CollectionError(f"{collection.title} takes members by invitation only.")
        status = (
            Membership.Status.APPROVED
            if collection.joining == Collection.Joining.OPEN
            else Membership.Status.REQUESTED
        )
        return Membership.objects.create(collection=collection, user=user, status=status)


def leave_collection(user, collection: Collection) -> None:
    """Leave, withdraw a request or decline an invitation. The last owner can't leave."""
    with transaction.atomic():
        membership = Membership.objects.select_for_update().filter(collection=collection, user=user).first()
        if membership is None:
            raise CollectionError(f"You are not a member of {collection.title}.")
        if membership.role == Membership.Role.OWNER and membership.status == Membership.Status.APPROVED:
            owners = collection.memberships.filter(
                role=Membership.Role.OWNER, status=Membership.Status.APPROVED
            )
            if owners.count() <= 1:
                raise CollectionError("You are its only owner: make someone else an owner before you leave.")
        membership.delete()


def invite_member(moderator, collection: Collection, user, role: str = Membership.Role.MEMBER) -> Membership:
    """A moderator invites someone (owners may invite moderators and owners)."""
    if not can_moderate_collection(moderator, collection):
        raise CollectionError("Only the collection's moderators can invite members.")
    if role not in Membership.Role.values:
        raise CollectionError("Unknown role.")
    if role != Membership.Role.MEMBER and not can_edit_collection(moderator, collection):
        raise CollectionError("Only owners can make moderators and owners.")
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(
            collection=collection, user=user, defaults={"role": role, "status": Membership.Status.INVITED}
        )
        if not created:
            if membership.status == Membership.Status.REQUESTED:
                membership.status = Membership.Status.APPROVED  # they asked already: inviting approves
            membership.role = role
            membership.save(update_fields=["status", "role"])
    return membership


def decide_membership(moderator, membership: Membership, *, approve: bool, role: str | None = None) -> None:
    """Approve or refuse a request; with ``role``, change an approved member's role (owners only)."""
    collection = membership.collection
    if not can_moderate_collection(moderator, collection):
        raise CollectionError("Only the collection's moderators can manage its members.")
    with transaction.atomic():
        if not approve:
            if membership.role == Membership.Role.OWNER and not can_edit_collection(moderator, collection):
                raise CollectionError("Only owners can remove an owner.")
            if membership.role == Membership.Role.OWNER:
                others = collection.memberships.filter(
                    role=Membership.Role.OWNER, status=Membership.Status.APPROVED
                ).exclude(pk=membership.pk)
                if not others.exists():
                    raise CollectionError("A collection keeps at least one owner.")
            membership.delete()
            return
        if role is not None and role != membership.role:
            if role not in Membership.Role.values:
                raise CollectionError("Unknown role.")
            if not can_edit_collection(moderator, collection):
                raise CollectionError("Only owners can change roles.")
            membership.role = role
        if membership.status == Membership.Status.REQUESTED:
            membership.status = Membership.Status.APPROVED
        membership.save(update_fields=["role", "status"])


# ---- works in collections ----------------------------------------------------------------------------


def check_exchange_gifts(work: Work) -> None:
    """A gift entering an exchange's collection may answer an assignment: checked after the commit."""
    from fanfold.exchanges.services import record_posted_gifts  # local: exchanges imports challenges

    transaction.on_commit(lambda: record_posted_gifts(work))


@transaction.atomic
def add_work_to_collection(
    user,
    work: Work,
    collection: Collection,
    *,
    prompt: CollectionPrompt | None = None,
    approved: bool | None = None,
) -> CollectionItem:
    """A creator puts their work in a collection (the service the posting form and exchanges use).

    In a moderated collection the item waits for a moderator, unless the user moderates it or
    ``approved`` says otherwise (a gift exchange posting assigned gifts). Adding again is a no-op that
    returns the existing item (an invitation waiting for the creator is accepted).
    """
    if not is_creator(user, work):
        raise CollectionError("You can only add your own works to a collection.")
    if not can_view_work(user, work):
        raise CollectionError("That work is not available.")
    if prompt is not None and prompt.collection_id != collection.pk:
        raise CollectionError("That prompt belongs to another collection.")
    check_exchange_gifts(work)
    existing = CollectionItem.objects.select_for_update().filter(collection=collection, work=work).first()
    if existing is not None:
        if not existing.creator_approved:
            existing.creator_approved = True
            existing.save(update_fields=["creator_approved"])
        if prompt is not None and existing.prompt_id is None:
            existing.prompt = prompt
            existing.save(update_fields=["prompt"])
        return existing
    refusal = post_to_collection_refusal(user, collection)
    if refusal:
        raise CollectionError(refusal)
    if approved is None:
        approved = not collection.moderated or can_moderate_collection(user, collection)
    status = CollectionItem.Status.APPROVED if approved else CollectionItem.Status.PENDING
    return CollectionItem.objects.create(
        collection=collection, work=work, prompt=prompt, added_by=user, status=status
    )


@transaction.atomic
def invite_work(moderator, collection: Collection, work: Work) -> CollectionItem:
    """A moderator invites a work; it joins when one of its creators accepts (approved already)."""
    if not can_moderate_collection(moderator, collection):
        raise CollectionError("Only the collection's moderators can invite works.")
    if not can_view_work(moderator, work) or work.draft:
        raise CollectionError("That work is not available.")
    item, created = CollectionItem.objects.get_or_create(
        collection=collection,
        work=work,
        defaults={"added_by": moderator, "creator_approved": is_creator(moderator, work)},
    )
    if not created:
        raise CollectionError(f"{work.title} is in {collection.title} already (or invited).")
    return item


@transaction.atomic
def answer_work_invitation(user, item: CollectionItem, *, accept: bool) -> None:
    if not is_creator(user, item.work):
        raise CollectionError("Only the work's creators can answer this invitation.")
    if item.creator_approved:
        raise CollectionError("That work is in the collection already.")
    if accept:
        item.creator_approved = True
        item.save(update_fields=["creator_approved"])
    else:
        item.delete()


@transaction.atomic
def moderate_item(moderator, item: CollectionItem, *, approve: bool) -> CollectionItem:
    if not can_moderate_collection(moderator, item.collection):
        raise CollectionError("Only the collection's moderators can approve or reject works.")
    item.status = CollectionItem.Status.APPROVED if approve else CollectionItem.Status.REJECTED
    item.save(update_fields=["status"])
    if approve:
        check_exchange_gifts(item.work)
    return item


@transaction.atomic
def remove_work_from_collection(user, item: CollectionItem) -> None:
    """The work's creators and the collection's moderators can take a work out."""
    if not (is_creator(user, item.work) or can_moderate_collection(user, item.collection)):
        raise CollectionError("Only the work's creators and the collection's moderators can remove it.")
    item.delete()


# ---- reveals -----------------------------------------------------------------------------------------


def reveal_collection(
    collection: Collection, *, now: dt.datetime | None = None, creators: bool = True
) -> Collection:
    """Reveal the works (and, with ``creators``, the creators) now. Permission checks are the caller's
    (views ask ``can_moderate_collection``; exchanges reveal on their own schedule)."""
    now = now or timezone.now()
    with transaction.atomic():
        fields = []
        if collection.is_unrevealed(now):
            collection.reveal_at = now
            fields.append("reveal_at")
        if creators and collection.hides_creators(now):
            collection.reveal_creators_at = now
            fields.append("reveal_creators_at")
        if fields:
            collection.save(update_fields=fields)
    _schedule_reveal(collection)
    return collection


def _schedule_reveal(collection: Collection) -> None:
    """Queue the reveal notifications for the reveal time. The reveal itself needs no job: visibility
    compares reveal_at with the clock. The task checks again when it runs, so a changed or repeated
    schedule sends nothing twice."""
    if not collection.unrevealed or collection.reveal_at is None or collection.reveal_notified_at:
        return
    from fanfold.challenges.tasks import send_reveal_notifications

    reveal_at = collection.reveal_at
    pk = collection.pk

    def enqueue() -> None:
        task = send_reveal_notifications
        if reveal_at > timezone.now():
            task = task.using(run_after=reveal_at)
        task.enqueue(pk)

    transaction.on_commit(enqueue)
