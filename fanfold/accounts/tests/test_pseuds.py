"""Pseuds: list, create, rename, describe, make default, delete (never the default or the last one)."""

from html import unescape

import pytest
from django.urls import reverse

from fanfold.accounts.models import Pseud, User
from fanfold.accounts.services import (
    AccountError,
    create_pseud,
    default_pseud,
    delete_pseud,
    set_default_pseud,
    update_pseud,
)
from fanfold.search.models import SearchDocument
from fanfold.social.models import Comment
from fanfold.tags.services import ensure_fixed_tags
from fanfold.works.models import Creatorship
from fanfold.works.services import create_work
from fanfold.works.tests.factories import work_draft

pytestmark = pytest.mark.django_db


def work_by(*pseuds, **overrides):
    ensure_fixed_tags()
    return create_work(work_draft(**overrides), pseuds=list(pseuds))


def test_pseud_pages_need_login(client):
    for name in ("accounts:pseuds", "accounts:pseud_create"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_create_and_list(client, writer):
    client.force_login(writer)
    response = client.post(
        reverse("accounts:pseud_create"), {"name": "Salt Ink", "description": "Sea stories."}
    )
    assert response["Location"] == reverse("accounts:pseuds")
    page = client.get(reverse("accounts:pseuds")).content.decode()
    assert "Salt Ink" in page and "Sea stories." in page and "quillfeather <span" in page
    assert set(writer.pseuds.values_list("name", "is_default")) == {
        ("quillfeather", True),
        ("Salt Ink", False),
    }


def test_names_are_unique_per_account_ignoring_case(client, writer, cowriter):
    create_pseud(writer, "Salt Ink")
    client.force_login(writer)
    response = client.post(reverse("accounts:pseud_create"), {"name": "salt ink", "description": "kept text"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "You already have a pseud called “salt ink”." in page and "kept text</textarea>" in page
    assert writer.pseuds.count() == 2
    assert create_pseud(cowriter, "Salt Ink").user == cowriter  # another account may use the name


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "needs a name"),
        ("x" * 41, "at most 40"),
        ("<b>bold</b>", "letters, digits"),
        ("--", "letters, digits"),
    ],
)
def test_name_rules(writer, name, message):
    with pytest.raises(AccountError, match=message):
        create_pseud(writer, name)


def test_rename_and_describe_reindexes_works(client, writer):
    pseud = create_pseud(writer, "Salt Ink")
    work = work_by(pseud)
    client.force_login(writer)
    url = reverse("accounts:pseud_edit", args=[pseud.pk])
    assert 'value="Salt Ink"' in client.get(url).content.decode()
    response = client.post(url, {"name": "Brine Ink", "description": "Now brinier."})
    assert response["Location"] == reverse("accounts:pseuds")
    pseud.refresh_from_db()
    assert (pseud.name, pseud.description) == ("Brine Ink", "Now brinier.")
    assert SearchDocument.objects.get(work=work).creators == "Brine Ink"
    response = client.post(url, {"name": "QUILLFEATHER"})
    assert "You already have a pseud called" in response.content.decode()


def test_others_pseuds_cannot_be_touched(client, writer, cowriter):
    theirs = cowriter.pseuds.get()
    client.force_login(writer)
    assert client.get(reverse("accounts:pseud_edit", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("accounts:pseud_delete", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("accounts:pseud_default", args=[theirs.pk])).status_code == 404
    assert Pseud.objects.filter(pk=theirs.pk, is_default=True).exists()


def test_make_default(client, writer):
    salt = create_pseud(writer, "Salt Ink")
    client.force_login(writer)
    assert client.get(reverse("accounts:pseud_default", args=[salt.pk])).status_code == 405
    client.post(reverse("accounts:pseud_default", args=[salt.pk]))
    assert list(writer.pseuds.filter(is_default=True).values_list("name", flat=True)) == ["Salt Ink"]


def test_default_and_last_pseuds_cannot_be_deleted(client, writer, reader):
    default = writer.pseuds.get()
    client.force_login(writer)
    response = client.post(reverse("accounts:pseud_delete", args=[default.pk]))
    assert response.status_code == 400
    assert "You can't delete your default pseud." in unescape(response.content.decode())
    assert Pseud.objects.filter(pk=default.pk).exists()
    # An account whose only pseud somehow is not the default still keeps it.
    only = Pseud.objects.create(user=reader, name="solo", is_default=False)
    with pytest.raises(AccountError, match="only pseud"):
        delete_pseud(only)


def test_deleting_a_pseud_moves_its_works_and_comments_to_the_default(client, writer, cowriter):
    default = writer.pseuds.get()
    salt = create_pseud(writer, "Salt Ink")
    solo = work_by(salt, title="Under Salt")
    both = work_by(default, salt, title="Under Both")
    theirs = work_by(cowriter.pseuds.get())
    comment = Comment.objects.create(work=theirs, user=writer, pseud=salt, body="<p>Nice.</p>")
    client.force_login(writer)
    page = client.get(reverse("accounts:pseud_delete", args=[salt.pk])).content.decode()
    assert "Its 2 works and its comments will be credited to your default pseud" in page
    response = client.post(reverse("accounts:pseud_delete", args=[salt.pk]))
    assert response["Location"] == reverse("accounts:pseuds")
    assert not Pseud.objects.filter(pk=salt.pk).exists()
    assert list(Creatorship.objects.filter(work=solo).values_list("pseud__name", flat=True)) == [
        "quillfeather"
    ]
    assert list(Creatorship.objects.filter(work=both).values_list("pseud__name", flat=True)) == [
        "quillfeather"
    ]
    assert SearchDocument.objects.get(work=solo).creators == "quillfeather"
    comment.refresh_from_db()
    assert comment.pseud_id == default.pk


def test_accounts_without_a_pseud_get_one(client):
    user = User.objects.create_user("bareaccount", password="x-long-password-6")
    pseud = default_pseud(user)
    assert (pseud.name, pseud.is_default) == ("bareaccount", True)
    assert default_pseud(user) == pseud
    created = create_pseud(User.objects.create_user("another_bare", password="x-long-password-6"), "Second")
    assert not created.is_default and created.user.pseuds.filter(is_default=True).count() == 1


def test_set_default_service(writer):
    salt = create_pseud(writer, "Salt Ink")
    set_default_pseud(salt)
    assert default_pseud(writer) == salt
    with pytest.raises(AccountError):
        update_pseud(Pseud.objects.create(name="Imported Person"), name="Renamed")
