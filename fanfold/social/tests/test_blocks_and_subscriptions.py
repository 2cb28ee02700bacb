import pytest
from django.db import IntegrityError

from fanfold.accounts.models import Preference
from fanfold.core.permissions import can_gift, gift_refusal
from fanfold.social.models import Block, Mute, Subscription, is_blocked, muted_user_ids
from fanfold.social.services import (
    BlockRefused,
    SubscriptionRefused,
    block_user,
    mark_notifications_read,
    mute_user,
    subscribe,
    unblock_user,
    unmute_user,
    unsubscribe,
)
from fanfold.works.tests.factories import series

from .conftest import authored_work

pytestmark = pytest.mark.django_db


def test_block_and_unblock(author, reader):
    block = block_user(author, reader)
    assert block_user(author, reader) == block  # idempotent
    assert is_blocked(author, reader)
    assert not is_blocked(reader, author)
    assert not is_blocked(author, None)
    assert unblock_user(author, reader) is True
    assert unblock_user(author, reader) is False
    assert not is_blocked(author, reader)


def test_blocking_refusals(author, staff):
    with pytest.raises(BlockRefused, match="block yourself"):
        block_user(author, author)
    with pytest.raises(BlockRefused, match="staff"):
        block_user(author, staff)
    with pytest.raises(BlockRefused, match="log in"):
        block_user(None, author)
    with pytest.raises(IntegrityError):
        Block.objects.create(blocker=author, blocked=author)


def test_mute_and_unmute(reader, author, other):
    mute_user(reader, author)
    mute_user(reader, other)
    mute_user(reader, other)
    assert muted_user_ids(reader) == {author.pk, other.pk}
    assert muted_user_ids(None) == set()
    assert unmute_user(reader, other)
    assert muted_user_ids(reader) == {author.pk}
    with pytest.raises(BlockRefused, match="mute yourself"):
        mute_user(reader, reader)
    assert Mute.objects.count() == 1


def test_gifts_respect_the_recipients_choice_and_blocks(author, reader):
    assert can_gift(author, reader)
    Preference.objects.create(user=reader, allow_gifts=False)
    assert gift_refusal(author, reader) == "gullwatcher does not accept gifts."
    assert can_gift(reader, author)
    block_user(author, reader)
    assert gift_refusal(reader, author) == "Sorry, lanternkeeper has blocked you."
    assert gift_refusal(author, author) == "You can't give a work to yourself."


def test_subscriptions(work, author, reader):
    subscription = subscribe(reader, work=work)
    assert subscribe(reader, work=work) == subscription
    subscribe(reader, creator=author)
    series_work = authored_work(author, series=[series("Tidewater")])
    subscribe(reader, series=series_work.series_memberships.get().series)
    assert set(Subscription.objects.filter(user=reader).values_list("kind", flat=True)) == {
        "work",
        "series",
        "creator",
    }
    assert unsubscribe(reader, work=work) is True
    assert unsubscribe(reader, work=work) is False


def test_subscription_refusals(work, author, reader):
    with pytest.raises(SubscriptionRefused, match="your own work"):
        subscribe(author, work=work)
    with pytest.raises(SubscriptionRefused, match="yourself"):
        subscribe(author, creator=author)
    with pytest.raises(SubscriptionRefused, match="exactly one"):
        subscribe(reader, work=work, creator=author)
    with pytest.raises(SubscriptionRefused, match="log in"):
        subscribe(None, work=work)
    draft = authored_work(author, draft=True)
    with pytest.raises(SubscriptionRefused, match="not available"):
        subscribe(reader, work=draft)


def test_notifications_can_be_marked_read(reader):
    from fanfold.social.models import Notification

    first = Notification.objects.create(user=reader, kind="comment", text="one")
    Notification.objects.create(user=reader, kind="comment", text="two")
    assert mark_notifications_read(reader, [first.pk]) == 1
    assert Notification.objects.unread().count() == 1
    assert mark_notifications_read(reader) == 1
