"""Helpers for the download tests: epubcheck in one JVM for many books, PDF text, awkward works."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

EPUBCHECK_JAR = Path("/usr/share/java/epubcheck.jar")
CHECKER_SOURCE = Path(__file__).resolve().parents[1] / "checks" / "EpubCheckMany.java"


def epubcheck_many(paths: list[Path]) -> dict[str, dict]:
    """epubcheck's counts for each book, all checked in one JVM (each JVM start costs seconds).

    The wrapper script /usr/bin/epubcheck fails here, so the jar runs directly.
    """
    if not EPUBCHECK_JAR.is_file() or shutil.which("java") is None:
        pytest.skip("epubcheck is not installed (Debian package epubcheck, /usr/share/java/epubcheck.jar)")
    result = subprocess.run(
        ["java", "-cp", str(EPUBCHECK_JAR), str(CHECKER_SOURCE), *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    counts = {}
    for line in result.stdout.splitlines():
        if line.startswith("{"):
            entry = json.loads(line)
            counts[entry["path"]] = entry
    assert len(counts) == len(paths), f"epubcheck did not check every book:\n{result.stdout}\n{result.stderr}"
    counts["_messages"] = result.stderr  # type: ignore[assignment]
    return counts


def pdf_text(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (Debian package poppler-utils) is not installed")
    result = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True)
    return result.stdout.decode("utf-8")


AWKWARD_BODY = (
    '<p align="center">Centred by an <font color="red">old</font> editor&nbsp;&nbsp;with nbsp.</p>'
    "<center>A centred line<br>and a break</center>"
    "<p>An unclosed paragraph <em>with <b>unclosed emphasis"
    '<p>An image: <img src="https://images.example.invalid/cat.png" alt="a cat"> and a relative one '
    '<img src="cat.png"></p>'
    '<p><a name="top">An old anchor</a>, a <a href="#top">link to it</a>, a <a href="#nowhere">broken '
    'fragment</a>, a <a href="chapter2.html">relative link</a> and <a href="https://example.org/a b">a web one</a>.</p>'
    "<em><p>A paragraph inside emphasis</p></em><span><div>A block in a span</div></span>"
    "<ul>stray text<p>not an item</p><li>an item</li></ul><li>an orphan item</li>"
    '<table border="1"><tr><td align="right">cell</td><th>head</th></tr>stray</table>'
    '<p id="dup">one</p><p id="dup">two</p><p id="has space">odd id</p>'
    "<dl><dt>term</dt>text<dd>definition</dd></dl>"
    "<details><summary>More</summary><p>hidden</p></details>"
    '<p>Control characters: [\x0b] and\x0c gone.</p><hr class="scene-break">'
    '<p dir="sideways" lang="ar">مرحبا بالعالم — Arabic</p>'
    "<script>alert(1)</script><style>p{}</style><p>The end.</p>"
)
SCRIPTS_BODY = (
    "<p>天気雨の午後、二人は駅のホームで待っていた。</p>"
    "<p>他们在车站等待着，雨一直下。</p>"
    "<p>Они ждали на платформе, пока шёл дождь.</p>"
    "<p>كانا ينتظران على الرصيف بينما كان المطر يهطل.</p>"
    "<p>비가 오는 오후, 두 사람은 역에서 기다렸다.</p>"
)
