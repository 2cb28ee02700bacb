"""fanfold exchange bench / unmatchable / generate."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from fanfold.exchanges.tests.conftest import make_user, prompt, sign_up


def run(*args) -> str:
    out = StringIO()
    call_command("exchange", *args, stdout=out)
    return out.getvalue()


def test_bench_json():
    figures = json.loads(run("bench", "--participants", "600", "--seed", "3", "--json"))
    expected = {
        "participants",
        "seconds",
        "unmatched",
        "greedy_seconds",
        "greedy_unmatched",
        "structural_unmatched",
    }
    assert expected <= set(figures)
    assert figures["participants"] == 600
    # optimal: down to the Hopcroft–Karp bound, never worse than the greedy, never below the structural
    assert figures["unmatched"] == figures["bound_unmatched"] >= figures["structural_unmatched"]
    assert figures["greedy_unmatched"] >= figures["unmatched"]
    assert figures["seconds"] > 0


def test_bench_refuses_nonsense():
    with pytest.raises(CommandError, match="between 2 and"):
        run("bench", "--participants", "1")


@pytest.mark.django_db
def test_unmatchable_and_generate(exchange, tags):
    a, b = make_user("aster"), make_user("birch")
    sign_up(
        exchange,
        a,
        tags,
        [prompt(tags, "Saltmarsh Almanac", "Odile Marsh")],
        [prompt(tags, "Saltmarsh Almanac", "Perrin Gale")],
    )
    sign_up(
        exchange,
        b,
        tags,
        [prompt(tags, "Lighthouse Ledger", "Ada Lumen")],
        [prompt(tags, "Saltmarsh Almanac", "Odile Marsh")],
    )
    out = run("unmatchable", "midwinter")
    assert out.splitlines()[1:] == ["nobody can give to: birch (birch)", "can give to nobody: aster (aster)"]
    with pytest.raises(CommandError, match="Close sign-ups first"):
        run("generate", "midwinter", "--as", exchange.created_by.username)
    with pytest.raises(CommandError, match="No gift exchange"):
        run("unmatchable", "nowhere")
    from fanfold.exchanges import services

    services.set_signups_open(exchange.created_by, exchange, open=False)
    assert "1 matched, 1 without a giver (1 nobody can give to)" in run(
        "generate", "midwinter", "--as", "harbourmod"
    )


@pytest.mark.django_db
def test_populate_round_trips_through_the_database(exchange):
    """Synthetic sign-ups stored and loaded again give exactly the generator's graph."""
    from fanfold.exchanges import matching, services
    from fanfold.exchanges.generator import YULETIDE_RULES, yuletide_exchange

    assert "Added 120 synthetic sign-ups" in run(
        "populate", "midwinter", "--participants", "120", "--seed", "5"
    )
    _ids, loaded = services.load_participants(exchange)
    from_db = matching.build_graph(loaded, services.exchange_rules(exchange))
    expected = matching.build_graph(yuletide_exchange(120, 5), YULETIDE_RULES)
    assert from_db.nnz == expected.nnz > 0
    assert (from_db != expected).nnz == 0
