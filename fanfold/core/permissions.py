"""Who may see which work. Every view, feed and download asks here; nothing else decides.

The rule:
- staff see every work;
- creators see their own works, drafts and works hidden by an admin included;
- everyone else sees works that are neither drafts nor hidden by an admin;
- restricted works are for logged-in users only;
- a work in an unrevealed collection is hidden (until the collection's reveal time) from everyone but
  its creators, the collection's owners and moderators, and staff.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from fanfold.challenges.models import (
    MODERATOR_ROLES,
    Collection,
    CollectionItem,
    Membership,
    hiding_creators_q,
    unrevealed_q,
)
from fanfold.social.models import Block, Bookmark, Comment, CommentPermission, CommentSettings
from fanfold.tags.models import Tag, TagType, WranglerAssignment
from fanfold.works.models import Creatorship, Work, WorkQuerySet


def _is_staff(user) -> bool:
    return bool(user is not None and user.is_active and user.is_staff)


def _is_authenticated(user) -> bool:
    return bool(user is not None and user.is_authenticated)


def _owner_q(user) -> Q | None:
    """Works the user is a creator of, which they may see even when others may not."""
    if not _is_authenticated(user):
        return None
    return Q(Exists(Creatorship.objects.filter(work=OuterRef("pk"), pseud__user_id=user.pk)))


def _is_owner(user, work: Work) -> bool:
    """Python twin of ``_owner_q``."""
    return is_creator(user, work)


def _moderated_collections(user):
    """Ids of the collections the user owns or moderates (approved), and their sub-collections."""
    mine = Membership.objects.filter(
        user_id=user.pk, role__in=MODERATOR_ROLES, status=Membership.Status.APPROVED
    )
    return Collection.objects.filter(
        Q(pk__in=mine.values("collection_id")) | Q(parent_id__in=mine.values("collection_id"))
    ).values("pk")


def _unrevealed_items(user, now: dt.datetime):
    """Items that hide their work from this user right now: in an unrevealed collection the user does
    not moderate. The reveal is a comparison with the clock, so it happens on time by itself."""
    items = CollectionItem.objects.consented().filter(unrevealed_q(now, "collection__"))
    if _is_authenticated(user):
        items = items.exclude(collection_id__in=_moderated_collections(user))
    return items


def is_staff(user) -> bool:
    """Staff see every work, drafts and hidden ones included."""
    return _is_staff(user)


def is_signed_in(user) -> bool:
    return _is_authenticated(user)


def unrevealed_work_ids(user, *, now: dt.datetime | None = None) -> list[int]:
    """Ids of the works an unrevealed collection hides from this user right now (see visible_works)."""
    return list(_unrevealed_items(user, now or timezone.now()).values_list("work_id", flat=True))


def visible_works(user, *, now: dt.datetime | None = None) -> WorkQuerySet:
    """The works this user may see (an anonymous user, a reader, or staff)."""
    works = Work.objects.all()
    if _is_staff(user):
        return works
    public = Q(draft=False, hidden_by_admin=False)
    if not _is_authenticated(user):
        public &= Q(restricted=False)
    public &= ~Q(Exists(_unrevealed_items(user, now or timezone.now()).filter(work=OuterRef("pk"))))
    owner = _owner_q(user)
    return works.filter(public | owner if owner is not None else public)


def can_view_work(user, work: Work, *, now: dt.datetime | None = None) -> bool:
    """The same rule as ``visible_works``, for a work already in hand."""
    if _is_staff(user):
        return True
    if not (work.draft or work.hidden_by_admin) and (not work.restricted or _is_authenticated(user)):
        now = now or timezone.now()
        # The second question only for a work some collection hides: does this user moderate them all?
        if (
            not _in_unrevealed_collection(work, now)
            or not _unrevealed_items(user, now).filter(work=work).exists()
        ):
            return True
    return _is_owner(user, work)  # asked last: it may cost a query


def _in_unrevealed_collection(work: Work, now: dt.datetime) -> bool:
    """Whether any collection hides the work now; from the prefetched items when there are some."""
    cache = getattr(work, "_prefetched_objects_cache", {})
    if "collection_items" in cache:
        return any(
            i.creator_approved
            and i.status != CollectionItem.Status.REJECTED
            and i.collection.is_unrevealed(now)
            for i in cache["collection_items"]
        )
    return CollectionItem.objects.consented().filter(unrevealed_q(now, "collection__"), work=work).exists()


# --- Participation: kudos, comments, bookmarks, gifts ----------------------------------------------
#
# Each rule is a ``*_refusal`` function returning the message to show (None when allowed) and a
# ``can_*`` twin returning a bool. Services raise their error with the message; views and the API can
# use either to decide what to show.

BLOCKED_BY_CREATOR = "Sorry, you have been blocked by one of this work's creators."
NOT_AVAILABLE = "This work is not available."


def is_creator(user, work: Work) -> bool:
    """Whether the user writes this work under one of their pseuds."""
    if not _is_authenticated(user):
        return False
    if "creatorships" in getattr(work, "_prefetched_objects_cache", {}):
        return any(c.pseud.user_id == user.pk for c in work.creatorships.all())
    return Creatorship.objects.filter(work=work, pseud__user=user).exists()


def creator_user_ids(work: Work) -> set[int]:
    """Accounts credited on the work (imported creators without an account are left out)."""
    ids = Creatorship.objects.filter(work=work, pseud__user__isnull=False).values_list(
        "pseud__user_id", flat=True
    )
    return {i for i in ids if i is not None}


def blocked_by_creator(user, work: Work) -> bool:
    """Whether any creator of the work has blocked this user (guests are never blocked)."""
    if not _is_authenticated(user):
        return False
    return Block.objects.filter(blocked=user, blocker__pseuds__creatorships__work=work).exists()


def kudos_refusal(user, work: Work) -> str | None:
    if not can_view_work(user, work):
        return NOT_AVAILABLE
    if is_creator(user, work):
        return "You can't leave kudos on your own work."
    if blocked_by_creator(user, work):
        return BLOCKED_BY_CREATOR
    return None


def can_give_kudos(user, work: Work) -> bool:
    return kudos_refusal(user, work) is None


def comment_refusal(user, work: Work, parent: Comment | None = None) -> str | None:
    """Why this user may not comment on the work (or reply to ``parent``), or None."""
    if not can_view_work(user, work):
        return NOT_AVAILABLE
    settings = CommentSettings.for_work(work)
    if settings.comment_permission == CommentPermission.NOBODY:
        return "Comments are turned off on this work."
    if settings.comment_permission == CommentPermission.REGISTERED and not _is_authenticated(user):
        return "Only logged-in users can comment on this work."
    if blocked_by_creator(user, work):
        return BLOCKED_BY_CREATOR
    if parent is not None:
        if parent.work_id != work.pk:
            return "That comment belongs to another work."
        if parent.deleted:
            return "You can't reply to a deleted comment."
        if parent.status != Comment.Status.PUBLISHED:
            return "You can't reply to a comment that is not published."
        if parent.frozen:
            return "This thread is frozen: no new replies can be added."
        if (
            _is_authenticated(user)
            and parent.user_id
            and Block.objects.filter(blocker_id=parent.user_id, blocked=user).exists()
        ):
            return "Sorry, you have been blocked by the author of that comment."
    return None


def can_comment(user, work: Work, parent: Comment | None = None) -> bool:
    return comment_refusal(user, work, parent) is None


def can_moderate_comments(user, work: Work) -> bool:
    """Creators moderate, delete and freeze comments on their works, and change the settings; staff too."""
    return _is_staff(user) or is_creator(user, work)


def edit_comment_refusal(user, comment: Comment) -> str | None:
    if comment.deleted:
        return "That comment has been deleted."
    if _is_staff(user):
        return None
    if not _is_authenticated(user) or comment.user_id != user.pk:
        return "You can only edit your own comments."
    if comment.frozen:
        return "This thread is frozen: its comments can't be edited."
    return None


def can_edit_comment(user, comment: Comment) -> bool:
    return edit_comment_refusal(user, comment) is None


def can_delete_comment(user, comment: Comment) -> bool:
    """The author, the work's creators and staff."""
    if not _is_authenticated(user):
        return False
    return comment.user_id == user.pk or can_moderate_comments(user, comment.work)


