import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fanfold.tags import vocabulary as vocab
from fanfold.works.tests.factories import chapter, collection, make_work, series

pytestmark = pytest.mark.django_db

BLURB = 'class="blurb"'


def rich_work(**overrides):
    fields = {
        "title": "The Cartographer's Apprentice",
        "creators": ["inkwell_fox", "brambleby"],
        "rating": vocab.TEEN,
        "warnings": [vocab.CHARACTER_DEATH, vocab.VIOLENCE],
        "categories": ["F/M", "Gen"],
        "fandoms": ["Glasswing Saga (Original Work)", "Saltmarsh Almanac (Original Work)"],
        "relationships": ["Wren Alder/Tobias Fenn"],
        "characters": ["Wren Alder", "Tobias Fenn"],
        "additional_tags": ["Map Making", "Slow Burn"],
        "summary": "<p>Wren draws the <em>edges</em> of the world.</p>",
        "notes": "<p>For the autumn exchange. Thanks, Pell!</p>",
        "end_notes": "<p>Thank you for reading to the end.</p>",
        "series": [series("Ink and Compass", 2)],
        "collections": [collection("Whumptober 2024", 24, "One down, two to go")],
        "gifts": ["misschih"],
        "chapters": [
            chapter("<p>First paragraph of the map.</p><p>Second paragraph, where the coast bends.</p>")
        ],
        "word_count": 12345,
        "unmapped": {"Rating": "PG-13", "Disclaimer": "<b>Not mine</b> & never was"},
    }
    fields.update(overrides)
    return make_work(**fields)


def three_chapter_work(**overrides):
    fields = {
        "title": "Three Tides",
        "notes": "<p>Work begin notes.</p>",
        "end_notes": "<p>Work end notes.</p>",
        "complete": False,
        "chapters_expected": 5,
        "chapters": [
            chapter("<p>Ebb body.</p>", title="Ebb", summary="<p>Chapter one summary.</p>"),
            chapter(
                "<p>Flood body.</p>",
                title="Flood",
                notes="<p>Note on two.</p>",
                end_notes="<p>End of two.</p>",
            ),
            chapter("<p>Slack body.</p>"),
        ],
    }
    fields.update(overrides)
    return make_work(**fields)


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def blurb_count(response) -> int:
    return text(response).count(BLURB)


# ---- the works list -----------------------------------------------------------------------------


def test_list_shows_visible_works_only(client, reader, staff):
    make_work(title="Open Water")
    make_work(title="Members Only", restricted=True)
    make_work(title="Unfinished Draft", draft=True)
    make_work(title="Taken Down", hidden_by_admin=True)
    url = reverse("works:list")

    page = text(client.get(url))
    assert "Open Water" in page
    assert "Members Only" not in page
    assert "Unfinished Draft" not in page
    assert "Taken Down" not in page
    assert "1 Work" in page

    client.force_login(reader)
    page = text(client.get(url))
    assert "Open Water" in page and "Members Only" in page
    assert "Unfinished Draft" not in page and "Taken Down" not in page
    assert "2 Works" in page

    client.force_login(staff)
    page = text(client.get(url))
    assert "3 Works" in page and "Taken Down" in page  # staff see hidden works; drafts are never listed
    assert "Unfinished Draft" not in page


