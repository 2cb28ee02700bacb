"""Sign-up validation, generation, sending, defaults, pinch hits, fulfilment and reveal."""

from __future__ import annotations

import pytest
from django.core import mail

from fanfold.accounts.models import Pseud
from fanfold.challenges.models import Collection, CollectionItem
from fanfold.exchanges import services
from fanfold.exchanges.models import Assignment, GiftExchange
from fanfold.exchanges.services import ExchangeError, ExchangeSettings, PromptInput, TypeRules
from fanfold.exchanges.tests.conftest import make_user, prompt, pseud_of, sign_up
from fanfold.social.models import Notification
from fanfold.tags.models import Tag
from fanfold.tags.services import ensure_fixed_tags
from fanfold.works.models import Gift
from fanfold.works.services import create_work
from fanfold.works.tests.factories import make_work, work_draft

pytestmark = pytest.mark.django_db


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def ring(exchange, tags):
    """Three people who can only give around a ring: a→b→c→a (Saltmarsh/Odile, Perrin, Wren)."""
    a, b, c = make_user("aster"), make_user("birch"), make_user("cedar")
    chars = {"aster": "Odile Marsh", "birch": "Perrin Gale", "cedar": "Wren Tallow"}
    gives_to = {"aster": "birch", "birch": "cedar", "cedar": "aster"}
    for user in (a, b, c):
        request = prompt(tags, "Saltmarsh Almanac", chars[user.username])
        offer = prompt(tags, "Saltmarsh Almanac", chars[gives_to[user.username]])
        sign_up(exchange, user, tags, [request], [offer])
    return a, b, c


# ---- sign-ups --------------------------------------------------------------------------------------------


def test_signup_is_validated_against_the_form_rules(exchange, tags):
    user = make_user("aster")
    good = prompt(tags, "Saltmarsh Almanac", "Odile Marsh")
    with pytest.raises(ExchangeError, match="between 1 and 2 requests"):
        sign_up(exchange, user, tags, [], [good])
    with pytest.raises(ExchangeError, match="at least 1 fandom"):
        sign_up(exchange, user, tags, [PromptInput(tags={"character": [tags["Odile Marsh"]]})], [good])
    with pytest.raises(ExchangeError, match="at most 1 fandom"):
        two = PromptInput(tags={"fandom": [tags["Saltmarsh Almanac"], tags["Lighthouse Ledger"]]})
        sign_up(exchange, user, tags, [two], [good])
    with pytest.raises(ExchangeError, match="not a character tag"):
        wrong = PromptInput(
            tags={"fandom": [tags["Saltmarsh Almanac"]], "character": [tags["Lighthouse Ledger"]]}
        )
        sign_up(exchange, user, tags, [wrong], [good])
    with pytest.raises(ExchangeError, match="does not ask for relationship"):
        extra = PromptInput(
            tags={"fandom": [tags["Saltmarsh Almanac"]], "relationship": []}, any={"relationship"}
        )
        sign_up(exchange, user, tags, [extra], [good])
    signup = sign_up(
        exchange, user, tags, [good, prompt(tags, "Lighthouse Ledger", any_character=True)], [good]
    )
    assert [len(signup.requests()), len(signup.offers())] == [2, 1]
    assert signup.requests()[1].any_list == ["character"]


def test_any_must_be_allowed(exchange, tags):
    exchange.type_settings.filter(tag_type="character").update(request_any=False)
    with pytest.raises(ExchangeError, match='"any" is not allowed'):
        sign_up(
            exchange,
            make_user("aster"),
            tags,
            [prompt(tags, "Saltmarsh Almanac", any_character=True)],
            [prompt(tags, "Saltmarsh Almanac", "Odile Marsh")],
        )


def test_signup_only_with_own_pseud_and_while_open(exchange, tags):
    a, b = make_user("aster"), make_user("birch")
    p = prompt(tags, "Saltmarsh Almanac", "Odile Marsh")
    with pytest.raises(ExchangeError, match="your own pseuds"):
        services.save_signup(a, exchange, pseud_of(b), [p], [p])
    services.set_signups_open(exchange.created_by, exchange, open=False)
    with pytest.raises(ExchangeError, match="closed"):
        sign_up(exchange, a, tags, [p], [p])


