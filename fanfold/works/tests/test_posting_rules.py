"""The rules of posting a work: each refused input with its message, and what a valid post stores."""

import datetime as dt

import pytest
from django.utils import timezone

from fanfold.core.permissions import can_view_work, visible_works
from fanfold.tags import vocabulary as vocab
from fanfold.tags.models import Tag
from fanfold.works import posting
from fanfold.works.models import Chapter, Work
from fanfold.works.tests.posting_support import chapter_input, make_user, post, work_input

pytestmark = pytest.mark.django_db


@pytest.fixture
def author(db):
    return make_user("saltwick")


def refused(user, **overrides) -> posting.PostingError:
    with pytest.raises(posting.PostingError) as caught:
        post(user, **overrides)
    return caught.value


def tag_names(work, tag_type):
    return sorted(work.tags.filter(type=tag_type).values_list("name", flat=True))


# --- refusals, each with its field and message -------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": "   "}, "title", "Please give the work a title."),
        ({"title": "x" * 256}, "title", "The title can be at most 255 characters long (it has 256)."),
        ({"fandoms": [" ", ""]}, "fandoms", "Please add at least one fandom"),
        ({"rating": "PG-13"}, "rating", "'PG-13' is not a rating"),
        ({"warnings": ["Spiders"]}, "warnings", "'Spiders' is not an archive warning"),
        (
            {"warnings": [vocab.CHOSE_NOT_TO_WARN, vocab.VIOLENCE]},
            "warnings",
            "can't be combined with other warnings",
        ),
        ({"categories": ["Romance"]}, "categories", "'Romance' is not a category"),
        ({"characters": ["M" * 151]}, "characters", "Tags can be at most 150 characters long"),
        (
            {"summary": "s" * 1251},
            "summary",
            "The summary can be at most 1,250 characters long (it has 1,251).",
        ),
        ({"notes": "n" * 5001}, "notes", "The notes can be at most 5,000 characters long"),
        ({"end_notes": "e" * 5001}, "end_notes", "The end notes can be at most 5,000 characters long"),
        ({"chapters": []}, "chapters", "A work needs at least one chapter."),
        ({"chapters": [chapter_input("  \n ")]}, "chapters.0.body", "Please write the chapter text"),
        (
            {"chapters": [chapter_input("<script>alert(1)</script>")]},
            "chapters.0.body",
            "The chapter text is empty once unsupported HTML is removed.",
        ),
        (
            {"chapters": [chapter_input("w " * 250_001)]},
            "chapters.0.body",
            "The chapter text can be at most 500,000 characters long",
        ),
        ({"language": "Klingonese"}, "language", "Unknown language 'Klingonese'."),
        ({"text_format": "rtf"}, "text_format", "Unknown text format 'rtf'"),
        ({"comment_permission": "friends"}, "comment_permission", "Unknown comment permission 'friends'"),
        ({"chapters_expected": 0}, "chapters_expected", "between 1 and"),
        (
            {"chapters": [chapter_input(), chapter_input()], "chapters_expected": 1},
            "chapters_expected",
            "can't be less than the chapters posted (2)",
        ),
        ({"series_position": 0}, "series_position", "The part number in the series must be between 1"),
    ],
)
def test_invalid_input_is_refused_with_a_message_for_its_field(author, overrides, field, message):
    error = refused(author, **overrides)
    assert error.field == field
    assert message in error.message
    assert "\n" not in error.message
    assert not Work.objects.exists()


def test_at_most_75_tags_together(author):
    error = refused(
        author, additional_tags=[f"Harbour Mood {n}" for n in range(74)]
    )  # + 1 fandom + 1 character
    assert error.field == "additional_tags"
    assert "at most 75" in error.message and "(this one has 76)" in error.message
    post(author, additional_tags=[f"Harbour Mood {n}" for n in range(73)])  # 75 exactly is fine


def test_future_publication_date_is_refused(author):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    error = refused(author, published=tomorrow)
    assert (error.field, error.message) == ("published", "The publication date can't be in the future.")


def test_a_chapter_error_names_the_chapter_when_there_are_several(author):
    error = refused(
        author, chapters=[chapter_input(), chapter_input(""), chapter_input()], chapters_expected=3
    )
    assert error.field == "chapters.1.body"
    assert error.message.startswith("Chapter 2: ")


def test_guests_and_inactive_accounts_cannot_post(author):
    from django.contrib.auth.models import AnonymousUser

    assert "log in" in refused(AnonymousUser()).message
    author.is_active = False
    author.save()
    assert "log in" in refused(author).message


