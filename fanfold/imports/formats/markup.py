"""Safe parsing of HTML and XML for the format parsers, and small tree helpers.

Every parser here is set up so that a hostile file cannot make it fetch anything,
expand entities or build an unbounded tree: libxml2 refuses nesting deeper than
256 levels unless ``huge_tree`` is on (it is off), and we refuse documents with
more than ``MAX_ELEMENTS`` elements or any entity declaration.
The helpers use only the generic ``lxml.etree`` API, so they work on trees from the
HTML parser and from the XML parser alike (after ``strip_namespaces``).
"""

from __future__ import annotations

import codecs
import contextlib
import html as html_lib
import re
from collections.abc import Iterable, Iterator
from typing import TypeAlias

from lxml import etree

from fanfold.core.html import sanitize
from fanfold.imports.formats.common import check_size

# libxml2 stops at 256 levels already (ERR_RESOURCE_LIMIT, turned into ImportFailed).
from fanfold.imports.limits import MAX_DEPTH, MAX_ELEMENTS
from fanfold.imports.parsed import ImportFailed

# Each element needs at least one "<"; counting them first refuses an element flood
# before libxml2 spends memory on it.
_MAX_TAG_OPENERS = 2 * MAX_ELEMENTS

Element: TypeAlias = etree._Element


class MalformedXML(ImportFailed):
    """XML that is not well-formed (a caller may retry it as HTML); not raised for safety refusals."""


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


def detect_html_encoding(data: bytes) -> str:
    """The encoding to read an HTML file with: BOM, then valid UTF-8, then <meta charset>, then cp1252."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8"
    if data.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le"
    if data.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    match = _META_CHARSET.search(data[:4096])
    if match:
        name = match.group(1).decode("ascii", "replace").lower()
        try:
            codecs.lookup(name)
            return name
        except LookupError:
            pass
    return "cp1252"


def _raise_on_resource_errors(error_log: Iterable[etree._LogEntry]) -> None:
    for entry in error_log:
        if "excessive depth" in entry.message.lower():
            raise ImportFailed("the document is nested too deeply to be a story")
        if entry.type == etree.ErrorTypes.ERR_RESOURCE_LIMIT:
            # libxml2's other limit without huge_tree: one piece of text or markup over 10 MB.
            raise ImportFailed("the document holds a single piece of text over 10 MB, too large to read")
        if "amplification" in entry.message.lower():
            raise ImportFailed("the document expands entities too much (refused for safety)")


def check_tree(root: Element, *, depth: bool = False) -> None:
    """Refuse trees with too many elements (or, asked for, too deep nesting); counted in C by XPath."""
    if int(root.xpath("count(descendant-or-self::*)")) > MAX_ELEMENTS:
        raise ImportFailed(f"the document has more than {MAX_ELEMENTS:,} elements")
    # The parsers stop at 256 levels (huge_tree is off), so only an assembled tree needs the
    # depth check; it is O(elements x depth), still in C.
    if depth and root.xpath(f"boolean(descendant::*[count(ancestor::*) >= {MAX_DEPTH}])"):
        raise ImportFailed(f"the document is nested more than {MAX_DEPTH} levels deep")


def _check_tag_flood(data: bytes) -> None:
    if data.count(b"<") > _MAX_TAG_OPENERS:
        raise ImportFailed(f"the document has more than {MAX_ELEMENTS:,} elements")


def parse_html(data: bytes) -> Element:
    """Parse HTML bytes into a tree (the <html> root) without network, DTDs or huge trees."""
    check_size(data)
    _check_tag_flood(data)
    # Decode here (Python knows more encodings than libxml2, and errors are replaced, not fatal),
    # then hand libxml2 UTF-8 so a <meta charset> in the file cannot contradict us.
    try:
        text = data.decode(detect_html_encoding(data), errors="replace")
    except LookupError:
        text = data.decode("cp1252", errors="replace")
    data = text.lstrip("\ufeff").encode("utf-8", errors="replace")
    # etree's HTMLParser rather than lxml.html's: lxml.html looks up a Python class for every
    # element it touches, which triples the time of a walk over a long work.
    parser = etree.HTMLParser(
        encoding="utf-8",
        no_network=True,
        huge_tree=False,
        remove_pis=True,
        default_doctype=False,
    )
    try:
        root = etree.fromstring(data, parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError, LookupError) as exc:
        raise ImportFailed(f"the file is not readable HTML ({_one_line(exc)})") from exc
    _raise_on_resource_errors(parser.error_log)
    if root is None:
        raise ImportFailed("the file is not readable HTML")
    check_tree(root)
    return root


def refuse_entity_declarations(data: bytes) -> None:
    """XML with <!ENTITY> declarations is refused outright (billion laughs, external entities)."""
    for needle in (b"<!ENTITY", "<!ENTITY".encode("utf-16-le"), "<!ENTITY".encode("utf-16-be")):
        if needle in data:
            raise ImportFailed("the XML declares entities, which are refused for safety")


def parse_xml(data: bytes, what: str = "XML") -> Element:
    """Parse XML without resolving entities, loading DTDs, touching the network or huge trees."""
    refuse_entity_declarations(data)
    _check_tag_flood(data)
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        # Only this parser's log: exc.error_log is lxml's thread-wide log, which still holds the errors of
        # earlier documents (a deeply nested one would make every later failure look "too deep").
        _raise_on_resource_errors(parser.error_log)
        if "excessive depth" in str(exc).lower():
            raise ImportFailed("the document is nested too deeply to be a story") from None
        raise MalformedXML(f"the {what} is not well-formed ({_one_line(exc)})") from exc
    except ValueError as exc:
        raise ImportFailed(f"the {what} is not readable ({_one_line(exc)})") from exc
    _raise_on_resource_errors(parser.error_log)
    docinfo = root.getroottree().docinfo
    dtd = docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise ImportFailed("the XML declares entities, which are refused for safety")
    check_tree(root)
    return root


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200] or type(exc).__name__


# --- tree helpers -------------------------------------------------------------------------------


def localname(element: Element) -> str:
    """The tag without namespace, lower-cased; "" for comments and processing instructions."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].lower()


