"""Hostile files of every format are refused (or read) with a clear message, in bounded time and memory.

The cases (zip bombs, billion laughs, external entities, YAML alias bombs, 100k-level nesting, a 40 MiB
line, NUL bytes, invalid UTF-8, element floods, Markdown token floods, a file over the size limit) run in
a subprocess under a 2 GiB address-space limit and a wall-clock timeout, so a regression fails the test
instead of taking the machine down.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fanfold.security.hostile_files import CASES, FORMATS, wrap

REPO = Path(__file__).resolve().parents[3]
MAX_SECONDS = 30  # per case; the slowest (a 15 MiB one-paragraph text file) takes about 2 s here
MAX_PEAK_MIB = 1500


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> dict[str, dict]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "fanfold.settings"}
    env.setdefault("FANFOLD_DATA_DIR", str(tmp_path_factory.mktemp("data")))
    completed = subprocess.run(
        [sys.executable, "-m", "fanfold.security.hostile_files", "--memory-mib", "2048"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    lines = [json.loads(line) for line in completed.stdout.splitlines() if line.startswith("{")]
    return {line["case"]: line for line in lines}


def test_every_case_ran(results):
    assert set(results) == set(CASES)
    assert len(CASES) >= 30


@pytest.mark.parametrize("case", sorted(CASES))
def test_refused_or_read_cleanly(results, case):
    result = results[case]
    assert result["outcome"] != "crashed", result
    if result["expected"] == "refused":
        assert result["outcome"] == "refused", result
    if result["outcome"] == "refused":
        message = result["message"]
        assert message and "\n" not in message and "Traceback" not in message
        assert "please report it" not in message, (
            f"an unexpected exception was turned into a message: {result}"
        )
    assert result["seconds"] < MAX_SECONDS, result
    assert result["peak_rss_mib"] < MAX_PEAK_MIB, result


@pytest.mark.parametrize(
    ("case", "words"),
    [
        ("zip-bomb-300MiB", "unpacks to more than"),
        ("zip-20000-members", "more than 2,000 files"),
        ("epub-billion-laughs-chapter", "declares entities"),
        ("epub-xxe-chapter", "declares entities"),
        ("frontmatter-yaml-alias-bomb", "anchors or aliases"),
        ("file-over-50MiB", "too large"),
        ("ao3_html-nested-100k", "nested too deeply"),
        ("ao3_html-2M-elements", "more than 2,000,000 elements"),
        ("frontmatter-markdown-heavy", "too many to convert"),
    ],
)
def test_refusals_say_why(results, case, words):
    assert words in results[case]["message"]


# --- the upload view ------------------------------------------------------------------------------


@pytest.fixture
def poster(db, client):
    from fanfold.tags.services import ensure_fixed_tags
    from fanfold.works.tests.posting_support import make_user

    ensure_fixed_tags()
    user = make_user("uploader")
    client.force_login(user)
    return user


def test_upload_over_the_limit_is_refused_before_reading(client, poster, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    data = b"Title: Too Big\n\n" + b"wave " * 60_000  # 300 KB
    response = client.post("/works/import/", {"file": SimpleUploadedFile("big.txt", data)})
    assert response.status_code == 413
    assert "The file is too large: the limit is 64 KiB." in response.content.decode()


def test_upload_limit_never_exceeds_the_importer_limit(settings):
    from fanfold.imports.limits import MAX_FILE_BYTES, max_upload_bytes

    assert max_upload_bytes(10 * 1024 * 1024 * 1024) == MAX_FILE_BYTES
    assert max_upload_bytes(1024) == 1024


@pytest.mark.parametrize("fmt", FORMATS)
def test_hostile_upload_gets_a_message_not_an_error_page(client, poster, fmt):
    from fanfold.security.hostile_files import _nested

    name, data = _nested(fmt, levels=20_000)
    response = client.post("/works/import/", {"file": SimpleUploadedFile(name, data)})
    # Either imported as a draft (a redirect to its edit form) or refused with the reason on the form.
    assert response.status_code in (302, 400), response.status_code
    if response.status_code == 400:
        assert "The file was not imported" in response.content.decode()


def test_markdown_token_flood_in_the_posting_form_is_refused_quickly(poster):
    import time

    from fanfold.works.posting_rules import PostingError
    from fanfold.works.tests.posting_support import chapter_input, post

    start = time.monotonic()
    with pytest.raises(PostingError, match="too much markup"):
        post(poster, chapters=[chapter_input("[[[[|a|\n" * 40_000, text_format="markdown")])
    assert time.monotonic() - start < 2


def test_wrap_builds_the_format_it_names():
    from fanfold.imports.services import detect_format

    for fmt in FORMATS:
        name, data = wrap(fmt, "<p>The tide came in.</p>\n\nAnd out again.")
        assert detect_format(data, name).__name__.rsplit(".", 1)[-1] == fmt
