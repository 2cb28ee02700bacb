"""AO3's HTML download (otwarchive's app/views/downloads): preface, chapters, afterword.

Layout, as AO3 renders it::

    div#preface     p.message ("Posted originally on the Archive of Our Own at <work URL>"),
                    div.meta > dl.tags (dt/dd pairs: Rating, Archive Warning(s), Category/Categories,
                    Fandom(s), Relationship(s), Character(s), Additional Tags, Language, Series,
                    Collections, Stats), h1 title, div.byline, <p>Summary</p> + blockquote.userstuff,
                    <p>Notes</p> + blockquote.userstuff, ul of "Inspired by … / A translation of …"
    div#chapters    several chapters: per chapter div.meta.group (h2.heading "Chapter N: Title",
                    <p>Chapter Summary</p>/<p>Chapter Notes</p> + blockquotes), div.userstuff (the text),
                    div.meta#endnotesN (<p>Chapter End Notes</p> + blockquote);
                    one chapter: just div.userstuff with the text
    div#afterword   div#endnotes (<p>End Notes</p> + blockquote), dl "Works inspired by this one"

The extraction walks the tree in document order instead of relying on one div#chapters,
so it also reads calibre's EPUB of the same HTML, where the chapters are spread over
several files (``extract`` accepts several trees; see ao3_epub).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from lxml import etree

from fanfold.core.html import sanitize
from fanfold.imports.formats.common import clean_value, split_list
from fanfold.imports.formats.dates import parse_date
from fanfold.imports.formats.markup import (
    Element,
    children,
    classes,
    elements,
    inner_html,
    keep_alignment,
    localname,
    next_element,
    parse_html,
    remove_element,
    text_of,
)
from fanfold.imports.parsed import (
    ImportFailed,
    ParsedChapter,
    ParsedCollection,
    ParsedRelatedWork,
    ParsedSeries,
    ParsedWork,
)

SOURCE_FORMAT = "ao3_html"

# dt labels (lower case, without the colon; singular and plural) -> the ParsedWork field.
_TAG_LABELS = {
    "rating": "rating",
    "ratings": "rating",
    "archive warning": "warnings",
    "archive warnings": "warnings",
    "warning": "warnings",
    "warnings": "warnings",
    "category": "categories",
    "categories": "categories",
    "fandom": "fandoms",
    "fandoms": "fandoms",
    "relationship": "relationships",
    "relationships": "relationships",
    "character": "characters",
    "characters": "characters",
    "additional tag": "additional_tags",
    "additional tags": "additional_tags",
    "freeform": "additional_tags",
    "freeforms": "additional_tags",
}
_OTHER_LABELS = {"language", "series", "collection", "collections", "stats"}

_SUMMARY_LABELS = {"summary", "chapter summary"}
_NOTES_LABELS = {"notes", "chapter notes", "author's notes"}
_END_NOTES_LABELS = {"end notes", "chapter end notes"}

_CHAPTER_HEADING = re.compile(r"^chapter\s+\d+\s*(?:[:.\-–—]\s*(?P<title>.*))?$", re.I)
_NUMBERED_HEADING = re.compile(r"^\d+\s*[.:]\s+(?P<title>.+)$")
_STAT_LABEL = re.compile(r"([A-Za-z][A-Za-z ]{0,30}?)\s*:\s*")
_CHAPTER_COUNT = re.compile(r"^(\d+)\s*/\s*(\d+|\?)")
_SERIES_PART = re.compile(r"Part\s+(\d+)\s+of\s*$", re.I)
_SERIES_TEXT = re.compile(r"Part\s+(\d+)\s+of\s+(.+?)(?=,?\s*Part\s+\d+\s+of\s|$)", re.I)


# --- detection -----------------------------------------------------------------------------------


def sniff(data: bytes, filename: str = "") -> int:
    """95 for an AO3 download; lower for other OTW-archive downloads; 0 otherwise."""
    head = data[: 512 * 1024].lower()
    archive = b"archive of our own" in head
    preface = b'id="preface"' in head or b"id='preface'" in head
    tags = b'class="tags"' in head or b"class='tags'" in head
    posted = b"posted originally on the" in head
    if preface and (tags or posted):
        return 95 if archive else 80
    if archive and (tags or posted):
        return 70
    if archive and b"<html" in head:
        return 20
    return 0


def looks_like_ao3(root: Element) -> bool:
    """True when a tree carries AO3's preface: its "Posted originally on …" message or its dl.tags.

    (A bare id="preface" is not enough: plenty of books have one.)
    """
    for element in elements(root):
        tag = localname(element)
        if tag == "p" and "message" in classes(element):
            text = text_of(element).lower()
            if "archive of our own" in text or "posted originally on" in text:
                return True
        elif tag == "dl" and "tags" in classes(element) and _has_known_label(element):
            return True
    return False


# --- parsing -------------------------------------------------------------------------------------


def parse(data: bytes, filename: str = "") -> ParsedWork:
    """Parse AO3's HTML download. Raises ImportFailed for anything that is not one."""
    root = parse_html(data)
    work, sections = _extract(root, SOURCE_FORMAT)
    if not sections.preface and not work.chapters:
        raise ImportFailed("this HTML file is not an AO3 download (no preface and no chapters found)")
    if not sections.afterword and b"</html>" not in data[-4096:].lower():
        # AO3 always ends the file with the afterword; without it and without </html>
        # the download was cut off and the last chapter would be silently short.
        raise ImportFailed("the file is incomplete: it stops before AO3's afterword")
    if not work.chapters:
        raise ImportFailed("the AO3 download has no chapter text")
    if not work.title:
        title = root.find(".//title")
        work.title = text_of(title) if title is not None else ""
    return work


