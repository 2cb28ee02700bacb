"""The PDF download through WeasyPrint: the HTML download with print styles.

Each chapter starts on a new page. Fonts: DejaVu for Latin, Greek, Cyrillic and Arabic, Noto CJK
for Chinese, Japanese and Korean (Debian's fonts-dejavu and fonts-noto-cjk); Pango falls back to
any installed font for other scripts. Nothing is fetched: images become their description.
"""

from __future__ import annotations

import logging
from pathlib import Path

from fanfold.downloads.content import Book
from fanfold.downloads.html import STYLESHEET, render_html

PRINT_STYLESHEET = (
    STYLESHEET
    + """\
@page { size: A5; margin: 18mm 15mm; @bottom-center { content: counter(page); font-size: 9pt; } }
body { max-width: none; margin: 0; padding: 0; font-size: 10.5pt;
  font-family: "DejaVu Serif", "Noto Serif CJK JP", "Noto Serif CJK SC", "Noto Serif CJK KR",
  "DejaVu Sans", "Noto Sans CJK JP", serif; }
#chapters .chapter, #afterword { break-before: page; }
a { color: inherit; }
img { display: none; }
"""
)


# WeasyPrint logs every layout step at INFO; a server log wants none of that.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


class RefusedFetch(Exception):
    pass


def _no_fetch(url: str, *args, **kwargs):
    # A download must never reach out to the network (remote images in story text).
    raise RefusedFetch(f"not fetched: {url[:80]}")


def build_pdf(book: Book, path: Path) -> None:
    import weasyprint

    document = weasyprint.HTML(string=render_html(book, stylesheet=PRINT_STYLESHEET), url_fetcher=_no_fetch)
    document.write_pdf(str(path))
