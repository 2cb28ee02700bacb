"""Safe HTML: one allow-list (close to AO3's limited HTML) used for every stored text."""

from __future__ import annotations

import html as html_lib
import re

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "a", "abbr", "acronym", "address", "b", "big", "blockquote", "br", "caption", "center",
    "cite", "code", "col", "colgroup", "dd", "del", "details", "dfn", "div", "dl", "dt", "em",
    "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd",
    "li", "ol", "p", "pre", "q", "rp", "rt", "ruby", "s", "samp", "small", "span", "strike",
    "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr",
    "tt", "u", "ul", "var",
}  # fmt: skip
_GLOBAL_ATTRIBUTES = {"class", "dir", "lang", "title"}
ALLOWED_ATTRIBUTES = {
    "*": _GLOBAL_ATTRIBUTES,
    "a": {"href", "name"},
    "img": {"src", "alt", "width", "height"},
    "ol": {"start", "type"},
    "ul": {"type"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "col": {"span"},
    "colgroup": {"span"},
    "q": {"cite"},
    "blockquote": {"cite"},
}
URL_SCHEMES = {"http", "https", "mailto"}

# Text may carry up to this many nested elements; deeper nesting is flattened by
# the sanitiser's parser (html5ever) and is refused earlier by the importers.
MAX_HTML_LENGTH = 20_000_000


_SAFE_CITE = re.compile(r"^\s*(?:https?://|mailto:|[^:/?#\s]*(?:[/?#]|$))", re.I)


def _cite_filter(tag: str, attribute: str, value: str) -> str | None:
    # nh3 checks the scheme of href and src only; cite="javascript:..." would pass as is.
    if attribute == "cite" and not _SAFE_CITE.match(value):
        return None
    return value


def sanitize(markup: str) -> str:
    """Return markup restricted to the allow-list: no scripts, styles, handlers or odd URLs."""
    if not markup:
        return ""
    cleaned = nh3.clean(
        markup,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
        # The Python callback runs for every attribute, so only when a cite can be there.
        attribute_filter=_cite_filter if "cite" in markup.lower() else None,
    )
    return cleaned.strip()


def escape(text: str) -> str:
    return html_lib.escape(text, quote=True)


SCENE_BREAK_HTML = '<hr class="scene-break">'

# A line that is only a divider: "***", "* * *", "~*~", "-----", "oOo", "xXx", "#", "+++", "§".
_DIVIDER = re.compile(r"^\s*(?:[*~#=+_\-•·§◇◆❦]\s*){1,}$|^\s*(?:o\s*O\s*o|x\s*X\s*x|O\s*o\s*O)\s*$")
# The marker comes first and the "not after a word" check looks back from it: with the lookbehind in
# front, the regex engine tried it at every position, 40 times slower on a megabyte-long paragraph.
_EMPHASIS = re.compile(
    r"\*(?<![\w*]\*)(?!\s)([^*\n]+?)(?<!\s)\*(?![\w*])|_(?<![\w_]_)(?!\s)([^_\n]+?)(?<!\s)_(?![\w_])"
)
_STRONG = re.compile(r"\*\*(?<![\w*]\*\*)(?!\s)([^*\n]+?)(?<!\s)\*\*(?![\w*])")


def is_divider(line: str) -> bool:
    return bool(_DIVIDER.match(line)) and bool(line.strip())


def _inline(text: str) -> str:
    escaped = escape(text)
    if "*" not in escaped and "_" not in escaped:
        return escaped  # most lines: no regex at all (this runs once per line of a long work)
    escaped = _STRONG.sub(r"<strong>\1</strong>", escaped)
    return _EMPHASIS.sub(lambda m: f"<em>{m.group(1) or m.group(2)}</em>", escaped)


def text_to_html(text: str) -> str:
    """Turn plain story text into paragraphs, keeping scene breaks and *emphasis*.

    Two writing styles exist: paragraphs separated by one blank line (then a run of
    two or more blank lines is a scene break) and one paragraph per line (then a
    single blank line is a scene break). A divider line is a scene break in both.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines = [line.rstrip() for line in lines]
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        return ""
    # Count the gaps between consecutive non-blank lines, by width.
    gaps: list[int] = []
    run = 0
    for line in lines[1:]:
        if line.strip():
            gaps.append(run)
            run = 0
        else:
            run += 1
    blank_separated = bool(gaps) and sum(1 for g in gaps if g >= 1) * 2 >= len(gaps)
    scene_gap = 2 if blank_separated else 1

    blocks: list[str] = []
    paragraph: list[str] = []
    run = 0

    def flush() -> None:
        if paragraph:
            inner = "<br>".join(_inline(p.strip()) for p in paragraph)
            blocks.append(f"<p>{inner}</p>")
            paragraph.clear()

    for line in lines:
        if not line.strip():
            run += 1
            continue
        if run:
            flush()
            if run >= scene_gap and blocks and blocks[-1] != SCENE_BREAK_HTML:
                blocks.append(SCENE_BREAK_HTML)
        run = 0
        if is_divider(line):
            flush()
            if blocks and blocks[-1] != SCENE_BREAK_HTML:
                blocks.append(SCENE_BREAK_HTML)
            continue
        if blank_separated:
            paragraph.append(line)
        else:
            paragraph.append(line)
            flush()
    flush()
    while blocks and blocks[-1] == SCENE_BREAK_HTML:
        blocks.pop()
    return "\n".join(blocks)


_TAG = re.compile(r"<[^>]+>")
_BLOCK_END = re.compile(r"</(p|div|h[1-6]|li|blockquote|tr|dd|dt)>|<br\s*/?>|<hr[^>]*>", re.I)


def html_to_text(markup: str) -> str:
    """Plain text of safe HTML, with paragraph breaks kept: for word counts, search and TXT."""
    if not markup:
        return ""
    text = _BLOCK_END.sub(lambda m: m.group(0) + "\n\n", markup)
    text = _TAG.sub("", text)
    text = html_lib.unescape(text)
    text = re.sub(r"[ \t\u00a0]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


# The same Markdown flavour the importer reads in front-matter files: CommonMark with tables and
# strikethrough; raw HTML passes through to the sanitiser like any typed HTML.
_MARKDOWN = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])

TEXT_FORMATS = ("html", "markdown", "plain")

_BLOCK_MARKUP = re.compile(
    r"<\s*(?:p|div|br|h[1-6]|blockquote|ul|ol|li|table|pre|hr|center|dl|details|figure)\b", re.I
)


# markdown-it-py is pure Python: each character that can start a token (a line end, bracket, star,
# pipe, ...) costs up to ~70 µs, so half a megabyte of "[[[[" or "|a|" would hold a worker for half a
# minute. Text with more such characters than this is refused; prose has a few per sentence.
MAX_MARKDOWN_MARKUP = 50_000
_MARKDOWN_MARKUP = "\n[]*_`<>!&\\|~#"


class MarkdownTooComplex(ValueError):
    """Markdown with so much markup that rendering it would take too long; the message is for users."""


def check_markdown_markup(text: str, limit: int = MAX_MARKDOWN_MARKUP) -> None:
    count = sum(map((text or "").count, _MARKDOWN_MARKUP))  # str.count in C: fast on megabytes
    if count > limit:
        raise MarkdownTooComplex(
            f"The Markdown has too much markup to convert ({count:,} line breaks and markup characters; "
            f"the limit is {limit:,}): post it as HTML or plain text, or split it into chapters."
        )


def markdown_to_html(text: str, *, max_markup: int = MAX_MARKDOWN_MARKUP) -> str:
    """Markdown as HTML (not yet sanitised: pass the result through ``sanitize``).

    Raises MarkdownTooComplex for text with more than ``max_markup`` markup characters.
    """
    check_markdown_markup(text, max_markup)
    return _MARKDOWN.render(text or "")


def paragraphs_to_html(text: str) -> str:
    """Typed HTML without block tags gets paragraphs, as AO3's editor does: a blank line starts a new
    paragraph and a single line break stays a line break. HTML with its own blocks is left alone."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text or _BLOCK_MARKUP.search(text):
        return text
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    return "\n".join(
        "<p>" + "<br>\n".join(line.strip() for line in p.split("\n")) + "</p>" for p in paragraphs
    )


def user_text_to_safe_html(text: str, text_format: str = "html") -> str:
    """Safe HTML from what a creator typed in one of TEXT_FORMATS (html, markdown, plain)."""
    if text_format == "markdown":
        converted = markdown_to_html(text)
    elif text_format == "plain":
        converted = text_to_html(text or "")
    elif text_format == "html":
        converted = paragraphs_to_html(text)
    else:
        raise ValueError(f"unknown text format {text_format!r}")
    return sanitize(converted)