def extract(roots: Element | Sequence[Element], source_format: str = SOURCE_FORMAT) -> ParsedWork:
    """Read an AO3 download from one tree, or from several (an EPUB's spine documents, in order)."""
    work, _sections = _extract(roots, source_format)
    return work


def merge_documents(roots: Sequence[Element]) -> Element:
    """One <body> holding the body content of each tree in turn (the trees are consumed)."""
    merged = etree.Element("body")
    for root in roots:
        body = next((e for e in elements(root) if localname(e) == "body"), root)
        for child in children(body):
            merged.append(child)  # moves the element; the source trees are not used afterwards
    return merged


def _extract(roots: Element | Sequence[Element], source_format: str) -> tuple[ParsedWork, _Sections]:
    root = roots if isinstance(roots, etree._Element) else merge_documents(roots)
    keep_alignment(root)  # once for the whole document: align="center" -> class="center"
    sections = _Sections()
    sections.walk(root)
    work = ParsedWork(source_format=source_format, tags_are_exact=True)
    _read_preface(sections.preface, work)
    _read_afterword(sections.afterword, work)
    work.chapters = sections.finish()
    return work, sections


# --- document walk -------------------------------------------------------------------------------


@dataclass
class _ChapterParts:
    """A chapter being collected; blocks are joined once at the end (files may split them)."""

    title: str = ""
    summary: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    end_notes: list[str] = field(default_factory=list)
    body: list[str] = field(default_factory=list)

    def build(self) -> ParsedChapter:
        return ParsedChapter(
            title=self.title,
            summary=_joined(self.summary),
            notes=_joined(self.notes),
            end_notes=_joined(self.end_notes),
            body=_joined(self.body),
        )


