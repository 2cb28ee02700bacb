"""EPUB: AO3's calibre-made download (built here from our HTML fixture), plain EPUBs, hostile ZIPs."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import time
import zipfile
from pathlib import Path

import lxml.html
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from fanfold.imports.formats import ao3_epub
from fanfold.imports.parsed import ImportFailed, ParsedCollection, ParsedSeries

FIXTURES = Path(__file__).parent / "fixtures"

XHTML = """<?xml version='1.0' encoding='utf-8'?>
<html xmlns="http://www.w3.org/1999/xhtml" lang="en" xml:lang="en">
<head>
<title>{title}</title>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8"/>
<link href="stylesheet.css" rel="stylesheet" type="text/css"/>
</head>
<body class="calibre">
{body}
</body>
</html>
"""

CONTAINER = """<?xml version="1.0"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
   <rootfiles>
      <rootfile full-path="{opf}" media-type="application/oebps-package+xml"/>
   </rootfiles>
</container>
"""

OPF = """<?xml version='1.0' encoding='utf-8'?>
<package xmlns="http://www.idpf.org/2007/opf" unique-identifier="uuid_id" version="2.0">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:opf="http://www.idpf.org/2007/opf"
            xmlns:calibre="http://calibre.kovidgoyal.net/2009/metadata">
    <dc:title>{title}</dc:title>
    {creators}
    <dc:description>{description}</dc:description>
    <dc:publisher>Archive of Our Own</dc:publisher>
    <dc:identifier id="uuid_id" opf:scheme="uuid">00000000-0000-4000-8000-000000000001</dc:identifier>
    <dc:date>2020-10-24T00:00:00+00:00</dc:date>
    <dc:language>en</dc:language>
    {subjects}
    <meta name="calibre:series" content="Harbour Lights"/>
    <meta name="calibre:series_index" content="2.0"/>
  </metadata>
  <manifest>
    {items}
    <item href="stylesheet.css" id="css" media-type="text/css"/>
    <item href="toc.ncx" id="ncx" media-type="application/x-dtbncx+xml"/>
  </manifest>
  <spine toc="ncx">
    {itemrefs}
  </spine>