def test_list_blurb_content(client):
    work = rich_work()
    page = text(client.get(reverse("works:list")))
    assert f'href="{reverse("works:detail", args=[work.pk])}"' in page
    assert "The Cartographer&#x27;s Apprentice" in page
    assert re.search(
        r'by <a class="creator" href="/creators/\d+/works/">inkwell_fox</a>, '
        r'<a class="creator" href="/creators/\d+/works/">brambleby</a>',
        page,
    )
    assert re.search(r'for <span class="recipient">misschih</span>', page)
    assert "Glasswing Saga (Original Work)" in page
    # The required tags as text, not only colours.
    assert "Rating: Teen And Up Audiences" in page
    assert "Archive Warnings: Graphic Depictions Of Violence, Major Character Death" in page
    assert "Categories: Gen, F/M" in page
    assert "Complete Work" in page
    assert '<time datetime="2024-' in page
    # Warnings first, then relationships, characters, additional tags.
    tags = page[page.index('<ul class="tags"') :]
    positions = [
        tags.index(name)
        for name in (
            "Graphic Depictions Of Violence",
            "Wren Alder/Tobias Fenn",
            "Tobias Fenn</a>",
            "Map Making",
        )
    ]
    assert positions == sorted(positions)
    assert "Wren draws the <em>edges</em> of the world." in page  # summary is stored sanitised
    assert "Part <strong>2</strong> of" in page and "Ink and Compass" in page
    assert "12,345" in page
    assert "<dd>1/1</dd>" in page
    for label in ("Language:", "Words:", "Chapters:", "Kudos:", "Hits:", "Bookmarks:", "Comments:"):
        assert label in page
    assert ">English<" in page
    # Tag links lead to the tag's works listing; the "/" stays a "/", the space is encoded.
    assert 'href="/tags/Wren%20Alder/Tobias%20Fenn/works/"' in page


def test_blurb_anonymous_and_work_in_progress(client):
    make_work(creators=[], complete=False, chapters_expected=None)
    page = text(client.get(reverse("works:list")))
    assert '<span class="creator">Anonymous</span>' in page
    assert "Work in Progress" in page
    assert "<dd>1/?</dd>" in page


def test_list_orders_by_updated_desc(client):
    import datetime as dt

    make_work(title="Oldest", updated=dt.date(2023, 1, 1))
    make_work(title="Newest", updated=dt.date(2025, 6, 1))
    make_work(title="Middle", updated=dt.date(2024, 6, 1))
    page = text(client.get(reverse("works:list")))
    assert page.index("Newest") < page.index("Middle") < page.index("Oldest")


def test_pagination(client):
    for _ in range(25):
        make_work()
    url = reverse("works:list")
    first = client.get(url)
    assert blurb_count(first) == 20
    assert "1 – 20 of 25 Works" in text(first)
    assert 'href="?page=2"' in text(first)
    second = client.get(url, {"page": 2})
    assert blurb_count(second) == 5
    assert "21 – 25 of 25 Works" in text(second)
    # Nonsense pages never raise: not a number -> page 1, too far -> the last page.
    assert blurb_count(client.get(url, {"page": "abc"})) == 20
    assert blurb_count(client.get(url, {"page": "999"})) == 5
    assert blurb_count(client.get(url, {"page": "-1"})) in {5, 20}


def test_pagination_keeps_other_parameters(client):
    for _ in range(21):
        make_work(additional_tags=["Slow Burn"])
    page = text(client.get(reverse("works:list"), {"include": "Slow Burn"}))
    assert 'href="?include=Slow+Burn&amp;page=2"' in page


def _queries_for_list(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("works:list"))
    assert response.status_code == 200
    return len(queries)


def _busy_work(i: int):
    return rich_work(
        title=f"Busy Work {i}",
        creators=[f"writer{i}", "cowriter"],
        gifts=[f"friend{i}"],
        series=[series(f"Series {i}", 1)],
        chapters=[chapter(f"<p>{i}</p>"), chapter(f"<p>{i} again</p>")],
    )


def test_list_query_count_does_not_grow_with_works(client):
    for i in range(3):
        _busy_work(i)
    few = _queries_for_list(client)
    for i in range(3, 12):
        _busy_work(i)
    many = _queries_for_list(client)
    assert blurb_count(client.get(reverse("works:list"))) == 12
    assert few == many
    assert many <= 8


def test_include_filter(client):
    make_work(title="Has The Tag", additional_tags=["Slow Burn"])
    make_work(title="Lacks The Tag", additional_tags=["Fluff"])
    page = text(client.get(reverse("works:list"), {"include": "slow burn"}))
    assert "Has The Tag" in page and "Lacks The Tag" not in page
    assert "1 Work" in page
    assert 'value="slow burn"' in page or 'value="Slow Burn" checked' in page