def bookmark_visibility_q(viewer) -> Q:
    """Bookmarks the viewer may see: on works they may see; private ones only their own."""
    q = Q(work__in=visible_works(viewer).values("pk"))
    if _is_authenticated(viewer):
        return q & (Q(private=False) | Q(user=viewer))
    return q & Q(private=False)


def can_view_bookmark(viewer, bookmark: Bookmark) -> bool:
    if bookmark.private and not (_is_authenticated(viewer) and bookmark.user_id == viewer.pk):
        return False
    return can_view_work(viewer, bookmark.work)


def can_edit_bookmark(user, bookmark: Bookmark) -> bool:
    return _is_authenticated(user) and bookmark.user_id == user.pk


def can_delete_bookmark(user, bookmark: Bookmark) -> bool:
    return can_edit_bookmark(user, bookmark) or _is_staff(user)


def gift_refusal(giver, recipient) -> str | None:
    """Why ``giver`` may not give a work to the account ``recipient``, or None."""
    from fanfold.accounts.models import Preference

    if _is_authenticated(giver) and giver.pk == recipient.pk:
        return "You can't give a work to yourself."
    allows = Preference.objects.filter(user=recipient).values_list("allow_gifts", flat=True).first()
    if allows is False:
        return f"{recipient.username} does not accept gifts."
    if _is_authenticated(giver) and Block.objects.filter(blocker=recipient, blocked=giver).exists():
        return f"Sorry, {recipient.username} has blocked you."
    return None


