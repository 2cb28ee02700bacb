"""The posting pages: who may use them, and what each does (all forms are POSTs with CSRF)."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from fanfold.tags import vocabulary as vocab
from fanfold.tags.services import ensure_fixed_tags
from fanfold.works import posting
from fanfold.works.models import Chapter, CreatorInvitation, Series, Work
from fanfold.works.tests.posting_support import chapter_input, make_user, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def author(db):
    ensure_fixed_tags()
    return make_user("saltwick")


@pytest.fixture
def stranger(db):
    return make_user("sandpiper")


@pytest.fixture
def staff_member(db):
    return make_user("harbour-staff", is_staff=True)


@pytest.fixture
def work(author):
    return post(
        author, chapters=[chapter_input("<p>one</p>"), chapter_input("<p>two</p>")], chapters_expected=2
    )


def form_data(**overrides):
    data = {
        "rating": vocab.TEEN,
        "warnings": [vocab.NO_WARNINGS],
        "fandoms": "Tidewater Chronicles (Original Work)",
        "categories": ["Gen"],
        "relationships": "",
        "characters": "Maren Holt, Odile Vance",
        "additional_tags": "Fog, Lighthouses",
        "title": "The Lamp Room",
        "summary": "Maren climbs the stairs.",
        "notes": "",
        "end_notes": "",
        "text_format": "plain",
        "chapter_title": "Dusk",
        "body": "The lamp room smelled of oil and salt.\n\nShe trimmed the wick.",
        "language": "en",
        "comment_permission": "everyone",
        "chapters_expected": "1",
        "related_relation": "inspired_by",
        "action": "post",
    }
    data.update(overrides)
    return data


# --- who may open the pages --------------------------------------------------------------------------


def edit_pages(work):
    return [
        reverse("works:edit", args=[work.pk]),
        reverse("works:delete", args=[work.pk]),
        reverse("works:chapter_new", args=[work.pk]),
        reverse("works:chapters_manage", args=[work.pk]),
        reverse("works:chapter_edit", args=[work.pk, 1]),
        reverse("works:chapter_delete", args=[work.pk, 2]),
    ]


def test_guests_are_sent_to_log_in(client, work):
    pages = [
        reverse("works:new"),
        reverse("works:drafts"),
        reverse("works:invitations"),
        reverse("works:import_upload"),
    ]
    for url in [*pages, *edit_pages(work)]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login") + "?next=")
    response = client.post(reverse("works:new"), form_data())
    assert response.status_code == 302 and not Work.objects.exclude(pk=work.pk).exists()
    assert client.post(reverse("works:post_draft", args=[work.pk])).status_code == 302


def test_others_get_403_on_works_they_can_see_and_404_on_drafts(client, author, stranger, work):
    draft = post(author, draft=True)
    client.force_login(stranger)
    for url in edit_pages(work):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("works:delete", args=[work.pk])).status_code == 403
    assert client.post(reverse("works:post_draft", args=[draft.pk])).status_code == 404
    assert client.get(reverse("works:edit", args=[draft.pk])).status_code == 404
    assert Work.objects.filter(pk=work.pk).exists() and Work.objects.get(pk=draft.pk).draft


@pytest.mark.parametrize("who", ["author", "staff_member"])
def test_creators_and_staff_may_open_every_page(client, request, work, who):
    client.force_login(request.getfixturevalue(who))
    for url in edit_pages(work):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "csrfmiddlewaretoken" in response.content.decode(), url


def test_an_accepted_co_creator_may_edit_an_invited_one_may_not(client, author, stranger):
    work = post(author, co_creators=["sandpiper"])
    client.force_login(stranger)
    assert client.get(reverse("works:edit", args=[work.pk])).status_code == 403
    response = client.post(
        reverse("works:invitations"), {"invitation": CreatorInvitation.objects.get().pk, "answer": "accept"}
    )
    assert response.status_code == 302
    assert client.get(reverse("works:edit", args=[work.pk])).status_code == 200


def test_the_creator_actions_show_only_to_those_who_may_edit(author, stranger, staff_member, work):
    from django.contrib.auth.models import AnonymousUser

    def actions(user):
        request = RequestFactory().get("/")
        request.user = user
        return render_to_string("works/_creator_actions.html", {"work": work}, request=request)

    for user in (author, staff_member):
        html = actions(user)
        assert reverse("works:edit", args=[work.pk]) in html
        assert reverse("works:delete", args=[work.pk]) in html
        assert reverse("works:chapter_new", args=[work.pk]) in html
    for user in (stranger, AnonymousUser()):
        assert actions(user).strip() == ""


# --- posting a new work -----------------------------------------------------------------------------------


def test_the_form_has_the_fields_in_ao3s_order_and_tag_autocomplete(client, author):
    client.force_login(author)
    html = client.get(reverse("works:new")).content.decode()
    order = [
        html.index(f'name="{name}"')
        for name in (
            "rating",
            "warnings",
            "fandoms",
            "categories",
            "relationships",
            "characters",
            "additional_tags",
            "title",
            "summary",
        )
    ]
    assert order == sorted(order)
    fandoms = re.search(r"<input[^>]*name=\"fandoms\"[^>]*>", html).group(0)
    assert 'hx-get="/works/tag-suggestions/?type=fandom"' in fandoms
    assert 'hx-trigger="keyup changed delay:250ms"' in fandoms
    assert 'list="suggest-fandom"' in fandoms and '<datalist id="suggest-fandom">' in html
    for button in ("preview", "draft", "post"):
        assert f'name="action" value="{button}"' in html


def test_posting_creates_the_work(client, author):
    client.force_login(author)
    response = client.post(reverse("works:new"), form_data())
    work = Work.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("works:detail", args=[work.pk])
    assert (work.title, work.draft, work.complete) == ("The Lamp Room", False, True)
    assert sorted(work.tags.filter(type="character").values_list("name", flat=True)) == [
        "Maren Holt",
        "Odile Vance",
    ]
    chapter = work.chapters.get()
    assert chapter.title == "Dusk"
    assert chapter.body == "<p>The lamp room smelled of oil and salt.</p>\n<p>She trimmed the wick.</p>"
    assert work.summary == "<p>Maren climbs the stairs.</p>"


def test_saving_a_draft(client, author):
    client.force_login(author)
    client.post(reverse("works:new"), form_data(action="draft"))
    work = Work.objects.get()
    assert work.draft
    page = client.get(reverse("works:drafts")).content.decode()
    assert "The Lamp Room" in page and reverse("works:post_draft", args=[work.pk]) in page
    client.post(reverse("works:post_draft", args=[work.pk]))
    work.refresh_from_db()
    assert not work.draft


def test_a_failed_post_keeps_every_field_and_marks_the_error(client, author):
    client.force_login(author)
    body = "Every word of this chapter must survive a failed post.\n\nEven this one."
    response = client.post(
        reverse("works:new"),
        form_data(
            title="", body=body, summary="A summary to keep", gifts="a friend", series_title="Lamp Year"
        ),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Please give the work a title." in html
    assert 'aria-invalid="true"' in re.search(r"<input[^>]*name=\"title\"[^>]*>", html).group(0)
    for kept in (
        body,
        "A summary to keep",
        "Maren Holt, Odile Vance",
        'value="a friend"',
        'value="Lamp Year"',
    ):
        assert kept in html
    assert re.search(r'value="No Archive Warnings Apply"[^>]*checked', html)
    assert not Work.objects.exists()


def test_a_service_refusal_is_shown_next_to_its_field(client, author, stranger):
    from fanfold.accounts.models import Preference

    Preference.objects.create(user=stranger, allow_gifts=False)
    client.force_login(author)
    response = client.post(reverse("works:new"), form_data(gifts="sandpiper"))
    assert response.status_code == 400
    assert "sandpiper does not accept gifts." in response.content.decode()
    assert not Work.objects.exists()


def test_preview_saves_nothing_and_posts_from_its_own_form(client, author):
    client.force_login(author)
    response = client.post(reverse("works:new"), form_data(action="preview", body="A *preview* of the tide."))
    assert response.status_code == 200
    html = response.content.decode()
    assert "The Lamp Room" in html and "<em>preview</em>" in html
    assert not Work.objects.exists()
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))
    assert hidden["title"] == "The Lamp Room" and hidden["body"] == "A *preview* of the tide."
    # "Edit" goes back to the filled form; "Post" posts what was previewed.
    data = form_data(body="A *preview* of the tide.")
    edit = client.post(reverse("works:new"), {**data, "action": "edit"})
    assert edit.status_code == 200 and "A *preview* of the tide." in edit.content.decode()
    assert not Work.objects.exists()
    client.post(reverse("works:new"), data)
    assert Work.objects.get().chapters.get().body == "<p>A <em>preview</em> of the tide.</p>"


def test_tag_suggestions_list_canonical_tags_after_the_last_comma(client, archive):
    response = client.get(
        reverse("works:tag_suggestions"), {"type": "character", "characters": "Maren Holt, harun"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<datalist id="suggest-character">')
    assert 'value="Maren Holt, Haruno Sakura"' in html
    assert (
        client.get(reverse("works:tag_suggestions"), {"type": "fandom", "q": "naru"})
        .content.decode()
        .count('value="Naruto"')
        == 1
    )
    assert client.get(reverse("works:tag_suggestions"), {"type": "spaceship", "q": "x"}).status_code == 400
    assert (
        "<option"
        not in client.get(reverse("works:tag_suggestions"), {"type": "fandom", "q": " "}).content.decode()
    )


# --- editing, chapters, deleting ------------------------------------------------------------------------------


def test_editing_a_work(client, author, work):
    client.force_login(author)
    page = client.get(reverse("works:edit", args=[work.pk])).content.decode()
    assert 'value="Gull Count"' in page and 'name="body"' not in page
    data = form_data(
        title="The Lamp Room, Revised", text_format="html", summary="<p>New summary</p>", action="save"
    )
    del data["body"], data["chapter_title"]
    data["chapters_expected"] = "2"
    response = client.post(reverse("works:edit", args=[work.pk]), data)
    assert response.status_code == 302
    work.refresh_from_db()
    assert (work.title, work.summary, work.chapters.count()) == (
        "The Lamp Room, Revised",
        "<p>New summary</p>",
        2,
    )
    data["fandoms"] = ""
    response = client.post(reverse("works:edit", args=[work.pk]), data)
    assert response.status_code == 400 and "at least one fandom" in response.content.decode()


def test_adding_editing_and_deleting_chapters(client, author, work):
    client.force_login(author)
    response = client.post(
        reverse("works:chapter_new", args=[work.pk]),
        {"title": "Prologue", "body": "Before **everything**.", "text_format": "markdown", "position": "1"},
    )
    assert response.status_code == 302 and response["Location"] == reverse("works:chapter", args=[work.pk, 1])
    assert list(work.chapters.values_list("position", "title")) == [(1, "Prologue"), (2, ""), (3, "")]

    response = client.post(
        reverse("works:chapter_edit", args=[work.pk, 2]),
        {"title": "Renamed", "body": "", "text_format": "html"},
    )
    assert response.status_code == 400 and "Please write the chapter text" in response.content.decode()
    client.post(
        reverse("works:chapter_edit", args=[work.pk, 2]),
        {"title": "Renamed", "body": "<p>new one</p>", "text_format": "html"},
    )
    assert work.chapters.get(position=2).title == "Renamed"

    client.post(reverse("works:chapter_delete", args=[work.pk, 1]))
    assert list(work.chapters.values_list("position", "title")) == [(1, "Renamed"), (2, "")]


def test_reordering_with_number_inputs(client, author, work):
    client.force_login(author)
    posting.add_chapter(author, work, chapter_input("<p>three</p>"))
    ids = list(work.chapters.order_by("position").values_list("pk", flat=True))
    # Only the third chapter's number changes: it moves to the front, the others keep their order.
    response = client.post(
        reverse("works:chapters_manage", args=[work.pk]),
        {f"position-{ids[0]}": "1", f"position-{ids[1]}": "2", f"position-{ids[2]}": "1"},
    )
    assert response.status_code == 302
    assert list(work.chapters.order_by("position").values_list("body", flat=True)) == [
        "<p>three</p>",
        "<p>one</p>",
        "<p>two</p>",
    ]
    response = client.post(reverse("works:chapters_manage", args=[work.pk]), {f"position-{ids[0]}": "first"})
    assert response.status_code == 400 and "whole number" in response.content.decode()


def test_deleting_a_work_asks_first(client, author, work):
    client.force_login(author)
    page = client.get(reverse("works:delete", args=[work.pk])).content.decode()
    assert "can't be undone" in page
    assert Work.objects.filter(pk=work.pk).exists()
    response = client.post(reverse("works:delete", args=[work.pk]))
    assert response.status_code == 302
    assert not Work.objects.filter(pk=work.pk).exists() and not Chapter.objects.exists()


def test_drafts_page_lists_only_my_drafts(client, author, stranger):
    post(author, title="My Quiet Draft", draft=True)
    post(stranger, title="Their Quiet Draft", draft=True)
    post(author, title="My Posted Work")
    client.force_login(author)
    html = client.get(reverse("works:drafts")).content.decode()
    assert "My Quiet Draft" in html
    assert "Their Quiet Draft" not in html and "My Posted Work" not in html


def test_declining_an_invitation_on_the_page(client, author, stranger):
    work = post(author, title="Shared Shore", co_creators=["sandpiper"])
    client.force_login(stranger)
    assert "Shared Shore" in client.get(reverse("works:invitations")).content.decode()
    client.post(
        reverse("works:invitations"), {"invitation": CreatorInvitation.objects.get().pk, "answer": "decline"}
    )
    assert not CreatorInvitation.objects.exists()
    assert [p.name for p in work.creator_pseuds] == ["saltwick"]
    client.force_login(author)  # someone else's invitation id is not found
    other = post(stranger, co_creators=["saltwick"])
    invitation = CreatorInvitation.objects.get(work=other)
    client.force_login(make_user("barnacle"))
    assert (
        client.post(
            reverse("works:invitations"), {"invitation": invitation.pk, "answer": "accept"}
        ).status_code
        == 404
    )


# --- series ---------------------------------------------------------------------------------------------


def test_series_page_lists_the_works_the_viewer_may_see_in_order(client, author):
    first = post(author, title="Part The First", series_title="Harbour Year")
    post(author, title="Part The Hidden", series_title="Harbour Year", draft=True)
    post(author, title="Part The Third", series_title="Harbour Year")
    series = Series.objects.get()
    html = client.get(reverse("works:series", args=[series.pk])).content.decode()
    assert "Harbour Year" in html and "saltwick" in html
    assert html.index("Part The First") < html.index("Part The Third")
    assert "Part The Hidden" not in html
    client.force_login(author)
    assert "Part The Hidden" in client.get(reverse("works:series", args=[series.pk])).content.decode()
    client.logout()
    posting.delete_work(author, Work.objects.get(title="Part The Third"))
    Work.objects.filter(pk=first.pk).update(restricted=True)
    assert client.get(reverse("works:series", args=[series.pk])).status_code == 404


# --- uploading a file -------------------------------------------------------------------------------------

LJ_STYLE = (
    "Title: The Buoy Keeper\n"
    "Author: someone-else-entirely\n"
    "Fandom: Tidewater Chronicles (Original Work)\n"
    "Rating: PG-13\n"
    "Summary: A buoy, a keeper, a long night.\n"
    "\n"
    "The buoy rang all night.\n\nBy morning the keeper had counted every toll.\n"
)


def test_uploading_a_file_creates_a_draft_credited_to_the_uploader(client, author, archive):
    client.force_login(author)
    upload = SimpleUploadedFile("buoy.txt", LJ_STYLE.encode(), content_type="text/plain")
    response = client.post(reverse("works:import_upload"), {"file": upload})
    work = Work.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("works:edit", args=[work.pk])
    assert (work.title, work.draft) == ("The Buoy Keeper", True)
    assert [p.name for p in work.creator_pseuds] == ["saltwick"]
    assert list(work.tags.filter(type="rating").values_list("name", flat=True)) == [vocab.TEEN]
    assert "counted every toll" in work.chapters.get().body
    assert client.get(reverse("works:edit", args=[work.pk])).status_code == 200


def test_an_unreadable_upload_shows_the_importers_message(client, author, settings):
    client.force_login(author)
    response = client.post(
        reverse("works:import_upload"), {"file": SimpleUploadedFile("empty.txt", b"   \n")}
    )
    assert response.status_code == 400 and "the file is empty" in response.content.decode()
    response = client.post(
        reverse("works:import_upload"), {"file": SimpleUploadedFile("story.docx", b"PK\x03\x04")}
    )
    assert response.status_code == 400 and "read .docx" in response.content.decode()
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048
    big = SimpleUploadedFile("long.txt", LJ_STYLE.encode() * 40)
    response = client.post(reverse("works:import_upload"), {"file": big})
    assert response.status_code == 400 and "too large" in response.content.decode()
    assert not Work.objects.exists()


def test_staff_can_fix_someone_elses_work_without_being_credited(client, author, staff_member, work):
    from fanfold.accounts.models import Pseud

    Pseud.objects.create(user=staff_member, name="Second Staff Pseud")
    client.force_login(staff_member)
    page = client.get(reverse("works:edit", args=[work.pk])).content.decode()
    assert 'name="pseud_ids"' not in page
    data = form_data(title="Fixed By Staff", text_format="html", action="save", chapters_expected="2")
    del data["body"], data["chapter_title"]
    assert client.post(reverse("works:edit", args=[work.pk]), data).status_code == 302
    work.refresh_from_db()
    assert work.title == "Fixed By Staff"
    assert [p.name for p in work.creator_pseuds] == ["saltwick"]
