"""Comments from the work page: posting, threads, replies, edits, deletion, moderation, freezing."""

import pytest
from django.urls import reverse

from fanfold.accounts.models import User
from fanfold.core.ratelimit import Rate
from fanfold.social.models import Comment, CommentSettings
from fanfold.social.services import (
    block_user,
    freeze_thread,
    mute_user,
    post_comment,
    update_comment_settings,
)

from .conftest import HTMX, authored_work, page_text

pytestmark = pytest.mark.django_db

GUEST = {"guest_name": "Ferry Watcher", "guest_email": "ferry@example.org"}


def post_url(work):
    return reverse("social:comment_post", args=[work.pk])


def work_page(client, work):
    return page_text(client.get(reverse("works:detail", args=[work.pk])))


# --- posting -----------------------------------------------------------------------------------------


def test_a_reader_comments_without_javascript(client, work, reader):
    client.force_login(reader)
    chapter = work.chapters.get()
    response = client.post(post_url(work), {"body": "The lamp scene!", "chapter": chapter.pk, "full": "1"})
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("works:chapter", args=[work.pk, 1]) + f"#comment-{comment.pk}"
    assert comment.chapter == chapter and comment.user == reader
    page = work_page(client, work)
    assert "<p>The lamp scene!</p>" in page and "Comments (1)" in page


def test_htmx_comment_returns_the_comments_section(client, work, reader):
    client.force_login(reader)
    response = client.post(post_url(work), {"body": "Quiet and lovely.", "full": "1"}, **HTMX)
    fragment = page_text(response)
    assert fragment.lstrip().startswith('<section class="comments" id="comments"')
    assert "<html" not in fragment
    assert "Comment posted." in fragment and "<p>Quiet and lovely.</p>" in fragment
    assert 'name="body"' in fragment and "Quiet and lovely.</textarea>" not in fragment  # a fresh form


def test_a_guest_comments_with_a_name_and_email(client, work):
    client.post(post_url(work), {"body": "Hello from the dunes.", **GUEST}, REMOTE_ADDR="198.51.100.5")
    comment = Comment.objects.get()
    assert comment.guest_name == "Ferry Watcher" and comment.user is None
    page = work_page(client, work)
    assert 'Ferry Watcher <span class="comment__guest">(Guest)</span>' in page
    assert "ferry@example.org" not in page


