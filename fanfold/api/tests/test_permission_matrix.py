"""Every write endpoint, called by each kind of caller: the work's (or bookmark's) owner, another
user, a guest, staff, a user the owner blocked, and a reader who muted the owner (muting hides the
owner's works from that reader's listings; it takes no rights away from either of them)."""

import pytest

from fanfold.accounts.models import User
from fanfold.social.models import Block, Bookmark, Comment, Kudo, Mute
from fanfold.social.services import block_user, create_bookmark, mute_user
from fanfold.social.tests.conftest import authored_work, pseud_of
from fanfold.works.models import Work

pytestmark = pytest.mark.django_db

ROLES = ("owner", "other", "guest", "staff", "blocked", "muted_creator")
GUEST_COMMENT = {"name": "Passing Gull", "email": "gull@example.org"}


@pytest.fixture
def cast(author, other, staff):
    blocked = User.objects.create_user("tidebreaker")
    muter = User.objects.create_user("quietreader")
    for user in (blocked, muter, staff):
        pseud_of(user)
    block_user(author, blocked)
    mute_user(muter, author)
    work = authored_work(author, title="Matrix Harbour")
    return {
        "work": work,
        "users": {
            "owner": author,
            "other": other,
            "guest": None,
            "staff": staff,
            "blocked": blocked,
            "muted_creator": muter,
        },
    }


def call(api, cast, role, method, path, body=None):
    response = api.call(method, path, body, user=cast["users"][role])
    if response.status_code >= 400:
        assert set(response.json()) >= {"detail"}, response.content
    return response


KUDOS = dict(zip(ROLES, (403, 201, 201, 201, 403, 201), strict=True))


@pytest.mark.parametrize("role", ROLES)
def test_kudos(api, cast, role):
    work = cast["work"]
    response = call(api, cast, role, "POST", f"works/{work.pk}/kudos")
    assert response.status_code == KUDOS[role]
    assert Kudo.objects.filter(work=work).count() == (1 if KUDOS[role] == 201 else 0)


COMMENT = dict(zip(ROLES, (201, 201, 201, 201, 403, 201), strict=True))


@pytest.mark.parametrize("role", ROLES)
def test_comment(api, cast, role):
    work = cast["work"]
    body = {"body": "A note from the matrix.", **(GUEST_COMMENT if role == "guest" else {})}
    response = call(api, cast, role, "POST", f"works/{work.pk}/comments", body)
    assert response.status_code == COMMENT[role]
    assert Comment.objects.filter(work=work).count() == (1 if COMMENT[role] == 201 else 0)


BOOKMARK_CREATE = dict(zip(ROLES, (201, 201, 401, 201, 201, 201), strict=True))


@pytest.mark.parametrize("role", ROLES)
def test_bookmark_create(api, cast, role):
    response = call(api, cast, role, "POST", "bookmarks", {"work_id": cast["work"].pk})
    assert response.status_code == BOOKMARK_CREATE[role]
    assert Bookmark.objects.count() == (1 if BOOKMARK_CREATE[role] == 201 else 0)


# Here the owner is the bookmark's owner: only they change it; staff may also delete it.
BOOKMARK_UPDATE = dict(zip(ROLES, (200, 403, 401, 403, 403, 403), strict=True))
BOOKMARK_DELETE = dict(zip(ROLES, (204, 403, 401, 204, 403, 403), strict=True))


@pytest.mark.parametrize("role", ROLES)
def test_bookmark_update(api, cast, role):
    bookmark = create_bookmark(cast["users"]["owner"], cast["work"], notes="Mine.")
    response = call(api, cast, role, "PATCH", f"bookmarks/{bookmark.pk}", {"rec": True})
    assert response.status_code == BOOKMARK_UPDATE[role]
    bookmark.refresh_from_db()
    assert bookmark.rec is (BOOKMARK_UPDATE[role] == 200)


@pytest.mark.parametrize("role", ROLES)
def test_bookmark_delete(api, cast, role):
    bookmark = create_bookmark(cast["users"]["owner"], cast["work"])
    response = call(api, cast, role, "DELETE", f"bookmarks/{bookmark.pk}")
    assert response.status_code == BOOKMARK_DELETE[role]
    assert Bookmark.objects.filter(pk=bookmark.pk).exists() is (BOOKMARK_DELETE[role] != 204)


WORK_CREATE = dict(zip(ROLES, (201, 201, 401, 201, 201, 201), strict=True))
WORK_UPDATE = dict(zip(ROLES, (200, 403, 401, 200, 403, 403), strict=True))
WORK_DELETE = dict(zip(ROLES, (204, 403, 401, 204, 403, 403), strict=True))
NEW_WORK = {"title": "Posted From The Matrix", "fandoms": ["Naruto"], "chapters": [{"body": "Waves."}]}


@pytest.mark.parametrize("role", ROLES)
def test_work_create(api, cast, role):
    response = call(api, cast, role, "POST", "works", NEW_WORK)
    assert response.status_code == WORK_CREATE[role]
    assert Work.objects.filter(title=NEW_WORK["title"]).exists() is (WORK_CREATE[role] == 201)


@pytest.mark.parametrize("role", ROLES)
def test_work_update(api, cast, role):
    work = cast["work"]
    response = call(api, cast, role, "PATCH", f"works/{work.pk}", {"title": "Renamed Harbour"})
    assert response.status_code == WORK_UPDATE[role]
    work.refresh_from_db()
    assert (work.title == "Renamed Harbour") is (WORK_UPDATE[role] == 200)


@pytest.mark.parametrize("role", ROLES)
def test_work_delete(api, cast, role):
    work = cast["work"]
    response = call(api, cast, role, "DELETE", f"works/{work.pk}")
    assert response.status_code == WORK_DELETE[role]
    assert Work.objects.filter(pk=work.pk).exists() is (WORK_DELETE[role] != 204)


@pytest.mark.parametrize("role", ROLES)
def test_work_writes_on_a_draft_are_404_to_those_who_may_not_see_it(api, cast, role):
    draft = authored_work(cast["users"]["owner"], draft=True)
    expected = {"owner": 200, "staff": 200, "guest": 401}.get(role, 404)
    assert (
        call(api, cast, role, "PATCH", f"works/{draft.pk}", {"summary": "Changed."}).status_code == expected
    )
    expected = {"owner": 204, "staff": 204, "guest": 401}.get(role, 404)
    assert call(api, cast, role, "DELETE", f"works/{draft.pk}").status_code == expected


# Mutes and blocks belong to the caller; "owner" here tries to mute or block themself.
RELATION_CREATE = dict(zip(ROLES, (403, 201, 401, 201, 201, 201), strict=True))


@pytest.mark.parametrize("path", ["mutes", "blocks"])
@pytest.mark.parametrize("role", ROLES)
def test_mute_and_block_create(api, cast, role, path):
    target = cast["users"]["owner"].username
    response = call(api, cast, role, "POST", path, {"username": target})
    assert response.status_code == RELATION_CREATE[role]


@pytest.mark.parametrize(
    ("path", "model", "holder"), [("mutes", Mute, "muted_creator"), ("blocks", Block, "owner")]
)
@pytest.mark.parametrize("role", ROLES)
def test_mute_and_block_delete(api, cast, role, path, model, holder):
    """Only the one who muted (blocked) can undo it; for anyone else there is nothing to undo."""
    row = model.objects.get()
    target = (row.muted if model is Mute else row.blocked).username
    response = call(api, cast, role, "DELETE", f"{path}/{target}")
    expected = 401 if role == "guest" else 204 if role == holder else 404
    assert response.status_code == expected
    assert model.objects.exists() is (expected != 204)
