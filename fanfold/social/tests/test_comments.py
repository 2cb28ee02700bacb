import pytest
from django.contrib.auth.models import AnonymousUser

from fanfold.core.permissions import (
    can_comment,
    can_delete_comment,
    can_edit_comment,
    can_moderate_comments,
    comment_refusal,
)
from fanfold.social.models import Comment, CommentSettings
from fanfold.social.services import (
    CommentRefused,
    block_user,
    delete_comment,
    edit_comment,
    freeze_thread,
    moderate_comment,
    mute_user,
    post_comment,
    unfreeze_thread,
    update_comment_settings,
)
from fanfold.works.models import Chapter

from .conftest import authored_work

pytestmark = pytest.mark.django_db

GUEST = {"guest_name": "Passing Sailor", "guest_email": "sailor@example.org"}


def count(work):
    work.refresh_from_db()
    return work.comments_count


# --- posting -----------------------------------------------------------------------------------------


def test_a_user_comments_under_their_default_pseud(work, reader):
    comment = post_comment(work, "Lovely *harbour* scene.", user=reader)
    assert comment.status == Comment.Status.PUBLISHED
    assert comment.pseud == reader.pseuds.get()
    assert comment.body == "<p>Lovely <em>harbour</em> scene.</p>"
    assert count(work) == 1


def test_html_is_sanitised(work, reader):
    comment = post_comment(work, "<p>Hi<script>alert(1)</script> <b>there</b></p>", user=reader)
    assert comment.body == "<p>Hi <b>there</b></p>"


def test_empty_and_overlong_comments_are_refused(work, reader):
    with pytest.raises(CommentRefused, match="empty"):
        post_comment(work, "   ", user=reader)
    with pytest.raises(CommentRefused, match="at most 10,000 characters"):
        post_comment(work, "x" * 10_001, user=reader)


def test_a_guest_comments_with_a_name_and_email(work):
    comment = post_comment(work, "From the pier.", user=AnonymousUser(), **GUEST)
    assert comment.user is None and comment.is_guest
    assert comment.author_name == "Passing Sailor"
    with pytest.raises(CommentRefused, match="name and an email"):
        post_comment(work, "Hello", guest_name="Nobody")
    with pytest.raises(CommentRefused, match="not a valid email"):
        post_comment(work, "Hello", guest_name="Nobody", guest_email="nope")


def test_a_user_cannot_comment_under_someone_elses_pseud(work, reader, other):
    with pytest.raises(CommentRefused, match="your own pseuds"):
        post_comment(work, "Hi", user=reader, pseud=other.pseuds.get())


def test_comment_on_a_chapter_of_another_work_is_refused(work, author, reader):
    elsewhere = authored_work(author)
    with pytest.raises(CommentRefused, match="another work"):
        post_comment(work, "Hi", user=reader, chapter=elsewhere.chapters.get())


# --- who may comment ---------------------------------------------------------------------------------


def test_registered_only_refuses_guests(work, author, reader):
    update_comment_settings(author, work, comment_permission="registered")
    assert comment_refusal(None, work) == "Only logged-in users can comment on this work."
    with pytest.raises(CommentRefused, match="logged-in users"):
        post_comment(work, "Hi", **GUEST)
    post_comment(work, "Hi", user=reader)


def test_nobody_refuses_everyone(work, author, reader, staff):
    update_comment_settings(author, work, comment_permission="nobody")
    for user in (None, reader, author, staff):
        assert not can_comment(user, work)
    with pytest.raises(CommentRefused, match="turned off"):
        post_comment(work, "Hi", user=author)


def test_only_creators_and_staff_change_comment_settings(work, reader, staff):
    with pytest.raises(CommentRefused, match="Only the work's creators"):
        update_comment_settings(reader, work, comment_permission="nobody")
    update_comment_settings(staff, work, moderate_comments=True)
    assert CommentSettings.for_work(work).moderate_comments
    with pytest.raises(CommentRefused, match="Unknown comment permission"):
        update_comment_settings(staff, work, comment_permission="friends")


def test_a_blocked_user_cannot_comment(work, author, reader):
    block_user(author, reader)
    assert not can_comment(reader, work)
    with pytest.raises(CommentRefused, match="blocked"):
        post_comment(work, "Hi", user=reader)


def test_a_user_blocked_by_a_commenter_cannot_reply_to_them(work, reader, other):
    top = post_comment(work, "First!", user=reader)
    block_user(reader, other)
    post_comment(work, "Elsewhere", user=other)  # the work is fine
    with pytest.raises(CommentRefused, match="author of that comment"):
        post_comment(work, "Reply", user=other, parent=top)


def test_no_comments_on_a_work_one_cannot_see(author, reader):
    restricted = authored_work(author, restricted=True)
    assert not can_comment(None, restricted)
    assert can_comment(reader, restricted)


# --- threads -----------------------------------------------------------------------------------------


def test_replies_form_threads_and_keep_the_chapter(work, author, reader, other):
    chapter = work.chapters.get()
    top = post_comment(work, "Top", user=reader, chapter=chapter)
    reply = post_comment(work, "Reply", user=author, parent=top)
    nested = post_comment(work, "Nested", user=other, parent=reply)
    assert reply.parent == top and reply.chapter == chapter
    assert list(top.replies.all()) == [reply]
    assert nested.parent == reply
    assert count(work) == 3


