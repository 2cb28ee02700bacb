"""Subscribers hear of posted works and new chapters, after the commit, and never of drafts."""

import pytest

from fanfold.social.models import Notification
from fanfold.social.services import subscribe
from fanfold.works import posting
from fanfold.works.tests.posting_support import chapter_input, make_user, post

# Real commits, so that the tasks enqueued on commit run.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def author(db):
    return make_user("saltwick")


@pytest.fixture
def follower(author):
    follower = make_user("sandpiper")
    subscribe(follower, creator=author)
    return follower


def notices(user):
    return list(Notification.objects.filter(user=user).order_by("id").values_list("kind", "text"))


def test_posting_a_work_notifies_the_creators_subscribers(author, follower, immediate_tasks):
    post(author, title="Gull Census")
    assert notices(follower) == [("new_work", "saltwick posted a new work: Gull Census")]
    assert notices(author) == []


def test_a_draft_notifies_nobody_until_it_is_posted(author, follower, immediate_tasks):
    draft = post(author, title="Quiet Draft", draft=True)
    posting.add_chapter(author, draft, chapter_input())
    posting.update_work(author, draft, {"title": "Still Quiet"})
    assert notices(follower) == []
    posting.publish_work(author, draft)
    assert notices(follower) == [("new_work", "saltwick posted a new work: Still Quiet")]


def test_a_new_chapter_of_a_posted_work_notifies_its_subscribers(author, follower, immediate_tasks):
    work = post(author, title="Gull Census", chapters_expected=None)
    reader = make_user("kelpie")
    subscribe(reader, work=work)
    posting.add_chapter(author, work, chapter_input(title="Low Tide"))
    assert notices(reader) == [("new_chapter", "saltwick posted Chapter 2: Low Tide of Gull Census")]
    assert notices(follower)[-1] == ("new_chapter", "saltwick posted Chapter 2: Low Tide of Gull Census")


def test_a_refused_post_notifies_nobody(author, follower, immediate_tasks):
    with pytest.raises(posting.PostingError):
        post(author, gifts=["nobody"], related=[posting.RelatedInput(url="javascript:void(0)")])
    assert notices(follower) == []