def test_editing_replaces_the_prompts(exchange, tags):
    user = make_user("aster")
    sign_up(
        exchange,
        user,
        tags,
        [prompt(tags, "Saltmarsh Almanac", "Odile Marsh")],
        [prompt(tags, "Lighthouse Ledger", "Ada Lumen")],
    )
    signup = sign_up(
        exchange,
        user,
        tags,
        [prompt(tags, "Lighthouse Ledger", "Ada Lumen")],
        [prompt(tags, "Lighthouse Ledger", "Ada Lumen")],
    )
    assert exchange.signups.count() == 1
    assert [t.name for t in signup.requests()[0].tags_of("fandom")] == ["Lighthouse Ledger"]


# ---- the live unmatchable list -------------------------------------------------------------------------


def test_unmatchable_lists_who_nobody_can_give_to(exchange, tags):
    _a, _b, _c = ring(exchange, tags)
    lonely = make_user("dune")
    sign_up(
        exchange,
        lonely,
        tags,
        [prompt(tags, "Lighthouse Ledger", "Ada Lumen")],
        [prompt(tags, "Saltmarsh Almanac", "Perrin Gale")],
    )
    report = services.unmatchable(exchange)
    assert [s.user for s in report.no_giver] == [lonely]
    assert report.no_receiver == []
    # someone offering Lighthouse Ledger / Ada Lumen fixes it
    sign_up(
        exchange,
        make_user("ember"),
        tags,
        [prompt(tags, "Saltmarsh Almanac", "Odile Marsh")],
        [prompt(tags, "Lighthouse Ledger", "Ada Lumen")],
    )
    assert services.unmatchable(exchange).no_giver == []


def test_unmatchable_list_follows_edits(exchange, tags):
    ring(exchange, tags)
    lonely = make_user("dune")
    offer = prompt(tags, "Saltmarsh Almanac", "Perrin Gale")
    sign_up(exchange, lonely, tags, [prompt(tags, "Lighthouse Ledger", "Ada Lumen")], [offer])
    assert [s.user for s in services.unmatchable(exchange).no_giver] == [lonely]
    assert [s.user for s in services.unmatchable(exchange).no_giver] == [lonely]  # cached, same answer
    sign_up(exchange, lonely, tags, [prompt(tags, "Saltmarsh Almanac", "Perrin Gale")], [offer])  # edited
    assert services.unmatchable(exchange).no_giver == []
    assert services.unmatchable(exchange).possible_pairs == 5
    exchange.type_settings.filter(tag_type="character").update(match_required=0)  # fandom alone
    assert services.unmatchable(exchange).possible_pairs == 4 * 3


def test_synonyms_match_their_canonical_tag(exchange, tags):
    odi = Tag.objects.create(name="Odi", type="character", merger=tags["Odile Marsh"])
    a, b = make_user("aster"), make_user("birch")
    sign_up(
        exchange,
        a,
        tags,
        [PromptInput(tags={"fandom": [tags["Saltmarsh Almanac"]], "character": [odi]})],
        [prompt(tags, "Saltmarsh Almanac", "Perrin Gale")],
    )
    sign_up(
        exchange,
        b,
        tags,
        [prompt(tags, "Saltmarsh Almanac", "Perrin Gale")],
        [prompt(tags, "Saltmarsh Almanac", "Odile Marsh")],
    )
    assert services.unmatchable(exchange).no_giver == []


def test_two_pseuds_of_one_account_never_give_to_each_other(exchange, tags):
    user = make_user("aster")
    second = Pseud.objects.create(user=user, name="aster_alt")
    p = prompt(tags, "Saltmarsh Almanac", "Odile Marsh")
    sign_up(exchange, user, tags, [p], [p])
    sign_up(exchange, user, tags, [p], [p], pseud=second)
    report = services.unmatchable(exchange)
    assert len(report.no_giver) == 2 and report.possible_pairs == 0


# ---- generation and sending -----------------------------------------------------------------------------


