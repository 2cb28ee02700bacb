"""EPUB files: AO3's download (calibre's EPUB 2 of the HTML download) and plain EPUBs.

AO3's EPUB holds the same preface / chapters / afterword as the HTML download, cut by
calibre into several XHTML files (a new file before each chapter heading). The spine's
documents are read in order and handed together to ao3_html's extraction. The OPF only
fills gaps: its dc:subject list holds every tag flattened (plus "Fanworks"), so it is a
fallback for files whose preface lost its dl.tags.

A ZIP is untrusted: member count, total size and per-member compression ratio are checked
from the central directory before anything is decompressed, and every read is capped.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import unquote

from fanfold.core.html import sanitize, text_to_html
from fanfold.imports.formats import ao3_html
from fanfold.imports.formats.common import (
    MAX_TEXT_CHARS,
    MAX_ZIP_MEMBERS,
    MAX_ZIP_RATIO,
    MAX_ZIP_TOTAL_BYTES,
    check_size,
    clean_value,
)
from fanfold.imports.formats.dates import parse_date
from fanfold.imports.formats.markup import (
    MAX_ELEMENTS,
    Element,
    MalformedXML,
    check_tree,
    children,
    elements,
    localname,
    parse_html,
    parse_xml,
    remove_element,
    safe_inner_html,
    strip_namespaces,
    text_of,
)
from fanfold.imports.limits import ZIP_RATIO_MIN_BYTES
from fanfold.imports.parsed import ImportFailed, ParsedChapter, ParsedSeries, ParsedWork

SOURCE_FORMAT = "ao3_epub"
GENERIC_FORMAT = "epub"

EPUB_MIMETYPE = b"application/epub+zip"
MAX_MEMBER_BYTES = MAX_TEXT_CHARS  # one XHTML or OPF file, uncompressed
MAX_SPINE_BYTES = 2 * MAX_TEXT_CHARS  # all text documents together (markup included)
# The ratio check is for members big enough to hurt; a few KiB of repeated markup can
# legitimately compress 200-fold and costs nothing to read.
RATIO_CHECK_MIN_BYTES = ZIP_RATIO_MIN_BYTES
_SNIFF_PEEK_BYTES = 64 * 1024

_HTML_TYPES = {"application/xhtml+xml", "text/html", "application/html"}
_HTML_SUFFIXES = (".xhtml", ".html", ".htm", ".xml")
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, ValueError)


# --- the archive ---------------------------------------------------------------------------------


class _Archive:
    """A ZIP checked for bombs up front, with capped reads of single members."""

    def __init__(self, data: bytes) -> None:
        if not data.startswith(b"PK"):
            raise ImportFailed("not a valid EPUB: the file is not a ZIP archive")
        # Count central-directory headers before zipfile builds an object for each of them.
        if data.count(b"PK\x01\x02") > 2 * MAX_ZIP_MEMBERS:
            raise ImportFailed(f"not a valid EPUB: it holds more than {MAX_ZIP_MEMBERS:,} files")
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zip.infolist()
        except (*_ZIP_ERRORS, NotImplementedError, RuntimeError) as exc:
            raise ImportFailed(f"not a valid EPUB: {_one_line(exc)}") from exc
        if len(infos) > MAX_ZIP_MEMBERS:
            raise ImportFailed(f"not a valid EPUB: it holds more than {MAX_ZIP_MEMBERS:,} files")
        total = 0
        for info in infos:
            total += info.file_size
            if total > MAX_ZIP_TOTAL_BYTES:
                limit = MAX_ZIP_TOTAL_BYTES // (1024 * 1024)
                raise ImportFailed(f"the EPUB unpacks to more than {limit} MiB, which is refused")
            if info.file_size >= RATIO_CHECK_MIN_BYTES and info.file_size > MAX_ZIP_RATIO * max(
                info.compress_size, 1
            ):
                raise ImportFailed(
                    f"the EPUB member {info.filename[:80]!r} is compressed suspiciously well (a zip bomb?)"
                )
        # A member may have an empty name (found by fuzzing): zipfile's is_dir() fails on it.
        self.infos = {info.filename: info for info in infos if info.filename and not info.is_dir()}
        self._lower = {name.lower(): name for name in self.infos}

    def find(self, name: str) -> str | None:
        name = name.lstrip("/")
        if name in self.infos:
            return name
        return self._lower.get(name.lower())

    def read(self, name: str, limit: int = MAX_MEMBER_BYTES) -> bytes:
        """A member's bytes, refusing members larger than the limit (truncated when peeking)."""
        info = self.infos[name]
        if info.file_size > limit and limit == MAX_MEMBER_BYTES:
            raise ImportFailed(f"the EPUB member {name[:80]!r} is too large")
        try:
            with self.zip.open(info) as handle:
                data = handle.read(limit + 1)
        except (*_ZIP_ERRORS, NotImplementedError, RuntimeError) as exc:
            raise ImportFailed(f"not a valid EPUB: cannot read {name[:80]!r} ({_one_line(exc)})") from exc
        if len(data) > limit:
            if limit == MAX_MEMBER_BYTES:
                raise ImportFailed(f"the EPUB member {name[:80]!r} is too large")
            data = data[:limit]
        return data


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200] or type(exc).__name__


