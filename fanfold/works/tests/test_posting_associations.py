"""Co-creators (who must accept), gifts (the recipient must allow them), series and related works."""

import pytest
from django.conf import settings

from fanfold.accounts.models import Preference
from fanfold.core.permissions import can_edit_work
from fanfold.social.models import Block
from fanfold.works import posting
from fanfold.works.models import CreatorInvitation, Creatorship, Gift, RelatedWork, Series
from fanfold.works.tests.posting_support import make_user, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def author(db):
    return make_user("saltwick")


@pytest.fixture
def friend(db):
    return make_user("kelpie")


# --- co-creators ----------------------------------------------------------------------------------------


def test_an_invited_co_creator_is_not_credited_until_they_accept(author, friend):
    work = post(author, co_creators=["@Kelpie", "saltwick"])  # naming oneself is ignored
    invitation = CreatorInvitation.objects.get()
    assert (invitation.work, invitation.user, invitation.invited_by) == (work, friend, author)
    assert [p.name for p in work.creator_pseuds] == ["saltwick"]
    assert not can_edit_work(friend, work)

    posting.accept_invitation(friend, invitation)
    work.refresh_from_db()
    assert [p.name for p in work.creator_pseuds] == ["saltwick", "kelpie"]
    assert can_edit_work(friend, work)
    assert not CreatorInvitation.objects.exists()


def test_declining_leaves_the_work_as_it_was(author, friend):
    work = post(author, co_creators=["kelpie"])
    posting.decline_invitation(friend, CreatorInvitation.objects.get())
    assert not CreatorInvitation.objects.exists()
    assert not Creatorship.objects.filter(work=work, pseud__user=friend).exists()


def test_only_the_invitee_can_answer_an_invitation(author, friend):
    post(author, co_creators=["kelpie"])
    invitation = CreatorInvitation.objects.get()
    stranger = make_user("barnacle")
    for answer in (posting.accept_invitation, posting.decline_invitation):
        with pytest.raises(posting.PostingError, match="not yours"):
            answer(stranger, invitation)
    assert CreatorInvitation.objects.filter(pk=invitation.pk).exists()


def test_unknown_or_blocking_co_creators_are_refused(author, friend):
    with pytest.raises(posting.PostingError) as caught:
        post(author, co_creators=["nobody-here"])
    assert caught.value.field == "co_creators"
    assert "no user named 'nobody-here'" in caught.value.message
    Block.objects.create(blocker=friend, blocked=author)
    with pytest.raises(posting.PostingError, match="kelpie has blocked you"):
        post(author, co_creators=["kelpie"])


def test_editing_co_creators_invites_new_names_and_withdraws_removed_ones(author, friend):
    work = post(author, co_creators=["kelpie"])
    other = make_user("barnacle")
    posting.update_work(author, work, {"co_creators": ["barnacle"]})
    assert list(CreatorInvitation.objects.values_list("user__username", flat=True)) == ["barnacle"]
    assert posting.work_input_from(work).co_creators == ["barnacle"]
    posting.accept_invitation(other, CreatorInvitation.objects.get())
    posting.update_work(author, work, {"co_creators": []})  # an accepted co-creator stays credited
    assert Creatorship.objects.filter(work=work, pseud__user=other).exists()


# --- gifts ---------------------------------------------------------------------------------------------


def test_gifts_to_accounts_are_linked_and_other_names_kept_as_names(author, friend):
    work = post(author, gifts=["KELPIE", "a friend from the old forum", "kelpie"])
    gifts = list(work.gifts.order_by("id").values_list("recipient_name", "recipient_id"))
    assert gifts == [("kelpie", friend.pk), ("a friend from the old forum", None)]


def test_a_recipient_who_does_not_allow_gifts_refuses_them(author, friend):
    Preference.objects.create(user=friend, allow_gifts=False)
    with pytest.raises(posting.PostingError) as caught:
        post(author, gifts=["kelpie"])
    assert (caught.value.field, caught.value.message) == ("gifts", "kelpie does not accept gifts.")