class _Sections:
    """Sorts a download's top-level blocks: preface, chapter metadata, chapter text, end notes."""

    def __init__(self) -> None:
        self.preface: list[Element] = []
        self.afterword: list[Element] = []
        self.containers: list[Element] = []
        self.chapters: list[_ChapterParts] = []

    def walk(self, node: Element) -> None:
        for child in children(node):
            ident = (child.get("id") or "").lower()
            tag = localname(child)
            cls = classes(child)
            if ident == "preface":
                self.preface.append(child)
            elif ident == "afterword":
                self.afterword.append(child)
            elif tag == "div" and "meta" in cls and ("group" in cls or _heading(child) is not None):
                self._chapter_meta(child)
            elif tag == "div" and "meta" in cls and _labelled(child, _END_NOTES_LABELS | _NOTES_LABELS):
                self._chapter_end_notes(child)
            elif ident == "chapters" or (tag == "div" and "userstuff" in cls and _is_container(child)):
                self.containers.append(child)
                self.walk(child)
            elif tag == "div" and "userstuff" in cls:
                self._current().body.append(inner_html(child))
            elif tag not in ("blockquote", "p", "dl", "h1", "h2", "h3", "ul", "ol", "table"):
                # Wrappers (html, body, an old layout's div#main, calibre's split clones).
                self.walk(child)

    def _current(self) -> _ChapterParts:
        if not self.chapters:
            self.chapters.append(_ChapterParts())
        return self.chapters[-1]

    def _chapter_meta(self, meta: Element) -> None:
        heading = _heading(meta)
        if heading is None and self.chapters and not self.chapters[-1].body:
            # A heading-less part of the same metadata block (calibre splits before the h2).
            chapter = self.chapters[-1]
        else:
            chapter = _ChapterParts(title=chapter_title(text_of(heading)) if heading is not None else "")
            self.chapters.append(chapter)
        for label, block in _labelled(meta, _SUMMARY_LABELS | _NOTES_LABELS):
            (chapter.summary if label in _SUMMARY_LABELS else chapter.notes).append(inner_html(block))

    def _chapter_end_notes(self, meta: Element) -> None:
        chapter = self._current()
        for _label, block in _labelled(meta, _END_NOTES_LABELS | _NOTES_LABELS):
            chapter.end_notes.append(inner_html(block))

    def finish(self) -> list[ParsedChapter]:
        chapters = [parts.build() for parts in self.chapters]
        chapters = [c for c in chapters if c.body or c.title or c.summary or c.notes]
        if not any(c.body for c in chapters) and self.containers:
            # An old single-chapter download with the text straight inside div#chapters.
            container = self.containers[0]
            for heading in [h for h in children(container) if "toc-heading" in classes(h)]:
                remove_element(heading)
            body = _joined([inner_html(container)])
            if body:
                chapters = [ParsedChapter(body=body)]
        return chapters


def _is_container(element: Element) -> bool:
    """A div.userstuff that holds chapter blocks (div#chapters, or calibre's copy of it) rather than text."""
    for child in element.iterchildren("div"):
        cls = classes(child)
        if "meta" in cls or "userstuff" in cls:
            return True
    return False


def _shallow(root: Element, depth: int) -> Iterator[Element]:
    """Elements at most ``depth`` levels below root, in document order, without entering blockquotes.

    AO3's own markup sits a few levels deep; the creator's text (in blockquotes, or deeper)
    is never searched, which keeps every lookup linear however the file is nested.
    """
    stack: list[tuple[Iterator[Element], int]] = [(iter(children(root)), 1)]
    while stack:
        iterator, level = stack[-1]
        element = next(iterator, None)
        if element is None:
            stack.pop()
            continue
        yield element
        if level < depth and localname(element) != "blockquote":
            stack.append((iter(children(element)), level + 1))


def _heading(meta: Element) -> Element | None:
    fallback = None
    for element in _shallow(meta, 2):
        tag = localname(element)
        if tag in ("h2", "h3"):
            if "heading" in classes(element):
                return element
            fallback = fallback if fallback is not None else element
    return fallback


def chapter_title(heading: str) -> str:
    """The chapter's own title from its heading: "Chapter 2: Title" -> "Title", "Chapter 2" -> ""."""
    heading = clean_value(heading)
    match = _CHAPTER_HEADING.match(heading) or _NUMBERED_HEADING.match(heading)
    if match:
        return clean_value(match.group("title") or "")
    return heading