</package>
"""


def _xml(element) -> str:
    return etree.tostring(element, encoding="unicode", method="xml")


def _calibre_split(html: bytes) -> list[str]:
    """Cut an AO3 HTML download into XHTML bodies the way calibre does: a file per chapter heading.

    Each later file repeats the chapters container without its id (calibre's split copies
    the ancestors of the split point), and the first file ends with an empty copy of the
    first chapter's metadata block, as a split just before the h2 leaves behind.
    """
    root = lxml.html.document_fromstring(html)
    preface = root.get_element_by_id("preface")
    chapters = root.get_element_by_id("chapters")
    afterword = root.get_element_by_id("afterword")
    groups: list[list] = []
    for child in chapters:
        if not isinstance(child.tag, str):
            continue
        if "group" in (child.get("class") or "").split():
            groups.append([])
        groups[-1].append(child)
    for element in root.iter():
        if isinstance(element.tag, str) and element.get("class"):
            element.set("class", element.get("class") + " calibre1")
    bodies = [
        _xml(preface)
        + '<div id="chapters" class="userstuff calibre1"><div class="meta group calibre1"></div></div>'
    ]
    for group in groups:
        inner = "".join(_xml(part) for part in group)
        bodies.append(f'<div class="userstuff calibre1">{inner}</div>')
    bodies.append(_xml(afterword))
    return bodies


def make_epub(
    bodies: list[str],
    *,
    title: str = "The Lamplighter's Ledger",
    creators: tuple[str, ...] = ("quietharbor",),
    subjects: tuple[str, ...] = ("Fanworks", "Teen And Up Audiences", "Lighthouses"),
    description: str = "&lt;p&gt;A ledger of lamps.&lt;/p&gt;",
    opf_path: str = "content.opf",
    container: bool = True,
) -> bytes:
    buffer = io.BytesIO()
    base = opf_path.rsplit("/", 1)[0] + "/" if "/" in opf_path else ""
    names = [f"Title_split_{index:03d}.xhtml" for index in range(len(bodies))]
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")  # stored, first
        if container:
            archive.writestr("META-INF/container.xml", CONTAINER.format(opf=opf_path), zipfile.ZIP_DEFLATED)
        opf = OPF.format(
            title=title,
            creators="\n".join(f'<dc:creator opf:role="aut">{c}</dc:creator>' for c in creators),
            description=description,
            subjects="\n".join(f"<dc:subject>{s}</dc:subject>" for s in subjects),
            items="\n".join(
                f'<item href="{n}" id="id{i}" media-type="application/xhtml+xml"/>'
                for i, n in enumerate(names)
            ),
            itemrefs="\n".join(f'<itemref idref="id{i}"/>' for i in range(len(names))),
        )
        archive.writestr(opf_path, opf, zipfile.ZIP_DEFLATED)
        archive.writestr(base + "stylesheet.css", ".calibre { display: block }", zipfile.ZIP_DEFLATED)
        for name, body in zip(names, bodies, strict=True):
            archive.writestr(base + name, XHTML.format(title=title, body=body), zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def ao3_epub_bytes() -> bytes:
    return make_epub(_calibre_split((FIXTURES / "ao3_two_chapters.html").read_bytes()))


# --- AO3's EPUB ----------------------------------------------------------------------------------


def test_sniff(ao3_epub_bytes):
    assert ao3_epub.sniff(ao3_epub_bytes, "work.epub") == 95
    generic = make_epub(["<h1>One</h1><p>Text.</p>"], subjects=())
    assert ao3_epub.sniff(generic, "book.epub") == 60
    assert ao3_epub.sniff(b"PK\x03\x04 not really a zip") <= 50
    assert ao3_epub.sniff(b"<html>Archive of Our Own</html>") == 0


def test_ao3_epub_reads_the_preface(ao3_epub_bytes):
    work = ao3_epub.parse(ao3_epub_bytes, "The_Lamplighters_Ledger.epub")
    assert work.source_format == "ao3_epub"
    assert work.tags_are_exact is True
    assert work.title == "The Lamplighter's Ledger"
    assert work.creators == ["quietharbor", "Wick (saltwick)"]
    assert work.rating == "Teen And Up Audiences"
    assert work.warnings == ["Graphic Depictions Of Violence", "Major Character Death"]
    assert work.categories == ["F/M", "Gen"]
    assert work.fandoms == ["The Lanternkeepers (Web Series)"]
    assert work.relationships == ["Maren Holt/Ilya Serrano", "Maren Holt & Tobias Wren"]
    assert work.characters == ["Maren Holt", "Ilya Serrano", "Tobias Wren"]
    assert work.additional_tags == ["Slow Burn", "Hurt/Comfort", "Lighthouses"]  # not the flat dc:subject
    assert work.language == "English"
    assert work.series == [ParsedSeries("Harbour Lights", 2), ParsedSeries("Tidewater Drabbles", 5)]
    assert work.collections == [ParsedCollection("Lantern Week 2020"), ParsedCollection("Coastal Fics")]
    assert work.published == dt.date(2020, 10, 24) and work.updated == dt.date(2020, 11, 2)
    assert work.chapters_expected == 3 and work.complete is False
    assert work.source_url == "https://archiveofourown.org/works/90000001"
    assert "Maren keeps the ledger" in work.summary
    assert [r.relation for r in work.related] == ["inspired_by", "translation_of"]


def test_ao3_epub_chapters_across_files(ao3_epub_bytes):
    work = ao3_epub.parse(ao3_epub_bytes)
    assert len(work.chapters) == 2
    first, second = work.chapters
    assert first.title == "The Unlisted Lamp"
    assert first.summary == "<p>A lamp burns where no lamp should be.</p>"
    assert first.notes == "<p>Thanks to my beta, Pell.</p>"
    assert first.end_notes == "<p>The lamp list is invented.</p>"
    assert "<strong>soaked</strong>" in first.body
    assert "*&nbsp;*&nbsp;*" in first.body
    assert second.notes == "<p>A shorter one.</p>"
    assert "Tobias had the keys" in second.body
    assert work.end_notes == "<p>Come say hello on the Lantern Week forum.</p>"
    assert work.unmapped["Words"] == "1,234"


def test_ao3_epub_without_tags_falls_back_to_subjects():
    body = (
        '<div id="preface"><p class="message">Posted originally on the Archive of Our Own at '
        '<a href="https://archiveofourown.org/works/5">https://archiveofourown.org/works/5</a>.</p></div>'
        '<div id="chapters" class="userstuff"><div class="userstuff"><p>Only text.</p></div></div>'
    )
    work = ao3_epub.parse(make_epub([body], subjects=("Fanworks", "Lighthouses", "Slow Burn")))
    assert work.source_format == "ao3_epub"
    assert work.additional_tags == ["Lighthouses", "Slow Burn"]
    assert work.title == "The Lamplighter's Ledger" and work.creators == ["quietharbor"]
    assert work.summary == "<p>A ledger of lamps.</p>"
    assert work.series == [ParsedSeries("Harbour Lights", 2)]
    assert work.published == dt.date(2020, 10, 24)
    assert work.language == "en"


# --- plain EPUBs ---------------------------------------------------------------------------------


def test_generic_epub():
    data = make_epub(
        [
            "<h1>The Tide Clock</h1><p>Cover-ish</p>",
            "<h2>Ebb</h2><p>First&#160;part.</p>",
            "<h2>Flow</h2><p>Second.</p>",
        ],
        title="The Tide Clock",
        creators=("A. Writer", "B. Writer"),
        subjects=("Fantasy", "Clocks"),
        description="A clock that runs on tides.\n\nIt is always late.",
        opf_path="OEBPS/content.opf",
    )
    work = ao3_epub.parse(data, "tide.epub")
    assert work.source_format == "epub"
    assert work.title == "The Tide Clock"
    assert work.creators == ["A. Writer", "B. Writer"]
    assert work.additional_tags == ["Fantasy", "Clocks"]
    assert work.summary == "<p>A clock that runs on tides.</p>\n<p>It is always late.</p>"
    assert [c.title for c in work.chapters] == ["The Tide Clock", "Ebb", "Flow"]
    assert work.chapters[1].body == "<p>First&nbsp;part.</p>"
    assert work.unmapped["Publisher"] == "Archive of Our Own"


def test_opf_found_without_container():
    work = ao3_epub.parse(make_epub(["<p>Text.</p>"], container=False, subjects=()))
    assert work.chapters[0].body == "<p>Text.</p>"


def test_xhtml_with_html_entities_is_read_as_html():
    work = ao3_epub.parse(make_epub(["<p>One&nbsp;two<br></p>"], subjects=()))
    assert work.chapters[0].body == "<p>One&nbsp;two<br></p>"


# --- hostile and broken input --------------------------------------------------------------------


def assert_refused_quickly(data: bytes, match: str | None = None) -> None:
    start = time.monotonic()
    with pytest.raises(ImportFailed, match=match):
        ao3_epub.parse(data, "x.epub")
    assert time.monotonic() - start < 5
    assert 0 <= ao3_epub.sniff(data, "x.epub") <= 100


def test_zip_bomb_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")
        archive.writestr("content.opf", b"\0" * (100 * 1024 * 1024), zipfile.ZIP_DEFLATED, compresslevel=9)
    assert len(buffer.getvalue()) < 1024 * 1024
    assert_refused_quickly(buffer.getvalue(), "zip bomb")


def _forge_sizes(data: bytes, uncompressed: int, compressed: int) -> bytes:
    """Rewrite every central-directory entry's sizes: the checks must trust no decompression."""
    forged = bytearray(data)
    position = forged.find(b"PK\x01\x02")
    while position != -1:
        forged[position + 20 : position + 24] = compressed.to_bytes(4, "little")
        forged[position + 24 : position + 28] = uncompressed.to_bytes(4, "little")
        position = forged.find(b"PK\x01\x02", position + 4)
    return bytes(forged)