def test_a_refused_post_writes_nothing_not_even_its_new_tags(author):
    refused(author, fandoms=["Brand New Fandom Nobody Used"], rating="Unrated-ish")
    assert not Tag.objects.filter(name="Brand New Fandom Nobody Used").exists()
    assert not Work.objects.exists() and not Chapter.objects.exists()


# --- what a valid post stores ----------------------------------------------------------------------------


def test_defaults_not_rated_and_chose_not_to_warn(author):
    work = post(author, rating="", warnings=[])
    assert tag_names(work, "rating") == [vocab.NOT_RATED]
    assert tag_names(work, "warning") == [vocab.CHOSE_NOT_TO_WARN]


def test_fixed_names_match_whatever_their_case_and_the_older_warning_name(author):
    work = post(author, rating="teen and up audiences", warnings=["Choose Not To Use Archive Warnings"])
    assert tag_names(work, "rating") == [vocab.TEEN]
    assert tag_names(work, "warning") == [vocab.CHOSE_NOT_TO_WARN]


def test_tag_names_are_trimmed_split_on_commas_and_deduplicated(author):
    work = post(
        author,
        fandoms=["  Tidewater   Chronicles  ", "tidewater chronicles"],
        additional_tags=["Fog, Lighthouses", " fog ", "Lighthouses,,"],
        categories=["gen", "Gen", "F/F"],
    )
    assert tag_names(work, "fandom") == ["Tidewater Chronicles"]
    assert tag_names(work, "additional") == ["Fog", "Lighthouses"]
    assert tag_names(work, "category") == ["F/F", "Gen"]


def test_language_by_name_or_code(author):
    assert post(author, language="Deutsch").language == "de"
    assert post(author, language="pt-BR").language == "pt-BR"


def test_word_counts_and_completion(author):
    work = post(
        author,
        chapters=[chapter_input("<p>one two three</p>"), chapter_input("<p>four five</p>")],
        chapters_expected=None,
    )
    assert list(work.chapters.values_list("word_count", flat=True)) == [3, 2]
    assert work.word_count == 5
    assert not work.complete  # "?" expected chapters: a work in progress
    assert post(author, chapters_expected=1).complete
    assert not post(author, chapters_expected=3).complete


def test_dates_today_unless_backdated(author):
    today = timezone.localdate()
    work = post(author)
    assert (work.published, work.updated, work.backdated) == (today, today, False)
    old = dt.date(2011, 6, 3)
    backdated = post(author, published=old)
    assert (backdated.published, backdated.updated, backdated.backdated) == (old, old, True)
    assert backdated.chapters.get().published == old


def test_restricted_work_is_for_logged_in_readers(author):
    from django.contrib.auth.models import AnonymousUser

    work = post(author, restricted=True)
    assert not can_view_work(AnonymousUser(), work)
    assert can_view_work(make_user("fogbound"), work)


def test_comment_settings_are_saved(author):
    from fanfold.social.models import CommentSettings

    work = post(author, comment_permission="registered", moderate_comments=True)
    settings = CommentSettings.for_work(work)
    assert (settings.comment_permission, settings.moderate_comments) == ("registered", True)


def test_credited_to_the_default_pseud_or_chosen_own_pseuds(author):
    from fanfold.accounts.models import Pseud

    assert [p.name for p in post(author).creator_pseuds] == ["saltwick"]
    second = Pseud.objects.create(user=author, name="Brinewriter")
    assert [p.name for p in post(author, pseud_ids=[second.pk]).creator_pseuds] == ["Brinewriter"]
    stranger = make_user("quayside").pseuds.get()
    error = refused(author, pseud_ids=[stranger.pk])
    assert (error.field, error.message) == ("pseud_ids", "You can only post under your own pseuds.")


def test_an_account_without_a_pseud_gets_one(db):
    from fanfold.accounts.models import User

    user = User.objects.create_user("pseudless", password="not-a-real-password-9")
    work = post(user)
    assert [(p.name, p.user_id, p.is_default) for p in work.creator_pseuds] == [("pseudless", user.pk, True)]


# --- sanitising and text formats --------------------------------------------------------------------------


