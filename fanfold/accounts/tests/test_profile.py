"""Profile pages: pseuds, and only the works, series and bookmarks the viewer may see."""

import pytest
from django.urls import reverse

from fanfold.accounts.models import ORPHAN_USERNAME
from fanfold.accounts.services import create_pseud, delete_account, suspend_user
from fanfold.social import services as social
from fanfold.tags.services import ensure_fixed_tags
from fanfold.works.models import Work
from fanfold.works.services import create_work
from fanfold.works.tests.factories import series, work_draft

pytestmark = pytest.mark.django_db


def work_by(pseud, *, draft=False, restricted=False, hidden_by_admin=False, **overrides) -> Work:
    ensure_fixed_tags()
    work = create_work(work_draft(**overrides), pseuds=[pseud])
    Work.objects.filter(pk=work.pk).update(
        draft=draft, restricted=restricted, hidden_by_admin=hidden_by_admin
    )
    return work


@pytest.fixture
def shelf(writer, cowriter):
    pseud = writer.pseuds.get()
    work_by(pseud, title="Open Harbour", series=[series("Harbour Tales")])
    work_by(pseud, title="Members Harbour", restricted=True, series=[series("Members Cycle")])
    work_by(pseud, title="Unfinished Harbour", draft=True)
    work_by(pseud, title="Hidden Harbour", hidden_by_admin=True)
    theirs = work_by(cowriter.pseuds.get(), title="Neighbour Story")
    social.create_bookmark(writer, theirs, notes="Public note here.")
    private_one = work_by(cowriter.pseuds.get(), title="Secretly Loved")
    social.create_bookmark(writer, private_one, private=True)
    return writer


def profile(client, username="quillfeather") -> str:
    response = client.get(reverse("profiles:detail", args=[username]))
    assert response.status_code == 200
    return response.content.decode()


def test_url():
    assert reverse("profiles:detail", args=["quillfeather"]) == "/users/quillfeather/"


def test_guest_sees_only_public_works_series_and_bookmarks(client, shelf):
    create_pseud(shelf, "Salt Ink", "Writes about the sea.")
    page = profile(client)
    assert "<h1>quillfeather</h1>" in page
    assert "Salt Ink" in page and "Writes about the sea." in page
    assert "Open Harbour" in page
    for hidden in (
        "Members Harbour",
        "Unfinished Harbour",
        "Hidden Harbour",
        "Members Cycle",
        "Secretly Loved",
    ):
        assert hidden not in page, hidden
    assert "Harbour Tales" in page
    assert "Neighbour Story" in page and "Public note here." in page
    assert f'href="{reverse("works:user_works", args=["quillfeather"])}"' in page


def test_logged_in_reader_sees_restricted_works(client, shelf, reader):
    client.force_login(reader)
    page = profile(client)
    assert "Open Harbour" in page and "Members Harbour" in page and "Members Cycle" in page
    assert "Unfinished Harbour" not in page and "Hidden Harbour" not in page and "Secretly Loved" not in page


def test_owner_sees_own_drafts_hidden_works_and_private_bookmarks(client, shelf):
    client.force_login(shelf)
    page = profile(client)
    for title in (
        "Open Harbour",
        "Members Harbour",
        "Unfinished Harbour",
        "Hidden Harbour",
        "Secretly Loved",
    ):
        assert title in page, title
    assert f'href="{reverse("accounts:pseuds")}"' in page


def test_unknown_user_is_404_and_case_redirects(client, writer):
    assert client.get("/users/nobody_here/").status_code == 404
    response = client.get("/users/QuillFeather/")
    assert response.status_code == 302 and response["Location"] == "/users/quillfeather/"


def test_suspended_profile_says_so(client, shelf):
    suspend_user(shelf, "Spam")
    page = profile(client)
    assert "This account has been suspended." in page
    assert f'href="{reverse("works:user_works", args=["quillfeather"])}"' not in page


def test_orphan_account_has_an_explanation(client, writer):
    work_by(writer.pseuds.get(), title="Left Behind")
    delete_account(writer, works="orphan")
    page = profile(client, ORPHAN_USERNAME)
    assert "This is not a person." in page and "Browse the 1 orphaned work" in page
