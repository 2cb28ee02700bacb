"""The HTML download: one self-contained page, AO3's layout (preface, chapters, afterword).

It also carries the work's metadata as JSON (``script#fanfold-metadata``) and marks each chapter's
text with comments, so ``fanfold import`` reads it back exactly.
"""

from __future__ import annotations

from pathlib import Path

from django.template.loader import render_to_string

from fanfold.downloads.content import Book

STYLESHEET = """\
body { font-family: "DejaVu Serif", "Noto Serif CJK JP", "Noto Serif CJK SC", serif; line-height: 1.5;
  max-width: 42em; margin: 1em auto; padding: 0 1em; }
.meta { border-bottom: 1px solid #999; margin-bottom: 1.5em; }
dl.tags dt { font-weight: bold; float: left; clear: left; margin-right: 0.5em; }
dl.tags dd { margin: 0 0 0.4em 0; }
dl.tags::after { content: ""; display: block; clear: both; }
.byline { font-style: italic; }
blockquote.userstuff { margin: 0.5em 0 1em 1.5em; }
hr.scene-break { border: none; text-align: center; margin: 1.5em 0; }
hr.scene-break::after { content: "* * *"; }
"""


def render_html(book: Book, *, stylesheet: str = STYLESHEET) -> str:
    return render_to_string("downloads/book.html", {"book": book, "stylesheet": stylesheet})


def build_html(book: Book, path: Path) -> None:
    path.write_text(render_html(book), encoding="utf-8")