def test_generate_send_and_notify(exchange, tags, immediate_tasks, django_capture_on_commit_callbacks):
    a, _b, _c = ring(exchange, tags)
    mod = exchange.created_by
    with pytest.raises(ExchangeError, match="Close sign-ups first"):
        services.generate_assignments(mod, exchange)
    with pytest.raises(ExchangeError, match="moderators"):
        services.set_signups_open(a, exchange, open=False)
    services.set_signups_open(mod, exchange, open=False)
    result = services.generate_assignments(mod, exchange)
    assert (result.matched, result.unmatched, result.structural_unmatched) == (3, 0, 0)
    pairs = {
        (x.giver.user.username, x.receiver.user.username)
        for x in exchange.assignments.select_related("giver__user", "receiver__user")
    }
    assert pairs == {("aster", "birch"), ("birch", "cedar"), ("cedar", "aster")}
    # generating again replaces the drafts instead of adding to them
    services.generate_assignments(mod, exchange)
    assert exchange.assignments.count() == 3
    assert not mail.outbox

    with django_capture_on_commit_callbacks(execute=True):
        sent = services.send_assignments(mod, exchange)
    assert sent == 3
    exchange.refresh_from_db()
    assert exchange.state == GiftExchange.State.SENT
    assert sorted(m.to[0] for m in mail.outbox) == [
        "aster@example.org",
        "birch@example.org",
        "cedar@example.org",
    ]
    to_aster = next(m for m in mail.outbox if m.to == ["aster@example.org"])
    assert "birch" in to_aster.subject
    note = Notification.objects.get(user=a)
    assert note.kind == "assignment" and "/exchanges/midwinter/assignments/" in note.url
    with pytest.raises(ExchangeError):
        services.generate_assignments(mod, exchange)  # sent assignments stay


def test_unmatched_receiver_gets_a_draft_without_giver(exchange, tags):
    ring(exchange, tags)
    lonely = make_user("dune")
    sign_up(
        exchange,
        lonely,
        tags,
        [prompt(tags, "Lighthouse Ledger", "Ada Lumen")],
        [prompt(tags, "Saltmarsh Almanac", "Perrin Gale")],
    )
    mod = exchange.created_by
    services.set_signups_open(mod, exchange, open=False)
    result = services.generate_assignments(mod, exchange)
    assert (result.matched, result.unmatched, result.structural_unmatched) == (3, 1, 1)
    open_one = exchange.assignments.get(giver__isnull=True)
    assert open_one.receiver.user == lonely and open_one.needs_pinch_hit


def test_default_and_pinch_hit(exchange, tags, immediate_tasks, django_capture_on_commit_callbacks):
    a, b, _c = ring(exchange, tags)
    mod = exchange.created_by
    services.set_signups_open(mod, exchange, open=False)
    services.generate_assignments(mod, exchange)
    services.send_assignments(mod, exchange)
    mine = exchange.assignments.get(giver__user=a)
    with pytest.raises(ExchangeError, match="not your assignment"):
        services.default_assignment(b, mine)
    replacement = services.default_assignment(a, mine)
    mine.refresh_from_db()
    assert mine.status == Assignment.Status.DEFAULTED
    assert replacement.receiver == mine.receiver and replacement.needs_pinch_hit

    volunteer = make_user("fennel")
    with pytest.raises(ExchangeError, match="moderators"):
        services.pinch_hit(a, replacement, volunteer)
    with pytest.raises(ExchangeError, match="own gift"):
        services.pinch_hit(mod, replacement, b)  # b is the receiver
    with django_capture_on_commit_callbacks(execute=True):
        services.pinch_hit(mod, replacement, volunteer)
    replacement.refresh_from_db()
    assert replacement.giver_user_id == volunteer.pk and replacement.status == Assignment.Status.SENT
    assert [m.to for m in mail.outbox] == [["fennel@example.org"]]
    assert list(Assignment.objects.for_giver(volunteer)) == [replacement]
    with pytest.raises(ExchangeError, match="has a giver"):
        services.pinch_hit(mod, replacement, make_user("gorse"))


