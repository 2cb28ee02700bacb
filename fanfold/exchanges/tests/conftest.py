"""People, tags and a small exchange for the gift exchange tests. All names are invented."""

from __future__ import annotations

import pytest

from fanfold.accounts.models import Pseud, User
from fanfold.challenges.models import Collection, Membership
from fanfold.exchanges import services
from fanfold.exchanges.services import ExchangeSettings, PromptInput, TypeRules
from fanfold.tags.models import Tag


def make_user(username: str, **extra) -> User:
    user = User.objects.create_user(
        username, email=f"{username}@example.org", password="pw-not-real", **extra
    )
    Pseud.objects.create(user=user, name=username, is_default=True)
    return user


def pseud_of(user: User) -> Pseud:
    return user.pseuds.get(is_default=True)


@pytest.fixture
def tags(db):
    """Two invented fandoms with characters."""
    made = {}
    for name, tag_type in [
        ("Saltmarsh Almanac", "fandom"),
        ("Lighthouse Ledger", "fandom"),
        ("Odile Marsh", "character"),
        ("Perrin Gale", "character"),
        ("Wren Tallow", "character"),
        ("Ada Lumen", "character"),
    ]:
        made[name] = Tag.objects.create(name=name, type=tag_type, canonical=True)
    return made


@pytest.fixture
def moderator(db):
    return make_user("harbourmod")


@pytest.fixture
def exchange(moderator, tags):
    """Sign-ups open; one or two requests and offers; AND rule: 1 fandom and 1 character."""
    collection = Collection.objects.create(name="midwinter", title="Midwinter Swap")
    settings = ExchangeSettings(
        requests_min=1,
        requests_max=2,
        offers_min=1,
        offers_max=2,
        types=[
            TypeRules(
                "fandom",
                request_required=1,
                request_allowed=1,
                offer_required=1,
                offer_allowed=1,
                match_required=1,
            ),
            TypeRules(
                "character",
                request_required=0,
                request_allowed=3,
                request_any=True,
                offer_required=0,
                offer_allowed=4,
                offer_any=True,
                match_required=1,
                match_optional=True,
            ),
        ],
    )
    Membership.objects.create(collection=collection, user=moderator, role=Membership.Role.OWNER)
    return services.create_exchange(moderator, collection, settings)


def prompt(tags, fandom: str, *characters: str, any_character: bool = False, optional: tuple[str, ...] = ()):
    data = PromptInput(tags={"fandom": [tags[fandom]]})
    if characters:
        data.tags["character"] = [tags[c] for c in characters]
    if optional:
        data.optional["character"] = [tags[c] for c in optional]
    if any_character:
        data.any.add("character")
    return data


def sign_up(exchange, user, tags, requests, offers, pseud=None):
    return services.save_signup(user, exchange, pseud or pseud_of(user), requests, offers)
