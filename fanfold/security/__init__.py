"""Hostile-input tooling: the XSS payload corpus, a checker for executable markup, the import
fuzzer (``python -m fanfold.security.fuzz_imports``) and the load test
(``python -m fanfold.security.loadtest``). Not a Django app: no models, nothing in INSTALLED_APPS.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

PAYLOADS_PATH = Path(__file__).with_name("xss_payloads.txt")

# Attributes whose value the browser treats as a URL it may navigate to or load.
_URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "data",
    "cite",
    "background",
    "poster",
    "srcdoc",
    "xlink:href",
    "codebase",
    "lowsrc",
    "dynsrc",
}
# Elements that load or run something on their own; user text must never produce them.
_ACTIVE_ELEMENTS = {"iframe", "object", "embed", "applet", "base", "frame", "frameset", "portal"}
# The URL parser (WHATWG) trims C0 controls and spaces at both ends and drops tabs and newlines
# anywhere, so "  java\tscript:" is a javascript: URL.
_URL_TRIM = "".join(chr(c) for c in range(0x21))
_URL_DROPPED = re.compile(r"[\t\n\r]")
_DANGEROUS_SCHEME = re.compile(r"^(?:javascript:|vbscript:|livescript:|data:text/html|data:image/svg)", re.I)


@cache
def load_payloads() -> tuple[str, ...]:
    """The corpus: one payload a line; blank lines and lines starting with "## " are comments.

    Split on "\\n" only: a few payloads hold a form feed or other separator on purpose.
    """
    lines = PAYLOADS_PATH.read_text(encoding="utf-8").split("\n")
    return tuple(line for line in lines if line.strip() and not line.startswith("## "))


def _dangerous_url(value: str) -> bool:
    return bool(_DANGEROUS_SCHEME.match(_URL_DROPPED.sub("", value.strip(_URL_TRIM))))


_HTMX_URL_ATTRIBUTES = {
    "get",
    "post",
    "put",
    "patch",
    "delete",
    "push-url",
    "replace-url",
    "select",
    "target",
}


def _htmx_script(name: str, value: str) -> bool:
    """An htmx attribute that runs script (js: values) or that only a payload would have written.

    The site's own templates use hx-get/hx-post with URLs that may hold a (percent-encoded) tag name,
    so only a literal payload marker counts there.
    """
    lowered = value.strip().lower()
    short = name.removeprefix("data-").removeprefix("hx-")
    if short in {"vals", "vars", "headers", "request"} and lowered.startswith(("js:", "javascript:")):
        return True
    if "/account/delete/" in lowered:
        return True
    if short in _HTMX_URL_ATTRIBUTES:
        return _dangerous_url(value)
    return "__xss(" in lowered


def executable_markup(page: str | bytes, *, static_prefix: str = "/static/") -> list[str]:
    """What in an HTML page could run script: a list of findings, empty for a safe page.

    Flags every <script> except the site's own external files under ``static_prefix``, inline event
    handlers (on*), htmx's own script attributes (hx-on*) and any hx-* attribute carrying a payload
    marker, javascript:/vbscript:/HTML data: URLs, <style> elements with url() or expression(),
    style attributes with expression()/url(javascript) and self-loading elements (iframe, object,
    embed, base, meta refresh).
    """
    from lxml import html as lxml_html

    if isinstance(page, bytes):
        page = page.decode("utf-8", errors="replace")
    if not page.strip():
        return []
    root = lxml_html.document_fromstring(page)
    findings: list[str] = []
    for element in root.iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        tag = tag.rsplit("}", 1)[-1].lower()
        if not tag:
            continue
        if tag == "script":
            src = element.get("src") or ""
            if not src.startswith(static_prefix) or (element.text or "").strip():
                findings.append(f"<script src={src!r}>{(element.text or '')[:60]!r}")
        if tag in _ACTIVE_ELEMENTS:
            findings.append(f"<{tag}> element")
        if tag == "meta" and (element.get("http-equiv") or "").lower() == "refresh":
            findings.append("<meta http-equiv=refresh>")
        if tag == "style":
            css = (element.text or "").lower()
            if "url(" in css or "expression(" in css or "@import" in css:
                findings.append(f"<style> {css[:60]!r}")
        for name, value in element.attrib.items():
            lname = name.lower().rsplit("}", 1)[-1]
            if (
                lname.startswith("on")
                or lname.startswith("hx-on")
                or lname.startswith("data-hx-on")
                or (lname.startswith(("hx-", "data-hx-")) and _htmx_script(lname, value))
                or ((lname in _URL_ATTRIBUTES or lname.endswith(":href")) and _dangerous_url(value))
            ):
                findings.append(f"<{tag} {name}={value[:60]!r}>")
            elif lname == "style" and re.search(
                r"expression\s*\(|url\s*\(\s*['\"]?\s*javascript", value, re.I
            ):
                findings.append(f"<{tag} style={value[:60]!r}>")
    return findings
