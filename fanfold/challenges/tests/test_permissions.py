"""Who may do what in a collection, unrevealed works, anonymous creators."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from fanfold.challenges.models import CollectionItem
from fanfold.challenges.services import (
    CollectionError,
    CollectionSettings,
    add_work_to_collection,
    moderate_item,
    reveal_collection,
    update_collection,
)
from fanfold.challenges.templatetags.collections import shown_creators
from fanfold.challenges.tests.support import collection_for, earlier, later, work_of
from fanfold.core.permissions import (
    can_edit_collection,
    can_moderate_collection,
    can_post_to_collection,
    can_see_creators,
    can_view_work,
    creators_hidden,
    hidden_creators_q,
    visible_works,
)
from fanfold.works.models import Work

pytestmark = pytest.mark.django_db

ROLES = ("owner", "moderator", "member", "outsider", "staff", "guest")


def viewer(people, role):
    return AnonymousUser() if role == "guest" else people[role]


@pytest.mark.parametrize(
    ("role", "moderates", "edits", "posts", "posts_members_only", "posts_closed"),
    [
        ("owner", True, True, True, True, True),
        ("moderator", True, False, True, True, True),
        ("member", False, False, True, True, False),
        ("outsider", False, False, True, False, False),
        ("staff", True, True, True, True, True),
        ("guest", False, False, False, False, False),
    ],
)
def test_permission_matrix(people, role, moderates, edits, posts, posts_members_only, posts_closed):
    collection = collection_for(people)
    user = viewer(people, role)
    assert can_moderate_collection(user, collection) is moderates
    assert can_edit_collection(user, collection) is edits
    assert can_post_to_collection(user, collection) is posts
    collection.members_only = True
    collection.save()
    assert can_post_to_collection(user, collection) is posts_members_only
    collection.members_only, collection.open = False, False
    collection.save()
    assert can_post_to_collection(user, collection) is posts_closed


def test_only_owners_change_settings(people):
    collection = collection_for(people)
    for role in ("moderator", "member", "outsider"):
        with pytest.raises(CollectionError, match="owners"):
            update_collection(people[role], collection, CollectionSettings(title="Renamed"))
    update_collection(people["owner"], collection, CollectionSettings(title="Renamed"))
    collection.refresh_from_db()
    assert collection.title == "Renamed"


def test_moderated_collection_items_wait_for_a_moderator(people):
    collection = collection_for(people, moderated=True)
    work = work_of(people["member"])
    item = add_work_to_collection(people["member"], work, collection)
    assert item.status == CollectionItem.Status.PENDING
    assert not CollectionItem.objects.listed().filter(pk=item.pk).exists()
    for role in ("member", "outsider"):
        with pytest.raises(CollectionError, match="moderators"):
            moderate_item(people[role], item, approve=True)
    moderate_item(people["moderator"], item, approve=True)
    assert CollectionItem.objects.listed().filter(pk=item.pk).exists()
    # A moderator's own work goes in approved.
    own = add_work_to_collection(people["moderator"], work_of(people["moderator"]), collection)
    assert own.status == CollectionItem.Status.APPROVED


def test_only_creators_add_their_works(people):
    collection = collection_for(people)
    work = work_of(people["member"])
    with pytest.raises(CollectionError, match="your own works"):
        add_work_to_collection(people["outsider"], work, collection)
    collection.open = False
    collection.save()
    with pytest.raises(CollectionError, match="closed"):
        add_work_to_collection(people["member"], work, collection)


@pytest.mark.parametrize(
    ("role", "sees_before"),
    [
        ("owner", True),
        ("moderator", True),
        ("member", False),
        ("outsider", False),
        ("staff", True),
        ("guest", False),
    ],
)
def test_unrevealed_works_before_and_after_the_reveal_time(people, role, sees_before):
    collection = collection_for(people, unrevealed=True, reveal_at=later(hours=2))
    work = work_of(people["member"], title="Secret Santa Lighthouse")
    add_work_to_collection(people["member"], work, collection)
    other = work_of(people["outsider"], title="Plain Lighthouse")
    user = viewer(people, role)
    if role == "member":
        sees_before = True  # the member wrote it: creators always see their works
    assert visible_works(user).filter(pk=work.pk).exists() is sees_before
    assert can_view_work(user, Work.objects.get(pk=work.pk)) is sees_before
    assert visible_works(user).filter(pk=other.pk).exists()
    # Three hours later the reveal time has passed: no job had to run.
    after = later(hours=3)
    assert visible_works(user, now=after).filter(pk=work.pk).exists()
    assert can_view_work(user, Work.objects.get(pk=work.pk), now=after)


def test_unrevealed_hides_from_an_outsider_until_revealed_by_hand(people, client):
    collection = collection_for(people, unrevealed=True)  # no reveal time: a moderator reveals
    work = work_of(people["member"], title="Hidden Tide")
    add_work_to_collection(people["member"], work, collection)
    assert not visible_works(people["outsider"], now=later(days=3650)).filter(pk=work.pk).exists()
    assert client.get(reverse("works:detail", args=[work.pk])).status_code == 404
    reveal_collection(collection)
    assert visible_works(people["outsider"]).filter(pk=work.pk).exists()
    assert client.get(reverse("works:detail", args=[work.pk])).status_code == 200


def test_a_rejected_or_invited_item_does_not_hide_the_work(people):
    collection = collection_for(people, unrevealed=True, moderated=True)
    work = work_of(people["outsider"])
    item = add_work_to_collection(people["outsider"], work, collection)
    assert not visible_works(people["member"]).filter(pk=work.pk).exists()  # pending hides already
    moderate_item(people["moderator"], item, approve=False)
    assert visible_works(people["member"]).filter(pk=work.pk).exists()


def test_reveal_past_time_is_visible(people):
    collection = collection_for(people, unrevealed=True, reveal_at=earlier(minutes=1))
    work = work_of(people["member"])
    add_work_to_collection(people["member"], work, collection)
    assert visible_works(AnonymousUser()).filter(pk=work.pk).exists()


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("owner", True),
        ("moderator", True),
        ("member", True),
        ("outsider", False),
        ("staff", True),
        ("guest", False),
    ],
)
def test_anonymous_collection_hides_creators(people, role, sees):
    collection = collection_for(people, anonymous=True, reveal_creators_at=later(days=1))
    work = work_of(people["member"])
    add_work_to_collection(people["member"], work, collection)
    user = viewer(people, role)
    assert creators_hidden(work)
    assert can_see_creators(user, work) is sees
    names = [p.name for p in shown_creators(work, user)]
    assert names == (["marsh_wren"] if sees else [])
    assert can_see_creators(user, work, now=later(days=2))
    hidden = Work.objects.filter(pk=work.pk).filter(hidden_creators_q(user)).exists()
    assert hidden is not sees


def test_anonymous_creators_in_listings_detail_and_feeds(people, client):
    collection = collection_for(people, anonymous=True)
    work = work_of(people["member"], title="Masked Ferry", additional_tags=["Lantern Festival"])
    add_work_to_collection(people["member"], work, collection)
    listing = client.get(reverse("works:list")).content.decode()
    assert "Masked Ferry" in listing and "marsh_wren" not in listing and "Anonymous" in listing
    detail = client.get(reverse("works:detail", args=[work.pk])).content.decode()
    assert "marsh_wren" not in detail.split('class="byline"')[1].split("</p>")[0]
    client.force_login(people["member"])
    detail = client.get(reverse("works:detail", args=[work.pk])).content.decode()
    assert "marsh_wren" in detail.split('class="byline"')[1].split("</p>")[0]
    client.logout()
    tag = work.tags.get(name="Lantern Festival")
    feed = client.get(reverse("tags:feed", args=[tag.name]))
    assert feed.status_code == 200
    body = feed.content.decode()
    assert "Masked Ferry" in body and "marsh_wren" not in body
    reveal_collection(collection)
    listing = client.get(reverse("works:list")).content.decode()
    assert "marsh_wren" in listing
