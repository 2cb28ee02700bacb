"""Fill an exchange with synthetic Yuletide-like sign-ups (for demos and for timing the pages and
``generate_assignments`` on a real database). Accounts, pseuds and tags are invented and marked."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from fanfold.accounts.models import Pseud
from fanfold.exchanges.generator import CHARACTER, FANDOM, yuletide_exchange
from fanfold.exchanges.models import GiftExchange, Prompt, PromptTag, Signup
from fanfold.tags.models import Tag

PREFIX = "synthetic"


def _tags(tag_type: str, ids: set[int]) -> dict[int, int]:
    """Tag rows named "Synthetic fandom 12" and so on, made once; returns generator id → Tag pk."""
    label = "Synthetic fandom" if tag_type == FANDOM else "Synthetic character"
    names = {i: f"{label} {i}" for i in ids}
    existing = {t.name: t.pk for t in Tag.objects.filter(type=tag_type, name__in=names.values())}
    missing = [Tag(name=n, type=tag_type, canonical=True) for n in names.values() if n not in existing]
    for tag in missing:  # save() derives name_key, which bulk_create would skip
        tag.name_key = Tag.key_for(tag.name)
    Tag.objects.bulk_create(missing, batch_size=2000)
    existing = {t.name: t.pk for t in Tag.objects.filter(type=tag_type, name__in=names.values())}
    return {i: existing[n] for i, n in names.items()}


def populate(exchange: GiftExchange, participants: int, seed: int) -> int:
    """Add ``participants`` sign-ups (synthetic accounts ``synthetic-<seed>-<n>``). Returns how many."""
    people = yuletide_exchange(participants, seed)
    fandom_ids = {t for p in people for x in (*p.requests, *p.offers) for t in x.tags.get(FANDOM, ())}
    char_ids = {t for p in people for x in (*p.requests, *p.offers) for t in x.tags.get(CHARACTER, ())}
    users_model = get_user_model()
    with transaction.atomic():
        fandoms, characters = _tags(FANDOM, fandom_ids), _tags(CHARACTER, char_ids)
        accounts = sorted({p.account for p in people})
        names = {a: f"{PREFIX}-{seed}-{a}" for a in accounts}
        users_model.objects.bulk_create(
            [users_model(username=n, email="", password="!") for n in names.values()], batch_size=2000
        )
        user_pk = dict(users_model.objects.filter(username__in=names.values()).values_list("username", "pk"))
        pseuds = []
        for i, person in enumerate(people):
            name = names[person.account]
            # a second sign-up of one account uses a second pseud
            pseuds.append(Pseud(user_id=user_pk[name], name=f"{name}-{i}", is_default=False))
        Pseud.objects.bulk_create(pseuds, batch_size=2000)
        signups = Signup.objects.bulk_create(
            [
                Signup(exchange=exchange, pseud=p, user_id=user_pk[names[person.account]])
                for p, person in zip(pseuds, people, strict=True)
            ],
            batch_size=2000,
        )
        prompts, tag_sets = [], []
        for signup, person in zip(signups, people, strict=True):
            for kind, items in ((Prompt.Kind.REQUEST, person.requests), (Prompt.Kind.OFFER, person.offers)):
                for position, item in enumerate(items):
                    prompts.append(
                        Prompt(
                            signup=signup, kind=kind, position=position, any_types=" ".join(sorted(item.any))
                        )
                    )
                    tag_sets.append(
                        [fandoms[t] for t in item.tags.get(FANDOM, ())]
                        + [characters[t] for t in item.tags.get(CHARACTER, ())]
                    )
        Prompt.objects.bulk_create(prompts, batch_size=2000)
        PromptTag.objects.bulk_create(
            [PromptTag(prompt=p, tag_id=t) for p, tags in zip(prompts, tag_sets, strict=True) for t in tags],
            batch_size=5000,
        )
    return len(signups)
