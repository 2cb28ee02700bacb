"""Story HTML to XHTML that epubcheck accepts.

Stored texts are safe HTML, but HTML is lenient where EPUB's XHTML is not: AO3's ``align``
attributes and ``<center>``, ``&nbsp;``, unclosed tags, blocks inside inline elements, ``name``
anchors, duplicate ids, links to fragments in other files, and remote images (EPUB readers may
not fetch them and epubcheck refuses them). Each fragment is parsed leniently, repaired, and
serialised as XML. Images are never fetched: each becomes a link with its description.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

# Characters XML 1.0 forbids (C0 controls except tab and newlines, lone surrogates, U+FFFE/F).
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_ID_CHARS = re.compile(r"[^A-Za-z0-9_.-]")

BLOCK = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "center",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
        "caption",
        "colgroup",
        "col",
    ]
)
PHRASING = frozenset(
    [
        "a",
        "abbr",
        "b",
        "bdi",
        "bdo",
        "big",
        "cite",
        "code",
        "dfn",
        "em",
        "i",
        "ins",
        "del",
        "kbd",
        "mark",
        "q",
        "rp",
        "rt",
        "ruby",
        "s",
        "samp",
        "small",
        "span",
        "strike",
        "strong",
        "sub",
        "sup",
        "time",
        "tt",
        "u",
        "var",
        "acronym",
        "font",
    ]
)
# Obsolete elements and their XHTML replacements: (new tag, inline style).
_RENAMES: dict[str, tuple[str, str]] = {
    "center": ("div", "text-align: center"),
    "big": ("span", "font-size: larger"),
    "strike": ("s", ""),
    "tt": ("code", ""),
    "acronym": ("abbr", ""),
    "font": ("span", ""),
}
_KEEP_ATTRIBUTES: dict[str, frozenset[str]] = {
    "*": frozenset({"class", "dir", "lang", "title", "style"}),
    "a": frozenset({"href"}),
    "ol": frozenset({"start", "reversed"}),
    "td": frozenset({"colspan", "rowspan"}),
    "th": frozenset({"colspan", "rowspan", "scope"}),
    "col": frozenset({"span"}),
    "colgroup": frozenset({"span"}),
}
# Containers whose children must be of certain kinds; anything else is wrapped or renamed.
_LIST_ITEM_PARENTS = {"li": {"ul", "ol"}, "dt": {"dl"}, "dd": {"dl"}}
_TABLE_PARTS = {"tr", "td", "th", "tbody", "thead", "tfoot", "caption", "colgroup", "col"}
_ALIGN_VALUES = {"left", "right", "center", "justify"}
_DIR_VALUES = {"ltr", "rtl", "auto"}
_SAFE_STYLE = re.compile(r"^(text-align: (left|right|center|justify)|font-size: larger|font-style: italic)$")


def clean_text(text: str) -> str:
    return _XML_INVALID.sub("", text)


class IdRegistry:
    """Ids already used in one XHTML file, so repaired fragments never collide."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def claim(self, raw: str, prefix: str) -> str:
        base = f"{prefix}-{_ID_CHARS.sub('_', raw)}"[:80]
        candidate, n = base, 2
        while candidate in self.used:
            candidate, n = f"{base}-{n}", n + 1
        self.used.add(candidate)
        return candidate


def _set_style(element: etree._Element, style: str) -> None:
    if style and _SAFE_STYLE.match(style):
        element.set("style", style)


def _has_block(element: etree._Element) -> bool:
    return any(isinstance(child.tag, str) and child.tag in BLOCK for child in element.iterdescendants())


def _image_link(img: etree._Element) -> etree._Element:
    """A remote image becomes a link to it; the book carries no remote resources."""
    alt = (img.get("alt") or img.get("title") or "").strip()
    src = (img.get("src") or "").strip()
    label = f"[Image: {alt}]" if alt else "[Image]"
    if src.startswith(("http://", "https://")):
        replacement = etree.Element("a", href=src)
    else:
        replacement = etree.Element("span")
    replacement.set("class", "image-placeholder")
    replacement.text = label
    replacement.tail = img.tail
    return replacement