def test_a_recipient_who_blocked_the_giver_refuses_gifts(author, friend):
    Block.objects.create(blocker=friend, blocked=author)
    with pytest.raises(posting.PostingError, match="kelpie has blocked you"):
        post(author, gifts=["kelpie"])
    assert not Gift.objects.exists()


def test_an_existing_gift_is_not_checked_again_on_edit(author, friend):
    work = post(author, gifts=["kelpie"])
    Preference.objects.create(user=friend, allow_gifts=False)
    posting.update_work(author, work, {"gifts": ["kelpie", "tidepool"]})
    assert sorted(work.gifts.values_list("recipient_name", flat=True)) == ["kelpie", "tidepool"]


# --- series ---------------------------------------------------------------------------------------------


def test_works_join_the_posters_own_series_by_title(author, friend):
    first = post(author, series_title="Harbour Year")
    second = post(author, series_title="harbour year")
    theirs = post(friend, series_title="Harbour Year")
    mine = Series.objects.get(memberships__work=first)
    assert list(mine.memberships.order_by("position").values_list("work_id", "position")) == [
        (first.pk, 1),
        (second.pk, 2),
    ]
    assert Series.objects.get(memberships__work=theirs) != mine


def test_a_series_position_makes_room(author):
    first = post(author, series_title="Harbour Year")
    prequel = post(author, series_title="Harbour Year", series_position=1)
    series = Series.objects.get()
    assert list(series.memberships.order_by("position").values_list("work_id", flat=True)) == [
        prequel.pk,
        first.pk,
    ]


def test_moving_a_work_to_another_series_removes_an_emptied_one(author):
    work = post(author, series_title="Harbour Year")
    posting.update_work(author, work, {"series_title": "Winter Quay"})
    assert list(Series.objects.values_list("title", flat=True)) == ["Winter Quay"]
    posting.update_work(author, work, {"series_title": ""})
    assert not Series.objects.exists()


# --- related works ----------------------------------------------------------------------------------------


def test_related_work_on_this_archive_by_path_or_full_url(author, friend):
    parent = post(friend, title="The First Tide")
    by_path = post(author, related=[posting.RelatedInput(url=f"/works/{parent.pk}/chapters/1/")])
    by_url = post(
        author,
        related=[
            posting.RelatedInput(url=f"{settings.BASE_URL}/works/{parent.pk}/", relation="translation_of")
        ],
    )
    assert by_path.related_works.get().parent == parent
    link = by_url.related_works.get()
    assert (link.parent, link.relation, link.url) == (parent, RelatedWork.Relation.TRANSLATION_OF, "")


def test_related_external_work_keeps_its_url_title_and_creator(author):
    work = post(
        author,
        related=[
            posting.RelatedInput(url="https://example.org/stories/9", title="Sea Glass", creator="wavecrest")
        ],
    )
    link = work.related_works.get()
    assert (link.parent, link.url, link.title, link.creator) == (
        None,
        "https://example.org/stories/9",
        "Sea Glass",
        "wavecrest",
    )


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.org/x", "not a url"])
def test_related_url_must_be_a_web_address(author, url):
    with pytest.raises(posting.PostingError) as caught:
        post(author, related=[posting.RelatedInput(url=url)])
    assert caught.value.field == "related"
    assert "is not a web address" in caught.value.message


def test_related_work_that_the_poster_cannot_see_is_unknown(author, friend):
    hidden = post(friend, draft=True)
    with pytest.raises(posting.PostingError, match=f"There is no work {hidden.pk} on this archive"):
        post(author, related=[posting.RelatedInput(url=f"/works/{hidden.pk}/")])
    with pytest.raises(posting.PostingError, match="There is no work 999999"):
        post(author, related=[posting.RelatedInput(url="/works/999999/")])


def test_a_work_cannot_be_related_to_itself(author):
    work = post(author)
    with pytest.raises(posting.PostingError, match="related to itself"):
        posting.update_work(author, work, {"related": [posting.RelatedInput(url=f"/works/{work.pk}/")]})
