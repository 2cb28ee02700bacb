"""fanfold import [--dry-run] [--json] PATH...: import fic files into the archive."""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from fanfold.imports.services import ImportOutcome, expand_paths, import_path
from fanfold.tags.services import build_index

PROGRESS_THRESHOLD = 5  # files; fewer finish before a bar would be useful


class Command(BaseCommand):
    help = (
        "Import fic files (plain text, challenge posts, FanFicFare TXT, AO3 HTML/EPUB, Markdown) or folders."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "paths", nargs="+", metavar="PATH", help="files or folders (searched recursively)"
        )
        parser.add_argument("--dry-run", action="store_true", help="read and map the files but write nothing")
        parser.add_argument("--json", action="store_true", help="print one JSON object per work (an array)")
        parser.add_argument("-q", "--quiet", action="store_true", help="print only errors and the summary")

    def handle(self, *args, paths, dry_run, json: bool, quiet, **options):
        files = list(expand_paths(paths))
        if not files:
            raise CommandError("no importable files found")
        err = Console(stderr=True, highlight=False)
        index = build_index()
        outcomes: list[ImportOutcome] = []
        show_bar = len(files) >= PROGRESS_THRESHOLD and err.is_terminal and not quiet
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with Progress(*columns, console=err, disable=not show_bar, transient=True) as progress:
            task = progress.add_task("Importing" if not dry_run else "Reading", total=len(files))
            for path, problem in files:
                if problem:
                    outcome = ImportOutcome(str(path), "failed", problem)
                else:
                    outcome = import_path(path, index, dry_run=dry_run)
                outcomes.append(outcome)
                self._report(outcome, err, json_output=json, quiet=quiet)
                progress.advance(task)

        if json:
            payload = [{"file": o.path, **o.draft.as_json()} for o in outcomes if o.draft is not None]
            self.stdout.write(_dumps(payload))
        counts = {
            status: sum(1 for o in outcomes if o.status == status)
            for status in ("imported", "skipped", "failed", "parsed")
        }
        if dry_run:
            summary = f"Dry run: {counts['parsed']} readable, {counts['failed']} failed; nothing was written."
        else:
            summary = (
                f"Imported {counts['imported']}, skipped {counts['skipped']}, failed {counts['failed']}."
            )
        (err.print if json else self.stdout.write)(summary)
        if counts["failed"]:
            sys.exit(1)

    def _report(self, outcome: ImportOutcome, err: Console, *, json_output: bool, quiet: bool) -> None:
        if outcome.status == "failed":
            err.print(f"[red]error[/red]: {escape(outcome.path)}: {escape(outcome.message)}", soft_wrap=True)
        elif not quiet and not json_output:
            title = f" “{outcome.draft.title}”" if outcome.draft else ""
            detail = f" ({outcome.message})" if outcome.message else ""
            self.stdout.write(f"{outcome.status}: {outcome.path}{title}{detail}")


def _dumps(payload: object) -> str:
    return json.dumps(payload, ensure_ascii=False, indent=2)
