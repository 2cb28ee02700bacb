"""Prompt memes: prompts, claims with caps and expiry, fills, open prompts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fanfold.challenges import meme_services as memes
from fanfold.challenges.models import Claim, PromptMeme
from fanfold.challenges.services import CollectionError
from fanfold.challenges.tests.support import collection_for, work_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def meme(people):
    collection = collection_for(people, "kinkmeme")
    return PromptMeme.objects.create(
        collection=collection, claim_days=7, claims_per_prompt=2, claims_per_user=1
    )


def test_claim_caps_per_prompt_and_per_user(people, meme):
    prompt = memes.post_prompt(people["outsider"], meme, "Lighthouse keepers swap shifts", ["Swap AU"])
    other = memes.post_prompt(people["outsider"], meme, "A storm, a rowboat", [])
    memes.claim_prompt(people["member"], prompt)
    with pytest.raises(CollectionError, match="already"):
        memes.claim_prompt(people["member"], prompt)
    with pytest.raises(CollectionError, match="limit"):
        memes.claim_prompt(people["member"], other)  # one open claim per person
    memes.claim_prompt(people["moderator"], prompt)
    with pytest.raises(CollectionError, match="limit of 2"):
        memes.claim_prompt(people["owner"], prompt)
    assert list(memes.open_prompts(meme)) == [other]


def test_expired_claims_stop_counting(people, meme):
    prompt = memes.post_prompt(people["outsider"], meme, "Fog bells", [])
    now = timezone.now()
    memes.claim_prompt(people["member"], prompt, now=now)
    memes.claim_prompt(people["moderator"], prompt, now=now)
    assert list(memes.open_prompts(meme, now=now)) == []
    eight_days = now + dt.timedelta(days=8)
    assert list(memes.open_prompts(meme, now=eight_days)) == [prompt]
    memes.claim_prompt(people["owner"], prompt, now=eight_days)  # the expired claims left room
    assert Claim.objects.active(eight_days).filter(prompt=prompt).count() == 1


def test_fill_fulfils_the_claim_and_closes_the_prompt(people, meme):
    prompt = memes.post_prompt(people["outsider"], meme, "Tidepool rescue", ["Hurt/Comfort"])
    claim = memes.claim_prompt(people["member"], prompt)
    work = work_of(people["member"])
    with pytest.raises(CollectionError, match="your own works"):
        memes.fill_prompt(people["outsider"], work, prompt)
    item = memes.fill_prompt(people["member"], work, prompt)
    assert item.prompt_id == prompt.pk
    claim.refresh_from_db()
    assert claim.fulfilled_at is not None and claim.work_id == work.pk
    assert list(memes.open_prompts(meme)) == []
    with pytest.raises(CollectionError, match="filled"):
        memes.claim_prompt(people["moderator"], prompt)
    # The member's cap is free again: fulfilled claims do not count.
    memes.claim_prompt(people["member"], memes.post_prompt(people["owner"], meme, "Another", []))


def test_open_prompts_tag_filter_and_anonymous(people, meme):
    a = memes.post_prompt(people["outsider"], meme, "Sea glass", ["Beachcombing", "Fluff"], anonymous=True)
    memes.post_prompt(people["outsider"], meme, "Shipwreck", ["Angst"])
    assert list(memes.open_prompts(meme, tags=["fluff"])) == [a]
    assert list(memes.open_prompts(meme, tags=["Fluff", "Beachcombing"])) == [a]
    assert list(memes.open_prompts(meme, tags=["Crack"])) == []
    meme.allow_anonymous = False
    meme.save()
    with pytest.raises(CollectionError, match="anonymous"):
        memes.post_prompt(people["outsider"], meme, "Masked", [], anonymous=True)
    with pytest.raises(CollectionError, match="Write the prompt"):
        memes.post_prompt(people["outsider"], meme, "   ", [])
