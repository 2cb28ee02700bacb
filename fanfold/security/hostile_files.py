"""Hostile import files of every format, and a runner that feeds them to the importer and times it.

``python -m fanfold.security.hostile_files [--memory-mib 2048] [NAME ...]`` prints one JSON line per
case: its name, the outcome ("refused" with the message, "imported", or "crashed" with the exception),
the seconds it took and the process's peak memory afterwards. The tests run it in a subprocess under
an address-space limit, so a case that blew up memory would fail rather than take the machine down.
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import sys
import time
import zipfile
from collections.abc import Callable

from fanfold.imports.limits import MAX_FILE_BYTES, MiB

FORMATS = ("plaintext", "fanficfare", "ao3_html", "ao3_epub", "frontmatter")
_FM_HEAD = "---\ntitle: Harbour\nfandoms: [Harbour]\n---\n\n"


def epub(document: bytes | str, *, opf: str | None = None, extra: dict[str, bytes] | None = None) -> bytes:
    from fanfold.security.hostile_archive import _CONTAINER, _OPF

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")
        archive.writestr("META-INF/container.xml", _CONTAINER, zipfile.ZIP_DEFLATED)
        archive.writestr("content.opf", opf or _OPF, zipfile.ZIP_DEFLATED)
        archive.writestr("text.xhtml", document, zipfile.ZIP_DEFLATED)
        for name, data in (extra or {}).items():
            archive.writestr(name, data, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def wrap(fmt: str, body: str) -> tuple[str, bytes]:
    """A file of the given format whose story text is ``body`` (markup for the HTML formats)."""
    if fmt == "plaintext":
        return "story.txt", ("Title: Harbour\nAuthor: someone\nFandom: Harbour\n\n\n" + body).encode()
    if fmt == "fanficfare":
        from fanfold.security.hostile_archive import FIXTURES

        text = (FIXTURES / "fanficfare_single.txt").read_text(encoding="utf-8")
        start, end = text.index("The first drip"), text.index("End file.")
        return "story.txt", (text[:start] + body + "\n\n" + text[end:]).encode()
    if fmt == "frontmatter":
        return "story.md", (_FM_HEAD + body).encode()
    from fanfold.security.hostile_archive import _ao3_html

    document = _ao3_html("Harbour", ["Lighthouses"], body)
    if fmt == "ao3_html":
        return "story.html", document
    return "story.epub", epub(document)


def _zip_bomb() -> tuple[str, bytes]:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")
        info = zipfile.ZipInfo("text.xhtml")
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w", force_zip64=True) as member:
            chunk = b"\0" * MiB
            for _ in range(300):
                member.write(chunk)
    return "bomb.epub", buffer.getvalue()


def _lying_zip() -> tuple[str, bytes]:
    """A member that says it is 1 KiB but inflates to 64 MiB: reads must be capped, not trusted."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")
        archive.writestr("META-INF/container.xml", _container(), zipfile.ZIP_DEFLATED)
        archive.writestr("text.xhtml", b"<p>" + b"a" * (64 * MiB) + b"</p>", zipfile.ZIP_DEFLATED)
    data = bytearray(buffer.getvalue())
    for signature, offset in ((b"PK\x01\x02", 24), (b"PK\x03\x04", 22)):
        position = data.find(signature)
        while position != -1:
            data[position + offset : position + offset + 4] = (1024).to_bytes(4, "little")
            position = data.find(signature, position + 4)
    return "liar.epub", bytes(data)


def _container() -> str:
    from fanfold.security.hostile_archive import _CONTAINER

    return _CONTAINER