def test_a_guest_without_email_gets_the_form_back_with_the_text(client, work):
    response = client.post(post_url(work), {"body": "Words I typed with care", "guest_name": "Kit"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Words I typed with care</textarea>" in page
    assert "Please give an email address to comment as a guest." in page
    assert not Comment.objects.exists()


def test_an_empty_comment_is_refused_with_a_message(client, work, reader):
    client.force_login(reader)
    response = client.post(post_url(work), {"body": "   "}, **HTMX)
    assert response.status_code == 400
    assert "Your comment is empty." in response.content.decode()
    assert not Comment.objects.exists()


def test_registered_only_work_refuses_guests(client, work, author):
    update_comment_settings(author, work, comment_permission="registered")
    page = work_page(client, work)
    assert "Only logged-in users can comment on this work." in page
    assert 'name="guest_name"' not in page
    response = client.post(post_url(work), {"body": "Let me in", **GUEST})
    assert response.status_code == 403
    assert "Let me in</textarea>" in response.content.decode()
    assert not Comment.objects.exists()


def test_comments_turned_off(client, work, author, reader):
    update_comment_settings(author, work, comment_permission="nobody")
    client.force_login(reader)
    assert "Comments are turned off on this work." in work_page(client, work)
    assert client.post(post_url(work), {"body": "Hi"}).status_code == 403
    assert not Comment.objects.exists()


def test_a_blocked_reader_is_refused_and_keeps_the_text(client, work, author, reader):
    block_user(author, reader)
    client.force_login(reader)
    response = client.post(post_url(work), {"body": "Still here, still reading"}, **HTMX)
    assert response.status_code == 403
    fragment = response.content.decode()
    assert "Sorry, you have been blocked by one of this work&#x27;s creators." in fragment
    assert "Still here, still reading</textarea>" in fragment
    assert not Comment.objects.exists()
    plain = client.post(post_url(work), {"body": "Still here, still reading"})
    assert plain.status_code == 403
    assert "Still here, still reading</textarea>" in plain.content.decode()


def test_the_comment_rate_limit_answers_429_and_keeps_the_text(client, settings, work, reader):
    settings.FANFOLD_RATE_LIMITS = {"comment": (None, Rate(1, 60))}
    client.force_login(reader)
    assert client.post(post_url(work), {"body": "First thought"}).status_code == 302
    limited = client.post(post_url(work), {"body": "Second thought, longer"})
    assert limited.status_code == 429
    page = limited.content.decode()
    assert "Too many comments in a short time" in page
    assert "Second thought, longer</textarea>" in page
    assert int(limited["Retry-After"]) > 0
    htmx = client.post(post_url(work), {"body": "Third thought"}, **HTMX)
    assert htmx.status_code == 429
    assert "Third thought</textarea>" in htmx.content.decode()
    assert Comment.objects.count() == 1


def test_comments_need_the_csrf_token(work, reader):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(reader)
    assert strict.post(post_url(work), {"body": "No token"}).status_code == 403
    assert not Comment.objects.exists()


# --- chapters and threads -------------------------------------------------------------------------------


def test_comments_belong_to_the_chapter_shown(client, multi_chapter_work, reader, other):
    work = multi_chapter_work
    first, second = work.chapters.order_by("position")
    post_comment(work, "About the grey tide", user=reader, chapter=first)
    post_comment(work, "About the gold tide", user=other, chapter=second)
    page_one = page_text(client.get(reverse("works:chapter", args=[work.pk, 1])))
    assert "About the grey tide" in page_one and "About the gold tide" not in page_one
    full = page_text(client.get(reverse("works:detail", args=[work.pk]), {"view_full_work": "true"}))
    assert "About the grey tide" in full and "About the gold tide" in full
    assert f'on <a href="{reverse("works:chapter", args=[work.pk, 2])}">Chapter 2</a>' in full


def test_a_comment_posted_in_the_full_view_goes_to_the_whole_work(client, multi_chapter_work, reader):
    client.force_login(reader)
    client.post(post_url(multi_chapter_work), {"body": "On everything", "full": "1"})
    assert Comment.objects.get().chapter is None


def test_replies_nest_under_their_comment(client, work, reader, other):
    top = post_comment(work, "Top thought", user=reader, chapter=work.chapters.get())
    client.force_login(other)
    form = page_text(client.get(reverse("social:comment_reply", args=[top.pk]), **HTMX))
    assert "<html" not in form and "Reply to gullwatcher" in form
    response = client.post(reverse("social:comment_reply", args=[top.pk]), {"body": "A reply"}, **HTMX)
    fragment = page_text(response)
    reply = Comment.objects.get(parent=top)
    thread = fragment[fragment.index(f'id="comment-{top.pk}"') :]
    assert thread.index('<ol class="comment-replies">') < thread.index(f'id="comment-{reply.pk}"')


def test_the_reply_page_works_without_javascript(client, work, reader, other):
    top = post_comment(work, "Top thought", user=reader)
    client.force_login(other)
    page = page_text(client.get(reverse("social:comment_reply", args=[top.pk])))
    assert "<html" in page and "Top thought" in page and 'name="body"' in page
    response = client.post(reverse("social:comment_reply", args=[top.pk]), {"body": "Plain reply"})
    reply = Comment.objects.get(parent=top)
    assert response["Location"].endswith(f"#comment-{reply.pk}")


def test_a_failed_htmx_reply_redraws_only_its_form(client, work, reader, other):
    top = post_comment(work, "Top thought", user=reader)
    client.force_login(other)
    response = client.post(reverse("social:comment_reply", args=[top.pk]), {"body": " "}, **HTMX)
    assert response.status_code == 400
    assert response["HX-Retarget"] == f"#reply-{top.pk}"
    assert response["HX-Reswap"] == "innerHTML"


def test_the_reply_author_who_blocked_me_refuses_my_reply(client, work, reader, other):
    top = post_comment(work, "Top thought", user=reader)
    block_user(reader, other)
    client.force_login(other)
    form = page_text(client.get(reverse("social:comment_reply", args=[top.pk]), **HTMX))
    assert "blocked by the author of that comment" in form
    assert client.post(reverse("social:comment_reply", args=[top.pk]), {"body": "Hm"}).status_code == 403


def test_a_frozen_thread_takes_no_replies(client, work, author, reader, other):
    top = post_comment(work, "Heated thought", user=reader)
    freeze_thread(author, top)
    client.force_login(other)
    page = work_page(client, work)
    assert "· Frozen" in page
    assert reverse("social:comment_reply", args=[top.pk]) not in page
    response = client.post(reverse("social:comment_reply", args=[top.pk]), {"body": "But wait"})
    assert response.status_code == 403
    assert "This thread is frozen" in response.content.decode()
    assert not Comment.objects.filter(parent=top).exists()


def test_the_author_freezes_and_unfreezes_a_thread(client, work, author, reader):
    top = post_comment(work, "Heated thought", user=reader)
    reply = post_comment(work, "Hotter", user=reader, parent=top)
    client.force_login(author)
    assert "Freeze thread" in work_page(client, work)
    fragment = page_text(client.post(reverse("social:comment_freeze", args=[top.pk]), **HTMX))
    assert "Thread frozen" in fragment and "Unfreeze thread" in fragment
    reply.refresh_from_db()
    assert reply.frozen
    client.post(reverse("social:comment_freeze", args=[top.pk]), {"action": "unfreeze"})
    reply.refresh_from_db()
    assert not reply.frozen


def test_a_reader_cannot_freeze(client, work, reader, other):
    top = post_comment(work, "Heated thought", user=reader)
    client.force_login(other)
    assert client.post(reverse("social:comment_freeze", args=[top.pk])).status_code == 403
    top.refresh_from_db()
    assert not top.frozen


# --- edit and delete ------------------------------------------------------------------------------------


def test_a_reader_edits_their_comment(client, work, reader):
    comment = post_comment(work, "Tpyo here", user=reader)
    client.force_login(reader)
    form = page_text(client.get(reverse("social:comment_edit", args=[comment.pk]), **HTMX))
    assert "Tpyo here" in form and "<html" not in form
    fragment = page_text(
        client.post(reverse("social:comment_edit", args=[comment.pk]), {"body": "Typo fixed"}, **HTMX)
    )
    assert "<p>Typo fixed</p>" in fragment and "(edited)" in fragment


def test_an_empty_edit_keeps_the_form(client, work, reader):
    comment = post_comment(work, "Something", user=reader)
    client.force_login(reader)
    response = client.post(reverse("social:comment_edit", args=[comment.pk]), {"body": ""})
    assert response.status_code == 400
    comment.refresh_from_db()
    assert comment.body == "<p>Something</p>"


def test_a_reader_cannot_edit_or_delete_another_readers_comment(client, work, reader, other):
    comment = post_comment(work, "Mine", user=reader)
    client.force_login(other)
    page = work_page(client, work)
    assert reverse("social:comment_edit", args=[comment.pk]) not in page
    assert reverse("social:comment_delete", args=[comment.pk]) not in page
    assert (
        client.post(reverse("social:comment_edit", args=[comment.pk]), {"body": "Yours now"}).status_code
        == 403
    )
    assert client.post(reverse("social:comment_delete", args=[comment.pk])).status_code == 403
    comment.refresh_from_db()
    assert comment.body == "<p>Mine</p>"


def test_a_guest_cannot_delete_comments(client, work, reader):
    comment = post_comment(work, "Mine", user=reader)
    assert client.post(reverse("social:comment_delete", args=[comment.pk])).status_code == 403
    assert Comment.objects.filter(pk=comment.pk).exists()


def test_deleting_asks_first_without_javascript(client, work, reader):
    comment = post_comment(work, "Regrettable", user=reader)
    client.force_login(reader)
    confirm = page_text(client.get(reverse("social:comment_delete", args=[comment.pk])))
    assert "Delete this comment?" in confirm and "Regrettable" in confirm
    assert Comment.objects.filter(pk=comment.pk).exists()
    response = client.post(reverse("social:comment_delete", args=[comment.pk]))
    assert response.status_code == 302
    assert not Comment.objects.exists()


def test_the_author_deletes_a_comment_with_replies_and_its_place_stays(client, work, author, reader, other):
    top = post_comment(work, "Rude words", user=reader)
    post_comment(work, "Kind words", user=other, parent=top)
    client.force_login(author)
    fragment = page_text(client.post(reverse("social:comment_delete", args=[top.pk]), **HTMX))
    assert "Comment deleted." in fragment
    assert "(deleted comment)" in fragment and "Rude words" not in fragment and "Kind words" in fragment
    work.refresh_from_db()
    assert work.comments_count == 1


def test_staff_delete_any_comment(client, work, reader, staff):
    comment = post_comment(work, "Spam spam", user=reader)
    client.force_login(staff)
    client.post(reverse("social:comment_delete", args=[comment.pk]))
    assert not Comment.objects.exists()


def test_a_deleted_account_shows_as_such(client, work, reader):
    post_comment(work, "Left behind", user=reader)
    User.objects.filter(pk=reader.pk).delete()
    page = work_page(client, work)
    assert "(Account deleted)" in page and "Left behind" in page


def test_a_muted_commenter_is_hidden_from_the_muter_only(client, work, reader, other):
    post_comment(work, "Loud opinion", user=other)
    mute_user(reader, other)
    client.force_login(reader)
    assert "Loud opinion" not in work_page(client, work)
    client.logout()
    assert "Loud opinion" in work_page(client, work)


# --- moderation ---------------------------------------------------------------------------------------


def test_the_author_approves_a_moderated_comment_and_it_appears(client, work, author, reader):
    update_comment_settings(author, work, moderate_comments=True)
    client.force_login(reader)
    response = client.post(post_url(work), {"body": "Please let me in"}, follow=True)
    assert "will appear once a creator of the work approves it" in page_text(response)
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert "Please let me in" not in work_page(client, work)

    client.force_login(author)
    assert "Comments awaiting approval (1)" in work_page(client, work)
    queue = page_text(client.get(reverse("social:comment_queue", args=[work.pk])))
    assert "Please let me in" in queue
    response = client.post(reverse("social:comment_moderate", args=[comment.pk]), {"action": "approve"})
    assert response["Location"] == reverse("social:comment_queue", args=[work.pk])
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED
    client.force_login(reader)
    assert "Please let me in" in work_page(client, work)


def test_a_rejected_comment_never_appears(client, work, author, reader):
    update_comment_settings(author, work, moderate_comments=True)
    comment = post_comment(work, "Buy cheap lanterns", user=reader)
    client.force_login(author)
    client.post(reverse("social:comment_moderate", args=[comment.pk]), {"action": "reject"})
    comment.refresh_from_db()
    assert comment.status == Comment.Status.SPAM
    assert "Buy cheap lanterns" not in work_page(client, work)


def test_readers_cannot_see_the_queue_or_moderate(client, work, author, reader):
    update_comment_settings(author, work, moderate_comments=True)
    comment = post_comment(work, "Waiting", user=reader)
    client.force_login(reader)
    assert client.get(reverse("social:comment_queue", args=[work.pk])).status_code == 404
    assert (
        client.post(reverse("social:comment_moderate", args=[comment.pk]), {"action": "approve"}).status_code
        == 403
    )
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def test_the_author_changes_the_comment_settings(client, work, author, reader):
    client.force_login(author)
    page = page_text(client.get(reverse("social:comment_settings", args=[work.pk])))
    assert "Who can comment on this work" in page
    response = client.post(
        reverse("social:comment_settings", args=[work.pk]),
        {"comment_permission": "registered", "moderate_comments": "on"},
    )
    assert response.status_code == 302
    settings = CommentSettings.objects.get(work=work)
    assert settings.comment_permission == "registered" and settings.moderate_comments
    bad = client.post(reverse("social:comment_settings", args=[work.pk]), {"comment_permission": "cats"})
    assert bad.status_code == 400
    client.force_login(reader)
    assert client.get(reverse("social:comment_settings", args=[work.pk])).status_code == 404


def test_comments_on_a_work_one_cannot_see_are_a_404(client, author, reader):
    draft = authored_work(author, draft=True)
    comment = post_comment(draft, "Note to self", user=author)
    client.force_login(reader)
    assert client.post(post_url(draft), {"body": "Hi"}).status_code == 404
    assert client.get(reverse("social:comment", args=[comment.pk])).status_code == 404
    assert client.get(reverse("social:comment_reply", args=[comment.pk])).status_code == 404


def test_a_comment_link_leads_to_its_chapter(client, multi_chapter_work, reader):
    second = multi_chapter_work.chapters.get(position=2)
    comment = post_comment(multi_chapter_work, "Gold!", user=reader, chapter=second)
    response = client.get(reverse("social:comment", args=[comment.pk]))
    assert (
        response["Location"]
        == reverse("works:chapter", args=[multi_chapter_work.pk, 2]) + f"#comment-{comment.pk}"
    )


def test_the_comment_page_shows_the_refusal_without_a_form(client, work, author):
    update_comment_settings(author, work, comment_permission="registered")
    page = page_text(client.get(post_url(work)))
    assert "Only logged-in users can comment on this work." in page
    assert 'name="body"' not in page
