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


@pytest.mark.django_db
def test_creators_see_their_own_drafts_and_others_do_not(client):
    from fanfold.accounts.models import Pseud, User
    from fanfold.tags.services import ensure_fixed_tags
    from fanfold.works.models import Work
    from fanfold.works.services import create_work
    from fanfold.works.tests.factories import work_draft

    ensure_fixed_tags()
    author = User.objects.create_user("draftwriter", password="x-long-password-4")
    other = User.objects.create_user("passerby", password="x-long-password-5")
    work = create_work(
        work_draft(title="Unfinished Thing"), pseuds=[Pseud.objects.create(name="dw", user=author)]
    )
    Work.objects.filter(pk=work.pk).update(draft=True)
    work.refresh_from_db()
    assert can_view_work(author, work) and work in visible_works(author)
    assert not can_view_work(other, work) and work not in visible_works(other)
    assert visible_works(author).filter(pk=work.pk).count() == 1  # no duplicate rows from the join