# --- the package (OPF) ---------------------------------------------------------------------------


@dataclass
class _SpineItem:
    path: str
    media_type: str
    linear: bool
    is_nav: bool


@dataclass
class _Package:
    title: str
    creators: list[str]
    subjects: list[str]
    description: str
    language: str
    date: str
    publisher: str
    series: list[ParsedSeries]
    spine: list[_SpineItem]


def _find_opf(archive: _Archive) -> str:
    container = archive.find("META-INF/container.xml")
    if container:
        root = strip_namespaces(parse_xml(archive.read(container), "EPUB container.xml"))
        for rootfile in (e for e in elements(root) if localname(e) == "rootfile"):
            path = archive.find(unquote(rootfile.get("full-path") or ""))
            if path:
                return path
    candidates = sorted((n for n in archive.infos if n.lower().endswith(".opf")), key=lambda n: n.count("/"))
    if not candidates:
        raise ImportFailed("not a valid EPUB: no package file (content.opf) found")
    return candidates[0]


def _read_package(archive: _Archive, opf_path: str) -> _Package:
    root = strip_namespaces(parse_xml(archive.read(opf_path), "EPUB package file"))
    base = posixpath.dirname(opf_path)
    metadata = next((e for e in elements(root) if localname(e) == "metadata"), None)
    fields: dict[str, list[Element]] = {}
    if metadata is not None:
        for element in elements(metadata):
            fields.setdefault(localname(element), []).append(element)

    def texts(name: str) -> list[str]:
        return [value for value in (text_of(e) for e in fields.get(name, [])) if value]

    creators = [
        text_of(e)
        for e in fields.get("creator", [])
        if text_of(e) and (e.get("role") or "aut").lower() in ("aut", "author")
    ]
    dates = fields.get("date", [])
    publication = [
        e for e in dates if (e.get("event") or "").lower() in ("publication", "original-publication")
    ]
    date = text_of((publication or dates)[0]) if dates else ""

    manifest: dict[str, tuple[str, str, str]] = {}
    for item in (e for e in elements(root) if localname(e) == "item"):
        href = unquote((item.get("href") or "").split("#", 1)[0])
        path = posixpath.normpath(posixpath.join(base, href)) if href else ""
        manifest[item.get("id") or ""] = (
            path,
            (item.get("media-type") or "").lower(),
            item.get("properties") or "",
        )
    spine = []
    for itemref in (e for e in elements(root) if localname(e) == "itemref"):
        entry = manifest.get(itemref.get("idref") or "")
        if not entry or not entry[0]:
            continue
        path, media_type, properties = entry
        if media_type in _HTML_TYPES or (not media_type and path.lower().endswith(_HTML_SUFFIXES)):
            spine.append(
                _SpineItem(
                    path=path,
                    media_type=media_type,
                    linear=(itemref.get("linear") or "yes").lower() != "no",
                    is_nav="nav" in properties.split(),
                )
            )
    return _Package(
        title=(texts("title") or [""])[0],
        creators=creators,
        subjects=texts("subject"),
        description="".join(fields["description"][0].itertext()).strip() if "description" in fields else "",
        language=(texts("language") or [""])[0],
        date=date,
        publisher=(texts("publisher") or [""])[0],
        series=_series(fields.get("meta", [])),
        spine=spine,
    )