def can_gift(giver, recipient) -> bool:
    return gift_refusal(giver, recipient) is None


# --- Posting: who may post, edit and delete works ------------------------------------------------------


def _is_active_account(user) -> bool:
    return _is_authenticated(user) and bool(getattr(user, "is_active", False))


def can_post(user) -> bool:
    """Logged-in, active accounts post works (a suspended account is inactive)."""
    return _is_active_account(user)


def can_edit_work(user, work: Work) -> bool:
    """A credited creator (an accepted co-creator too, never a pending invitee), or staff."""
    if _is_staff(user):
        return True
    return _is_active_account(user) and is_creator(user, work)


def can_delete_work(user, work: Work) -> bool:
    return can_edit_work(user, work)


def co_creator_refusal(inviter, invitee) -> str | None:
    """Why ``inviter`` may not invite the account ``invitee`` to co-create a work, or None."""
    if not invitee.is_active:
        return f"{invitee.username} can't be invited as a co-creator."
    if _is_authenticated(inviter) and Block.objects.filter(blocker=invitee, blocked=inviter).exists():
        return f"Sorry, {invitee.username} has blocked you."
    return None


def listed_works(user) -> WorkQuerySet:
    """Works that appear in listings and counts: those the user may see, less drafts. A draft is shown
    to its creators on its own page and on their drafts page only, never in listings (as on AO3)."""
    return visible_works(user).filter(draft=False)


# --- Tag wrangling ----------------------------------------------------------------------------------
#
# Staff wrangle everything. Members of the "Tag Wranglers" group (created by a tags migration)
# wrangle the tags of the fandoms they are assigned to, and any tag that has no fandom yet (the
# unwrangled bins everyone shares). A fandom tag belongs to itself.

WRANGLERS_GROUP = "Tag Wranglers"


def is_wrangler(user) -> bool:
    """Staff, or an active account in the "Tag Wranglers" group."""
    if _is_staff(user):
        return True
    return _is_active_account(user) and user.groups.filter(name=WRANGLERS_GROUP).exists()


def _tag_fandom_ids(tag: Tag) -> set[int]:
    if tag.type == TagType.FANDOM:
        return {tag.pk}
    # A synonym is wrangled with its canonical tag, so the canonical tag's fandoms count too.
    owners = [tag.pk] + ([tag.merger_id] if tag.merger_id else [])
    return set(
        Tag.parents.through.objects.filter(from_tag_id__in=owners, to_tag__type=TagType.FANDOM).values_list(
            "to_tag_id", flat=True
        )
    )


def wrangle_refusal(user, tag: Tag | None = None) -> str | None:
    """Why this user may not wrangle the tag (or wrangle at all, with no tag), or None."""
    if not _is_authenticated(user):
        return "Log in as a tag wrangler to wrangle tags."
    if _is_staff(user):
        return None
    if not is_wrangler(user):
        return "Only tag wranglers can wrangle tags."
    if tag is None:
        return None
    fandom_ids = _tag_fandom_ids(tag)
    if not fandom_ids:
        return None  # unwrangled bins are shared by every wrangler
    if WranglerAssignment.objects.filter(user=user, fandom_id__in=fandom_ids).exists():
        return None
    return f"You can't wrangle {tag.name!r}: it belongs to fandoms you are not assigned to."


def can_wrangle(user, tag: Tag | None = None) -> bool:
    return wrangle_refusal(user, tag) is None


# --- Collections: moderation, posting, anonymity ------------------------------------------------------
#
# Owners and moderators of a collection (approved memberships) moderate it and its sub-collections;
# staff moderate every collection.


def _membership(user, collection: Collection) -> Membership | None:
    if not _is_authenticated(user):
        return None
    return Membership.objects.filter(user_id=user.pk, collection=collection).first()


def can_moderate_collection(user, collection: Collection) -> bool:
    """Owners and moderators of the collection or of its parent; staff."""
    if _is_staff(user):
        return True
    if not _is_active_account(user):
        return False
    ids = [collection.pk] + ([collection.parent_id] if collection.parent_id else [])
    return Membership.objects.filter(
        user_id=user.pk, collection_id__in=ids, role__in=MODERATOR_ROLES, status=Membership.Status.APPROVED
    ).exists()