def _label(text: str) -> str:
    return clean_value(text).rstrip(":").strip().lower()


def _labelled(container: Element, labels: set[str]) -> list[tuple[str, Element]]:
    """(label, blockquote) pairs for AO3's "<p>Label</p><blockquote>…</blockquote>" blocks."""
    found = []
    for paragraph in _shallow(container, 4):
        if localname(paragraph) != "p":
            continue
        label = _label(text_of(paragraph))
        if label not in labels:
            continue
        block = next_element(paragraph)
        if block is not None and localname(block) == "blockquote":
            found.append((label, block))
    return found


def _joined(parts: list[str]) -> str:
    """Raw blocks joined and sanitised once (one sanitiser pass per field, not per block)."""
    return sanitize("\n".join(part for part in parts if part.strip()))


# --- preface -------------------------------------------------------------------------------------


def _outside_userstuff(roots: list[Element], tag: str) -> list[Element]:
    """Elements with this tag in the preface's own markup, not in the creator's summary or notes."""
    return [element for root in roots for element in _shallow(root, 5) if localname(element) == tag]


def _read_preface(roots: list[Element], work: ParsedWork) -> None:
    if not roots:
        return
    tag_lists = [dl for dl in _outside_userstuff(roots, "dl") if "tags" in classes(dl)]
    if not tag_lists:
        tag_lists = [dl for dl in _outside_userstuff(roots, "dl") if _has_known_label(dl)]
    if tag_lists:
        _read_tags(tag_lists[0], work)

    headings = _outside_userstuff(roots, "h1")
    if headings:
        work.title = text_of(headings[0])
    for message in _outside_userstuff(roots, "p"):
        if "message" not in classes(message):
            continue
        if not work.title:
            bold = message.find(".//b")
            work.title = text_of(bold) if bold is not None else ""
        for link in message.iter("a"):
            href = (link.get("href") or "").strip()
            if "/works/" in href:
                work.source_url = _work_url(href)
        break

    bylines = [e for e in _outside_userstuff(roots, "div") if "byline" in classes(e)]
    if bylines:
        work.creators = _creators(bylines[0])

    summary: list[str] = []
    notes: list[str] = []
    for root in roots:
        for label, block in _labelled(root, {"summary", "notes"}):
            (summary if label == "summary" else notes).append(inner_html(block))
    work.summary, work.notes = _joined(summary), _joined(notes)

    translations: list[str] = []
    for item in _outside_userstuff(roots, "li"):
        _read_relation(item, work, translations)
    if translations:
        work.unmapped["Translations"] = "; ".join(translations)


def _has_known_label(dl: Element) -> bool:
    return any(localname(dt) == "dt" and _label(text_of(dt)) in _TAG_LABELS for dt in children(dl))


def _work_url(href: str) -> str:
    """The work's URL without a download's ?updated_at=… query ("" when it is not a usable URL)."""
    try:
        parts = urlsplit(href)
    except ValueError:  # e.g. a damaged "http://[host" from a truncated file
        return ""
    query = "&".join(p for p in parts.query.split("&") if p and not p.startswith("updated_at="))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def _creators(byline: Element) -> list[str]:
    names = [text_of(a) for a in byline.iter("a") if text_of(a)]
    if names:
        return names
    text = re.sub(r"^by\s+", "", text_of(byline), flags=re.I)
    return [name for name in re.split(r",\s*|\s+and\s+", text) if name.strip()]


def _read_tags(dl: Element, work: ParsedWork) -> None:
    label = written = ""
    for item in children(dl):
        tag = localname(item)
        if tag == "dt":
            written = clean_value(text_of(item)).rstrip(":").strip()
            label = written.lower()
            continue
        if tag != "dd" or not label:
            continue
        field = _TAG_LABELS.get(label)
        if field == "rating":
            work.rating = ", ".join(_tag_values(item))
        elif field:
            getattr(work, field).extend(_tag_values(item))
        elif label == "language":
            work.language = text_of(item)
        elif label == "series":
            work.series.extend(_series(item))
        elif label in ("collection", "collections"):
            work.collections.extend(ParsedCollection(name) for name in _tag_values(item))
        elif label == "stats":
            _read_stats(text_of(item), work)
        else:
            work.unmapped[written] = text_of(item)


