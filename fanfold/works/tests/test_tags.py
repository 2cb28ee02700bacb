"""Tag pages, tag works listings (names with "/" and "&"), synonym redirects and the Atom feed."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from fanfold.tags.models import Tag, TagType
from fanfold.works.tests.factories import make_work

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.fixture
def ships(db):
    """A canonical ship with a "/" in its name, a synonym of it, and a friendship with "&"."""
    make_work(
        title="Compass Rose",
        relationships=["Wren Alder/Tobias Fenn"],
        characters=["Wren Alder", "Tobias Fenn"],
        updated=dt.date(2024, 2, 1),
    )
    make_work(title="Fan Spelling", relationships=["WrenTobias"], updated=dt.date(2024, 3, 1))
    make_work(title="Just Friends", relationships=["Wren Alder & Tobias Fenn"], updated=dt.date(2024, 4, 1))
    ship = Tag.objects.get(type=TagType.RELATIONSHIP, name="Wren Alder/Tobias Fenn")
    Tag.objects.filter(pk=ship.pk).update(canonical=True)
    Tag.objects.filter(name="WrenTobias").update(merger=ship)
    fandom = Tag.objects.get(type=TagType.FANDOM, name="Saltmarsh Almanac (Original Work)")
    ship.parents.add(fandom)
    Tag.objects.get(type=TagType.CHARACTER, name="Wren Alder").parents.add(fandom)
    ship.refresh_from_db()
    return ship


def test_tag_works_url_with_slash_round_trips(client, ships):
    url = reverse("tags:works", args=["Wren Alder/Tobias Fenn"])
    assert url == "/tags/Wren%20Alder/Tobias%20Fenn/works/"
    page = text(client.get(url))
    assert "Compass Rose" in page and "Fan Spelling" in page  # the synonym's work too
    assert "Just Friends" not in page
    assert "2 Works in" in page and ">Wren Alder/Tobias Fenn</a>" in page


def test_tag_works_url_with_ampersand_and_question_mark(client, ships):
    url = reverse("tags:works", args=["Wren Alder & Tobias Fenn"])
    assert url == "/tags/Wren%20Alder%20&%20Tobias%20Fenn/works/"
    page = text(client.get(url))
    assert "Just Friends" in page and "Compass Rose" not in page
    make_work(title="Questions", additional_tags=["Who Am I?"])
    url = reverse("tags:works", args=["Who Am I?"])
    assert url == "/tags/Who%20Am%20I%3F/works/"
    assert "Questions" in text(client.get(url))


def test_blurb_and_work_page_tag_links_round_trip(client, ships):
    page = text(client.get(reverse("works:list")))
    href = 'href="/tags/Wren%20Alder/Tobias%20Fenn/works/"'
    assert href in page
    work = make_work(title="Linked", relationships=["Wren Alder/Tobias Fenn"])
    assert href in text(client.get(reverse("works:detail", args=[work.pk])))
    assert "Linked" in text(client.get("/tags/Wren%20Alder/Tobias%20Fenn/works/"))


def test_synonym_url_redirects_to_canonical_keeping_the_query(client, ships):
    response = client.get(reverse("tags:works", args=["WrenTobias"]), {"sort": "title"})
    assert response.status_code == 302
    assert response["Location"] == "/tags/Wren%20Alder/Tobias%20Fenn/works/?sort=title"
    # Another spelling of the name goes to the tag's own spelling.
    response = client.get("/tags/wren%20alder/tobias%20fenn/works/")
    assert response.status_code == 302
    assert response["Location"] == "/tags/Wren%20Alder/Tobias%20Fenn/works/"


def test_unknown_tag_is_404(client, db):
    assert client.get(reverse("tags:works", args=["No Such Tag"])).status_code == 404
    assert client.get(reverse("tags:detail", args=["No Such Tag"])).status_code == 404
    assert client.get(reverse("tags:feed", args=["No Such Tag"])).status_code == 404


def test_tag_page_shows_type_synonyms_and_parents(client, ships):
    page = text(client.get(reverse("tags:detail", args=["Wren Alder/Tobias Fenn"])))
    assert "<strong>Relationship</strong> category" in page
    assert "common tag" in page
    assert "Tags with the same meaning" in page
    assert f'href="{reverse("tags:detail", args=["WrenTobias"])}">WrenTobias</a>' in page
    assert "Saltmarsh Almanac (Original Work)" in page  # its fandom
    assert f'href="{reverse("tags:works", args=["Wren Alder/Tobias Fenn"])}">2 works</a>' in page
    feed = reverse("tags:feed", args=["Wren Alder/Tobias Fenn"])
    assert (
        f'<link rel="alternate" type="application/atom+xml" title="Works tagged Wren Alder/Tobias Fenn (Atom feed)" href="{feed}">'
        in page
    )


def test_synonym_tag_page_names_its_canonical_tag(client, ships):
    page = text(client.get(reverse("tags:detail", args=["WrenTobias"])))
    assert "synonym of" in page
    assert (
        f'<a href="{reverse("tags:detail", args=["Wren Alder/Tobias Fenn"])}">Wren Alder/Tobias Fenn</a>'
        in page
    )


def test_fandom_page_lists_characters_and_relationships(client, ships):
    page = text(client.get(reverse("tags:detail", args=["Saltmarsh Almanac (Original Work)"])))
    assert "<h2" in page and ">Characters</h2>" in page and ">Relationships</h2>" in page
    assert ">Wren Alder</a>" in page and ">Wren Alder/Tobias Fenn</a>" in page


def test_tag_listing_announces_its_feed(client, ships):
    page = text(client.get(reverse("tags:works", args=["Wren Alder/Tobias Fenn"])))
    assert 'type="application/atom+xml"' in page
    assert f'href="{reverse("tags:feed", args=["Wren Alder/Tobias Fenn"])}"' in page


def test_atom_feed(client, ships):
    make_work(title="Secret Draft", relationships=["Wren Alder/Tobias Fenn"], draft=True)
    make_work(title="Taken Down", relationships=["WrenTobias"], hidden_by_admin=True)
    make_work(title="Members Only", relationships=["Wren Alder/Tobias Fenn"], restricted=True)
    make_work(
        title="Summary <Test>",
        creators=["inkwell_fox", "brambleby"],
        relationships=["Wren Alder/Tobias Fenn"],
        summary="<p>Two <em>maps</em>.</p>",
        published=dt.date(2024, 5, 1),
        updated=dt.date(2024, 6, 1),
    )
    response = client.get(reverse("tags:feed", args=["Wren Alder/Tobias Fenn"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    assert feed.find(f"{ATOM}title").text.startswith("Wren Alder/Tobias Fenn")
    entries = feed.findall(f"{ATOM}entry")
    titles = [e.find(f"{ATOM}title").text for e in entries]
    assert titles == ["Summary <Test>", "Fan Spelling", "Compass Rose"]  # newest first, synonym included
    newest = entries[0]
    assert newest.find(f"{ATOM}link").get("href").startswith("http://testserver/works/")
    assert newest.find(f"{ATOM}author/{ATOM}name").text == "inkwell_fox, brambleby"
    assert newest.find(f"{ATOM}summary").text == "<p>Two <em>maps</em>.</p>"
    assert newest.find(f"{ATOM}published").text.startswith("2024-05-01")
    assert newest.find(f"{ATOM}updated").text.startswith("2024-06-01")
    # The synonym's feed is the canonical tag's feed.
    synonym = ET.fromstring(client.get(reverse("tags:feed", args=["WrenTobias"])).content)
    assert len(synonym.findall(f"{ATOM}entry")) == 3


def test_atom_feed_hides_restricted_works_even_from_signed_in_readers(client, ships, reader):
    make_work(title="Members Only", relationships=["Wren Alder/Tobias Fenn"], restricted=True)
    client.force_login(reader)
    content = client.get(reverse("tags:feed", args=["Wren Alder/Tobias Fenn"])).content.decode()
    assert "Members Only" not in content


def test_atom_feed_has_at_most_twenty_entries(client, db):
    for i in range(22):
        make_work(title=f"Wave {i}", additional_tags=["Sea Shanties"])
    feed = ET.fromstring(client.get(reverse("tags:feed", args=["Sea Shanties"])).content)
    assert len(feed.findall(f"{ATOM}entry")) == 20