def _series(metas: list[Element]) -> list[ParsedSeries]:
    """calibre:series / calibre:series_index, or EPUB 3's belongs-to-collection + group-position."""
    named = {(m.get("name") or "").lower(): (m.get("content") or "").strip() for m in metas if m.get("name")}
    found = []
    if named.get("calibre:series"):
        found.append(ParsedSeries(named["calibre:series"], _position(named.get("calibre:series_index", ""))))
    positions = {
        (m.get("refines") or "").lstrip("#"): text_of(m)
        for m in metas
        if (m.get("property") or "") == "group-position"
    }
    names = {series.name for series in found}
    for meta in metas:
        name = text_of(meta)
        if (meta.get("property") or "") == "belongs-to-collection" and name and name not in names:
            names.add(name)
            found.append(ParsedSeries(name, _position(positions.get(meta.get("id") or "", ""))))
    return found


def _position(value: str) -> int | None:
    try:
        number = float(value)
    except ValueError:
        return None
    return int(number) if number.is_integer() and 0 < number < 1_000_000 else None


# --- detection -----------------------------------------------------------------------------------


def sniff(data: bytes, filename: str = "") -> int:
    """60 for an EPUB, 95 when its first spine document carries AO3's preface; 0 otherwise."""
    if not data.startswith(b"PK\x03\x04"):
        return 0
    # The first local header names "mimetype"; its content follows the name and the extra field.
    content_at = 38 + int.from_bytes(data[28:30], "little")
    if data[30:38] == b"mimetype" and data[content_at : content_at + len(EPUB_MIMETYPE)] == EPUB_MIMETYPE:
        score = 60
    elif filename.lower().endswith(".epub"):
        score = 50
    else:
        score = 0
    # Sniffing must never fail: anything odd inside the archive just keeps the base score.
    try:
        archive = _Archive(data)
        if not score:
            if not archive.find("META-INF/container.xml"):
                return 0
            score = 50
        package = _read_package(archive, _find_opf(archive))
        first = next((item for item in package.spine if archive.find(item.path)), None)
        if first is not None:
            head = archive.read(archive.find(first.path) or "", limit=_SNIFF_PEEK_BYTES).lower()
            if b"archive of our own" in head:
                return 95
    except Exception:  # a guess, not an import
        return score
    return score


# --- parsing -------------------------------------------------------------------------------------


