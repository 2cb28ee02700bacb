"""The wranglers' pages: who may come in, what the bins hold, and that their forms really wrangle."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from fanfold.accounts.models import User
from fanfold.api.tags import clear_index_cache
from fanfold.core.permissions import WRANGLERS_GROUP
from fanfold.tags import wrangling
from fanfold.tags.models import Tag, TagChange, TagType, WranglerAssignment
from fanfold.works.tests.factories import make_work

NARUTO = "Naruto"
SHIP = "Haruno Sakura/Uchiha Sasuke"


@pytest.fixture(autouse=True)
def _fresh_index():
    clear_index_cache()
    yield
    clear_index_cache()


def wrangler_of(username: str, *fandom_names: str) -> User:
    user = User.objects.create_user(username, email=f"{username}@example.org", password="pw-not-real-9")
    user.groups.add(Group.objects.get_or_create(name=WRANGLERS_GROUP)[0])
    for name in fandom_names:
        WranglerAssignment.objects.create(user=user, fandom=Tag.objects.get(type=TagType.FANDOM, name=name))
    return user


@pytest.fixture
def reader(archive):
    return User.objects.create_user("quietpage", email="quietpage@example.org", password="pw-not-real-8")


@pytest.fixture
def staff(archive):
    return User.objects.create_user(
        "archivekeeper", email="archivekeeper@example.org", password="pw-not-real-7", is_staff=True
    )


@pytest.fixture
def naruto_wrangler(archive):
    return wrangler_of("leafscribe", NARUTO)


@pytest.fixture
def naruto_works(archive):
    """Works in Naruto carrying raw tags nobody has wrangled yet (plus one wrangled already)."""
    make_work(
        fandoms=[NARUTO],
        relationships=["Sasuke x Sakura"],
        characters=["sakura"],
        additional_tags=["lanterns at the gate", "Hurt/Comfort"],
    )
    make_work(
        fandoms=["Naruto Shippuden"], relationships=["Sasuke x Sakura"], characters=[], additional_tags=[]
    )
    make_work(fandoms=[NARUTO], characters=[], additional_tags=["rain on the training field"])
    # A tag used only outside Naruto stays out of its bin.
    make_work(fandoms=["Saltmarsh Almanac (Original Work)"], additional_tags=["tidepool musings"])


def bin_url(fandom: str = NARUTO, **extra: str) -> str:
    from urllib.parse import urlencode

    return reverse("tags:wrangle_bin") + "?" + urlencode({"fandom": fandom, **extra})


def tag(name: str, tag_type: str | None = None) -> Tag:
    qs = Tag.objects.filter(name=name)
    return qs.get(type=tag_type) if tag_type else qs.get()


# --- who may come in ---


@pytest.mark.parametrize("url_name", ["tags:wrangle_home", "tags:wrangle_bin"])
def test_guests_are_sent_to_log_in(client, archive, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_member_who_is_not_a_wrangler_is_refused_with_a_reason(client, reader, archive):
    client.force_login(reader)
    for url in (reverse("tags:wrangle_home"), bin_url(), reverse("tags:wrangle_tag", args=["Hurt/Comfort"])):
        response = client.get(url)
        assert response.status_code == 403
        assert "Only tag wranglers can wrangle tags." in response.content.decode()


def test_a_wrangler_sees_their_fandoms_with_counts(client, naruto_wrangler, naruto_works):
    client.force_login(naruto_wrangler)
    body = client.get(reverse("tags:wrangle_home")).content.decode()
    assert NARUTO in body
    # Sasuke x Sakura, sakura, lanterns at the gate, rain on the training field.
    assert "<td>4</td>" in body
    assert "Saltmarsh" not in body


def test_staff_see_every_fandom_with_unwrangled_tags(client, staff, naruto_works):
    client.force_login(staff)
    body = client.get(reverse("tags:wrangle_home")).content.decode()
    assert NARUTO in body
    assert "Naruto Shippuden" not in body  # a synonym counts for its canonical fandom
    assert client.get(bin_url()).status_code == 200


def test_a_wrangler_of_another_fandom_is_refused_its_bin_and_tags(client, archive, naruto_works):
    outsider = wrangler_of("bakerstreet_sorter", "Sherlock (TV)")
    client.force_login(outsider)
    assert client.get(bin_url()).status_code == 403
    # A canonical Naruto character belongs to Naruto's wranglers.
    response = client.get(reverse("tags:wrangle_tag", args=["Haruno Sakura"]))
    assert response.status_code == 403
    assert "not assigned" in response.content.decode()


def test_the_assigned_wrangler_may_edit_a_tag_of_their_fandom(client, naruto_wrangler):
    client.force_login(naruto_wrangler)
    response = client.get(reverse("tags:wrangle_tag", args=["Haruno Sakura"]))
    assert response.status_code == 200
    assert "csrfmiddlewaretoken" in response.content.decode()


# --- the bin ---


def test_the_bin_lists_unwrangled_tags_of_the_fandom_with_work_counts(client, naruto_wrangler, naruto_works):
    wrangling.mark_unwrangleable(naruto_wrangler, tag("rain on the training field"))
    client.force_login(naruto_wrangler)
    response = client.get(bin_url())
    body = response.content.decode()
    assert response.status_code == 200
    assert "csrfmiddlewaretoken" in body
    rows = {t.name: t.works_count for t, _ in response.context["rows"]}
    # Used on two works (one tagged with Naruto's synonym); canonical, synonym and unwrangleable
    # tags stay out, and so do tags from other fandoms.
    assert rows == {"Sasuke x Sakura": 2, "sakura": 1, "lanterns at the gate": 1}


def test_the_bin_filters_by_type(client, naruto_wrangler, naruto_works):
    client.force_login(naruto_wrangler)
    response = client.get(bin_url(type="character"))
    assert [t.name for t, _ in response.context["rows"]] == ["sakura"]


def test_the_bin_counts_works_in_one_query_not_one_per_tag(client, naruto_wrangler, naruto_works):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from fanfold.tags.wrangling_views import bin_tags

    fandom = tag(NARUTO, TagType.FANDOM)
    with CaptureQueriesContext(connection) as queries:
        rows = list(bin_tags(fandom))
    assert len(rows) == 4
    assert len(queries) <= 2


def test_the_bin_shows_suggestions_with_confidence(client, naruto_wrangler, naruto_works):
    client.force_login(naruto_wrangler)
    response = client.get(bin_url())
    suggestions = {t.name: s for t, s in response.context["rows"]}
    assert suggestions["Sasuke x Sakura"].tag.name == SHIP
    assert suggestions["sakura"].tag.name == "Haruno Sakura"
    assert suggestions["lanterns at the gate"] is None
    assert "Apply all suggestions" in response.content.decode()


def test_one_click_applies_a_suggestion_and_empties_the_row(client, naruto_wrangler, naruto_works):
    client.force_login(naruto_wrangler)
    raw = tag("Sasuke x Sakura")
    response = client.post(bin_url(), {"apply": str(raw.pk)})
    assert response.status_code == 302
    raw.refresh_from_db()
    assert raw.merger == tag(SHIP, TagType.RELATIONSHIP)
    names = [t.name for t, _ in client.get(bin_url()).context["rows"]]
    assert "Sasuke x Sakura" not in names


def test_apply_all_suggestions_merges_every_suggested_tag(client, naruto_wrangler, naruto_works):
    client.force_login(naruto_wrangler)
    page = client.get(bin_url())
    shown = [str(t.pk) for t, s in page.context["rows"] if s]
    response = client.post(bin_url(), {"apply_all": "1", "shown": shown}, follow=True)
    assert "Made synonyms of 2 tags." in response.content.decode()
    remaining = {t.name for t, _ in response.context["rows"]}
    assert remaining == {"lanterns at the gate", "rain on the training field"}


def test_mass_action_through_the_form(client, naruto_wrangler, naruto_works):
    client.force_login(naruto_wrangler)
    lanterns, rain = tag("lanterns at the gate"), tag("rain on the training field")
    response = client.post(
        bin_url(), {"tags": [lanterns.pk, rain.pk], "action": "make_canonical", "target": ""}, follow=True
    )
    assert "Make canonical: 2 tags." in response.content.decode()
    lanterns.refresh_from_db()
    assert lanterns.canonical
    # ...then attach both to Naruto, by name.
    client.post(bin_url(), {"tags": [lanterns.pk, rain.pk], "action": "attach_to_fandom", "target": NARUTO})
    assert set(lanterns.parents.values_list("name", flat=True)) == {NARUTO}
    assert TagChange.objects.filter(tag=rain, action="attach_to_fandom", user=naruto_wrangler).exists()


def test_per_tag_failures_are_shown_and_the_rest_go_through(client, naruto_wrangler, naruto_works):
    client.force_login(naruto_wrangler)
    lanterns, sakura = tag("lanterns at the gate"), tag("sakura")
    response = client.post(
        bin_url(),
        {"tags": [lanterns.pk, sakura.pk], "action": "make_synonym", "target": "Hurt/Comfort"},
        follow=True,
    )
    body = response.content.decode()
    assert "Make synonym of: 1 tag." in body
    assert "sakura: " in body and "same type" in body
    sakura.refresh_from_db()
    assert sakura.merger is None


def test_a_bad_mass_action_keeps_the_form_and_says_why(client, naruto_wrangler, naruto_works):
    client.force_login(naruto_wrangler)
    lanterns = tag("lanterns at the gate")
    response = client.post(
        bin_url(), {"tags": [lanterns.pk], "action": "make_synonym", "target": "No Such Tag Anywhere"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is no tag named &#x27;No Such Tag Anywhere&#x27;." in body
    assert 'value="No Such Tag Anywhere"' in body
    lanterns.refresh_from_db()
    assert lanterns.merger is None and not lanterns.canonical


def test_nothing_chosen_is_a_clear_message(client, naruto_wrangler, naruto_works):
    client.force_login(naruto_wrangler)
    response = client.post(bin_url(), {"action": "make_canonical"})
    assert response.status_code == 400
    assert "Choose at least one tag." in response.content.decode()


def test_the_bin_paginates(client, naruto_wrangler, archive):
    make_work(fandoms=[NARUTO], characters=[], additional_tags=[f"stray thought {n:02}" for n in range(55)])
    client.force_login(naruto_wrangler)
    first = client.get(bin_url())
    assert len(first.context["rows"]) == 50 and first.context["next_url"]
    second = client.get(bin_url(page="2"))
    assert len(second.context["rows"]) == 5


# --- one tag ---


def test_the_tag_page_shows_history_and_takes_actions(client, naruto_wrangler, naruto_works):
    client.force_login(naruto_wrangler)
    url = reverse("tags:wrangle_tag", args=["lanterns at the gate"])
    client.post(url, {"action": "make_canonical"})
    response = client.post(url, {"action": "attach_to_fandom", "target": NARUTO}, follow=True)
    body = response.content.decode()
    assert response.status_code == 200
    assert "make_canonical" in body and "attach_to_fandom" in body
    assert "canonical: no → yes" in body
    assert "fandoms: none → Naruto" in body
    assert "leafscribe" in body


def test_the_tag_page_makes_a_synonym_and_keeps_bad_input(client, naruto_wrangler, naruto_works):
    client.force_login(naruto_wrangler)
    url = reverse("tags:wrangle_tag", args=["sakura"])
    response = client.post(url, {"action": "make_synonym", "target": "Sakura the Unknown"})
    assert response.status_code == 400
    assert 'value="Sakura the Unknown"' in response.content.decode()
    client.post(url, {"action": "make_synonym", "target": "Haruno Sakura"})
    assert tag("sakura").merger == tag("Haruno Sakura", TagType.CHARACTER)


def test_comments_are_sanitised(client, naruto_wrangler, naruto_works):
    client.force_login(naruto_wrangler)
    url = reverse("tags:wrangle_tag", args=["lanterns at the gate"])
    response = client.post(
        url,
        {"action": "comment", "body": "Ask the fandom <script>alert(1)</script><b>first</b>"},
        follow=True,
    )
    body = response.content.decode()
    assert "Comment added." in body
    assert "<b>first</b>" in body
    assert "<script>alert(1)" not in body


def test_an_empty_comment_is_refused(client, naruto_wrangler, naruto_works):
    client.force_login(naruto_wrangler)
    response = client.post(reverse("tags:wrangle_tag", args=["sakura"]), {"action": "comment", "body": "  "})
    assert response.status_code == 400
    assert "Write a comment first." in response.content.decode()


def test_wranglers_find_the_pages_from_the_navigation_and_the_tag_page(client, naruto_wrangler, reader):
    tag_page = reverse("tags:detail", args=["Uchiha Sasuke"])
    wrangle_link = f'href="{reverse("tags:wrangle_tag", args=["Uchiha Sasuke"])}"'
    client.force_login(reader)
    page = client.get(tag_page).content.decode()
    assert ">Wrangling</a>" not in page and wrangle_link not in page
    client.force_login(naruto_wrangler)
    page = client.get(tag_page).content.decode()
    assert f'href="{reverse("tags:wrangle_home")}"' in page and ">Wrangling</a>" in page
    assert wrangle_link in page


def test_the_tag_page_adds_a_character_to_a_relationship(client, staff, naruto_works):
    ship = Tag.objects.create(name="Hinata/Kiba Lantern Walk", type=TagType.RELATIONSHIP, canonical=True)
    client.force_login(staff)
    url = reverse("tags:wrangle_tag", args=[ship.name])
    response = client.post(url, {"action": "add_character", "target": "nobody in particular"})
    assert response.status_code == 400
    assert "There is no character named" in response.content.decode()
    response = client.post(url, {"action": "add_character", "target": "Haruno Sakura"}, follow=True)
    assert "Haruno Sakura" in response.content.decode()
    assert set(ship.parents.values_list("name", flat=True)) == {"Haruno Sakura", NARUTO}