def _fix_element(element: etree._Element, ids: IdRegistry, prefix: str, anchors: dict[str, str]) -> None:
    tag = element.tag
    align = (element.get("align") or "").strip().lower()
    style = f"text-align: {align}" if align in _ALIGN_VALUES else ""
    if tag in _RENAMES:
        tag, renamed_style = _RENAMES[tag]
        element.tag = tag
        style = style or renamed_style
    raw_id = element.get("id") or (element.get("name") if tag == "a" else None)
    keep = _KEEP_ATTRIBUTES["*"] | _KEEP_ATTRIBUTES.get(tag, frozenset())
    for name in list(element.attrib):
        if name not in keep or name == "style":
            del element.attrib[name]
    if element.get("dir") and element.get("dir", "").lower() not in _DIR_VALUES:
        del element.attrib["dir"]
    for name in ("start", "colspan", "rowspan", "span"):
        value = element.get(name)
        if value is not None and not value.strip().isdigit():
            del element.attrib[name]
    if element.get("reversed") is not None:
        element.set("reversed", "reversed")
    if element.get("scope") and element.get("scope") not in {"row", "col", "rowgroup", "colgroup"}:
        del element.attrib["scope"]
    _set_style(element, style)
    if raw_id:
        new_id = ids.claim(raw_id, prefix)
        anchors.setdefault(raw_id, new_id)
        element.set("id", new_id)


def _fix_structure(root: etree._Element) -> None:
    """Content models: no blocks in phrasing elements or paragraphs, list items in lists, etc."""
    for element in list(root.iter()):
        if not isinstance(element.tag, str) or element is root:
            continue
        parent = element.getparent()
        parent_tag = parent.tag if parent is not None else ""
        tag = element.tag
        if tag in _LIST_ITEM_PARENTS and parent_tag not in _LIST_ITEM_PARENTS[tag]:
            element.tag = "div"
        elif tag in _TABLE_PARTS and not _inside_table(element):
            element.tag = "div" if tag != "col" else "span"
        elif tag in {"details", "summary", "figure", "figcaption"}:
            element.tag = "div"  # their content models are strict and readers ignore them anyway
    # Bottom-up: an inline element or paragraph holding a block becomes a div.
    for element in reversed(list(root.iter())):
        if element is root or not isinstance(element.tag, str):
            continue
        if (
            element.tag in PHRASING or element.tag in {"p", "h1", "h2", "h3", "h4", "h5", "h6", "pre"}
        ) and _has_block(element):
            if element.tag in {"em", "i"}:
                element.set("style", "font-style: italic")
            element.tag = "div"
    for element in list(root.iter("a")):
        if any(ancestor.tag == "a" for ancestor in element.iterancestors()):
            element.tag = "span"
            element.attrib.pop("href", None)
    for lst in list(root.iter("ul", "ol")):
        _wrap_strays(lst, "li")
    for dl in list(root.iter("dl")):
        if (dl.text or "").strip():
            first = etree.Element("dd")
            first.text = dl.text
            dl.insert(0, first)
        dl.text = None
        for child in list(dl):
            if isinstance(child.tag, str) and child.tag not in {"dt", "dd", "div"}:
                child.tag = "dd"
            if (child.tail or "").strip():
                extra = etree.Element("dd")
                extra.text = child.tail
                child.addnext(extra)
            child.tail = None
        if not any(isinstance(c.tag, str) for c in dl):
            dl.tag = "div"
    for table in list(root.iter("table")):
        _fix_table(table)


def _inside_table(element: etree._Element) -> bool:
    parent = element.getparent()
    tag = element.tag
    if parent is None:
        return False
    if tag in {"td", "th"}:
        return parent.tag == "tr"
    if tag == "tr":
        return parent.tag in {"table", "tbody", "thead", "tfoot"}
    if tag == "col":
        return parent.tag == "colgroup"
    return parent.tag == "table"