def test_fulfil_posts_the_gift_into_the_collection_and_reveal(exchange, tags):
    a, b, _c = ring(exchange, tags)
    mod = exchange.created_by
    services.set_signups_open(mod, exchange, open=False)
    services.generate_assignments(mod, exchange)
    services.send_assignments(mod, exchange)
    mine = exchange.assignments.get(giver__user=a)
    ensure_fixed_tags()
    work = create_work(work_draft(), pseuds=[pseud_of(a)])
    others = make_work(creators=["somebody"])
    with pytest.raises(ExchangeError, match="work you created"):
        services.fulfil_assignment(a, mine, others)
    with pytest.raises(ExchangeError, match="not your assignment"):
        services.fulfil_assignment(b, mine, work)
    services.fulfil_assignment(a, mine, work)
    mine.refresh_from_db()
    assert mine.status == Assignment.Status.FULFILLED and mine.work == work
    assert CollectionItem.objects.filter(collection=exchange.collection, work=work).exists()
    assert Gift.objects.get(work=work).recipient == b

    with pytest.raises(ExchangeError, match="moderators"):
        services.reveal_exchange(a, exchange)
    services.reveal_exchange(mod, exchange)
    exchange.refresh_from_db()
    assert exchange.state == GiftExchange.State.REVEALED and exchange.revealed_at


def test_only_collection_moderators_create_exchanges(tags):
    collection = Collection.objects.create(name="frost", title="Frost Swap")
    with pytest.raises(ExchangeError, match="moderators"):
        services.create_exchange(
            make_user("aster"), collection, ExchangeSettings(types=[TypeRules("fandom")])
        )


def test_settings_are_checked(exchange):
    mod = exchange.created_by
    with pytest.raises(ExchangeError, match="between 1 and 10"):
        services.update_exchange(mod, exchange, ExchangeSettings(requests_min=3, requests_max=2))
    with pytest.raises(ExchangeError, match="cannot require more"):
        services.update_exchange(
            mod,
            exchange,
            ExchangeSettings(types=[TypeRules("fandom", request_required=2, request_allowed=1)]),
        )
    with pytest.raises(ExchangeError, match="cannot ask for tags of type"):
        services.update_exchange(mod, exchange, ExchangeSettings(types=[TypeRules("rating")]))
    services.update_exchange(
        mod, exchange, ExchangeSettings(requests_max=5, types=[TypeRules("fandom", match_required=1)])
    )
    assert [s.tag_type for s in exchange.type_settings.all()] == ["fandom"]
    assert services.exchange_rules(exchange)["fandom"].required == 1


def test_a_gift_posted_into_the_collection_fulfils_the_assignment(exchange, tags):
    a, b, _c = ring(exchange, tags)
    mod = exchange.created_by
    services.set_signups_open(mod, exchange, open=False)
    services.generate_assignments(mod, exchange)
    services.send_assignments(mod, exchange)
    ensure_fixed_tags()
    work = create_work(work_draft(), pseuds=[pseud_of(a)])
    Gift.objects.create(work=work, recipient_name="birch", recipient=b)
    assert services.record_posted_gifts(work) == 0  # not in the collection yet
    CollectionItem.objects.create(collection=exchange.collection, work=work)
    # a gift to someone else, by someone else, answers nothing
    stray = create_work(work_draft(), pseuds=[pseud_of(b)])
    Gift.objects.create(work=stray, recipient_name="birch", recipient=b)
    CollectionItem.objects.create(collection=exchange.collection, work=stray)
    with pytest.raises(ExchangeError, match="moderators"):
        services.record_all_posted_gifts(a, exchange)
    assert services.record_all_posted_gifts(mod, exchange) == 1
    mine = exchange.assignments.get(giver__user=a)
    assert mine.status == Assignment.Status.FULFILLED and mine.work == work
    assert exchange.assignments.filter(status=Assignment.Status.FULFILLED).count() == 1
    assert services.record_posted_gifts(work) == 0  # once only


def test_adding_a_gift_to_the_collection_fulfils_the_assignment_by_itself(
    exchange, tags, django_capture_on_commit_callbacks
):
    from fanfold.challenges.services import add_work_to_collection

    a, b, _c = ring(exchange, tags)
    mod = exchange.created_by
    services.set_signups_open(mod, exchange, open=False)
    services.generate_assignments(mod, exchange)
    services.send_assignments(mod, exchange)
    ensure_fixed_tags()
    work = create_work(work_draft(), pseuds=[pseud_of(a)])
    Gift.objects.create(work=work, recipient_name="birch", recipient=b)
    with django_capture_on_commit_callbacks(execute=True):
        add_work_to_collection(a, work, exchange.collection)
    mine = exchange.assignments.get(giver__user=a)
    assert mine.status == Assignment.Status.FULFILLED and mine.work == work
