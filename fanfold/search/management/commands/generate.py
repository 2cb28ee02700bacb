"""fanfold generate --works N --seed S [--bodies]: a synthetic archive with AO3's shape (search.synthetic)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from fanfold.search.fast.index import SNAPSHOT_MIN_WORKS, write_snapshot
from fanfold.search.synthetic import GenerateError, existing_works, generate


class Command(BaseCommand):
    help = "Bulk-load a deterministic synthetic archive (for benchmarks and load tests)."

    def add_arguments(self, parser):
        parser.add_argument("--works", type=int, required=True, help="how many works to generate")
        parser.add_argument("--seed", type=int, default=1, help="the same seed gives the same archive")
        parser.add_argument("--bodies", action="store_true", help="also generate story text")
        parser.add_argument(
            "--body-words", type=int, default=300, help="words of story text per work (with --bodies)"
        )
        parser.add_argument(
            "--append", action="store_true", help="add to a database that already holds works"
        )

    def handle(self, *args, works, seed, bodies, body_words, append, **options):
        started = time.monotonic()
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            transient=False,
            console=Console(stderr=True),  # stdout stays clean for the summary (and bench --json)
        ) as bar:
            tasks: dict[str, TaskID] = {}

            def report(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = bar.add_task(stage, total=total)
                bar.update(tasks[stage], completed=done, total=total)

            try:
                counts = generate(
                    works, seed, bodies=bodies, body_words_per_work=body_words, append=append, progress=report
                )
            except GenerateError as exc:
                raise CommandError(str(exc)) from None
        elapsed = time.monotonic() - started
        summary = ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in counts.items())
        self.stdout.write(f"Generated {summary} in {elapsed:.0f} s.")
        if existing_works() >= SNAPSHOT_MIN_WORKS:
            # The search index snapshot: server processes start from it (and "auto" picks the fast
            # engine when it exists). Timed apart from the load.
            started = time.monotonic()
            write_snapshot(connection.alias)
            self.stdout.write(f"Search index snapshot written in {time.monotonic() - started:.0f} s.")