def test_a_reply_must_be_on_the_same_work(work, author, reader):
    elsewhere = authored_work(author)
    top = post_comment(elsewhere, "Top", user=reader)
    with pytest.raises(CommentRefused, match="another work"):
        post_comment(work, "Reply", user=reader, parent=top)


def test_a_frozen_thread_takes_no_replies(work, author, reader, other, staff):
    top = post_comment(work, "Top", user=reader)
    reply = post_comment(work, "Reply", user=other, parent=top)
    with pytest.raises(CommentRefused, match="Only the work's creators"):
        freeze_thread(reader, top)
    assert freeze_thread(author, top) == 2
    reply.refresh_from_db()
    assert reply.frozen
    for parent in (top, reply):
        with pytest.raises(CommentRefused, match="frozen"):
            post_comment(work, "More", user=other, parent=parent)
    with pytest.raises(CommentRefused, match="frozen"):
        edit_comment(reader, top, "Changed")
    post_comment(work, "A new thread is fine", user=other)
    unfreeze_thread(staff, top)
    top.refresh_from_db()
    post_comment(work, "More", user=other, parent=top)


# --- editing and deleting ----------------------------------------------------------------------------


def test_edit_rules(work, author, reader, other, staff):
    comment = post_comment(work, "Typo", user=reader)
    assert can_edit_comment(reader, comment)
    assert can_edit_comment(staff, comment)
    for user in (None, other, author):
        assert not can_edit_comment(user, comment)
    with pytest.raises(CommentRefused, match="your own comments"):
        edit_comment(author, comment, "Changed by the author")
    edit_comment(reader, comment, "Fixed")
    comment.refresh_from_db()
    assert comment.body == "<p>Fixed</p>" and comment.edited_at is not None


def test_delete_rules(work, author, reader, other, staff):
    comment = post_comment(work, "Hi", user=reader)
    assert can_delete_comment(reader, comment)
    assert can_delete_comment(author, comment)  # a creator, on their own work
    assert can_delete_comment(staff, comment)
    assert not can_delete_comment(other, comment)
    assert not can_delete_comment(None, comment)
    guest_comment = post_comment(work, "Hi", **GUEST)
    assert not can_delete_comment(None, guest_comment)
    with pytest.raises(CommentRefused, match="can't delete"):
        delete_comment(other, comment)
    delete_comment(author, comment)
    delete_comment(staff, guest_comment)
    assert not Comment.objects.exists()
    assert count(work) == 0


def test_a_deleted_comment_with_replies_keeps_its_place(work, reader, other):
    top = post_comment(work, "Top", user=reader)
    reply = post_comment(work, "Reply", user=other, parent=top)
    delete_comment(reader, top)
    top.refresh_from_db()
    assert top.deleted and top.display_body == "" and top.body == ""
    assert Comment.DELETED_TEXT == "(deleted comment)"
    assert count(work) == 1
    assert list(Comment.objects.visible_to(None)) == [top, reply]
    with pytest.raises(CommentRefused, match="deleted"):
        post_comment(work, "Reply", user=other, parent=top)
    # When its last reply goes, the placeholder goes too.
    delete_comment(other, reply)
    assert not Comment.objects.exists()
    assert count(work) == 0


# --- moderation --------------------------------------------------------------------------------------


def test_the_moderation_queue(work, author, reader, other, staff):
    update_comment_settings(author, work, moderate_comments=True)
    waiting = post_comment(work, "Please approve", user=reader)
    assert waiting.status == Comment.Status.PENDING
    assert count(work) == 0
    assert list(Comment.objects.filter(work=work).pending()) == [waiting]
    assert not Comment.objects.visible_to(None).exists()
    assert post_comment(work, "Author's own", user=author).status == Comment.Status.PUBLISHED
    with pytest.raises(CommentRefused, match="reply to a comment that is not published"):
        post_comment(work, "Reply", user=other, parent=waiting)
    assert not can_moderate_comments(reader, work)
    assert can_moderate_comments(staff, work)
    with pytest.raises(CommentRefused, match="moderate"):
        moderate_comment(reader, waiting, approve=True)
    moderate_comment(author, waiting, approve=True)
    assert count(work) == 2
    spam = post_comment(work, "Buy things", user=other)
    moderate_comment(staff, spam, approve=False)
    assert spam.status == Comment.Status.SPAM
    assert count(work) == 2
    moderate_comment(author, waiting, approve=False)
    assert count(work) == 1


def test_muted_users_comments_are_hidden_from_the_muter(work, reader, other):
    post_comment(work, "Hi", user=other)
    mute_user(reader, other)
    assert not Comment.objects.visible_to(reader).exists()
    assert Comment.objects.visible_to(None).count() == 1


def test_deleting_a_chapter_keeps_its_comments(work, reader):
    chapter = work.chapters.get()
    comment = post_comment(work, "Hi", user=reader, chapter=chapter)
    Chapter.objects.filter(pk=chapter.pk).delete()
    comment.refresh_from_db()
    assert comment.chapter is None