def strip_namespaces(root: Element) -> Element:
    """Turn "{http://www.w3.org/1999/xhtml}div" into "div" in place, so one set of helpers fits all."""
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.startswith("{"):
            element.tag = element.tag.rsplit("}", 1)[-1]
        for name in [n for n in element.attrib if n.startswith("{")]:
            local = name.rsplit("}", 1)[-1]  # opf:role -> role, xml:lang -> lang
            # libxml2 accepts namespaced names lxml refuses to look up again ("Invalid tag name",
            # found by fuzzing): such an attribute stays as it is.
            with contextlib.suppress(ValueError):
                value = element.attrib.pop(name)
                if local and local not in element.attrib:
                    element.attrib[local] = value
    etree.cleanup_namespaces(root)
    return root


def classes(element: Element) -> set[str]:
    return set((element.get("class") or "").lower().split())


def elements(root: Element) -> Iterator[Element]:
    """All elements below and including root, skipping comments and processing instructions."""
    for element in root.iter():
        if isinstance(element.tag, str):
            yield element


def children(element: Element) -> list[Element]:
    return [child for child in element if isinstance(child.tag, str)]


def text_of(element: Element | None) -> str:
    """The element's text with whitespace collapsed (non-breaking spaces too)."""
    if element is None:
        return ""
    return " ".join("".join(element.itertext()).split())


def next_element(element: Element) -> Element | None:
    sibling = element.getnext()
    while sibling is not None and not isinstance(sibling.tag, str):
        sibling = sibling.getnext()
    return sibling


def remove_element(element: Element) -> None:
    """Remove an element but keep the text that follows it (lxml drops the tail with it)."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        try:
            if previous is not None:
                previous.tail = (previous.tail or "") + element.tail
            else:
                parent.text = (parent.text or "") + element.tail
        except ValueError:
            pass  # text with control characters the parser let through; lxml will not set it again
    parent.remove(element)


def inner_html(element: Element) -> str:
    """The markup inside an element (its text and children), as HTML."""
    text = html_lib.escape(element.text or "", quote=False)
    kids = list(element)
    if not kids:
        return text
    # Serialise all children in one call: move them into a bare <div>, then back. (One
    # tostring per child costs five times as much on a long chapter.) Nothing is set through
    # lxml's API, so text with odd control characters cannot make it refuse.
    holder = etree.Element("div")
    try:
        holder.extend(kids)
        markup = etree.tostring(holder, encoding="unicode", method="html")
    finally:
        element.extend(kids)
    if markup.startswith("<div>") and markup.endswith("</div>"):
        return text + markup[len("<div>") : -len("</div>")]
    return text + "".join(
        etree.tostring(kid, encoding="unicode", method="html", with_tail=True) for kid in kids
    )


_ALIGN_VALUES = {"center", "right", "justify"}
_TEXT_ALIGN = re.compile(r"text-align\s*:\s*(center|right|justify)", re.I)


def keep_alignment(root: Element) -> None:
    """Turn align="center" (and text-align styles) into class="center", which the sanitiser keeps.

    AO3's own HTML allows ``align``; our allow-list does not, so the meaning moves into a class.
    """
    for element in root.xpath("descendant-or-self::*[@align or @style]"):
        value = (element.get("align") or "").strip().lower()
        if value not in _ALIGN_VALUES:
            match = _TEXT_ALIGN.search(element.get("style") or "")
            value = match.group(1).lower() if match else ""
        if value in _ALIGN_VALUES:
            existing = (element.get("class") or "").split()
            if value not in existing:
                # A class with control characters cannot be set again: the element stays as it is.
                with contextlib.suppress(ValueError):
                    element.set("class", " ".join([*existing, value]))


def safe_inner_html(element: Element | None) -> str:
    """Sanitised inner HTML of an element, with alignment kept as classes."""
    if element is None:
        return ""
    keep_alignment(element)
    return sanitize(inner_html(element))
