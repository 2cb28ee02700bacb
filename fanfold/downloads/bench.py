"""Benchmark: EPUBs of the same works made by Fanfold, by calibre and by FanFicFare.

    .venv/bin/python -m fanfold.downloads.bench --works 12 --json

The works are the demo works and the two seeds (read from ../shared/seeds when present), parsed by
the importer without a database and repeated to reach ``--works``. For each tool the timer covers
making the EPUB from the same book:

- Fanfold: the EPUB writer of this app (EbookLib), in process;
- calibre: what AO3 does, Fanfold's HTML download rendered then ``ebook-convert`` to EPUB
  (one process per book, as on AO3); skipped when calibre is not installed;
- FanFicFare: its offline test site adapter (test1.com) fed with the same chapters, then its
  EPUB writer, in process; skipped with a message when FanFicFare is not installed.

Prints JSON: seconds per tool and each tool's time divided by Fanfold's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanfold.settings")
    os.environ.setdefault("FANFOLD_DATA_DIR", tempfile.mkdtemp(prefix="fanfold-bench-"))
    import django

    django.setup()


def load_books(count: int) -> list:
    """Books for the demo works and the seeds, repeated up to ``count``."""
    from fanfold.conftest import SEEDS_DIR
    from fanfold.core.management.commands.demo import DEMO_WORKS
    from fanfold.core.management.commands.setup import STARTER_TAGSET_PATH
    from fanfold.downloads.content import book_from_draft
    from fanfold.imports.mapping import to_draft
    from fanfold.imports.services import parse_bytes
    from fanfold.tags.resolver import TagIndex
    from fanfold.tags.tagset import load_tagset

    index = TagIndex(load_tagset(STARTER_TAGSET_PATH.read_bytes(), "json"))
    paths = sorted(DEMO_WORKS.glob("*.md"))
    if SEEDS_DIR.is_dir():
        paths += sorted(SEEDS_DIR.glob("*.txt"))
    base = [
        book_from_draft(to_draft(parse_bytes(path.read_bytes(), path.name), index), work_id=n)
        for n, path in enumerate(paths, start=1)
    ]
    return [base[i % len(base)] for i in range(count)]


def time_fanfold(books: list, out: Path) -> float:
    from fanfold.downloads.epub import build_epub

    start = time.perf_counter()
    for n, book in enumerate(books):
        build_epub(book, out / f"fanfold-{n}.epub")
    return time.perf_counter() - start


def time_calibre(books: list, out: Path) -> float | None:
    from fanfold.downloads import calibre
    from fanfold.downloads.html import build_html

    if not calibre.available():
        return None
    start = time.perf_counter()
    for n, book in enumerate(books):
        html = out / f"calibre-{n}.html"
        build_html(book, html)
        calibre.convert(html, out / f"calibre-{n}.epub")
    return time.perf_counter() - start


def time_fanficfare(books: list, out: Path) -> float | None:
    try:
        import fanficfare  # noqa: F401
    except ImportError:
        return None
    _fanficfare_epub(books[0], out / "fanficfare-warmup.epub", story_id=999_999)  # its lazy imports
    start = time.perf_counter()
    for n, book in enumerate(books):
        _fanficfare_epub(book, out / f"fanficfare-{n}.epub", story_id=1000 + n)
    return time.perf_counter() - start


def _fanficfare_epub(book, path: Path, *, story_id: int) -> None:
    """FanFicFare's pipeline with its offline test site, given our metadata and chapters."""
    import logging

    import fanficfare
    from fanficfare import adapters, writers
    from fanficfare.configurable import Configuration

    logging.getLogger("fanficfare").setLevel(logging.ERROR)
    url = f"http://test1.com?sid={story_id}"
    config = Configuration(adapters.getConfigSectionsFor(url), "epub")
    config.read(str(Path(fanficfare.__file__).parent / "defaults.ini"))
    if not config.has_section("overrides"):
        config.add_section("overrides")
    config.set("overrides", "include_images", "false")  # never fetch anything
    config.set("overrides", "slow_down_sleep_time", "0")
    adapter = adapters.getAdapter(config, url)
    bodies = {f"{url}&chapter={c.position}": c.body for c in book.chapters}

    def metadata() -> None:
        story = adapter.story
        story.setMetadata("title", book.title)
        for n, name in enumerate(book.creators or ["Anonymous"], start=1):
            story.addToList("author", name)
            story.addToList("authorId", str(n))
            story.addToList("authorUrl", f"http://test1.com?authid={n}")
        story.setMetadata("storyUrl", url)
        story.setMetadata("datePublished", dt.datetime.combine(book.published, dt.time()))
        story.setMetadata("dateUpdated", dt.datetime.combine(book.updated, dt.time()))
        story.setMetadata("language", book.language_label)
        story.setMetadata("numWords", str(sum(c.word_count for c in book.chapters)))
        story.setMetadata("description", book.summary)
        story.setMetadata("status", "Completed")
        for row in book.tag_rows:
            for name in row.names:
                story.addToList("genre" if "Tag" in row.label else "category", name)
        for chapter in book.chapters:
            adapter.add_chapter(chapter.heading, f"{url}&chapter={chapter.position}")

    def chapter_text(chapter_url: str) -> str:
        return adapter.utf8FromSoup(chapter_url, adapter.make_soup(bodies[chapter_url]))

    adapter.extractChapterUrlsAndMetadata = metadata
    adapter.getChapterText = chapter_text
    adapter.getStory()
    output = io.BytesIO()
    writers.getWriter("epub", config, adapter).writeStory(outstream=output)
    path.write_bytes(output.getvalue())


def run(count: int) -> dict:
    books = load_books(count)
    with tempfile.TemporaryDirectory(prefix="fanfold-bench-") as folder:
        out = Path(folder)
        time_fanfold(books[:1], out)  # warm up imports and templates (FanFicFare warms up its own)
        fanfold_seconds = time_fanfold(books, out)
        calibre_seconds = time_calibre(books, out)
        fanficfare_seconds = time_fanficfare(books, out)
    result: dict = {
        "works": len(books),
        "fanfold_seconds": round(fanfold_seconds, 3),
        "calibre_seconds": None if calibre_seconds is None else round(calibre_seconds, 3),
        "fanficfare_seconds": None if fanficfare_seconds is None else round(fanficfare_seconds, 3),
        "calibre_ratio": None if calibre_seconds is None else round(calibre_seconds / fanfold_seconds, 1),
        "fanficfare_ratio": None
        if fanficfare_seconds is None
        else round(fanficfare_seconds / fanfold_seconds, 1),
    }
    notes = []
    if calibre_seconds is None:
        notes.append("calibre column skipped: ebook-convert is not installed (Debian package calibre)")
    if fanficfare_seconds is None:
        notes.append("FanFicFare column skipped: FanFicFare is not installed (pip install FanFicFare)")
    if notes:
        result["skipped"] = notes
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--works", type=int, default=12, help="how many books each tool makes (default 12)")
    parser.add_argument("--json", action="store_true", help="print JSON only")
    args = parser.parse_args(argv)
    if args.works < 1:
        parser.error("--works must be at least 1")
    _setup_django()
    result = run(args.works)
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key}: {value}")
    for note in result.get("skipped", []):
        print(note, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