def _tag_values(dd: Element) -> list[str]:
    """One entry per link (AO3 tags never contain commas); plain text is split on commas."""
    links = [text_of(a) for a in dd.iter("a")]
    links = [name for name in links if name]
    return links or split_list(text_of(dd))


def _series(dd: Element) -> list[ParsedSeries]:
    found: list[ParsedSeries] = []
    for link in dd.iter("a"):
        previous = link.getprevious()
        before = (previous.tail if previous is not None else link.getparent().text) or ""
        match = _SERIES_PART.search(" ".join(before.split()))
        name = text_of(link)
        if name:
            found.append(ParsedSeries(name, int(match.group(1)) if match else None))
    if not found:
        for match in _SERIES_TEXT.finditer(text_of(dd)):
            found.append(ParsedSeries(clean_value(match.group(2)), int(match.group(1))))
    return found


def _read_stats(text: str, work: ParsedWork) -> None:
    """AO3's stats line: Published, Updated or Completed, Words, Chapters "N/M" (and Kudos, Hits …)."""
    matches = list(_STAT_LABEL.finditer(text))
    completed = False
    chapters_seen = False
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        label = clean_value(match.group(1))
        value = clean_value(text[match.end() : end])
        key = label.lower()
        if key == "published":
            work.published = parse_date(value) or work.published
        elif key in ("updated", "completed"):
            work.updated = parse_date(value) or work.updated
            completed = completed or key == "completed"
        elif key == "chapters" and (count := _CHAPTER_COUNT.match(value)):
            chapters_seen = True
            posted, expected = int(count.group(1)), count.group(2)
            work.chapters_expected = None if expected == "?" else int(expected)
            work.complete = work.chapters_expected is not None and posted >= work.chapters_expected
        elif value:
            work.unmapped[label] = value
    if not chapters_seen and completed:
        work.complete = True


def _read_relation(item: Element, work: ParsedWork, translations: list[str]) -> None:
    """A preface line "Inspired by <work> by <creator>" or "A translation of <work> by <creator>"."""
    text = text_of(item)
    lowered = text.lower()
    if lowered.startswith("inspired by"):
        relation = "inspired_by"
    elif lowered.startswith("a translation of"):
        relation = "translation_of"
    elif lowered.startswith("translation into"):
        translations.append(text)
        return
    else:
        return
    links = [a for a in item.iter("a") if text_of(a)]
    work_link = next((a for a in links if re.search(r"/(works|external_works)/", a.get("href") or "")), None)
    if work_link is None and links and not re.search(r"/users/", links[0].get("href") or ""):
        work_link = links[0]
    creators = [text_of(a) for a in links if a is not work_link]
    if not creators and " by " in text:
        creators = [text.rsplit(" by ", 1)[1].strip()]
    title = text_of(work_link) if work_link is not None else ""
    url = (work_link.get("href") or "").strip() if work_link is not None else ""
    if title or url or creators:
        work.related.append(ParsedRelatedWork(relation, title=title, url=url, creator=", ".join(creators)))


# --- afterword -----------------------------------------------------------------------------------


def _read_afterword(roots: list[Element], work: ParsedWork) -> None:
    work.end_notes = _joined(
        [inner_html(block) for root in roots for _label, block in _labelled(root, _END_NOTES_LABELS)]
    )
    inspired: list[str] = []
    for dl in _outside_userstuff(roots, "dl"):
        label = ""
        for item in children(dl):
            if localname(item) == "dt":
                label = _label(text_of(item))
            elif localname(item) == "dd" and label.startswith("works inspired by"):
                inspired.append(text_of(item))
    if inspired:
        work.unmapped["Works inspired by this one"] = "; ".join(inspired)
