"""Collection services: invitations of works, sub-collections, owners, reserved names, reveals."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from fanfold.challenges.models import CollectionItem, Membership
from fanfold.challenges.services import (
    CollectionError,
    CollectionSettings,
    add_work_to_collection,
    answer_work_invitation,
    create_collection,
    invite_work,
    leave_collection,
    moderate_item,
    reveal_collection,
)
from fanfold.challenges.templatetags.collections import listed_collection_items
from fanfold.challenges.tests.support import collection_for, later, work_of
from fanfold.core.permissions import (
    can_moderate_collection,
    creators_hidden_expression,
    shown_creator_pseuds,
    visible_works,
)
from fanfold.works.models import Work

pytestmark = pytest.mark.django_db


def test_a_moderator_invites_a_work_and_its_creator_accepts(people, client):
    collection = collection_for(people, unrevealed=True)
    work = work_of(people["outsider"], title="Invited Tide")
    with pytest.raises(CollectionError, match="moderators"):
        invite_work(people["member"], collection, work)
    item = invite_work(people["moderator"], collection, work)
    assert not item.creator_approved
    # An invitation neither lists nor hides the work: its creator has not agreed yet.
    assert not CollectionItem.objects.listed().filter(pk=item.pk).exists()
    assert visible_works(AnonymousUser()).filter(pk=work.pk).exists()
    with pytest.raises(CollectionError, match="creators"):
        answer_work_invitation(people["member"], item, accept=True)
    client.force_login(people["outsider"])
    page = client.get(reverse("challenges:work_invitations")).content.decode()
    assert "Invited Tide" in page
    client.post(reverse("challenges:work_invitations"), {"item": item.pk, "action": "accept"})
    item.refresh_from_db()
    assert item.creator_approved and CollectionItem.objects.listed().filter(pk=item.pk).exists()
    assert not visible_works(AnonymousUser()).filter(pk=work.pk).exists()  # now the reveal rules apply


def test_parent_moderators_moderate_sub_collections(people):
    parent = collection_for(people)
    child = create_collection(
        people["owner"], "ficlets", CollectionSettings(title="Ficlets", parent=parent, moderated=True)
    )
    item = add_work_to_collection(people["member"], work_of(people["member"]), child)
    assert can_moderate_collection(people["moderator"], child)
    moderate_item(people["moderator"], item, approve=True)
    with pytest.raises(CollectionError, match="sub-collections"):
        create_collection(people["owner"], "grandchild", CollectionSettings(title="Too Deep", parent=child))
    with pytest.raises(CollectionError, match="owners"):
        create_collection(people["member"], "mine", CollectionSettings(title="Mine", parent=parent))


def test_names_and_owners(people):
    collection = collection_for(people)
    with pytest.raises(CollectionError, match="taken"):
        create_collection(people["member"], "new", CollectionSettings(title="New"))
    with pytest.raises(CollectionError, match="taken"):
        create_collection(people["member"], collection.name, CollectionSettings(title="Again"))
    with pytest.raises(CollectionError, match="only owner"):
        leave_collection(people["owner"], collection)
    leave_collection(people["member"], collection)
    assert not Membership.objects.filter(collection=collection, user=people["member"]).exists()


def test_reveal_view_is_for_moderators(people, client):
    collection = collection_for(people, unrevealed=True, anonymous=True)
    work = work_of(people["member"])
    add_work_to_collection(people["member"], work, collection)
    client.force_login(people["member"])
    assert client.post(reverse("challenges:reveal", args=[collection.name])).status_code == 404
    client.force_login(people["moderator"])
    assert client.post(reverse("challenges:reveal", args=[collection.name])).status_code == 302
    collection.refresh_from_db()
    assert not collection.is_unrevealed() and not collection.hides_creators()
    assert visible_works(AnonymousUser()).filter(pk=work.pk).exists()


def test_reveal_collection_keeps_a_past_reveal_time(people):
    collection = collection_for(people, unrevealed=True, reveal_at=later(days=-2))
    before = collection.reveal_at
    reveal_collection(collection)
    assert collection.reveal_at == before


def test_byline_helpers(people, client):
    collection = collection_for(people, anonymous=True, moderated=True)
    work = work_of(people["member"], title="Veiled Harbour", series_title="Harbour Nights")
    item = add_work_to_collection(people["member"], work, collection)
    annotated = Work.objects.annotate(creators_hidden_now=creators_hidden_expression()).get(pk=work.pk)
    assert annotated.creators_hidden_now is True  # a pending item hides the creators already
    assert shown_creator_pseuds(people["outsider"], annotated) == []
    assert [p.name for p in shown_creator_pseuds(people["member"], annotated)] == ["marsh_wren"]
    prefetched = Work.objects.prefetch_related("collection_items").get(pk=work.pk)
    assert listed_collection_items(prefetched) == []
    moderate_item(people["moderator"], item, approve=True)
    prefetched = Work.objects.prefetch_related("collection_items").get(pk=work.pk)
    assert [i.pk for i in listed_collection_items(prefetched)] == [item.pk]
    series = work.series_memberships.get().series
    page = client.get(reverse("works:series", args=[series.pk])).content.decode()
    assert "Veiled Harbour" in page and "marsh_wren" not in page
