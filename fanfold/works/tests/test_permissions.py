import pytest
from django.contrib.auth.models import AnonymousUser

from fanfold.core.permissions import can_view_work, visible_works
from fanfold.works.tests.factories import make_work

pytestmark = pytest.mark.django_db


@pytest.fixture
def works():
    return {
        "public": make_work(title="Public"),
        "restricted": make_work(title="Restricted", restricted=True),
        "draft": make_work(title="Draft", draft=True),
        "hidden": make_work(title="Hidden", hidden_by_admin=True),
    }


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", {"public"}),
        ("reader", {"public", "restricted"}),
        ("staff", {"public", "restricted", "draft", "hidden"}),
    ],
)
def test_visible_works_and_can_view_work_agree(works, request, who, expected):
    user = AnonymousUser() if who == "anonymous" else request.getfixturevalue(who)
    visible = {w.title.lower() for w in visible_works(user)}
    assert visible == expected
    for name, work in works.items():
        assert can_view_work(user, work) is (name in expected), name


def test_none_user_is_anonymous(works):
    assert {w.title for w in visible_works(None)} == {"Public"}
    assert not can_view_work(None, works["restricted"])


def test_inactive_staff_is_not_staff(works, staff):
    staff.is_active = False
    assert not can_view_work(staff, works["draft"])
