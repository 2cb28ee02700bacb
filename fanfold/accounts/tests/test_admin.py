"""The admin: hiding works, suspending accounts, and the moderation pages."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from fanfold.accounts.models import ORPHAN_USERNAME, Pseud, User
from fanfold.accounts.tests.conftest import PASSWORD
from fanfold.social.models import Comment
from fanfold.social.services import post_comment, update_comment_settings
from fanfold.tags.services import ensure_fixed_tags
from fanfold.works.models import Creatorship, Work
from fanfold.works.services import create_work
from fanfold.works.tests.factories import work_draft

pytestmark = pytest.mark.django_db


def work_by(*pseuds, **overrides) -> Work:
    ensure_fixed_tags()
    return create_work(work_draft(**overrides), pseuds=list(pseuds))


def action(client, model: str, name: str, ids, **extra):
    url = reverse(f"admin:{model}_changelist")
    return client.post(url, {"action": name, ACTION_CHECKBOX_NAME: [str(i) for i in ids], **extra})


def test_hiding_a_work_hides_it_from_guests_and_readers(client, admin_user, writer, cowriter):
    work = work_by(writer.pseuds.get(), title="Quarrelsome Tides")
    detail = reverse("works:detail", args=[work.pk])
    assert client.get(detail).status_code == 200
    client.force_login(admin_user)
    response = action(client, "works_work", "hide", [work.pk])
    assert response.status_code == 302
    work.refresh_from_db()
    assert work.hidden_by_admin
    client.logout()
    assert client.get(detail).status_code == 404
    assert "Quarrelsome Tides" not in client.get(reverse("works:list")).content.decode()
    client.force_login(cowriter)
    assert client.get(detail).status_code == 404
    client.force_login(writer)  # its creator still sees it
    assert client.get(detail).status_code == 200

    client.force_login(admin_user)
    action(client, "works_work", "unhide", [work.pk])
    client.logout()
    assert client.get(detail).status_code == 200


def test_actions_need_staff(client, writer):
    work = work_by(writer.pseuds.get())
    client.force_login(writer)
    response = action(client, "works_work", "hide", [work.pk])
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    work.refresh_from_db()
    assert not work.hidden_by_admin


def test_suspend_asks_for_a_reason_then_suspends(client, admin_user, writer):
    client.force_login(admin_user)
    response = action(client, "accounts_user", "suspend", [writer.pk])
    assert response.status_code == 200
    page = response.content.decode()
    assert "quillfeather" in page and 'name="reason"' in page
    writer.refresh_from_db()
    assert writer.is_active and writer.suspended_at is None

    response = action(client, "accounts_user", "suspend", [writer.pk], apply="1", reason="Posting spam links")
    assert response.status_code == 302
    writer.refresh_from_db()
    assert not writer.is_active and writer.suspended_at and writer.suspension_reason == "Posting spam links"

    suspended = client.get(reverse("admin:accounts_user_changelist"), {"suspended": "yes"}).content.decode()
    assert "quillfeather" in suspended

    client.logout()
    login = client.post(reverse("accounts:login"), {"username": "quillfeather", "password": PASSWORD})
    assert "_auth_user_id" not in client.session and login.status_code == 200

    client.force_login(admin_user)
    action(client, "accounts_user", "lift_suspension", [writer.pk])
    writer.refresh_from_db()
    assert writer.is_active and writer.suspended_at is None and writer.suspension_reason == ""


def test_staff_cannot_suspend_themselves(client, admin_user):
    client.force_login(admin_user)
    action(client, "accounts_user", "suspend", [admin_user.pk], apply="1", reason="oops")
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_admin_pages_render(client, admin_user, writer):
    work = work_by(writer.pseuds.get())
    post_comment(work, "A kind word.", user=admin_user)
    client.force_login(admin_user)
    for model in (
        "accounts_user",
        "accounts_pseud",
        "accounts_preference",
        "accounts_apitoken",
        "works_work",
        "social_comment",
        "social_bookmark",
        "challenges_collection",
    ):
        assert client.get(reverse(f"admin:{model}_changelist")).status_code == 200, model
    assert client.get(reverse("admin:works_work_change", args=[work.pk])).status_code == 200
    assert client.get(reverse("admin:accounts_user_change", args=[writer.pk])).status_code == 200
    assert client.get(reverse("admin:accounts_user_add")).status_code == 200


def test_accounts_added_in_the_admin_get_a_default_pseud(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "made_by_staff",
            "usable_password": "true",
            "password1": "harbour-gate-91",
            "password2": "harbour-gate-91",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="made_by_staff")
    assert Pseud.objects.filter(user=user, name="made_by_staff", is_default=True).exists()


def test_deleting_an_account_in_the_admin_orphans_its_works(client, admin_user, writer):
    work = work_by(writer.pseuds.get(), title="Kept For Readers")
    client.force_login(admin_user)
    url = reverse("admin:accounts_user_delete", args=[writer.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=writer.pk).exists()
    assert Creatorship.objects.get(work=work).pseud.user.username == ORPHAN_USERNAME


def test_comment_moderation_actions_keep_counts(client, admin_user, writer, cowriter):
    work = work_by(writer.pseuds.get())
    update_comment_settings(writer, work, moderate_comments=True)
    comment = post_comment(work, "Waiting in the queue.", user=cowriter)
    assert comment.status == Comment.Status.PENDING
    client.force_login(admin_user)
    action(client, "social_comment", "approve", [comment.pk])
    comment.refresh_from_db()
    work.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED and work.comments_count == 1
    action(client, "social_comment", "mark_spam", [comment.pk])
    work.refresh_from_db()
    assert work.comments_count == 0