def test_oversized_archive_is_refused():
    # Members whose ratio passes (90x) but whose total passes the 200 MiB limit.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for index in range(3):
            archive.writestr(f"part{index}.xhtml", b"<p/>")
    forged = _forge_sizes(buffer.getvalue(), 90 * 1024 * 1024, 1024 * 1024)
    assert_refused_quickly(forged, "unpacks to more than")


def test_too_many_members_are_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")
        for index in range(2_001):
            archive.writestr(f"f{index}.txt", b"")
    assert_refused_quickly(buffer.getvalue(), "more than 2,000 files")


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE package [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<package xmlns="http://www.idpf.org/2007/opf" version="2.0"><metadata><title>&lol9;</title></metadata></package>
"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE package [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<package xmlns="http://www.idpf.org/2007/opf" version="2.0"><metadata><title>&secret;</title></metadata></package>
"""


def _epub_with_opf(opf: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")
        archive.writestr("META-INF/container.xml", CONTAINER.format(opf="content.opf"))
        archive.writestr("content.opf", opf)
    return buffer.getvalue()


@pytest.mark.parametrize("opf", [BILLION_LAUGHS, EXTERNAL_ENTITY, BILLION_LAUGHS.decode().encode("utf-16")])
def test_entity_tricks_are_refused(opf):
    assert_refused_quickly(_epub_with_opf(opf), "entities")


def test_entities_in_a_chapter_are_refused():
    data = make_epub(["<p>&lol9;</p>"], subjects=())
    doctype = BILLION_LAUGHS.split(b"?>", 1)[1].split(b"<package")[0]
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename.endswith(".xhtml"):
                content = content.replace(b"<html", doctype + b"<html", 1)
            target.writestr(info, content)
    assert_refused_quickly(buffer.getvalue(), "entities")


def test_deeply_nested_chapter_is_refused():
    assert_refused_quickly(make_epub(["<div>" * 10_000 + "x" + "</div>" * 10_000], subjects=()), "nested")


@pytest.mark.parametrize(
    "data",
    [
        b"PK\x03\x04" + b"\0" * 100,
        b"PK\x05\x06" + b"\0" * 18,
        b"not a zip at all",
    ],
)
def test_broken_zip_is_refused(data):
    assert_refused_quickly(data, "not a valid EPUB")


def test_truncated_epub_is_refused(ao3_epub_bytes):
    assert_refused_quickly(ao3_epub_bytes[: len(ao3_epub_bytes) // 2], "not a valid EPUB")


def test_corrupted_member_is_refused(ao3_epub_bytes):
    # Flip bytes inside a compressed member: the CRC or the inflater must catch it.
    data = bytearray(ao3_epub_bytes)
    offset = data.find(b"Title_split_001.xhtml") + 60
    data[offset : offset + 40] = b"\xff" * 40
    assert_refused_quickly(bytes(data))


# --- fuzzing -------------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2048))
def test_arbitrary_bytes_only_raise_import_failed(data):
    for candidate in (data, b"PK\x03\x04" + data):
        assert 0 <= ao3_epub.sniff(candidate) <= 100
        with contextlib.suppress(ImportFailed):
            ao3_epub.parse(candidate)


_PARTS = st.text(
    alphabet=st.sampled_from(list("<>/&;=\"' abcdivpmetaclassidpreface#chapters\n")), max_size=300
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PARTS, min_size=1, max_size=3), st.text(max_size=200))
def test_arbitrary_documents_only_raise_import_failed(bodies, opf_junk):
    data = make_epub(bodies, subjects=(), description=opf_junk.replace("<", "&lt;").replace("&", "&amp;"))
    assert 0 <= ao3_epub.sniff(data) <= 100
    try:
        work = ao3_epub.parse(data)
    except ImportFailed:
        return
    assert work.chapters
