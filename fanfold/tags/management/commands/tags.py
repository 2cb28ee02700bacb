"""fanfold tags load FILE | export FILE | evaluate: share tag sets and measure tag suggestions."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from fanfold.tags.evaluation import (
    DEFAULT_PAIRS_PATH,
    DEFAULT_SUGGESTION_THRESHOLD,
    EvaluationError,
    evaluate,
    format_table,
    load_pairs,
)
from fanfold.tags.resolver import TagIndex
from fanfold.tags.services import build_index, export_records, load_records
from fanfold.tags.tagset import TagsetError, dump_tagset, load_tagset


def _format_of(path: Path, given: str | None) -> str:
    fmt = given or ("csv" if path.suffix.lower() == ".csv" else "json")
    if fmt not in {"json", "csv"}:
        raise CommandError(f"unknown tag set format {fmt!r} (use json or csv)")
    return fmt


def _read_tagset(file: str, fmt: str | None = None):
    path = Path(file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CommandError(f"cannot read {file}: {exc.strerror or exc}") from None
    try:
        return load_tagset(data, _format_of(path, fmt))
    except TagsetError as exc:
        raise CommandError(f"{file}: {exc}") from None


def _threshold(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0.0 <= number <= 1.0:
        raise CommandError(f"--threshold must be a number from 0 to 1, not {value!r}")
    return number


class Command(BaseCommand):
    help = "Load or export a tag set (JSON or CSV; see docs/tag-sets.md), or measure tag suggestions."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{load,export,evaluate}")
        load = sub.add_parser("load", help="load canonical tags, synonyms and parents from FILE")
        load.add_argument("file")
        load.add_argument("--format", choices=["json", "csv"])
        export = sub.add_parser("export", help="write the archive's wrangled tags to FILE (- for stdout)")
        export.add_argument("file")
        export.add_argument("--format", choices=["json", "csv"])
        measure = sub.add_parser(
            "evaluate", help="measure suggestion precision and recall on a labelled set of raw tags"
        )
        measure.add_argument("--json", action="store_true", help="print the figures as JSON")
        measure.add_argument("--pairs", help=f"labelled pairs (CSV; default {DEFAULT_PAIRS_PATH.name})")
        measure.add_argument("--tagset", help="evaluate this tag set file instead of the archive's tags")
        measure.add_argument(
            "--threshold",
            default=str(DEFAULT_SUGGESTION_THRESHOLD),
            help=f"lowest confidence that counts as a suggestion (default {DEFAULT_SUGGESTION_THRESHOLD})",
        )
        measure.add_argument("--verbose", action="store_true", help="also list every miss")

    def handle(self, *args, action, **options):
        if action == "evaluate":
            self._evaluate(**options)
            return
        file = options["file"]
        path = Path(file)
        if action == "load":
            result = load_records(_read_tagset(file, options.get("format")))
            self.stdout.write(
                f"Loaded {result['records']} entries: {result['created']} tags created, {result['updated']} updated."
            )
        else:
            text = dump_tagset(export_records(), _format_of(path, options.get("format")))
            if file == "-":
                self.stdout.write(text)
            else:
                try:
                    path.write_text(text, encoding="utf-8")
                except OSError as exc:
                    raise CommandError(f"cannot write {file}: {exc.strerror or exc}") from None
                self.stdout.write(f"Wrote the tag set to {file}.")

    def _evaluate(self, *, pairs=None, tagset=None, threshold, verbose=False, **options):
        limit = _threshold(threshold)
        try:
            labelled = load_pairs(Path(pairs) if pairs else DEFAULT_PAIRS_PATH)
        except EvaluationError as exc:
            raise CommandError(str(exc)) from None
        try:
            index = TagIndex(_read_tagset(tagset)) if tagset else build_index()
        except DatabaseError:
            raise CommandError(
                "cannot read the archive's tags: run `fanfold setup` or pass --tagset FILE"
            ) from None
        if not len(index):
            raise CommandError("there are no tags to evaluate: run `fanfold setup` or pass --tagset FILE")
        report = evaluate(index, labelled, limit)
        if options.get("json"):
            self.stdout.write(json.dumps(report.summary(), ensure_ascii=False))
        else:
            self.stdout.write(format_table(report, verbose=verbose))
