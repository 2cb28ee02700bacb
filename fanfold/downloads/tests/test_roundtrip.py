"""Export then import: Fanfold's EPUB and HTML come back with every field of the work."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from fanfold.challenges.models import CollectionItem
from fanfold.conftest import SEED_BREAK, SEED_WHUMPTOBER
from fanfold.core.html import html_to_text, sanitize
from fanfold.core.text import count_words
from fanfold.downloads import services
from fanfold.downloads.tests.conftest import AWKWARD_BODY, SCRIPTS_BODY
from fanfold.imports.mapping import RelatedDraft
from fanfold.imports.services import detect_format, import_bytes
from fanfold.tags.services import build_index
from fanfold.works.models import Work
from fanfold.works.tests.factories import chapter, collection, make_work, series

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path


def snapshot(work: Work) -> dict:
    """Every field a round trip must keep."""
    tags: dict[str, list[str]] = {}
    for work_tag in work.work_tags.select_related("tag").order_by("id"):
        tags.setdefault(work_tag.tag.type, []).append(work_tag.tag.name)
    items = CollectionItem.objects.filter(work=work).select_related("collection", "prompt")
    return {
        "title": work.title,
        "creators": [p.name for p in work.creator_pseuds],
        "tags": {k: sorted(v) for k, v in tags.items()},
        "summary": work.summary,
        "notes": work.notes,
        "end_notes": work.end_notes,
        "language": work.language,
        "published": work.published,
        "updated": work.updated,
        "word_count": work.word_count,
        "complete": work.complete,
        "chapters_expected": work.chapters_expected,
        "source_url": work.source_url,
        "source_fields": work.source_fields,
        "chapters": [
            (c.position, c.title, c.summary, c.notes, c.end_notes, c.body, c.word_count)
            for c in work.chapters.order_by("position")
        ],
        "series": sorted(
            (m.series.title, m.position) for m in work.series_memberships.select_related("series")
        ),
        "collections": sorted(
            (
                i.collection.title,
                i.prompt.day if i.prompt else None,
                i.prompt.text if i.prompt else "",
                sorted(t.name for t in i.prompt.tags.all()) if i.prompt else [],
            )
            for i in items
        ),
        "gifts": sorted(g.recipient_name for g in work.gifts.all()),
        "related": sorted((r.relation, r.title, r.url, r.creator) for r in work.related_works.all()),
    }


def round_trip(work: Work, fmt: str) -> Work:
    path = services.build_file(work, fmt)
    data = path.read_bytes()
    assert detect_format(data, path.name).__name__.endswith("fanfold_book")
    outcome = import_bytes(data, path.name, build_index())
    assert outcome.status == "imported", outcome.message
    assert outcome.work is not None
    assert outcome.work.source_format == f"fanfold_{fmt}"
    return Work.objects.get(pk=outcome.work.pk)


def counted(body: str, **fields):
    """A chapter as the archive stores it: sanitised, with its words counted (the factory does neither)."""
    body = sanitize(body)
    return chapter(body, word_count=count_words(html_to_text(body)), **fields)


def rich_work() -> Work:
    chapters = [
        counted(
            "<p>First.</p><p>Line one<br>line two</p>", title="Nets", summary="<p>s1</p>", notes="<p>n1</p>"
        ),
        counted(SCRIPTS_BODY, end_notes="<p>e2</p>"),
        counted(AWKWARD_BODY, title="Old markup"),
    ]
    work = make_work(
        title="Harbour Lights: «Tide» & Rope",
        creators=["tidewriter", "gullwing"],
        relationships=["Odile Marsh/Pell Rook", "Odile Marsh & Pell Rook"],
        characters=["Odile Marsh", "Pell Rook"],
        additional_tags=["Found Family", "Slow Burn", "Hurt/Comfort"],
        summary="<p>Odile mends <em>nets</em>.</p>",
        notes="<p>For the harbour &amp; its gulls.</p>",
        end_notes="<p>Thank you.</p>",
        series=[series("Tide Tables", 2)],
        collections=[collection("Whumptober 2024", 24, "One down, two to go")],
        gifts=["misschih"],
        related=[RelatedDraft("inspired_by", "Salt and Rope", "https://example.org/works/9", "netmender")],
        chapters=chapters,
        chapters_expected=5,
        complete=False,
        source_url="https://example.org/original/1",
        unmapped={"Beta": "seafoam", "Disclaimer": "Not mine."},
        word_count=sum(c.word_count for c in chapters),
    )
    return work


@pytest.mark.parametrize("fmt", ["epub", "html"])
def test_round_trip_keeps_every_field(db, fmt):
    work = rich_work()
    before = snapshot(work)
    again = round_trip(work, fmt)
    after = snapshot(again)
    assert again.pk != work.pk
    for key in before:
        assert after[key] == before[key], key


@pytest.mark.parametrize("fmt", ["epub", "html"])
def test_round_trip_of_both_seeds(archive, seed_path, fmt):
    call_command("import", str(seed_path(SEED_WHUMPTOBER)), str(seed_path(SEED_BREAK)))
    for work in list(Work.objects.order_by("pk")):
        before = snapshot(work)
        after = snapshot(round_trip(work, fmt))
        assert after == before


def test_damaged_metadata_is_a_clear_error(db):
    work = make_work()
    data = services.build_file(work, "html").read_bytes().replace(b'"fanfold": 1', b'"fanfold": [', 1)
    outcome = import_bytes(data, "broken.html", build_index())
    assert outcome.status == "failed"
    assert "damaged" in outcome.message