def test_include_filter_follows_synonyms(client):
    from fanfold.tags.models import Tag, TagType

    make_work(title="Canonical Spelling", additional_tags=["Slow Burn"])
    make_work(title="Fan Spelling", additional_tags=["slowburn"])
    make_work(title="Unrelated", additional_tags=["Fluff"])
    canonical = Tag.objects.get(type=TagType.ADDITIONAL, name="Slow Burn")
    Tag.objects.filter(name="slowburn").update(merger=canonical)
    for asked in ("Slow Burn", "slowburn"):
        page = text(client.get(reverse("works:list"), {"include": asked}))
        assert "Canonical Spelling" in page and "Fan Spelling" in page, asked
        assert "Unrelated" not in page


# ---- home ---------------------------------------------------------------------------------------


def test_home_shows_ten_most_recent(client):
    import datetime as dt

    for day in range(1, 13):
        make_work(title=f"Day {day:02d} Story", updated=dt.date(2024, 5, day))
    make_work(title="Secret Draft", draft=True, updated=dt.date(2024, 6, 1))
    page = text(client.get(reverse("works:home")))
    assert page.count(BLURB) == 10
    assert "Day 12 Story" in page and "Day 03 Story" in page
    assert "Day 02 Story" not in page and "Secret Draft" not in page
    assert "<strong>12</strong> works" in page
    assert f'href="{reverse("works:list")}"' in page


def test_home_without_works(client):
    page = text(client.get(reverse("works:home")))
    assert "No works yet" in page


# ---- the work page ------------------------------------------------------------------------------


def test_work_page_preface_and_text(client):
    work = rich_work()
    page = text(client.get(reverse("works:detail", args=[work.pk])))
    assert '<dl class="work meta">' in page
    for label in (
        "Rating:",
        "Archive Warnings:",
        "Categories:",
        "Fandoms:",
        "Relationship:",
        "Characters:",
        "Additional Tags:",
        "Language:",
        "Series:",
        "Collection:",
        "Stats:",
        "Published:",
        "Words:",
        "Chapters:",
        "Kudos:",
        "Hits:",
    ):
        assert f">{label}</dt>" in page, label
    for name in (
        "Teen And Up Audiences",
        "Graphic Depictions Of Violence",
        "Major Character Death",
        "F/M",
        "Gen",
        "Glasswing Saga (Original Work)",
        "Saltmarsh Almanac (Original Work)",
        "Wren Alder/Tobias Fenn",
        "Wren Alder",
        "Tobias Fenn",
        "Map Making",
        "Slow Burn",
    ):
        assert f">{name}</a>" in page, name
    assert "Part 2 of" in page and "Ink and Compass" in page
    assert re.search(r"Whumptober 2024(</a>)?, Day 24: (<span[^>]*>)?One down, two to go", page)
    assert '<h2 class="title heading" id="work-title">The Cartographer&#x27;s Apprentice</h2>' in page
    assert 'for <span class="recipient">misschih</span>' in page
    assert "Wren draws the <em>edges</em> of the world." in page
    assert "<p>For the autumn exchange. Thanks, Pell!</p>" in page
    assert "<p>First paragraph of the map.</p><p>Second paragraph, where the coast bends.</p>" in page
    assert '<div class="userstuff chapter__text">' in page
    assert "<p>Thank you for reading to the end.</p>" in page  # one chapter: end notes shown
    assert "12,345" in page
    assert "Chapter 1" not in page  # a one-shot has no chapter heading


def test_work_page_source_fields_are_escaped(client):
    work = rich_work()
    page = text(client.get(reverse("works:detail", args=[work.pk])))
    assert '<details class="source-fields">' in page
    assert "Original details from the imported file" in page
    assert "<dt>Disclaimer</dt><dd>&lt;b&gt;Not mine&lt;/b&gt; &amp; never was</dd>" in page
    assert "<b>Not mine</b>" not in page
    assert "<dd>PG-13</dd>" in page


def test_no_source_details_without_source_fields(client):
    work = make_work()
    assert "source-fields" not in text(client.get(reverse("works:detail", args=[work.pk])))


