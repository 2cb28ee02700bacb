"""EPUB 3 with EbookLib: a preface, one file per chapter, an afterword, a navigation document.

EbookLib writes the container, the package document, the NCX and the navigation document; the
XHTML documents are written here (EbookLib would re-parse them with an HTML parser). The work's
full metadata goes in ``META-INF/fanfold.json`` so that ``fanfold import`` reads the book back
without loss (files in META-INF are not publication resources, so epubcheck leaves it alone).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path

from ebooklib import epub

from fanfold.downloads.content import Book, LinkLine
from fanfold.downloads.xhtml import IdRegistry, escape, to_xhtml

METADATA_MEMBER = "META-INF/fanfold.json"
GENERATOR = "Fanfold"

STYLESHEET = """\
body { font-family: serif; line-height: 1.5; margin: 0 5%; }
h1, h2, h3 { line-height: 1.25; }
.meta { border: 1px solid #999; padding: 0.5em 1em; margin-bottom: 1.5em; }
.meta dt { font-weight: bold; }
.meta dd { margin: 0 0 0.4em 1.5em; }
.byline { font-style: italic; margin-bottom: 1em; }
blockquote.userstuff { margin: 0.5em 0 1em 1.5em; }
.userstuff p { margin: 0 0 0.8em 0; }
hr.scene-break { border: none; text-align: center; margin: 1.5em 0; }
hr.scene-break::after { content: "* * *"; }
.image-placeholder { font-style: italic; }
"""


def identifier(book: Book) -> str:
    """A stable identifier for the work: the same in every version of the book."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, book.url)}"


class _Document(epub.EpubHtml):
    """An XHTML document written by us and stored as is."""

    def __init__(self, *, uid: str, file_name: str, title: str, lang: str, xhtml: str) -> None:
        super().__init__(uid=uid, file_name=file_name, title=title, lang=lang)
        self.xhtml = xhtml

    def get_content(self, default=None) -> bytes:
        return self.xhtml.encode("utf-8")


def _document(title: str, lang: str, body: str) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n'
        '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" '
        f'lang="{escape(lang)}" xml:lang="{escape(lang)}">\n'
        f'<head><meta charset="utf-8"/><title>{escape(title)}</title>'
        '<link rel="stylesheet" type="text/css" href="style.css"/></head>\n'
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def _link(line: LinkLine) -> str:
    text = escape(line.text)
    linked = (
        f'<a href="{escape(line.url)}">{text}</a>' if line.url.startswith(("http://", "https://")) else text
    )
    return f"{escape(line.prefix)}{linked}{escape(line.suffix)}"


def _block(label: str, markup: str, ids: IdRegistry, prefix: str) -> str:
    content = to_xhtml(markup, ids, prefix)
    if not content.strip():
        return ""
    return f'<p><b>{escape(label)}</b></p>\n<blockquote class="userstuff">{content}</blockquote>\n'


def preface_xhtml(book: Book) -> str:
    ids = IdRegistry()
    rows = []
    for row in book.tag_rows:
        rows.append(f"<dt>{escape(row.label)}:</dt><dd>{escape(', '.join(row.names))}</dd>")
    rows.append(f"<dt>Language:</dt><dd>{escape(book.language_label)}</dd>")
    if book.series:
        rows.append("<dt>Series:</dt><dd>" + "<br/>".join(_link(s) for s in book.series) + "</dd>")
    if book.collections:
        label = "Collection" if len(book.collections) == 1 else "Collections"
        rows.append(f"<dt>{label}:</dt><dd>" + "<br/>".join(_link(c) for c in book.collections) + "</dd>")
    stats = " ".join(f"{escape(k)}: {escape(v)}" for k, v in book.stats)
    rows.append(f"<dt>Stats:</dt><dd>{stats}</dd>")
    parts = [
        f"<h1>{escape(book.title)}</h1>",
        f'<p>Posted originally on <a href="{escape(book.url)}">{escape(book.url)}</a>.</p>',
        '<dl class="meta">' + "".join(rows) + "</dl>",
        f'<div class="byline">by {escape(book.byline)}</div>',
    ]
    if book.gifts:
        parts.append(f"<p>for {escape(', '.join(book.gifts))}</p>")
    parts.extend(f"<p>{_link(line)}</p>" for line in book.inspired_by)
    parts.append(_block("Summary", book.summary, ids, "summary"))
    parts.append(_block("Notes", book.notes, ids, "notes"))
    return _document(book.title, book.language, "\n".join(p for p in parts if p))


def chapter_xhtml(book: Book, index: int) -> str:
    chapter = book.chapters[index]
    ids = IdRegistry()
    prefix = f"c{chapter.position}"
    heading = chapter.heading if book.multi_chapter or chapter.title else book.title
    parts = [f"<h2>{escape(heading)}</h2>"]
    parts.append(_block("Chapter Summary", chapter.summary, ids, f"{prefix}s"))
    parts.append(_block("Chapter Notes", chapter.notes, ids, f"{prefix}n"))
    parts.append(f'<div class="userstuff">{to_xhtml(chapter.body, ids, prefix)}</div>')
    parts.append(_block("Chapter End Notes", chapter.end_notes, ids, f"{prefix}e"))
    return _document(heading, book.language, "\n".join(p for p in parts if p))


def afterword_xhtml(book: Book) -> str | None:
    ids = IdRegistry()
    parts = []
    if book.end_notes.strip():
        parts.append(_block("End Notes", book.end_notes, ids, "endnotes"))
    if book.inspired:
        items = "".join(f"<li>{_link(line)}</li>" for line in book.inspired)
        parts.append(f"<p><b>Works inspired by this one:</b></p><ul>{items}</ul>")
    if not any(p.strip() for p in parts):
        return None
    return _document("Afterword", book.language, "<h2>Afterword</h2>\n" + "\n".join(parts))


def modified_utc(book: Book) -> dt.datetime:
    return book.modified_at.astimezone(dt.UTC).replace(tzinfo=None)


def build_epub(book: Book, path: Path) -> None:
    ebook = epub.EpubBook()
    ebook.set_identifier(identifier(book))
    ebook.set_title(book.title)
    ebook.set_language(book.language)
    for n, name in enumerate(book.creators):
        ebook.add_author(name, uid=f"creator{n}")
    for subject in book.subjects:
        ebook.add_metadata("DC", "subject", subject)
    ebook.add_metadata("DC", "publisher", book.url.split("/works/")[0])
    ebook.add_metadata("DC", "date", book.published.isoformat())
    ebook.add_metadata("DC", "source", book.url)
    if book.summary:
        from fanfold.core.html import html_to_text

        ebook.add_metadata("DC", "description", html_to_text(book.summary))
    # Replaces EbookLib's own generator entry.
    ebook.set_unique_metadata("OPF", "generator", "", {"name": "generator", "content": GENERATOR})
    if book.series_meta:
        title, position = book.series_meta[0]
        ebook.add_metadata(None, "meta", "", {"name": "calibre:series", "content": title})
        ebook.add_metadata(None, "meta", "", {"name": "calibre:series_index", "content": str(position)})
        ebook.add_metadata(None, "meta", title, {"property": "belongs-to-collection", "id": "series"})
        ebook.add_metadata(None, "meta", "series", {"refines": "#series", "property": "collection-type"})
        ebook.add_metadata(None, "meta", str(position), {"refines": "#series", "property": "group-position"})

    style = epub.EpubItem(uid="style", file_name="style.css", media_type="text/css", content=STYLESHEET)
    ebook.add_item(style)
    documents = [
        _Document(
            uid="preface",
            file_name="preface.xhtml",
            title="Preface",
            lang=book.language,
            xhtml=preface_xhtml(book),
        )
    ]
    for index, chapter in enumerate(book.chapters):
        heading = chapter.heading if book.multi_chapter or chapter.title else book.title
        documents.append(
            _Document(
                uid=f"chapter{chapter.position}",
                file_name=f"chapter_{chapter.position:04d}.xhtml",
                title=heading,
                lang=book.language,
                xhtml=chapter_xhtml(book, index),
            )
        )
    afterword = afterword_xhtml(book)
    if afterword is not None:
        documents.append(
            _Document(
                uid="afterword",
                file_name="afterword.xhtml",
                title="Afterword",
                lang=book.language,
                xhtml=afterword,
            )
        )
    for document in documents:
        ebook.add_item(document)
    ebook.toc = [epub.Link(d.file_name, d.title, d.id) for d in documents]
    ebook.add_item(epub.EpubNcx())
    nav = epub.EpubNav(title="Contents")
    ebook.add_item(nav)
    ebook.spine = [*documents, nav]
    metadata = json.dumps(book.metadata_with_bodies(), ensure_ascii=False, indent=1)
    ebook.add_item(epub.EpubItem(file_name=METADATA_MEMBER, content=metadata.encode("utf-8"), manifest=False))
    epub.write_epub(
        str(path), ebook, {"mtime": modified_utc(book), "raise_exceptions": True, "epub3_pages": False}
    )
