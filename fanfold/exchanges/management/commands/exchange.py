"""fanfold exchange bench | unmatchable NAME | populate NAME | generate NAME --as USER.

``bench`` times Fanfold's matching on a synthetic Yuletide-like exchange next to AO3's greedy, in the
same run on the same compatibility graph, without touching the database.
"""

from __future__ import annotations

import json
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from fanfold.exchanges import matching
from fanfold.exchanges.generator import YULETIDE_RULES, yuletide_exchange
from fanfold.exchanges.models import GiftExchange

MAX_BENCH_PARTICIPANTS = 100_000


def bench(participants: int, seed: int) -> dict:
    """Build the graph once; ``seconds`` is graph + optimal solve, ``greedy_seconds`` graph + greedy."""
    people = yuletide_exchange(participants, seed)
    cpu = time.process_time()
    result = matching.match(people, YULETIDE_RULES)
    cpu_seconds = time.process_time() - cpu
    start = time.perf_counter()
    greedy = matching.greedy_match(result.graph)
    greedy_seconds = time.perf_counter() - start
    return {
        "participants": participants,
        "seconds": round(result.graph_seconds + result.solve_seconds, 3),
        "unmatched": result.assignment.unmatched,
        "greedy_seconds": round(result.graph_seconds + greedy_seconds, 3),
        "greedy_unmatched": greedy.unmatched,
        "structural_unmatched": len(matching.no_giver(result.graph)),
        # extras: where the time goes, and the maximum-matching bound (Hopcroft–Karp)
        "graph_seconds": round(result.graph_seconds, 3),
        "cpu_seconds": round(cpu_seconds, 3),  # of "seconds": tells a busy machine from a slow run
        "possible_pairs": int(result.graph.nnz),
        "bound_unmatched": participants - matching.maximum_matched(result.graph),
        "mutual_pairs": result.assignment.mutual_pairs,
    }


class Command(BaseCommand):
    help = "Gift exchanges: benchmark the matching, list who cannot be matched, generate assignments."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(
            dest="action", required=True, metavar="{bench,unmatchable,populate,generate}"
        )
        b = sub.add_parser("bench", help="time the matching on a synthetic Yuletide-like exchange")
        b.add_argument("--participants", type=int, default=2000)
        b.add_argument("--seed", type=int, default=1)
        b.add_argument("--json", action="store_true", help="print one JSON object")
        u = sub.add_parser("unmatchable", help="sign-ups of an exchange nobody can give to, right now")
        u.add_argument("name", help="the collection's name (as in its URL)")
        p = sub.add_parser("populate", help="add synthetic Yuletide-like sign-ups (demos, timing)")
        p.add_argument("name")
        p.add_argument("--participants", type=int, default=100)
        p.add_argument("--seed", type=int, default=1)
        g = sub.add_parser("generate", help="generate draft assignments (as a moderator)")
        g.add_argument("name")
        g.add_argument("--as", dest="username", required=True, help="a moderator's username")

    def handle(self, *args, action, **options):
        if action == "bench":
            self._bench(options["participants"], options["seed"], options["json"])
            return
        exchange = (
            GiftExchange.objects.select_related("collection").filter(collection__name=options["name"]).first()
        )
        if exchange is None:
            raise CommandError(f"No gift exchange in a collection named {options['name']!r}.")
        from fanfold.exchanges import services

        if action == "populate":
            from fanfold.exchanges.populate import populate

            if not exchange.signups_open:
                raise CommandError("Sign-ups of that exchange are closed.")
            if not 1 <= options["participants"] <= MAX_BENCH_PARTICIPANTS:
                raise CommandError(f"--participants must be between 1 and {MAX_BENCH_PARTICIPANTS}.")
            added = populate(exchange, options["participants"], options["seed"])
            self.stdout.write(f"Added {added} synthetic sign-ups to {exchange.collection.title}.")
            return
        if action == "unmatchable":
            report = services.unmatchable(exchange)
            self.stdout.write(f"{report.signups} sign-ups, {report.possible_pairs} possible pairs.")
            for signup in report.no_giver:
                self.stdout.write(f"nobody can give to: {signup.pseud.name} ({signup.user.username})")
            for signup in report.no_receiver:
                self.stdout.write(f"can give to nobody: {signup.pseud.name} ({signup.user.username})")
            return
        user = get_user_model().objects.filter(username__iexact=options["username"]).first()
        if user is None:
            raise CommandError(f"No account {options['username']!r}.")
        try:
            result = services.generate_assignments(user, exchange)
        except services.ExchangeError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"{result.matched} matched, {result.unmatched} without a giver "
            f"({result.structural_unmatched} nobody can give to), {result.seconds:.2f} s."
        )

    def _bench(self, participants: int, seed: int, as_json: bool) -> None:
        if not 2 <= participants <= MAX_BENCH_PARTICIPANTS:
            raise CommandError(f"--participants must be between 2 and {MAX_BENCH_PARTICIPANTS}.")
        figures = bench(participants, seed)
        if as_json:
            self.stdout.write(json.dumps(figures))
            return
        for key, value in figures.items():
            self.stdout.write(f"{key:>22}: {value}")
