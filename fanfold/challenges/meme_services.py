"""Prompt memes: prompts (anonymous if the poster wishes) with tags, claims with caps and expiry, fills.

A claim counts against the caps while it is neither fulfilled nor expired; expiry is a comparison
with the clock (``Claim.objects.active()``), so nothing has to run to release a claim.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from fanfold.challenges.models import Claim, Collection, CollectionItem, CollectionPrompt, PromptMeme
from fanfold.challenges.services import CollectionError, add_work_to_collection
from fanfold.core.permissions import post_to_collection_refusal
from fanfold.core.text import normalize_key
from fanfold.tags.models import TagType
from fanfold.tags.services import get_or_create_tags
from fanfold.works.models import Work

MAX_PROMPT_TAGS = 20


def meme_of(collection: Collection) -> PromptMeme:
    meme = collection.meme_or_none
    if meme is None:
        raise CollectionError(f"{collection.title} is not a prompt meme.")
    return meme


def _require_participant(user, collection: Collection) -> None:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise CollectionError("Log in to take part in the prompt meme.")
    refusal = post_to_collection_refusal(user, collection)
    if refusal:
        raise CollectionError(refusal)


@transaction.atomic
def post_prompt(
    user, meme: PromptMeme, text: str, tags: list[str], *, anonymous: bool = False
) -> CollectionPrompt:
    collection = meme.collection
    _require_participant(user, collection)
    text = text.strip()
    if not text:
        raise CollectionError("Write the prompt.")
    if len(text) > 500:
        raise CollectionError("A prompt is at most 500 characters.")
    if anonymous and not meme.allow_anonymous:
        raise CollectionError("This prompt meme does not take anonymous prompts.")
    names = [n.strip()[:150] for n in tags if n.strip()]
    if len(names) > MAX_PROMPT_TAGS:
        raise CollectionError(f"A prompt has at most {MAX_PROMPT_TAGS} tags.")
    prompt = CollectionPrompt.objects.create(
        collection=collection, text=text, poster=user, anonymous=anonymous
    )
    prompt.tags.set(get_or_create_tags(TagType.ADDITIONAL, names))
    return prompt


def _active_claims_per_prompt(now: dt.datetime) -> Coalesce:
    counts = (
        Claim.objects.active(now)
        .filter(prompt=OuterRef("pk"))
        .order_by()
        .values("prompt")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


def _filled_q() -> Q:
    return Q(Exists(CollectionItem.objects.listed().filter(prompt=OuterRef("pk"))))


def meme_prompts(meme: PromptMeme, *, now: dt.datetime | None = None) -> QuerySet[CollectionPrompt]:
    """Every prompt of the meme, with ``active_claims`` and ``filled`` annotated."""
    now = now or timezone.now()
    return (
        CollectionPrompt.objects.filter(collection_id=meme.pk, day__isnull=True)
        .annotate(active_claims=_active_claims_per_prompt(now), filled=_filled_q())
        .select_related("poster")
        .prefetch_related("tags")
        .order_by("-created_at", "-id")
    )


def open_prompts(
    meme: PromptMeme, *, tags: list[str] | None = None, now: dt.datetime | None = None
) -> QuerySet[CollectionPrompt]:
    """Prompts nobody has filled whose claim cap is not reached, with every given tag (by name)."""
    prompts = meme_prompts(meme, now=now).filter(filled=False)  # type: ignore[misc]  # annotated
    if meme.claims_per_prompt:
        prompts = prompts.filter(active_claims__lt=meme.claims_per_prompt)  # type: ignore[misc]
    for name in tags or []:
        key = normalize_key(name)
        if key:
            prompts = prompts.filter(tags__name_key=key)
    return prompts.distinct()


def claim_refusal(user, prompt: CollectionPrompt, *, now: dt.datetime | None = None) -> str | None:
    now = now or timezone.now()
    meme = meme_of(prompt.collection)
    active = Claim.objects.active(now)
    if active.filter(prompt=prompt, user=user).exists():
        return "You have claimed this prompt already."
    if CollectionItem.objects.listed().filter(prompt=prompt).exists():
        return "This prompt has been filled."
    if meme.claims_per_prompt and active.filter(prompt=prompt).count() >= meme.claims_per_prompt:
        return f"This prompt has reached its limit of {meme.claims_per_prompt} claim(s)."
    if meme.claims_per_user:
        mine = active.filter(user=user, prompt__collection_id=meme.pk).count()
        if mine >= meme.claims_per_user:
            return f"You have {mine} open claim(s) in this meme, its limit: fill or drop one first."
    return None


@transaction.atomic
def claim_prompt(user, prompt: CollectionPrompt, *, now: dt.datetime | None = None) -> Claim:
    """Claim a prompt; it lapses after the meme's ``claim_days`` unless filled."""
    now = now or timezone.now()
    collection = prompt.collection
    meme = meme_of(collection)
    _require_participant(user, collection)
    if prompt.day is not None or prompt.collection_id != meme.pk:
        raise CollectionError("That is not a prompt of this meme.")
    # The prompt's row is the lock that keeps two claims from both taking the last place.
    CollectionPrompt.objects.select_for_update().filter(pk=prompt.pk).first()
    refusal = claim_refusal(user, prompt, now=now)
    if refusal:
        raise CollectionError(refusal)
    return Claim.objects.create(
        prompt=prompt, user=user, claimed_at=now, expires_at=now + dt.timedelta(days=meme.claim_days)
    )


@transaction.atomic
def drop_claim(user, claim: Claim) -> None:
    if claim.user_id != getattr(user, "pk", None):
        raise CollectionError("You can only drop your own claims.")
    if claim.fulfilled_at:
        raise CollectionError("That claim is fulfilled.")
    claim.delete()


@transaction.atomic
def fill_prompt(
    user, work: Work, prompt: CollectionPrompt, *, now: dt.datetime | None = None
) -> CollectionItem:
    """Link the work to the prompt (adding it to the meme's collection); the user's claim is fulfilled.
    Claiming first is not required, as on AO3's prompt memes."""
    now = now or timezone.now()
    collection = prompt.collection
    meme_of(collection)
    if prompt.day is not None:
        raise CollectionError("That is not a prompt of this meme.")
    item = add_work_to_collection(user, work, collection, prompt=prompt)
    if item.prompt_id != prompt.pk:
        raise CollectionError(f"{work.title} fills another prompt of {collection.title} already.")
    Claim.objects.filter(prompt=prompt, user=user, fulfilled_at__isnull=True).update(
        fulfilled_at=now, work=work
    )
    return item