def _fix_table(table: etree._Element) -> None:
    rows_seen = False
    for child in list(table):
        if not isinstance(child.tag, str):
            table.remove(child)
            continue
        if child.tag not in {"caption", "colgroup", "thead", "tbody", "tfoot", "tr"}:
            table.remove(child)  # stray content inside a table: browsers move it out; drop it
        elif child.tag in {"tr", "tbody", "thead", "tfoot"}:
            rows_seen = True
    # Text between rows and cells is shown before the table by browsers; move it there.
    stray = [table.text or ""]
    table.text = None
    for section in [table, *table.iter("tbody", "thead", "tfoot")]:
        stray.append(section.text or "")
        section.text = None
        for row in section:
            stray.append(row.tail or "")
            row.tail = None
            if isinstance(row.tag, str) and row.tag == "tr":
                stray.append(row.text or "")
                row.text = None
                for cell in list(row):
                    if isinstance(cell.tag, str) and cell.tag not in {"td", "th"}:
                        cell.tag = "td"
                    stray.append(cell.tail or "")
                    cell.tail = None
                if not any(isinstance(c.tag, str) for c in row):
                    etree.SubElement(row, "td")
    text = " ".join(part.strip() for part in stray if part.strip())
    if text:
        previous = table.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + text
        elif table.getparent() is not None:
            parent = table.getparent()
            parent.text = (parent.text or "") + text
    if not rows_seen:
        table.tag = "div"


def _wrap_strays(lst: etree._Element, item_tag: str) -> None:
    """Text and non-item children of a list go into list items."""
    if (lst.text or "").strip():
        item = etree.Element(item_tag)
        item.text = lst.text
        lst.insert(0, item)
    lst.text = None
    for child in list(lst):
        if not isinstance(child.tag, str):
            lst.remove(child)
            continue
        if child.tag != item_tag:
            item = etree.Element(item_tag)
            child.addprevious(item)
            item.append(child)
            item.tail = None
        if (child.tail or "").strip() and child.getparent() is lst:
            extra = etree.Element(item_tag)
            extra.text = child.tail
            child.addnext(extra)
        if child.getparent() is lst:
            child.tail = None


def to_xhtml(markup: str, ids: IdRegistry, prefix: str) -> str:
    """An XHTML fragment (no namespace declarations: it inherits the document's) for ``markup``."""
    if not markup or not markup.strip():
        return ""
    root = lxml.html.fragment_fromstring(clean_text(markup), create_parent="div")
    for comment in list(root.iter(etree.Comment, etree.ProcessingInstruction)):
        parent = comment.getparent()
        if parent is not None:
            comment.drop_tree() if hasattr(comment, "drop_tree") else parent.remove(comment)
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue
        if element.tag in {
            "script",
            "style",
            "iframe",
            "object",
            "embed",
            "form",
            "input",
            "button",
            "link",
            "meta",
        }:
            element.drop_tree()
        elif element.tag == "img":
            element.getparent().replace(element, _image_link(element))
        elif element.tag not in BLOCK and element.tag not in PHRASING and element.tag not in {"br", "img"}:
            element.tag = "span"
    anchors: dict[str, str] = {}
    for element in root.iter():
        if isinstance(element.tag, str) and element is not root:
            _fix_element(element, ids, prefix, anchors)
    _fix_structure(root)
    for link in root.iter("a"):
        href = (link.get("href") or "").strip()
        if href.startswith("#"):
            target = anchors.get(href[1:])
            if target:
                link.set("href", f"#{target}")
            else:
                del link.attrib["href"]  # a fragment in a file we do not have
        elif href and not href.startswith(("http://", "https://", "mailto:")):
            del link.attrib["href"]  # relative links point at nothing inside the book
        elif href:
            link.set("href", href.replace(" ", "%20"))
    # Empty paragraphs are fine; an empty <a> without href is just a span.
    parts = [clean_text(root.text or "")]
    parts[0] = _escape_text(parts[0])
    for child in root:
        parts.append(etree.tostring(child, encoding="unicode", method="xml", with_tail=True))
    return "".join(parts)


def _escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape(text: str) -> str:
    """Escape text for XHTML content and attribute values."""
    return (
        clean_text(text)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
    )
