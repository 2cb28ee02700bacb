"""Fuzz one import format: ``python -m fanfold.security.fuzz_imports --format plaintext --runs 100000``.

Each input goes through the format's ``sniff`` and ``parse``; ``ImportFailed`` is the only exception
a parser may raise, anything else is a crash (libFuzzer stops and writes the input to crash-*). Inputs
that take longer than ``--timeout`` seconds count as hangs; the process's memory is capped by
``--rss-mib``.

Two engines:
- ``atheris`` (default when installed): coverage-guided libFuzzer over the instrumented parsers,
  seeded with the repository's import fixtures of that format.
- ``mutate``: a plain random-mutation loop over the same seeds (no coverage guidance), for machines
  without atheris. Same checks, same summary.

The mutate engine ends with a JSON summary line; atheris ends with libFuzzer's final stats
("Done N runs in S second(s)", stat::average_exec_per_sec, stat::peak_rss_mb).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

FORMATS = ("plaintext", "fanficfare", "ao3_html", "ao3_epub", "frontmatter")
# Byte mutations of a ZIP mostly break its CRCs and directory, so they exercise the archive checks but
# rarely the documents inside: "ao3_epub_inner" fuzzes the OPF and the chapter XHTML and zips them up.
TARGETS = (*FORMATS, "ao3_epub_inner")
_INNER_SEPARATOR = b"\n<!--opf-->\n"
FIXTURES = Path(__file__).resolve().parents[1] / "imports" / "tests" / "fixtures"
_FILENAMES = {
    "plaintext": "story.txt",
    "fanficfare": "story.txt",
    "ao3_html": "story.html",
    "ao3_epub": "story.epub",
    "frontmatter": "story.md",
    "ao3_epub_inner": "story.epub",
}
# Tokens that steer parsers into their interesting branches; the mutators splice them in.
_TOKENS = [
    b"<",
    b">",
    b"</div>",
    b"<div>",
    b'<div id="chapters">',
    b'<dl class="tags">',
    b"<dt>",
    b"<dd>",
    b"<h2",
    b"<!ENTITY",
    b"<!DOCTYPE",
    b"&amp;",
    b"&#x0;",
    b"---\n",
    b"title:",
    b"Title: ",
    b"Chapter 1",
    b"Summary:",
    b"\n\n\n",
    b"* * *",
    b"\x00",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"PK\x03\x04",
    b"PK\x01\x02",
    b"&",
    b"*",
    b"_",
    b"[",
    b"|",
    b"End file.",
    b"\r\n",
    b"\t",
]


def seeds(fmt: str) -> list[bytes]:
    """Valid files of the format to start from: the import test fixtures, and the hostile corpus."""
    from fanfold.security.hostile_files import wrap

    found: list[bytes] = []
    if fmt in {"plaintext", "fanficfare"}:
        found += [p.read_bytes() for p in sorted(FIXTURES.glob("*.txt"))]
    if fmt in {"ao3_html", "ao3_epub"}:
        found += [p.read_bytes() for p in sorted(FIXTURES.glob("ao3_*.html"))]
    if fmt == "frontmatter":
        found += [p.read_bytes() for p in sorted(FIXTURES.glob("frontmatter_*"))]
    if fmt == "ao3_epub":
        from fanfold.security.hostile_files import epub

        found = [epub(document) for document in found]
    if fmt == "ao3_epub_inner":
        from fanfold.security.hostile_archive import _OPF

        documents = [p.read_bytes() for p in sorted(FIXTURES.glob("ao3_*.html"))]
        return [_OPF.encode() + _INNER_SEPARATOR + document for document in documents]
    found.append(wrap(fmt, "<p>The tide came in.</p>\n\n*Slowly*, then [all at once].")[1])
    return found


def _module(fmt: str) -> ModuleType:
    import importlib

    return importlib.import_module(f"fanfold.imports.formats.{fmt.removesuffix('_inner')}")


def _inner_epub(data: bytes) -> bytes:
    """An EPUB whose OPF and chapter are the two halves of the fuzzer's input."""
    from fanfold.security.hostile_files import epub

    opf, _, document = data.partition(_INNER_SEPARATOR)
    return epub(document, opf=opf.decode("utf-8", "replace") or None)


def make_target(fmt: str, stats: dict):
    from fanfold.imports.parsed import ImportFailed

    module = _module(fmt)
    filename = _FILENAMES[fmt]

    def one_input(data: bytes) -> None:
        if fmt == "ao3_epub_inner":
            data = _inner_epub(data)
        start = time.monotonic()
        score = module.sniff(data, filename)
        if not isinstance(score, int) or not 0 <= score <= 100:
            raise AssertionError(f"sniff returned {score!r}")
        try:
            module.parse(data, filename)
        except ImportFailed as exc:
            message = str(exc)
            if not message or "\n" in message:
                raise AssertionError(f"ImportFailed without a one-line message: {message!r}") from exc
        except RecursionError:
            raise
        elapsed = time.monotonic() - start
        stats["runs"] += 1
        if elapsed > stats["slowest"]:
            stats["slowest"] = elapsed
            stats["slowest_bytes"] = len(data)

    return one_input