@pytest.mark.parametrize("text_format", ["html", "markdown"])
def test_scripts_and_event_handlers_are_removed(author, text_format):
    hostile = '<p onclick="steal()">Tide <em>rising</em></p><script>alert("x")</script><a href="javascript:go()">map</a>'
    work = post(
        author,
        summary=hostile,
        text_format=text_format,
        chapters=[chapter_input(hostile, text_format=text_format, notes=hostile)],
    )
    chapter = work.chapters.get()
    for stored in (work.summary, chapter.body, chapter.notes):
        assert "<script" not in stored and "onclick" not in stored and "javascript:" not in stored
        assert "<em>rising</em>" in stored
        assert "alert" not in stored


def test_markdown_is_converted(author):
    body = "# Landfall\n\nThe **boat** came in _late_.\n\n- rope\n- lantern"
    work = post(author, chapters=[chapter_input(body, text_format="markdown")])
    html = work.chapters.get().body
    assert "<h1>Landfall</h1>" in html
    assert "<strong>boat</strong>" in html and "<em>late</em>" in html
    assert "<li>rope</li>" in html


def test_plain_text_is_escaped_into_paragraphs(author):
    body = "First light on the water.\n\nSecond: <b>not bold</b> & calm."
    work = post(author, chapters=[chapter_input(body, text_format="plain")])
    html = work.chapters.get().body
    assert html.startswith("<p>First light on the water.</p>")
    assert "&lt;b&gt;not bold&lt;/b&gt; &amp; calm." in html


def test_html_without_paragraphs_gets_them(author):
    work = post(author, chapters=[chapter_input("Line one\nline two\n\n<em>Next</em> paragraph")])
    assert work.chapters.get().body == "<p>Line one<br>\nline two</p>\n<p><em>Next</em> paragraph</p>"


# --- drafts ---------------------------------------------------------------------------------------------


def test_drafts_are_visible_only_to_their_creators_and_never_expire(author, client):
    from django.contrib.auth.models import AnonymousUser

    work = post(author, draft=True, title="Unfinished Tide")
    reader = make_user("sandpiper")
    assert work.draft
    assert can_view_work(author, work)
    assert not can_view_work(reader, work) and not can_view_work(AnonymousUser(), work)
    assert work not in visible_works(reader)
    client.force_login(reader)
    assert "Unfinished Tide" not in client.get("/works/").content.decode()
    client.logout()
    assert "Unfinished Tide" not in client.get("/works/").content.decode()
    assert list(Work.objects.drafts_of(author)) == [work]


def test_publishing_a_draft_dates_it_today_unless_backdated(author):
    today = timezone.localdate()
    draft = post(author, draft=True)
    Work.objects.filter(pk=draft.pk).update(published=dt.date(2020, 1, 1), updated=dt.date(2020, 1, 1))
    draft.refresh_from_db()
    posted = posting.publish_work(author, draft)
    assert (posted.draft, posted.published, posted.updated) == (False, today, today)
    assert posted.chapters.get().published == today

    old = dt.date(2009, 9, 9)
    backdated = posting.publish_work(author, post(author, draft=True, published=old))
    assert (backdated.published, backdated.updated) == (old, old)

    with pytest.raises(posting.PostingError, match="already been posted"):
        posting.publish_work(author, posted)


def test_a_draft_missing_a_fandom_cannot_be_posted(author):
    draft = post(author, draft=True)
    draft.work_tags.filter(tag__type="fandom").delete()  # as an uploaded file without a fandom leaves it
    with pytest.raises(posting.PostingError) as caught:
        posting.publish_work(author, draft)
    assert caught.value.field == "fandoms"
    draft.refresh_from_db()
    assert draft.draft


def test_a_refused_post_by_an_account_without_a_pseud_creates_no_pseud(db):
    from fanfold.accounts.models import Pseud, User

    user = User.objects.create_user("pseudless", password="not-a-real-password-9")
    with pytest.raises(posting.PostingError):
        post(user, title="")
    assert not Pseud.objects.filter(user=user).exists()
    assert posting.preview_work(user, work_input()).creators == ["pseudless"]
    assert not Pseud.objects.filter(user=user).exists()


def test_posting_a_draft_through_an_edit_checks_it_too(author):
    draft = post(author, draft=True)
    draft.work_tags.filter(tag__type="fandom").delete()
    with pytest.raises(posting.PostingError) as caught:
        posting.update_work(author, draft, {"draft": False, "title": "Ready?"})
    assert caught.value.field == "fandoms"
    draft.refresh_from_db()
    assert (draft.draft, draft.title) == (True, "Gull Count")
    posting.update_work(author, draft, {"draft": False, "fandoms": ["Tidewater Chronicles"]})
    draft.refresh_from_db()
    assert not draft.draft
