"""Deleting an account: orphaning or deleting its works, and what goes with the account."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from fanfold.accounts.models import ORPHAN_USERNAME, Pseud, User
from fanfold.accounts.services import AccountError, create_pseud, delete_account
from fanfold.accounts.tests.conftest import PASSWORD
from fanfold.search.engine import search_works
from fanfold.search.models import SearchDocument
from fanfold.search.query import WorkQuery
from fanfold.social import services as social
from fanfold.social.models import Bookmark, Comment, Kudo, Subscription
from fanfold.tags.services import ensure_fixed_tags
from fanfold.works.models import Creatorship, Series, Work
from fanfold.works.services import create_work
from fanfold.works.tests.factories import series, work_draft

pytestmark = pytest.mark.django_db

URL = "/account/delete/"
GUEST = AnonymousUser()


def work_by(*pseuds: Pseud, **overrides) -> Work:
    ensure_fixed_tags()
    return create_work(work_draft(**overrides), pseuds=list(pseuds))


def found(title_word: str) -> list[str]:
    return [w.title for w in search_works(WorkQuery(q=title_word), GUEST).results]


def credited(work: Work) -> list[tuple[str, str]]:
    return [
        (c.pseud.name, c.pseud.user.username if c.pseud.user else "")
        for c in Creatorship.objects.filter(work=work).select_related("pseud__user")
    ]


def test_the_page_asks_for_the_password(client, writer):
    client.force_login(writer)
    page = client.get(URL).content.decode()
    assert "What should happen to my works?" in page and 'type="radio"' in page
    assert "You have 0 works." in page
    response = client.post(URL, {"works": "delete", "password": "not-it"})
    assert response.status_code == 400
    assert "That is not your current password." in response.content.decode()
    assert User.objects.filter(pk=writer.pk).exists()


def test_orphaning_keeps_the_pseud_name(client, writer):
    salt = create_pseud(writer, "Salt Ink")
    work = work_by(salt, title="Gulls Over Quayside")
    client.force_login(writer)
    response = client.post(URL, {"works": "orphan_keep", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("works:home")
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(username="quillfeather").exists()
    assert credited(work) == [("Salt Ink", ORPHAN_USERNAME)]
    # Still there for readers, credited under the old name, and found by search under it.
    page = client.get(reverse("works:detail", args=[work.pk])).content.decode()
    assert "Gulls Over Quayside" in page and "Salt Ink" in page
    assert SearchDocument.objects.get(work=work).creators == "Salt Ink"
    assert found("Quayside") == ["Gulls Over Quayside"]
    # Nobody can log in as the orphan account.
    orphan = User.objects.get(username=ORPHAN_USERNAME)
    assert not orphan.has_usable_password()


def test_orphaning_under_orphan_account_name(writer):
    work = work_by(writer.pseuds.get(), title="Nets at Dawn")
    delete_account(writer, works="orphan", keep_pseud_names=False)
    assert credited(work) == [(ORPHAN_USERNAME, ORPHAN_USERNAME)]
    assert SearchDocument.objects.get(work=work).creators == ORPHAN_USERNAME


def test_two_accounts_orphaning_under_one_name_share_the_orphan_pseud(writer, cowriter):
    first = work_by(writer.pseuds.get(), title="First Tide")
    second = work_by(cowriter.pseuds.get(), title="Second Tide")
    delete_account(writer, works="orphan", keep_pseud_names=False)
    delete_account(cowriter, works="orphan", keep_pseud_names=False)
    orphan = User.objects.get(username=ORPHAN_USERNAME)
    assert orphan.pseuds.count() == 1
    assert credited(first) == credited(second) == [(ORPHAN_USERNAME, ORPHAN_USERNAME)]


def test_deleting_works_removes_them_but_not_shared_ones(client, writer, cowriter):
    mine = work_by(writer.pseuds.get(), title="Lonely Beacon", series=[series("Beacon Cycle")])
    shared = work_by(writer.pseuds.get(), cowriter.pseuds.get(), title="Shared Beacon")
    assert set(found("Beacon")) == {"Lonely Beacon", "Shared Beacon"}
    client.force_login(writer)
    response = client.post(URL, {"works": "delete", "password": PASSWORD})
    assert response.status_code == 302
    assert not Work.objects.filter(pk=mine.pk).exists()
    assert not SearchDocument.objects.filter(work_id=mine.pk).exists()
    assert not Series.objects.filter(title="Beacon Cycle").exists()  # its only part went
    assert found("Beacon") == ["Shared Beacon"]
    assert found("Lonely") == []
    # The shared work stays, credited to the other creator only.
    assert credited(shared) == [("inkwellow", "inkwellow")]
    assert SearchDocument.objects.get(work=shared).creators == "inkwellow"
    assert client.get(reverse("works:detail", args=[mine.pk])).status_code == 404
    assert client.get(reverse("works:detail", args=[shared.pk])).status_code == 200


def test_what_goes_with_the_account_and_what_stays(writer, cowriter):
    work = work_by(cowriter.pseuds.get(), title="Lantern Street")
    social.give_kudos(work, user=writer)
    social.create_bookmark(writer, work, notes="Lovely.")
    social.subscribe(writer, work=work)
    comment = social.post_comment(work, "What a quiet ending.", user=writer, pseud=writer.pseuds.get())
    work.refresh_from_db()
    assert (work.kudos_count, work.bookmarks_count, work.comments_count) == (1, 1, 1)

    delete_account(writer, works="orphan")

    work.refresh_from_db()
    assert (work.kudos_count, work.bookmarks_count) == (0, 0)
    assert not Kudo.objects.exists() and not Bookmark.objects.exists() and not Subscription.objects.exists()
    comment = Comment.objects.get(pk=comment.pk)
    assert comment.user_id is None and comment.pseud_id is None and not comment.guest_name
    assert comment.body and work.comments_count == 1
    assert not Pseud.objects.filter(name="quillfeather").exists()


def test_private_bookmarks_were_not_counted_so_are_not_subtracted(writer, cowriter):
    work = work_by(cowriter.pseuds.get())
    social.create_bookmark(writer, work, private=True)
    social.create_bookmark(cowriter, work)
    work.refresh_from_db()
    assert work.bookmarks_count == 1
    delete_account(writer, works="delete")
    work.refresh_from_db()
    assert work.bookmarks_count == 1


def test_the_orphan_account_cannot_be_deleted(writer):
    work_by(writer.pseuds.get())
    delete_account(writer, works="orphan")
    with pytest.raises(AccountError, match="orphan account"):
        delete_account(User.objects.get(username=ORPHAN_USERNAME), works="delete")


def test_bad_choice_is_refused(writer):
    with pytest.raises(AccountError, match="orphan or delete"):
        delete_account(writer, works="keep")  # type: ignore[arg-type]
    assert User.objects.filter(pk=writer.pk).exists()
