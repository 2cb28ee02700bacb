"""core.permissions for posting: can_post, can_edit_work, can_delete_work."""

import pytest
from django.contrib.auth.models import AnonymousUser

from fanfold.core.permissions import can_delete_work, can_edit_work, can_post
from fanfold.works import posting
from fanfold.works.models import CreatorInvitation
from fanfold.works.tests.posting_support import make_user, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    return {
        "owner": make_user("saltwick"),
        "invited": make_user("kelpie"),
        "accepted": make_user("barnacle"),
        "other": make_user("sandpiper"),
        "guest": AnonymousUser(),
        "staff": make_user("harbour-staff", is_staff=True),
    }


@pytest.fixture
def work(people):
    work = post(people["owner"], co_creators=["kelpie", "barnacle"])
    posting.accept_invitation(people["accepted"], CreatorInvitation.objects.get(user=people["accepted"]))
    return work


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("owner", True),
        ("invited", False),
        ("accepted", True),
        ("other", False),
        ("guest", False),
        ("staff", True),
    ],
)
def test_edit_and_delete(people, work, who, allowed):
    user = people[who]
    assert can_edit_work(user, work) is allowed
    assert can_delete_work(user, work) is allowed


def test_drafts_follow_the_same_rule(people):
    draft = post(people["owner"], draft=True)
    assert can_edit_work(people["owner"], draft)
    assert can_edit_work(people["staff"], draft)
    assert not can_edit_work(people["other"], draft)


def test_a_deactivated_creator_or_staff_member_can_no_longer_edit(people, work):
    for who in ("owner", "staff"):
        people[who].is_active = False
        assert not can_edit_work(people[who], work)


@pytest.mark.parametrize(
    ("who", "allowed"), [("owner", True), ("other", True), ("guest", False), ("staff", True)]
)
def test_can_post(people, who, allowed):
    assert can_post(people[who]) is allowed


def test_suspended_accounts_cannot_post(people):
    people["other"].is_active = False
    assert not can_post(people["other"])
    assert not can_post(None)


def test_listed_works_leave_drafts_out_even_for_their_creators(people):
    from fanfold.core.permissions import listed_works, visible_works

    draft = post(people["owner"], draft=True)
    posted = post(people["owner"])
    for who in ("owner", "staff"):
        assert draft in visible_works(people[who])
        assert list(listed_works(people[who])) == [posted]
