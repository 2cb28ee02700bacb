"""The TXT download: the preface as "Label: value" lines, then the chapters as plain text."""

from __future__ import annotations

import textwrap
from pathlib import Path

from fanfold.core.html import html_to_text
from fanfold.downloads.content import Book, LinkLine

RULE = "=" * 60


def _line(line: LinkLine) -> str:
    return f"{line.prefix}{line.text}{line.suffix}"


def _section(label: str, markup: str) -> list[str]:
    text = html_to_text(markup).strip()
    return [f"{label}:", text, ""] if text else []


def render_txt(book: Book) -> str:
    lines = [book.title, f"by {book.byline}", "", f"Posted originally on {book.url}", ""]
    for row in book.tag_rows:
        lines.append(textwrap.fill(f"{row.label}: {', '.join(row.names)}", 78, subsequent_indent="  "))
    lines.append(f"Language: {book.language_label}")
    lines.extend(f"Series: {_line(s)}" for s in book.series)
    lines.extend(f"Collection: {_line(c)}" for c in book.collections)
    lines.append("Stats: " + " ".join(f"{k}: {v}" for k, v in book.stats))
    if book.gifts:
        lines.append(f"For: {', '.join(book.gifts)}")
    lines.extend(_line(r) for r in book.inspired_by)
    lines.append("")
    lines += _section("Summary", book.summary) + _section("Notes", book.notes)
    for chapter in book.chapters:
        heading = chapter.heading if book.multi_chapter or chapter.title else book.title
        lines += [RULE, heading, RULE, ""]
        lines += _section("Chapter Summary", chapter.summary) + _section("Chapter Notes", chapter.notes)
        lines += [html_to_text(chapter.body).strip(), ""]
        lines += _section("Chapter End Notes", chapter.end_notes)
    afterword = _section("End Notes", book.end_notes)
    if book.inspired:
        afterword += ["Works inspired by this one:", *(f"- {_line(w)} ({w.url})" for w in book.inspired), ""]
    if afterword:
        lines += [RULE, "Afterword", RULE, "", *afterword]
    return "\n".join(lines).rstrip() + "\n"


def build_txt(book: Book, path: Path) -> None:
    path.write_text(render_txt(book), encoding="utf-8")
