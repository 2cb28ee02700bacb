"""Comments come a page of threads at a time: a popular work does not render thousands of comments."""

import re

import pytest
from django.urls import reverse

from fanfold.social.models import Comment
from fanfold.social.services import post_comment
from fanfold.social.views_comments import THREADS_PER_PAGE

from .conftest import HTMX, page_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy_work(work, reader, settings):
    """A one-chapter work with 2.5 pages of threads; every third thread has a reply."""
    settings.FANFOLD_RATE_LIMITS_ENABLED = False
    chapter = work.chapters.get()
    for n in range(THREADS_PER_PAGE * 2 + THREADS_PER_PAGE // 2):
        top = post_comment(work, f"Thread number {n}.", user=reader, chapter=chapter)
        if n % 3 == 0:
            post_comment(work, f"Reply under {n}.", user=reader, parent=top)
    return work


def shown_threads(html: str) -> list[int]:
    return [int(n) for n in re.findall(r"Thread number (\d+)\.", html)]


def test_the_work_page_shows_one_page_of_threads_with_links_to_the_others(client, busy_work):
    html = page_text(client.get(reverse("works:detail", args=[busy_work.pk])))
    assert shown_threads(html) == list(range(THREADS_PER_PAGE))
    assert "Reply under 0." in html and "Reply under 21." not in html
    total = Comment.objects.filter(work=busy_work).count()
    assert f"Comments ({total})" in html  # the count is of every comment, not the page's
    assert "comments_page=2" in html and "comments_page=3" in html
    last = page_text(client.get(reverse("works:detail", args=[busy_work.pk]), {"comments_page": "3"}))
    assert shown_threads(last) == list(
        range(THREADS_PER_PAGE * 2, THREADS_PER_PAGE * 2 + THREADS_PER_PAGE // 2)
    )


def test_out_of_range_pages_fall_back_to_the_nearest(client, busy_work):
    url = reverse("works:detail", args=[busy_work.pk])
    assert shown_threads(page_text(client.get(url, {"comments_page": "99"})))[0] == THREADS_PER_PAGE * 2
    assert shown_threads(page_text(client.get(url, {"comments_page": "nonsense"})))[0] == 0


def test_a_comment_address_leads_to_the_page_that_holds_it(client, busy_work):
    reply = Comment.objects.get(body__contains="Reply under 21.")
    response = client.get(reverse("social:comment", args=[reply.pk]))
    assert response.status_code == 302
    location = response["Location"]
    assert "comments_page=2" in location and location.endswith(f"#comment-{reply.pk}")
    assert f'id="comment-{reply.pk}"' in page_text(client.get(location))


def test_replying_with_htmx_redraws_the_page_of_the_thread(client, busy_work, reader):
    client.force_login(reader)
    parent = Comment.objects.get(body="<p>Thread number 33.</p>")
    response = client.post(
        reverse("social:comment_reply", args=[parent.pk]), {"body": "A late reply."}, **HTMX
    )
    html = page_text(response)
    assert "A late reply." in html
    assert shown_threads(html)[0] == THREADS_PER_PAGE  # page 2, where thread 33 is
    assert '"comments_page": "2"' in html  # and later actions in the section stay there


def test_a_reply_awaiting_moderation_leaves_the_viewer_on_their_page(client, busy_work, author, other):
    from fanfold.social.services import update_comment_settings

    update_comment_settings(author, busy_work, moderate_comments=True)
    client.force_login(other)
    parent = Comment.objects.get(body="<p>Thread number 33.</p>")
    response = client.post(
        reverse("social:comment_reply", args=[parent.pk]),
        {"body": "Waiting for approval.", "comments_page": "2"},
        **HTMX,
    )
    html = page_text(response)
    assert "Waiting for approval." not in html
    assert shown_threads(html)[0] == THREADS_PER_PAGE
