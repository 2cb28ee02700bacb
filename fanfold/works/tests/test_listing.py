"""The works listings and their filter sidebar: every listing goes through WorkQuery + search_works."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fanfold.accounts.models import Pseud
from fanfold.challenges.models import Collection
from fanfold.tags import vocabulary as vocab
from fanfold.works.tests.factories import chapter, collection, make_work

pytestmark = pytest.mark.django_db

BLURB = 'class="blurb"'


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def checkbox(page: str, name: str, value: str) -> str:
    """The <input> of the sidebar checkbox with that name and value."""
    match = re.search(
        rf'<input type="checkbox" id="[^"]+" name="{name}" value="{re.escape(value)}"[^>]*>', page
    )
    assert match, f"no {name} checkbox for {value!r}"
    return match.group(0)


def label_for(page: str, input_html: str) -> str:
    input_id = re.search(r'id="([^"]+)"', input_html).group(1)
    match = re.search(rf'<label for="{input_id}">(.*?)</label>', page, re.S)
    assert match
    return re.sub(r"<[^>]+>", "", match.group(1))


@pytest.fixture
def shelf(db):
    """Four invented works with overlapping tags."""
    make_work(
        title="Kelp Forest",
        rating=vocab.GENERAL,
        fandoms=["Saltmarsh Almanac (Original Work)"],
        characters=["Odile Marsh"],
        additional_tags=["Slow Burn", "Fluff"],
        word_count=1500,
        updated=dt.date(2024, 3, 1),
    )
    make_work(
        title="Tidepool Letters",
        rating=vocab.TEEN,
        fandoms=["Saltmarsh Almanac (Original Work)"],
        characters=["Odile Marsh", "Perrin Gale"],
        relationships=["Odile Marsh/Perrin Gale"],
        additional_tags=["Slow Burn", "Angst"],
        word_count=9000,
        complete=False,
        updated=dt.date(2024, 5, 1),
    )
    make_work(
        title="Lighthouse Keeper",
        rating=vocab.TEEN,
        fandoms=["Glasswing Saga (Original Work)"],
        characters=["Wren Alder"],
        additional_tags=["Angst"],
        word_count=300,
        updated=dt.date(2023, 7, 1),
    )
    make_work(
        title="Both Shores",
        rating=vocab.MATURE,
        fandoms=["Glasswing Saga (Original Work)", "Saltmarsh Almanac (Original Work)"],
        characters=["Wren Alder", "Odile Marsh"],
        additional_tags=["Crossover", "Fluff"],
        word_count=4000,
        updated=dt.date(2025, 1, 1),
    )


# ---- the sidebar --------------------------------------------------------------------------------


def test_sidebar_lists_facets_with_counts(client, shelf):
    page = text(client.get(reverse("works:list")))
    assert '<aside class="listing__filters"' in page
    assert '<form class="filters__form" method="get" action="/works/"' in page
    for heading in (
        "Ratings",
        "Warnings",
        "Categories",
        "Fandoms",
        "Characters",
        "Relationships",
        "Additional Tags",
    ):
        assert f"<summary>{heading}</summary>" in page, heading
    assert label_for(page, checkbox(page, "include", "Slow Burn")).split() == ["Slow", "Burn", "(2)"]
    assert label_for(page, checkbox(page, "include", "Odile Marsh")).endswith("(3)")
    assert label_for(page, checkbox(page, "exclude", "Angst")).endswith("(2)")
    # Ratings are ORed, so their include boxes carry the rating parameter.
    assert label_for(page, checkbox(page, "rating", vocab.TEEN)).endswith("(2)")
    assert "checked" not in checkbox(page, "include", "Slow Burn")
    # Every control has a label; the form works without JavaScript (a plain GET form).
    for control_id in re.findall(r'<(?:input|select)[^>]* id="([^"]+)"', page):
        if control_id.startswith("filter-") or control_id.startswith(("include-", "exclude-")):
            assert f'<label for="{control_id}">' in page, control_id
    for legend in ("Include", "Exclude", "Crossovers", "Completion status", "Word count", "Date updated"):
        assert f"<legend>{legend}</legend>" in page, legend
    assert "Sort and Filter" in page and "Clear Filters" in page
    assert "<script>" not in page  # no inline script


def test_sidebar_shows_checked_state_and_keeps_excluded_tags(client, shelf):
    page = text(client.get(reverse("works:list"), {"include": "Slow Burn", "exclude": "Angst"}))
    assert page.count(BLURB) == 1 and "Kelp Forest" in page
    included = checkbox(page, "include", "Slow Burn")
    assert "checked" in included
    assert label_for(page, included).endswith("(1)")
    excluded = checkbox(page, "exclude", "Angst")
    assert "checked" in excluded  # still listed, though no result has it any more
    assert label_for(page, excluded).endswith("(0)")
    # The groups with a selection are open, the others closed.
    assert re.search(r'<details class="filter-group" open>\s*<summary>Additional Tags</summary>', page)
    assert re.search(r'<details class="filter-group">\s*<summary>Fandoms</summary>', page)


def test_sidebar_other_tags_fields_keep_names_without_checkbox(client, shelf):
    page = text(
        client.get(reverse("works:list"), {"include": "slow burn, Kelp", "exclude": "Nothing Like It"})
    )
    # "slow burn" is the checked Slow Burn box; the unknown names go back into the text fields.
    assert "checked" in checkbox(page, "include", "Slow Burn")
    assert 'id="filter-other-include" name="include" value="Kelp"' in page
    assert 'id="filter-other-exclude" name="exclude" value="Nothing Like It"' in page
    assert "Unknown tags" in page and "<q>Kelp</q>" in page


def test_other_controls_reflect_the_query(client, shelf):
    params = {
        "sort": "words",
        "complete": "false",
        "crossover": "exclude",
        "words_from": "1000",
        "words_to": "20000",
        "updated_from": "2024-01-01",
        "updated_to": "2024-12-31",
        "language": "en",
        "rating": vocab.TEEN,
    }
    page = text(client.get(reverse("works:list"), params))
    assert page.count(BLURB) == 1 and "Tidepool Letters" in page
    assert '<option value="words" selected>Word count</option>' in page
    assert re.search(r'name="complete" value="false" checked', page)
    assert re.search(r'name="crossover" value="exclude" checked', page)
    assert 'name="words_from" min="0" inputmode="numeric" value="1000"' in page
    assert 'name="updated_to" value="2024-12-31"' in page
    assert '<option value="en" selected>English</option>' in page
    assert "checked" in checkbox(page, "rating", vocab.TEEN)


def test_errors_are_listed_above_the_results(client, shelf):
    page = text(client.get(reverse("works:list"), {"words_from": "lots", "sort": "sideways"}))
    assert "Some filters could not be used" in page
    errors = page[page.index("Some filters could not be used") : page.index('<ol class="work-index"')]
    assert "words_from: &#x27;lots&#x27; is not a whole number" in errors
    assert "sort: &#x27;sideways&#x27; is not one of" in errors
    assert page.count(BLURB) == 4  # the rest of the query still applies


def test_blank_form_fields_redirect_to_the_short_url(client, shelf):
    response = client.get(
        reverse("works:list"),
        {"sort": "title", "include": ["Fluff", ""], "exclude": "", "q": "", "words_from": "", "complete": ""},
    )
    assert response.status_code == 302
    assert response["Location"] == "/works/?include=Fluff&sort=title"
    # htmx requests are answered at once, with the short URL for the address bar.
    response = client.get(
        reverse("works:list"), {"include": "Fluff", "q": ""}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert response["HX-Push-Url"] == "/works/?include=Fluff"


def test_search_within_results_shows_snippets(client):
    make_work(title="Net Mending", chapters=[chapter("<p>She mended the torn herring net by lamplight.</p>")])
    make_work(title="Dry Land", chapters=[chapter("<p>Nothing about fishing here at all.</p>")])
    page = text(client.get(reverse("works:list"), {"q": "herring"}))
    assert "Net Mending" in page and "Dry Land" not in page
    assert '<p class="snippet">' in page and "<mark>" in page
    assert 'id="filter-q" name="q" value="herring"' in page


# ---- links keep the query -----------------------------------------------------------------------


def test_pagination_links_keep_the_query(client):
    for i in range(23):
        make_work(title=f"Buoy {i:02d}", additional_tags=["Slow Burn"], word_count=100 + i)
    make_work(title="Unrelated", additional_tags=["Fluff"])
    params = {"include": "Slow Burn", "exclude": "Fluff", "sort": "words", "words_from": "50"}
    page = text(client.get(reverse("works:list"), params))
    assert "1 – 20 of 23 Works" in page
    assert 'href="?include=Slow+Burn&amp;exclude=Fluff&amp;words_from=50&amp;sort=words&amp;page=2"' in page
    assert (
        'rel="next" href="?include=Slow+Burn&amp;exclude=Fluff&amp;words_from=50&amp;sort=words&amp;page=2"'
        in page
    )
    second = text(client.get(reverse("works:list"), {**params, "page": 2}))
    assert second.count(BLURB) == 3
    assert "21 – 23 of 23 Works" in second
    assert 'rel="prev" href="?include=Slow+Burn&amp;exclude=Fluff&amp;words_from=50&amp;sort=words"' in second
    assert '<option value="words" selected>' in second


def test_sort_changes_order_and_is_kept(client, shelf):
    page = text(client.get(reverse("works:list"), {"sort": "title"}))
    titles = re.findall(r'class="blurb__title" id="work-\d+-title"><a href="[^"]+">([^<]+)</a>', page)
    assert titles == sorted(titles)
    page = text(client.get(reverse("works:list"), {"sort": "words"}))
    titles = re.findall(r'class="blurb__title" id="work-\d+-title"><a href="[^"]+">([^<]+)</a>', page)
    assert titles == ["Tidepool Letters", "Both Shores", "Kelp Forest", "Lighthouse Keeper"]


def test_clear_filters_and_form_target_the_same_listing(client, shelf):
    tag_url = reverse("tags:works", args=["Odile Marsh"])
    page = text(client.get(tag_url, {"include": "Fluff"}))
    assert f'<a class="button" href="{tag_url}">Clear Filters</a>' in page
    assert f'action="{tag_url}"' in page


# ---- scoped listings ----------------------------------------------------------------------------


def test_pseud_and_user_listings(client, reader):
    pseud = Pseud.objects.create(name="Gannet", user=reader)
    other = Pseud.objects.create(name="Gannet", user=None)  # the same name, another creator
    from fanfold.tags.services import ensure_fixed_tags
    from fanfold.works.services import create_work
    from fanfold.works.tests.factories import work_draft

    ensure_fixed_tags()
    create_work(work_draft(title="By The Account"), pseuds=[pseud])
    create_work(work_draft(title="By The Namesake"), pseuds=[other])
    page = text(client.get(reverse("works:pseud_works", args=[pseud.pk])))
    assert "By The Account" in page and "By The Namesake" not in page
    assert "1 Work by Gannet (reader)" in page
    page = text(client.get(reverse("works:user_works", args=["reader"])))
    assert "By The Account" in page and "By The Namesake" not in page
    assert "1 Work by reader" in page
    assert client.get(reverse("works:user_works", args=["nobody"])).status_code == 404
    assert client.get(reverse("works:pseud_works", args=[999999])).status_code == 404


def test_blurb_creator_links_to_pseud_listing(client):
    work = make_work(creators=["heron_quill"])
    pseud = work.creator_pseuds[0]
    page = text(client.get(reverse("works:list")))
    assert f'<a class="creator" href="/creators/{pseud.pk}/works/">heron_quill</a>' in page


def test_collection_listing_and_page(client):
    make_work(
        title="Splinted",
        collections=[collection("Whumptober 2024", 24, "One down, two to go")],
    )
    make_work(title="Unprompted Fill", collections=[collection("Whumptober 2024")])
    make_work(title="Hidden Fill", collections=[collection("Whumptober 2024", 3, "Shaky hands")], draft=True)
    make_work(title="Elsewhere")
    coll = Collection.objects.get(title="Whumptober 2024")
    page = text(client.get(reverse("challenges:collection_works", args=[coll.name])))
    assert "2 Works in" in page and "Splinted" in page and "Unprompted Fill" in page
    assert "Elsewhere" not in page and "Hidden Fill" not in page
    page = text(client.get(reverse("challenges:collection", args=[coll.name])))
    assert "Day 24: One down, two to go" in page
    assert re.search(
        r'Day 24: One down, two to go</h3>\s*<ul class="prompt__fills">\s*<li><a href="/works/\d+/">Splinted</a>',
        page,
    )
    assert "Day 3: Shaky hands" in page and "No fills yet." in page  # the draft fill is not shown
    assert "Hidden Fill" not in page
    assert "Unprompted Fill" in page
    assert f'href="{reverse("challenges:collection_works", args=[coll.name])}"' in page
    assert client.get(reverse("challenges:collection", args=["no-such-thing"])).status_code == 404


# ---- query counts -------------------------------------------------------------------------------


def _busy_work(i: int):
    return make_work(
        title=f"Busy Work {i}",
        creators=[f"writer{i}", "cowriter"],
        gifts=[f"friend{i}"],
        relationships=[f"Writer {i}/Cowriter"],
        characters=[f"Writer {i}", "Cowriter"],
        additional_tags=["Slow Burn", f"Tag {i}"],
        collections=[collection("Busy Fest", i + 1, f"Prompt {i}")],
        chapters=[chapter(f"<p>{i}</p>"), chapter(f"<p>{i} again</p>")],
    )


def _queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("signed_in", [False, True])
def test_listing_query_count_is_constant(client, reader, signed_in):
    if signed_in:
        client.force_login(reader)
    params = {"include": "Slow Burn", "sort": "title"}
    for i in range(3):
        _busy_work(i)
    few = _queries(client, reverse("works:list"), params)
    tag_few = _queries(client, reverse("tags:works", args=["Slow Burn"]))
    for i in range(3, 12):
        _busy_work(i)
    many = _queries(client, reverse("works:list"), params)
    tag_many = _queries(client, reverse("tags:works", args=["Slow Burn"]))
    assert few == many
    assert tag_few == tag_many
