"""Editing a work, its chapters (add, edit, reorder, delete), and deleting it."""

import datetime as dt

import pytest
from django.utils import timezone

from fanfold.accounts.models import Pseud
from fanfold.search.engine import search_works
from fanfold.search.models import SearchDocument
from fanfold.search.query import WorkQuery
from fanfold.tags import vocabulary as vocab
from fanfold.works import posting
from fanfold.works.models import Chapter, Work
from fanfold.works.tests.factories import make_work
from fanfold.works.tests.posting_support import chapter_input, make_user, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def author(db):
    return make_user("saltwick")


def bodies(work):
    return list(work.chapters.order_by("position").values_list("position", "body"))


def three_chapters(author, **overrides):
    return post(
        author,
        chapters=[
            chapter_input("<p>one</p>"),
            chapter_input("<p>two two</p>"),
            chapter_input("<p>three three three</p>"),
        ],
        chapters_expected=3,
        **overrides,
    )


# --- update_work ------------------------------------------------------------------------------------------


def test_a_partial_update_changes_only_what_it_names(author):
    work = post(author, additional_tags=["Fog"], summary="<p>Before.</p>")
    posting.update_work(
        author,
        work,
        {"title": "  Gull   Census ", "summary": "After, in *Markdown*.", "text_format": "markdown"},
    )
    work.refresh_from_db()
    assert work.title == "Gull Census"
    assert work.summary == "<p>After, in <em>Markdown</em>.</p>"
    assert sorted(work.tags.filter(type="additional").values_list("name", flat=True)) == ["Fog"]


def test_changing_tags_replaces_them(author):
    work = post(author, additional_tags=["Fog"], warnings=[vocab.NO_WARNINGS])
    posting.update_work(author, work, {"additional_tags": ["Storms", "Fog"], "warnings": [vocab.VIOLENCE]})
    assert sorted(work.tags.filter(type="additional").values_list("name", flat=True)) == ["Fog", "Storms"]
    assert list(work.tags.filter(type="warning").values_list("name", flat=True)) == [vocab.VIOLENCE]


def test_update_refuses_unknown_fields_and_bad_values_without_writing(author):
    work = post(author)
    with pytest.raises(posting.PostingError) as caught:
        posting.update_work(author, work, {"hits": 5})
    assert caught.value.field == "hits"
    with pytest.raises(posting.PostingError):
        posting.update_work(author, work, {"title": "Fine", "fandoms": []})
    work.refresh_from_db()
    assert work.title == "Gull Count"


def test_an_imported_work_with_a_long_summary_can_still_be_retitled(author):
    work = make_work(summary="<p>" + "long " * 400 + "</p>", creators=["saltwick"])
    Work.objects.get(pk=work.pk).creatorships.update(pseud=author.pseuds.get())
    posting.update_work(author, work, {"title": "Renamed", "summary": work.summary})
    work.refresh_from_db()
    assert work.title == "Renamed"


def test_update_round_trips_work_input_from(author):
    work = post(
        author, gifts=["kelpie"], series_title="Harbour Year", restricted=True, published=dt.date(2015, 2, 1)
    )
    before = Work.objects.get(pk=work.pk)
    changes = {name: getattr(posting.work_input_from(work), name) for name in posting.WORK_FIELDS}
    posting.update_work(author, work, changes)
    after = Work.objects.get(pk=work.pk)
    assert (after.modified_at, after.published, after.restricted) == (
        before.modified_at,
        before.published,
        True,
    )


def test_a_posted_work_cannot_become_a_draft_but_a_draft_can_be_posted(author):
    posted = post(author)
    with pytest.raises(posting.PostingError, match="can't become a draft"):
        posting.update_work(author, posted, {"draft": True})
    draft = post(author, draft=True)
    posting.update_work(author, draft, {"draft": False, "title": "Now Public"})
    draft.refresh_from_db()
    assert (draft.draft, draft.title, draft.published) == (False, "Now Public", timezone.localdate())


def test_backdating_an_existing_work_moves_its_first_chapters_too(author):
    work = post(author)
    old = dt.date(2012, 12, 12)
    posting.update_work(author, work, {"published": old})
    work.refresh_from_db()
    assert (work.published, work.updated, work.backdated) == (old, old, True)
    assert work.chapters.get().published == old
    with pytest.raises(posting.PostingError, match="future"):
        posting.update_work(author, work, {"published": timezone.localdate() + dt.timedelta(days=3)})


def test_pseuds_can_be_switched_by_their_owner_only(author):
    work = post(author)
    other_pseud = Pseud.objects.create(user=author, name="Brinewriter")
    posting.update_work(author, work, {"pseud_ids": [other_pseud.pk]})
    work.refresh_from_db()
    assert [p.name for p in work.creator_pseuds] == ["Brinewriter"]
    staff = make_user("lighthouse-staff", is_staff=True)
    with pytest.raises(posting.PostingError, match="Only the work's creators"):
        posting.update_work(staff, work, {"pseud_ids": [staff.pseuds.get().pk]})


