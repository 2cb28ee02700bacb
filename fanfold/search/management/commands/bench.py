"""fanfold bench --works N --json | fanfold bench http --url URL: see search.bench."""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Benchmark the query service (fast engine against the ORM baseline), or a running server over HTTP."
    )

    def add_arguments(self, parser):
        parser.add_argument("mode", nargs="?", choices=["queries", "http"], default="queries")
        parser.add_argument("--works", type=int, help="the archive must hold at least this many works")
        parser.add_argument("--queries", type=int, default=300, help="queries per class (fast engine)")
        parser.add_argument(
            "--baseline-queries",
            type=int,
            default=None,
            help="queries per class for the ORM baseline (default: all up to 100k works, 30 above)",
        )
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--generate",
            action="store_true",
            help="generate the archive first (--works N, --seed S) when the database holds no works",
        )
        parser.add_argument("--bodies", action="store_true", help="with --generate: story text too")
        parser.add_argument("--json", action="store_true", help="print only the JSON result")
        parser.add_argument("--verbose-json", action="store_true", help="add query counts to the JSON")
        parser.add_argument("--url", default="http://127.0.0.1:8000")
        parser.add_argument("--seconds", type=float, default=30)
        parser.add_argument("--concurrency", type=int, default=16)

    def handle(
        self,
        *args,
        mode,
        works,
        queries,
        baseline_queries,
        seed,
        json,
        verbose_json,
        generate,
        bodies,
        **options,
    ):
        from django.db import connection

        from fanfold.search import bench
        from fanfold.search.fast.index import current
        from fanfold.search.synthetic import existing_works

        def log(message: str) -> None:
            sys.stderr.write(message + "\n")

        have = existing_works()
        if generate and have == 0 and works:
            from django.core.management import call_command

            extra = ["--bodies"] if bodies else []
            call_command("generate", "--works", str(works), "--seed", str(seed), *extra, stdout=sys.stderr)
            have = existing_works()
        if works is not None and have < works:
            raise CommandError(
                f"the database holds {have:,} works, fewer than --works {works:,}: run "
                f"`fanfold generate --works {works} --seed 1` into an empty database first"
            )
        if mode == "http":
            paths = bench.http_paths(current(connection.alias), seed)  # the snapshot when there is one
            result = bench.http_bench(options["url"], options["seconds"], options["concurrency"], paths)
        else:
            if baseline_queries is None:
                baseline_queries = queries if have <= 100_000 else 30
            result = bench.run_bench(queries, baseline_queries, seed, log)
            details = result.pop("_details")
            if verbose_json:
                result["details"] = details
        text = _dumps(result)
        self.stdout.write(text)


def _dumps(value) -> str:
    return json.dumps(value, indent=2)