def test_script_in_title_is_escaped(client):
    work = make_work(title="<script>alert('tide')</script> Storm")
    for url in (reverse("works:list"), reverse("works:home"), reverse("works:detail", args=[work.pk])):
        page = text(client.get(url))
        assert "<script>alert" not in page
        assert "&lt;script&gt;alert(&#x27;tide&#x27;)&lt;/script&gt; Storm" in page


def test_multi_chapter_work_opens_on_first_chapter(client):
    work = three_chapter_work()
    page = text(client.get(reverse("works:detail", args=[work.pk])))
    assert "Ebb body." in page
    assert "Flood body." not in page and "Slack body." not in page
    assert "Chapter 1: Ebb" in page and "Chapter one summary." in page
    assert "Work begin notes." in page
    assert "Work end notes." not in page and "more notes" in page
    for position in (1, 2, 3):
        assert f'href="{reverse("works:chapter", args=[work.pk, position])}"' in page
    assert f'href="{reverse("works:detail", args=[work.pk])}?view_full_work=true"' in page
    assert f'rel="next" href="{reverse("works:chapter", args=[work.pk, 2])}"' in page
    assert 'rel="prev"' not in page
    assert "<dd>3/5</dd>" in page


def test_chapter_page(client):
    work = three_chapter_work()
    page = text(client.get(reverse("works:chapter", args=[work.pk, 2])))
    assert "Flood body." in page
    assert "Ebb body." not in page and "Slack body." not in page
    assert "Chapter 2: Flood" in page
    assert "Note on two." in page and "End of two." in page
    assert "Work begin notes." not in page and "Work end notes." not in page
    assert f'rel="prev" href="{reverse("works:chapter", args=[work.pk, 1])}"' in page
    assert f'rel="next" href="{reverse("works:chapter", args=[work.pk, 3])}"' in page
    assert 'aria-current="page">Chapter 2: Flood</a>' in page

    last = text(client.get(reverse("works:chapter", args=[work.pk, 3])))
    assert "Slack body." in last and ">Chapter 3<" in last
    assert "Work end notes." in last
    assert 'rel="next"' not in last


def test_entire_work(client):
    work = three_chapter_work()
    page = text(client.get(reverse("works:detail", args=[work.pk]), {"view_full_work": "true"}))
    assert "Ebb body." in page and "Flood body." in page and "Slack body." in page
    assert page.index("Ebb body.") < page.index("Flood body.") < page.index("Slack body.")
    assert "Work begin notes." in page and "Work end notes." in page
    assert "Chapter by chapter" in page


@pytest.mark.parametrize("position", [0, 4, 99])
def test_missing_chapter_is_404(client, position):
    work = three_chapter_work()
    assert client.get(reverse("works:chapter", args=[work.pk, position])).status_code == 404


def test_missing_work_is_404(client):
    assert client.get(reverse("works:detail", args=[424242])).status_code == 404
    assert client.get(reverse("works:chapter", args=[424242, 1])).status_code == 404


def test_work_page_permissions(client, reader, staff):
    restricted = make_work(restricted=True)
    draft = make_work(draft=True)
    hidden = make_work(hidden_by_admin=True)
    for work in (restricted, draft, hidden):
        assert client.get(reverse("works:detail", args=[work.pk])).status_code == 404
        assert client.get(reverse("works:chapter", args=[work.pk, 1])).status_code == 404

    client.force_login(reader)
    assert client.get(reverse("works:detail", args=[restricted.pk])).status_code == 200
    assert client.get(reverse("works:detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("works:detail", args=[hidden.pk])).status_code == 404

    client.force_login(staff)
    for work in (restricted, draft, hidden):
        assert client.get(reverse("works:detail", args=[work.pk])).status_code == 200


def test_base_layout(client):
    page = text(client.get(reverse("works:home")))
    assert '<a class="skip-link" href="#main">' in page
    assert '<main id="main"' in page
    assert "<header" in page and "<footer" in page and "<nav" in page
    assert "/static/fanfold/site.css" in page
    assert "https://" not in page.split("</head>")[0]  # nothing from a CDN