def test_others_cannot_edit_or_delete(author):
    work = post(author)
    stranger = make_user("barnacle")
    with pytest.raises(posting.PostingError):
        posting.update_work(stranger, work, {"title": "Mine now"})
    with pytest.raises(posting.PostingError):
        posting.delete_work(stranger, work)
    with pytest.raises(posting.PostingError):
        posting.add_chapter(stranger, work, chapter_input())
    with pytest.raises(posting.PostingError):
        posting.publish_work(stranger, work)
    assert Work.objects.filter(pk=work.pk, title="Gull Count").exists()


# --- chapters ---------------------------------------------------------------------------------------------


def test_adding_a_chapter_updates_words_dates_and_completion(author):
    work = post(author, chapters_expected=2, chapters=[chapter_input("<p>one two</p>")])
    Work.objects.filter(pk=work.pk).update(published=dt.date(2020, 5, 5), updated=dt.date(2020, 5, 5))
    work.refresh_from_db()
    assert not work.complete
    chapter = posting.add_chapter(author, work, chapter_input("<p>three four five</p>", title="Squall"))
    assert (chapter.position, chapter.title, chapter.word_count) == (2, "Squall", 3)
    work.refresh_from_db()
    assert (work.word_count, work.complete, work.updated, work.published) == (
        5,
        True,
        timezone.localdate(),
        dt.date(2020, 5, 5),
    )


def test_adding_beyond_the_expected_count_raises_it(author):
    work = post(author, chapters_expected=1)
    posting.add_chapter(author, work, chapter_input())
    work.refresh_from_db()
    assert (work.chapters_expected, work.complete) == (2, True)


def test_inserting_a_chapter_keeps_positions_contiguous(author):
    work = three_chapters(author)
    posting.add_chapter(author, work, chapter_input("<p>prologue</p>"), position=1)
    assert bodies(work) == [
        (1, "<p>prologue</p>"),
        (2, "<p>one</p>"),
        (3, "<p>two two</p>"),
        (4, "<p>three three three</p>"),
    ]
    with pytest.raises(posting.PostingError) as caught:
        posting.add_chapter(author, work, chapter_input(), position=9)
    assert caught.value.field == "position"


def test_editing_a_chapter_recounts_words_but_keeps_dates(author):
    work = three_chapters(author)
    Work.objects.filter(pk=work.pk).update(updated=dt.date(2021, 1, 1))
    chapter = work.chapters.get(position=2)
    posting.update_chapter(author, chapter, chapter_input("Now *four* words here", text_format="markdown"))
    chapter.refresh_from_db()
    work.refresh_from_db()
    assert chapter.body == "<p>Now <em>four</em> words here</p>"
    assert (chapter.word_count, work.word_count, work.updated) == (4, 1 + 4 + 3, dt.date(2021, 1, 1))
    with pytest.raises(posting.PostingError, match="chapter text"):
        posting.update_chapter(author, chapter, chapter_input(""))


def test_reordering_chapters(author):
    work = three_chapters(author)
    ids = list(work.chapters.order_by("position").values_list("pk", flat=True))
    posting.reorder_chapters(author, work, [ids[2], ids[0], ids[1]])
    assert [b for _, b in bodies(work)] == ["<p>three three three</p>", "<p>one</p>", "<p>two two</p>"]
    for wrong in ([ids[0], ids[1]], [ids[0], ids[0], ids[1]], [*ids, 999_999]):
        with pytest.raises(posting.PostingError, match="exactly once"):
            posting.reorder_chapters(author, work, wrong)
    assert [p for p, _ in bodies(work)] == [1, 2, 3]


def test_deleting_a_chapter_closes_the_gap_but_never_the_last_one(author):
    work = three_chapters(author)
    posting.delete_chapter(author, work.chapters.get(position=2))
    work.refresh_from_db()
    assert bodies(work) == [(1, "<p>one</p>"), (2, "<p>three three three</p>")]
    assert (work.word_count, work.complete) == (4, False)  # 2 of 3 expected
    posting.delete_chapter(author, work.chapters.get(position=1))
    with pytest.raises(posting.PostingError, match="at least one chapter"):
        posting.delete_chapter(author, work.chapters.get())
    assert Chapter.objects.filter(work=work).count() == 1


# --- deleting ---------------------------------------------------------------------------------------------


def test_deleting_a_work_removes_it_and_its_search_document(author):
    work = post(
        author, chapters=[chapter_input("<p>A periwinkle drifted past.</p>")], series_title="Lone Part"
    )
    assert SearchDocument.objects.filter(work_id=work.pk).exists()
    assert [w.pk for w in search_works(WorkQuery(q="periwinkle"), author).results] == [work.pk]
    posting.delete_work(author, work)
    assert not Work.objects.filter(pk=work.pk).exists()
    assert not SearchDocument.objects.filter(work_id=work.pk).exists()
    assert search_works(WorkQuery(q="periwinkle"), author).results == []
    assert not Chapter.objects.exists()


def test_edits_are_searchable(author):
    work = post(author)
    posting.update_chapter(author, work.chapters.get(), chapter_input("<p>A cormorant dried its wings.</p>"))
    assert [w.pk for w in search_works(WorkQuery(q="cormorant"), author).results] == [work.pk]