def parse(data: bytes, filename: str = "") -> ParsedWork:
    """Parse an EPUB; AO3's download gives typed tags, any other EPUB its metadata and chapters."""
    check_size(data)
    archive = _Archive(data)
    package = _read_package(archive, _find_opf(archive))
    documents: list[tuple[_SpineItem, Element]] = []
    seen: set[str] = set()
    text_bytes = element_count = 0
    for item in package.spine:
        path = archive.find(item.path)
        if not path or path in seen:
            continue
        seen.add(path)
        raw = archive.read(path)
        # Budgets for the whole book, not just each file: one work's worth of text and elements.
        text_bytes += len(raw)
        if text_bytes > MAX_SPINE_BYTES:
            raise ImportFailed("the EPUB's text is too long to be one work")
        root = _parse_document(raw, path)
        element_count += int(root.xpath("count(//*)"))
        if element_count > MAX_ELEMENTS:
            raise ImportFailed(f"the EPUB has more than {MAX_ELEMENTS:,} elements")
        documents.append((item, root))
    if not documents:
        raise ImportFailed("the EPUB has no readable text documents")
    if any(ao3_html.looks_like_ao3(root) for _item, root in documents):
        work = _ao3_work([root for _item, root in documents])
        _fill_from_package(work, package, ao3=True)
    else:
        work = _generic_work(documents, package)
        _fill_from_package(work, package, ao3=False)
    if not work.title:
        work.title = PurePosixPath(filename).stem if filename else ""
    if not work.chapters:
        raise ImportFailed("the EPUB has no chapter text")
    return work


def _parse_document(raw: bytes, name: str) -> Element:
    """An XHTML spine document; HTML that is not well-formed XML (e.g. &nbsp;) is read as HTML."""
    try:
        root = parse_xml(raw, f"EPUB document {name[:80]!r}")
    except MalformedXML:
        root = parse_html(raw)
    return strip_namespaces(root)


def _ao3_work(roots: list[Element]) -> ParsedWork:
    merged = ao3_html.merge_documents(roots)
    check_tree(merged, depth=True)
    return ao3_html.extract(merged, SOURCE_FORMAT)


def _has_typed_tags(work: ParsedWork) -> bool:
    return bool(
        work.rating
        or work.warnings
        or work.categories
        or work.fandoms
        or work.relationships
        or work.characters
        or work.additional_tags
    )


def _fill_from_package(work: ParsedWork, package: _Package, *, ao3: bool) -> None:
    """OPF metadata for whatever the documents did not say."""
    work.title = work.title or package.title
    work.creators = work.creators or list(package.creators)
    if not work.summary and package.description:
        work.summary = _description_html(package.description)
    work.language = work.language or package.language
    work.published = work.published or parse_date(package.date)
    work.series = work.series or list(package.series)
    if not _has_typed_tags(work):
        # Flattened, typeless tags; for AO3 minus the "Fanworks" marker calibre adds.
        subjects = [s for s in package.subjects if not (ao3 and s.lower() == "fanworks")]
        work.additional_tags = [clean_value(s) for s in subjects if clean_value(s)]
        work.tags_are_exact = True
    if not ao3 and package.publisher:
        work.unmapped.setdefault("Publisher", package.publisher)


_HTML_START = re.compile(r"^\s*<(p|div|br|span|em|i|b|strong|blockquote|ul|ol|h[1-6])\b", re.I)


def _description_html(description: str) -> str:
    if _HTML_START.match(description):
        return sanitize(description)
    return text_to_html(description)


def _generic_work(documents: list[tuple[_SpineItem, Element]], package: _Package) -> ParsedWork:
    """One chapter per spine document with text; the nav document and non-linear items are skipped."""
    work = ParsedWork(source_format=GENERIC_FORMAT)
    for item, root in documents:
        if item.is_nav or not item.linear:
            continue
        body = next((e for e in elements(root) if localname(e) == "body"), root)
        if not text_of(body):
            continue  # a cover or an image-only page
        title = ""
        for element in children(body)[:3]:
            heading = element if localname(element) in ("h1", "h2", "h3") else None
            if heading is None:
                heading = next((e for e in children(element)[:2] if localname(e) in ("h1", "h2", "h3")), None)
            if heading is not None:
                title = text_of(heading)
                remove_element(heading)  # the title is kept apart, not repeated in the text
                break
        html = safe_inner_html(body)
        if html:
            work.chapters.append(ParsedChapter(title=title, body=html))
    if len(work.chapters) == 1 and work.chapters[0].title == package.title:
        work.chapters[0].title = ""
    return work