def can_edit_collection(user, collection: Collection) -> bool:
    """Settings are for owners (of the collection or its parent) and staff."""
    if _is_staff(user):
        return True
    if not _is_active_account(user):
        return False
    ids = [collection.pk] + ([collection.parent_id] if collection.parent_id else [])
    return Membership.objects.filter(
        user_id=user.pk, collection_id__in=ids, role=Membership.Role.OWNER, status=Membership.Status.APPROVED
    ).exists()


def is_collection_member(user, collection: Collection) -> bool:
    """An approved member of any role (owners and moderators are members too)."""
    membership = _membership(user, collection)
    return membership is not None and membership.status == Membership.Status.APPROVED


def post_to_collection_refusal(user, collection: Collection) -> str | None:
    """Why this user may not add works to the collection, or None."""
    if not _is_active_account(user):
        return "Log in to add works to a collection."
    if can_moderate_collection(user, collection):
        return None
    if not collection.open:
        return f"{collection.title} is closed: it does not take new works."
    if collection.members_only and not is_collection_member(user, collection):
        return f"Only members of {collection.title} can add works to it."
    return None


def can_post_to_collection(user, collection: Collection) -> bool:
    return post_to_collection_refusal(user, collection) is None


def creators_hidden(work: Work, *, now: dt.datetime | None = None) -> bool:
    """Whether the work is in an anonymous collection that has not revealed its creators yet."""
    now = now or timezone.now()
    cache = getattr(work, "_prefetched_objects_cache", {})
    if "collection_items" in cache:
        return any(
            i.creator_approved
            and i.status != CollectionItem.Status.REJECTED
            and i.collection.hides_creators(now)
            for i in cache["collection_items"]
        )
    return (
        CollectionItem.objects.consented().filter(hiding_creators_q(now, "collection__"), work=work).exists()
    )


def can_see_creators(user, work: Work, *, now: dt.datetime | None = None) -> bool:
    """Everyone, unless the creators are hidden; then the creators, the hiding collections' moderators
    and staff."""
    now = now or timezone.now()
    if not creators_hidden(work, now=now) or _is_staff(user):
        return True
    if not _is_authenticated(user):
        return False
    if is_creator(user, work):
        return True
    hiding = CollectionItem.objects.consented().filter(hiding_creators_q(now, "collection__"), work=work)
    return not hiding.exclude(collection_id__in=_moderated_collections(user)).exists()


def hidden_creators_q(viewer, *, now: dt.datetime | None = None) -> Q:
    """Works whose creators this viewer may not see: creator listings leave them out (a Q on Work)."""
    if _is_staff(viewer):
        return Q(pk__in=[])
    items = CollectionItem.objects.consented().filter(
        hiding_creators_q(now or timezone.now(), "collection__")
    )
    if _is_authenticated(viewer):
        items = items.exclude(collection_id__in=_moderated_collections(viewer))
    hidden = Q(Exists(items.filter(work=OuterRef("pk"))))
    owner = _owner_q(viewer)
    return hidden & ~owner if owner is not None else hidden


def works_with_hidden_creators(work_ids=None, *, now: dt.datetime | None = None) -> set[int]:
    """Ids of works (of ``work_ids``, or all) whose creators an anonymous collection hides now: one
    query for a whole page or feed instead of one per work."""
    items = CollectionItem.objects.consented().filter(
        hiding_creators_q(now or timezone.now(), "collection__")
    )
    if work_ids is not None:
        items = items.filter(work_id__in=list(work_ids))
    return set(items.values_list("work_id", flat=True))


def creators_hidden_expression(*, now: dt.datetime | None = None) -> Exists:
    """``Work.objects.annotate(creators_hidden_now=creators_hidden_expression())``: the listing query
    carries the answer, so blurbs need no query of their own (the byline filter reads it)."""
    items = CollectionItem.objects.consented().filter(
        hiding_creators_q(now or timezone.now(), "collection__")
    )
    return Exists(items.filter(work=OuterRef("pk")))


def shown_creator_pseuds(viewer, work: Work) -> list:
    """The pseuds to show as the work's creators to this viewer: [] ("Anonymous") while an anonymous
    collection hides them from the viewer. Reads the ``creators_hidden_now`` annotation when present."""
    hidden = getattr(work, "creators_hidden_now", None)
    if hidden is None:
        hidden = creators_hidden(work)
    if hidden and not can_see_creators(viewer, work):
        return []
    return work.creator_pseuds
