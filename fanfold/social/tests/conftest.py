"""People and works for the social tests. All names and text are invented."""

from __future__ import annotations

import pytest

from fanfold.accounts.models import Pseud, User
from fanfold.tags.services import ensure_fixed_tags
from fanfold.works.models import Work
from fanfold.works.services import create_work
from fanfold.works.tests.factories import work_draft


def pseud_of(user: User) -> Pseud:
    return user.pseuds.first() or Pseud.objects.create(user=user, name=user.username, is_default=True)


def authored_work(*users: User, draft: bool = False, restricted: bool = False, **overrides) -> Work:
    """A work credited to these users' pseuds (created through works.services.create_work)."""
    ensure_fixed_tags()
    work = create_work(work_draft(**overrides), pseuds=[pseud_of(u) for u in users])
    if draft or restricted:
        Work.objects.filter(pk=work.pk).update(draft=draft, restricted=restricted)
        work.refresh_from_db()
    return work


@pytest.fixture
def author(db):
    user = User.objects.create_user("lanternkeeper", email="author@example.org", password="pw-not-real-1")
    pseud_of(user)
    return user


@pytest.fixture
def reader(db):
    user = User.objects.create_user("gullwatcher", email="reader@example.org", password="pw-not-real-2")
    pseud_of(user)
    return user


@pytest.fixture
def other(db):
    user = User.objects.create_user("driftwood", email="other@example.org", password="pw-not-real-3")
    pseud_of(user)
    return user


@pytest.fixture
def staff(db):
    return User.objects.create_user(
        "harbourmaster", email="staff@example.org", password="pw-4", is_staff=True
    )


@pytest.fixture
def work(author):
    return authored_work(author)


@pytest.fixture
def immediate_tasks(settings):
    """Run tasks at once. Use in tests marked django_db(transaction=True), where on_commit fires."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


HTMX = {"HTTP_HX_REQUEST": "true"}


def page_text(response) -> str:
    """The body of a response, after checking it is a 200."""
    assert response.status_code == 200, (response.status_code, response.content[:500])
    return response.content.decode()


@pytest.fixture
def multi_chapter_work(author):
    from fanfold.works.tests.factories import chapter

    return authored_work(
        author,
        title="Two Tides",
        chapters=[
            chapter("<p>The first tide came in grey.</p>", title="Grey"),
            chapter("<p>The second tide came in gold.</p>", title="Gold"),
        ],
    )
