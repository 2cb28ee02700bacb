"""The people and things the access-control matrix is checked against. All names are invented.

Roles:
- guest: not signed in;
- user: an ordinary signed-in reader, who wrote the comment, the bookmark and the subscription below;
- owner: the creator of the work, the draft, the series, the pseud and the API token below;
- moderator: the work's co-creator, who moderates its comments (comment moderation belongs to a work's
  creators), and a moderator of every collection below;
- wrangler: a member of the Tag Wranglers group;
- admin: a staff superuser;
- blocked: an account the owner has blocked;
- suspended: an account suspended by an admin (inactive: its session and token no longer work).

Collections (all owned by ``owner``, with ``moderator`` as an approved moderator; see build_collections):
- matrix-circle: a moderated collection, unrevealed and anonymous until a moderator reveals it; ``user``
  is an approved member whose work waits for approval;
- matrix-calendar: a prompt calendar with a prompt on day 1;
- matrix-meme: a prompt meme with a prompt posted and claimed by ``user``;
- matrix-swap: a gift exchange open for sign-ups, ``user`` signed up;
- matrix-sent-swap: a gift exchange whose assignments are sent: ``user`` writes for ``wrangler`` and
  ``wrangler`` for ``user``.
The owner also has a restricted (archive-locked) work, the one the download row fetches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ROLES = ("guest", "user", "owner", "moderator", "wrangler", "admin", "blocked", "suspended")


@dataclass
class World:
    users: dict[str, Any]
    tokens: dict[str, str]
    ids: dict[str, Any] = field(default_factory=dict)


def build_world() -> World:
    from django.contrib.auth.models import Group

    from fanfold.accounts.models import Pseud
    from fanfold.accounts.services import suspend_user
    from fanfold.accounts.tokens import create_token
    from fanfold.core.permissions import WRANGLERS_GROUP
    from fanfold.downloads import services as downloads
    from fanfold.downloads.naming import file_stem
    from fanfold.social.models import Block, Comment, Subscription
    from fanfold.social.services import create_bookmark, post_comment, subscribe
    from fanfold.tags.services import ensure_fixed_tags
    from fanfold.works import posting
    from fanfold.works.models import Creatorship, Series
    from fanfold.works.tests.posting_support import make_user, work_input

    ensure_fixed_tags()
    users: dict[str, Any] = {}
    for role in ROLES[1:]:
        extra = {"is_staff": True, "is_superuser": True} if role == "admin" else {}
        users[role] = make_user(f"matrix_{role}", **extra)
    users["wrangler"].groups.add(Group.objects.get_or_create(name=WRANGLERS_GROUP)[0])
    owner, moderator = users["owner"], users["moderator"]

    work = posting.post_work(
        owner,
        work_input(title="Matrix Harbour", additional_tags=["Found Family"], series_title="Matrix Tides"),
    )
    Creatorship.objects.create(work=work, pseud=moderator.pseuds.get())
    draft = posting.post_work(owner, work_input(title="Matrix Draft", draft=True))
    comment = post_comment(work, "A kind word about the harbour.", user=users["user"])
    bookmark = create_bookmark(users["user"], work, notes="Lovely.")
    subscription = subscribe(users["user"], work=work)
    Block.objects.create(blocker=owner, blocked=users["blocked"])
    tokens = {role: create_token(user, "matrix")[1] for role, user in users.items()}
    owner_token_id = owner.api_tokens.get().pk if hasattr(owner, "api_tokens") else None
    restricted = posting.post_work(owner, work_input(title="Matrix Lantern Keeper", restricted=True))
    collection_ids = build_collections(users)
    suspend_user(users["suspended"], "Matrix test.")
    ids = {
        "work_id": work.pk,
        "draft_id": draft.pk,
        "position": 1,
        "comment_id": comment.pk,
        "bookmark_id": bookmark.pk,
        "series_id": Series.objects.get(title="Matrix Tides").pk,
        "pseud_id": Pseud.objects.get(user=owner).pk,
        "token_id": owner_token_id,
        "subscription_id": subscription.pk,
        "username": owner.username,
        "name": "Found Family",
        "restricted_work_id": restricted.pk,
        "download_stem": file_stem(restricted.title, restricted.pk),
        "download_updated_at": downloads.updated_at(restricted),
        **collection_ids,
    }
    assert Comment.objects.filter(pk=comment.pk).exists() and Subscription.objects.exists()
    return World(users=users, tokens=tokens, ids=ids)


def build_collections(users: dict[str, Any]) -> dict[str, Any]:
    """The collections, calendar, meme and gift exchanges of the challenges and exchanges rows, made
    through the apps' services; returns the names and ids their URLs need."""
    import datetime as dt

    from django.utils import timezone

    from fanfold.challenges import calendar_services, meme_services
    from fanfold.challenges.models import CollectionItem, Membership
    from fanfold.challenges.services import (
        CollectionSettings,
        add_work_to_collection,
        create_collection,
        invite_member,
        join_collection,
    )
    from fanfold.exchanges import services as exchanges
    from fanfold.exchanges.models import Assignment, Signup
    from fanfold.tags.models import TagType
    from fanfold.tags.services import get_or_create_tags
    from fanfold.works import posting
    from fanfold.works.tests.posting_support import work_input

    owner, moderator, user = users["owner"], users["moderator"], users["user"]

    def collection(name: str, settings: dict | None = None, **extra):
        title = name.replace("-", " ").title()
        made = create_collection(owner, name, CollectionSettings(title=title, **(settings or {})), **extra)
        invite_member(owner, made, moderator, Membership.Role.MODERATOR)
        join_collection(moderator, made)  # accepts the invitation
        return made

    circle = collection("matrix-circle", {"moderated": True, "unrevealed": True, "anonymous": True})
    membership = join_collection(user, circle)
    offering = posting.post_work(user, work_input(title="Matrix Offering"))
    item = add_work_to_collection(user, offering, circle)

    calendar_collection = collection(
        "matrix-calendar",
        calendar={"time_zone": "UTC", "start_date": timezone.now().date() - dt.timedelta(days=2), "days": 31},
    )
    calendar_services.set_day_prompts(owner, calendar_collection.calendar, 1, [("Lanterns at low tide", [])])

    meme_collection = collection(
        "matrix-meme", meme={"claim_days": 14, "claims_per_prompt": 1, "claims_per_user": 3}
    )
    prompt = meme_services.post_prompt(user, meme_collection.meme, "A lighthouse in winter.", [])
    meme_services.claim_prompt(user, prompt)

    fandom = get_or_create_tags(TagType.FANDOM, ["Tidewater Chronicles (Original Work)"])
    rules = exchanges.ExchangeSettings(
        types=[
            exchanges.TypeRules(
                "fandom",
                request_required=1,
                request_allowed=1,
                offer_required=1,
                offer_allowed=1,
                match_required=1,
            )
        ]
    )

    def sign_up(exchange, account):
        wish = exchanges.PromptInput(tags={"fandom": fandom})
        return exchanges.save_signup(account, exchange, account.pseuds.get(), [wish], [wish])

    open_swap = exchanges.create_exchange(owner, collection("matrix-swap"), rules)
    signup = sign_up(open_swap, user)

    sent_swap = exchanges.create_exchange(owner, collection("matrix-sent-swap"), rules)
    sign_up(sent_swap, user)
    sign_up(sent_swap, users["wrangler"])
    exchanges.set_signups_open(owner, sent_swap, open=False)
    exchanges.generate_assignments(owner, sent_swap)
    exchanges.send_assignments(owner, sent_swap)
    assignment = Assignment.objects.get(exchange=sent_swap, giver__user=user)
    assert assignment.status == Assignment.Status.SENT and assignment.receiver.user == users["wrangler"]
    assert circle.is_unrevealed() and circle.hides_creators()
    assert item.status == CollectionItem.Status.PENDING and Signup.objects.filter(pk=signup.pk).exists()

    return {
        "collection_name": circle.name,
        "membership_id": membership.pk,
        "item_id": item.pk,
        "calendar_name": calendar_collection.name,
        "day": 1,
        "meme_name": meme_collection.name,
        "prompt_id": prompt.pk,
        "exchange_name": open_swap.collection.name,
        "signup_id": signup.pk,
        "sent_exchange_name": sent_swap.collection.name,
        "assignment_id": assignment.pk,
    }
