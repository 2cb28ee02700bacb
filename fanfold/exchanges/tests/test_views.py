"""The pages: sign-up form, assignment page, moderator pages, and who may see what."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from fanfold.exchanges import services
from fanfold.exchanges.models import Assignment, GiftExchange
from fanfold.exchanges.tests.conftest import make_user, prompt, pseud_of, sign_up
from fanfold.tags.services import ensure_fixed_tags
from fanfold.works.services import create_work
from fanfold.works.tests.factories import work_draft

pytestmark = pytest.mark.django_db


def url(name, exchange, *args):
    return reverse(f"exchanges:{name}", args=[exchange.collection.name, *args])


def sent_ring(exchange, tags):
    users = [make_user(n) for n in ("aster", "birch", "cedar")]
    chars = ["Odile Marsh", "Perrin Gale", "Wren Tallow"]
    for i, user in enumerate(users):
        sign_up(
            exchange,
            user,
            tags,
            [prompt(tags, "Saltmarsh Almanac", chars[i])],
            [prompt(tags, "Saltmarsh Almanac", chars[(i + 1) % 3])],
        )
    mod = exchange.created_by
    services.set_signups_open(mod, exchange, open=False)
    services.generate_assignments(mod, exchange)
    services.send_assignments(mod, exchange)
    return users


def test_guests_are_sent_to_log_in(client, exchange):
    for name in ("signup", "manage"):
        response = client.get(url(name, exchange))
        assert response.status_code == 302 and "/login" in response["Location"]
    assert client.get(url("detail", exchange)).status_code == 200
    assert client.get(reverse("exchanges:list")).status_code == 200


def test_sign_up_through_the_form(client, exchange, tags):
    user = make_user("aster")
    client.force_login(user)
    page = client.get(url("signup", exchange))
    assert page.status_code == 200 and b"Request 2" in page.content and b"Any character" in page.content
    data = {
        "pseud": pseud_of(user).pk,
        "request-0-fandom": "Saltmarsh Almanac",
        "request-0-character": "Odile Marsh, Perrin Gale",
        "offer-0-fandom": "Lighthouse Ledger",
        "offer-0-character-any": "on",
        "offer-0-description": "Happy to write anything cosy.",
    }
    response = client.post(url("signup", exchange), data)
    assert response.status_code == 302
    signup = exchange.signups.get()
    assert [t.name for t in signup.requests()[0].tags_of("character")] == ["Odile Marsh", "Perrin Gale"]
    assert signup.offers()[0].any_list == ["character"] and signup.offers()[0].description.startswith("Happy")


def test_sign_up_errors_are_shown_not_raised(client, exchange, tags):
    user = make_user("aster")
    client.force_login(user)
    response = client.post(
        url("signup", exchange),
        {
            "pseud": pseud_of(user).pk,
            "request-0-fandom": "Nowhere Chronicles",
            "offer-0-fandom": "Lighthouse Ledger",
        },
    )
    assert response.status_code == 200
    assert "There is no fandom tag “Nowhere Chronicles”" in response.content.decode()
    response = client.post(
        url("signup", exchange), {"pseud": pseud_of(user).pk, "offer-0-fandom": "Lighthouse Ledger"}
    )
    assert response.status_code == 200 and "Give between 1 and 2 requests" in response.content.decode()
    assert not exchange.signups.exists()


def test_moderator_pages_are_for_moderators(client, exchange, tags):
    outsider = make_user("driftwood")
    client.force_login(outsider)
    assert client.get(url("manage", exchange)).status_code == 403
    assert client.post(url("action", exchange), {"action": "close"}).status_code == 403
    exchange.refresh_from_db()
    assert exchange.state == GiftExchange.State.OPEN
    # an exchange moderator (not a collection moderator) may
    exchange.moderators.add(outsider)
    assert client.get(url("manage", exchange)).status_code == 200


def test_live_unmatchable_list_and_full_moderation_flow(
    client, exchange, tags, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    users = [make_user(n) for n in ("aster", "birch", "cedar")]
    chars = ["Odile Marsh", "Perrin Gale", "Wren Tallow"]
    for i, user in enumerate(users):
        sign_up(
            exchange,
            user,
            tags,
            [prompt(tags, "Saltmarsh Almanac", chars[i])],
            [prompt(tags, "Saltmarsh Almanac", chars[(i + 1) % 3])],
        )
    lonely = make_user("dune")
    sign_up(
        exchange,
        lonely,
        tags,
        [prompt(tags, "Lighthouse Ledger", "Ada Lumen")],
        [prompt(tags, "Saltmarsh Almanac", "Odile Marsh")],
    )
    client.force_login(exchange.created_by)
    page = client.get(url("manage", exchange)).content.decode()
    assert "Who cannot be matched yet" in page
    nobody_section = page.split("Nobody can write for")[1].split("Can write for nobody")[0]
    assert "dune" in nobody_section and "aster" not in nobody_section
    summary = page.split("Sign-up summary")[1]
    assert "<td>Lighthouse Ledger</td><td>1</td><td>0</td>" in summary
    assert "<td>Saltmarsh Almanac</td><td>3</td><td>4</td>" in summary

    client.post(url("action", exchange), {"action": "close"})
    response = client.post(url("action", exchange), {"action": "generate"}, follow=True)
    assert "3 people matched, 1 without a giver (1 whom nobody can give to)" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("action", exchange), {"action": "send"})
    assert len(mail.outbox) == 3
    open_one = exchange.assignments.get(giver__isnull=True)
    volunteer = make_user("fennel")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("exchanges:pinch_hit", args=[exchange.collection.name, open_one.pk]),
            {"username": "fennel"},
        )
    open_one.refresh_from_db()
    assert open_one.pinch_hitter == volunteer and len(mail.outbox) == 4
    response = client.post(
        reverse("exchanges:pinch_hit", args=[exchange.collection.name, open_one.pk]),
        {"username": "nobody-here"},
        follow=True,
    )
    assert "There is no active account" in response.content.decode()


def test_a_participant_sees_only_their_own_assignment(client, exchange, tags):
    a, b, _c = sent_ring(exchange, tags)
    mine = exchange.assignments.get(giver__user=a)
    theirs = exchange.assignments.get(giver__user=b)
    client.force_login(a)
    page = client.get(url("assignment", exchange, mine.pk))
    assert page.status_code == 200 and "You write for birch" in page.content.decode()
    assert "Perrin Gale" in page.content.decode()  # the receiver's request
    assert client.get(url("assignment", exchange, theirs.pk)).status_code == 404
    # the receiver cannot see who writes for them
    client.force_login(b)
    assert client.get(url("assignment", exchange, mine.pk)).status_code == 404
    detail = client.get(url("detail", exchange)).content.decode()
    assert "Write for cedar" in detail and "Write for birch" not in detail


def test_fulfil_and_default_from_the_assignment_page(client, exchange, tags):
    a, b, _c = sent_ring(exchange, tags)
    mine = exchange.assignments.get(giver__user=a)
    ensure_fixed_tags()
    work = create_work(work_draft(title="Salt and Lanterns"), pseuds=[pseud_of(a)])
    client.force_login(a)
    response = client.post(url("assignment", exchange, mine.pk), {"work": work.pk})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.status == Assignment.Status.FULFILLED and mine.work == work

    theirs = exchange.assignments.get(giver__user=b)
    client.force_login(b)
    client.post(url("assignment", exchange, theirs.pk), {"action": "default"})
    theirs.refresh_from_db()
    assert theirs.status == Assignment.Status.DEFAULTED
    assert exchange.assignments.filter(receiver=theirs.receiver, giver__isnull=True).exists()


def test_setup_page_creates_an_exchange(client, tags):
    from fanfold.challenges.models import Collection, Membership

    owner = make_user("keeper")
    collection = Collection.objects.create(name="thaw", title="Thaw Swap")
    Membership.objects.create(collection=collection, user=owner, role=Membership.Role.OWNER)
    client.force_login(owner)
    form = client.get(reverse("exchanges:setup", args=["thaw"]))
    assert form.status_code == 200
    data = {"requests_min": 1, "requests_max": 3, "offers_min": 2, "offers_max": 4, "fandom-enabled": "on"}
    for attr, value in (
        ("request_required", 1),
        ("request_allowed", 1),
        ("offer_required", 1),
        ("offer_allowed", 1),
        ("match_required", 1),
    ):
        data[f"fandom-{attr}"] = value
    for t in ("character", "relationship", "additional"):
        for attr in (
            "request_required",
            "request_allowed",
            "offer_required",
            "offer_allowed",
            "match_required",
        ):
            data[f"{t}-{attr}"] = 0
    response = client.post(reverse("exchanges:setup", args=["thaw"]), data)
    assert response.status_code == 302
    exchange = GiftExchange.objects.get(collection=collection)
    assert (exchange.offers_min, exchange.offers_max) == (2, 4)
    assert [s.tag_type for s in exchange.type_settings.all()] == ["fandom"]
    client.force_login(make_user("driftwood"))
    assert client.post(reverse("exchanges:setup", args=["thaw"]), data).status_code == 403


def test_assignment_table_is_paged(client, exchange, tags, monkeypatch):
    from fanfold.exchanges import views

    monkeypatch.setattr(views, "ASSIGNMENTS_PER_PAGE", 2)
    sent_ring(exchange, tags)
    client.force_login(exchange.created_by)
    first = client.get(url("manage", exchange)).content.decode()
    assert "3 sent" in first and "Page 1 of 2" in first
    table = first.split('class="exchange-assignments"')[1].split("</table>")[0]
    assert table.count("<tr>") == 3  # header + 2 rows
    second = client.get(url("manage", exchange) + "?page=2").content.decode()
    assert "Page 2 of 2" in second