def _nameless_member() -> tuple[str, bytes]:
    """A member with an empty file name (the fuzzer's first find: zipfile's is_dir() raised IndexError)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")
        archive.writestr(zipfile.ZipInfo(""), b"<html/>")
    return "nameless.epub", buffer.getvalue()


def _many_members() -> tuple[str, bytes]:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")
        for index in range(20_000):
            archive.writestr(f"m{index}.xhtml", b"")
    return "many.epub", buffer.getvalue()


_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n' for i in range(1, 10)
    )
    + "]>\n"
)
_XXE = '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'


def _laughs_html() -> str:
    return _LAUGHS + '<html xmlns="http://www.w3.org/1999/xhtml"><body><p>&lol9;</p></body></html>'


def _yaml_bomb() -> tuple[str, bytes]:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    return "bomb.md", ("---\ntitle: x\n" + "\n".join(lines) + "\n---\n\nText.\n").encode()


def _nested(fmt: str, levels: int = 100_000) -> tuple[str, bytes]:
    if fmt in {"plaintext", "fanficfare"}:
        return wrap(fmt, "<div>" * levels + "deep" + "</div>" * levels)
    if fmt == "frontmatter":
        return wrap(fmt, "> " * levels + "deep\n\n" + "<div>" * levels + "deep" + "</div>" * levels)
    return wrap(fmt, "<div>" * levels + "deep" + "</div>" * levels)


def _giant_line(fmt: str) -> tuple[str, bytes]:
    return wrap(fmt, "wave " * (8 * MiB))  # 40 MiB on one line


def _nul_bytes(fmt: str) -> tuple[str, bytes]:
    name, data = wrap(fmt, "The tide\0 came\0 in.\n\n" + "\0" * 5000)
    return name, data


def _invalid_utf8(fmt: str) -> tuple[str, bytes]:
    name, data = wrap(fmt, "The tide came in. PLACEHOLDER\n\nAnd out.")
    if fmt == "ao3_epub":  # the chapter document inside the ZIP carries the broken bytes
        from fanfold.security.hostile_archive import _ao3_html

        document = _ao3_html("Harbour", ["Lighthouses"], "<p>PLACEHOLDER</p>")
        return name, epub(
            document.replace(b"PLACEHOLDER", b"The tide \xff\xfe\xc3\x28 came \xed\xa0\x80 in.")
        )
    return name, data.replace(b"PLACEHOLDER", b"\xff\xfe\xc3\x28\xa0\xa1\xed\xa0\x80\xf0\x28\x8c\x28")


def _too_large() -> tuple[str, bytes]:
    return "huge.txt", b"Title: Huge\n\n" + b"wave " * ((MAX_FILE_BYTES // 5) + 10)


def _many_elements(fmt: str) -> tuple[str, bytes]:
    return wrap(fmt, "<b></b>" * 2_100_000)


def _markdown_heavy(fmt: str) -> tuple[str, bytes]:
    # Characters that each cost markdown-it-py a token: the Markdown path must refuse, not grind.
    return wrap(fmt, "[[[[|a|\n|-|\n" * 400_000)


def _per_format(make: Callable[[str], tuple[str, bytes]], fmt: str) -> Callable[[], tuple[str, bytes]]:
    return lambda: make(fmt)


# name -> (factory, what must happen: "refused" or "handled" = refused or imported, never a crash)
CASES: dict[str, tuple[Callable[[], tuple[str, bytes]], str]] = {
    "zip-bomb-300MiB": (_zip_bomb, "refused"),
    "zip-lying-sizes": (_lying_zip, "refused"),
    "zip-20000-members": (_many_members, "refused"),
    "zip-nameless-member": (_nameless_member, "refused"),
    "epub-billion-laughs-opf": (
        lambda: ("x.epub", epub("<html/>", opf=_LAUGHS + "<package>&lol9;</package>")),
        "refused",
    ),
    "epub-billion-laughs-chapter": (lambda: ("x.epub", epub(_laughs_html())), "refused"),
    "epub-xxe-chapter": (
        lambda: (
            "x.epub",
            epub(_XXE + '<html xmlns="http://www.w3.org/1999/xhtml"><body><p>&xxe;</p></body></html>'),
        ),
        "refused",
    ),
    "html-billion-laughs": (lambda: ("x.html", _laughs_html().encode()), "handled"),
    "html-xxe": (lambda: ("x.html", (_XXE + "<html><body><p>&xxe;</p></body></html>").encode()), "handled"),
    "frontmatter-yaml-alias-bomb": (_yaml_bomb, "refused"),
    "file-over-50MiB": (_too_large, "refused"),
    **{f"{fmt}-nested-100k": (_per_format(_nested, fmt), "handled") for fmt in FORMATS},
    **{f"{fmt}-giant-line-40MiB": (_per_format(_giant_line, fmt), "handled") for fmt in FORMATS},
    **{f"{fmt}-nul-bytes": (_per_format(_nul_bytes, fmt), "handled") for fmt in FORMATS},
    **{f"{fmt}-invalid-utf8": (_per_format(_invalid_utf8, fmt), "handled") for fmt in FORMATS},
    **{f"{fmt}-2M-elements": (_per_format(_many_elements, fmt), "handled") for fmt in FORMATS},
    **{f"{fmt}-markdown-heavy": (_per_format(_markdown_heavy, fmt), "handled") for fmt in FORMATS},
}


def run_case(name: str) -> dict:
    from fanfold.imports.parsed import ImportFailed
    from fanfold.imports.services import parse_bytes

    factory, expected = CASES[name]
    filename, data = factory()
    start = time.monotonic()
    try:
        parsed = parse_bytes(data, filename)
    except ImportFailed as exc:
        outcome, message = "refused", str(exc)
    except Exception as exc:  # what the test looks for: anything but ImportFailed is a bug
        outcome, message = "crashed", f"{type(exc).__name__}: {exc}"[:300]
    else:
        outcome, message = "imported", f"{parsed.source_format}: {len(parsed.chapters)} chapter(s)"
    seconds = time.monotonic() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    return {
        "case": name,
        "bytes": len(data),
        "expected": expected,
        "outcome": outcome,
        "message": message,
        "seconds": round(seconds, 3),
        "peak_rss_mib": peak,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cases", nargs="*", help="case names (default: all)")
    parser.add_argument("--memory-mib", type=int, default=0, help="address-space limit for this process")
    parser.add_argument("--list", action="store_true")
    args = parser.parse_args(argv)
    if args.list:
        print("\n".join(CASES))
        return 0
    if args.memory_mib:
        limit = args.memory_mib * MiB
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    import django

    django.setup()
    for name in args.cases or list(CASES):
        if name not in CASES:
            print(f"unknown case {name!r}; --list shows them", file=sys.stderr)
            return 2
        print(json.dumps(run_case(name)), flush=True)
    return 0


if __name__ == "__main__":
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanfold.settings")
    raise SystemExit(main())