def mutate(data: bytes, rng: random.Random, pool: list[bytes]) -> bytes:
    buffer = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        choice = rng.random()
        position = rng.randint(0, len(buffer)) if buffer else 0
        if choice < 0.2 and buffer:
            buffer[min(position, len(buffer) - 1)] ^= 1 << rng.randint(0, 7)
        elif choice < 0.4:
            buffer[position:position] = rng.choice(_TOKENS) * rng.choice((1, 1, 2, 16, 256))
        elif choice < 0.55 and buffer:
            end = min(len(buffer), position + rng.randint(1, 256))
            del buffer[position:end]
        elif choice < 0.7 and buffer:
            end = min(len(buffer), position + rng.randint(1, 512))
            buffer[position:position] = buffer[position:end] * rng.randint(1, 4)
        elif choice < 0.85:
            other = rng.choice(pool)
            start = rng.randint(0, max(0, len(other) - 1))
            buffer[position:position] = other[start : start + rng.randint(1, 1024)]
        else:
            buffer[position:position] = bytes(rng.randint(0, 255) for _ in range(rng.randint(1, 16)))
    return bytes(buffer[: 256 * 1024])


def run_mutate(fmt: str, runs: int, seed: int, timeout: float) -> dict:
    stats: dict = {"runs": 0, "slowest": 0.0, "slowest_bytes": 0}
    target = make_target(fmt, stats)
    rng = random.Random(seed)
    pool = seeds(fmt)
    start = time.monotonic()
    for _ in range(runs):
        data = mutate(rng.choice(pool), rng, pool)
        began = time.monotonic()
        target(data)  # an exception propagates: the crash is reported with its input below
        if time.monotonic() - began > timeout:
            raise TimeoutError(f"input of {len(data)} bytes took {time.monotonic() - began:.1f}s")
        if rng.random() < 0.01 and len(pool) < 500:
            pool.append(data)  # keep some mutants as new parents
    stats["seconds"] = round(time.monotonic() - start, 1)
    return stats


def run_atheris(fmt: str, runs: int, timeout: float, rss_mib: int, extra: list[str]) -> None:
    import atheris

    with atheris.instrument_imports(include=["fanfold.imports", "fanfold.core.html"]):
        _module(fmt)
    stats: dict = {"runs": 0, "slowest": 0.0, "slowest_bytes": 0}
    target = make_target(fmt, stats)
    corpus = Path(tempfile.mkdtemp(prefix=f"fuzz-{fmt}-"))
    for index, data in enumerate(seeds(fmt)):
        (corpus / f"seed-{index}").write_bytes(data)
    # libFuzzer ends the process itself and prints the summary (-print_final_stats=1).
    args = [
        sys.argv[0],
        f"-runs={runs}",
        f"-timeout={int(timeout)}",
        f"-rss_limit_mb={rss_mib}",
        "-max_len=65536",
        "-print_final_stats=1",
        *extra,
        str(corpus),
    ]
    atheris.Setup(args, target)
    atheris.Fuzz()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Fuzz one import format (see the module docstring).")
    parser.add_argument("--format", required=True, choices=TARGETS)
    parser.add_argument("--runs", type=int, default=100_000)
    parser.add_argument("--engine", choices=("atheris", "mutate"), default=None)
    parser.add_argument("--seed", type=int, default=1, help="random seed of the mutate engine")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds one input may take")
    parser.add_argument("--rss-mib", type=int, default=2048)
    parser.add_argument("libfuzzer_args", nargs="*", help="extra libFuzzer flags after --, e.g. -jobs=2")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanfold.settings")
    engine = args.engine
    if engine is None:
        try:
            import atheris  # noqa: F401

            engine = "atheris"
        except ImportError:
            engine = "mutate"
    if engine == "atheris":
        run_atheris(args.format, args.runs, args.timeout, args.rss_mib, args.libfuzzer_args)
        return 0
    import resource

    limit = args.rss_mib * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    stats = run_mutate(args.format, args.runs, args.seed, args.timeout)
    print(
        json.dumps(
            {
                "format": args.format,
                "engine": "mutate",
                "runs": stats["runs"],
                "seconds": stats["seconds"],
                "crashes": 0,
                "slowest_seconds": round(stats["slowest"], 3),
                "slowest_bytes": stats["slowest_bytes"],
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
