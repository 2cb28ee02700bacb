"""The matching against brute force on small random exchanges, and its rules on hand-made cases."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest

from fanfold.exchanges import matching as m
from fanfold.exchanges.generator import YULETIDE_RULES, yuletide_exchange

F, C, R = "fandom", "character", "relationship"


def p(fandoms=(), chars=(), *, any=(), optional_chars=()) -> m.Prompt:
    tags = {F: frozenset(fandoms), C: frozenset(chars)}
    return m.Prompt(tags=tags, any=frozenset(any), optional={C: frozenset(optional_chars)})


# --- The rule for one request and one offer ---------------------------------------------------------


def test_and_across_types():
    rules = {F: m.TypeRule(1), C: m.TypeRule(1)}
    assert m.prompt_matches(p([1], [10, 11]), p([1], [11]), rules)
    assert not m.prompt_matches(p([1], [10]), p([1], [11]), rules)  # fandom alone is not enough
    assert not m.prompt_matches(p([1], [10]), p([2], [10]), rules)


def test_required_count_and_any():
    rules = {F: m.TypeRule(1), C: m.TypeRule(2)}
    assert not m.prompt_matches(p([1], [10, 11]), p([1], [10, 12]), rules)
    assert m.prompt_matches(p([1], [10, 11]), p([1], [10, 11, 12]), rules)
    # "any" on either side satisfies the type
    assert m.prompt_matches(p([1], any=[C]), p([1], [12]), rules)
    assert m.prompt_matches(p([1], [10, 11]), p([1], any=[C]), rules)
    # a request naming fewer tags than the rule needs them all
    assert m.prompt_matches(p([1], [10]), p([1], [10, 13]), rules)
    assert not m.prompt_matches(p([1], [10]), p([1], [13, 14]), rules)


def test_optional_tags_count_only_when_the_rule_says():
    request, offer = p([1], [10], optional_chars=[20]), p([1], [20])
    assert not m.prompt_matches(request, offer, {F: m.TypeRule(1), C: m.TypeRule(1)})
    assert m.prompt_matches(request, offer, {F: m.TypeRule(1), C: m.TypeRule(1, include_optional=True)})


def test_type_without_rule_or_zero_required_is_ignored():
    request, offer = p([1], [10]), p([1], [11])
    assert m.prompt_matches(request, offer, {F: m.TypeRule(1)})
    assert m.prompt_matches(request, offer, {F: m.TypeRule(1), C: m.TypeRule(0)})


# --- Random small exchanges ---------------------------------------------------------------------------


def random_exchange(rng: random.Random, n: int, rules) -> list[m.Participant]:
    def prompt():
        any_types = frozenset(t for t in rules if rng.random() < 0.15)
        tags = {t: frozenset(rng.sample(range(4), rng.randint(0, 3))) for t in rules}
        optional = {t: frozenset(rng.sample(range(4), rng.randint(0, 1))) for t in rules}
        return m.Prompt(tags=tags, any=any_types, optional=optional)

    accounts = [i if rng.random() > 0.2 or i == 0 else i - 1 for i in range(n)]  # some shared accounts
    return [
        m.Participant(
            account=accounts[i],
            requests=[prompt() for _ in range(rng.randint(1, 3))],
            offers=[prompt() for _ in range(rng.randint(1, 3))],
        )
        for i in range(n)
    ]


def random_rules(rng: random.Random):
    return {
        F: m.TypeRule(rng.randint(0, 2), rng.random() < 0.5),
        C: m.TypeRule(rng.randint(0, 2), rng.random() < 0.5),
        R: m.TypeRule(rng.randint(0, 1), rng.random() < 0.5),
    }


def brute_force(n: int, edges: dict[tuple[int, int], int]) -> tuple[int, int]:
    """(most pairs, best quality among those) over every partial assignment."""
    best = (0, 0)
    for k in range(n, 0, -1):
        for givers in itertools.combinations(range(n), k):
            for receivers in itertools.permutations(range(n), k):
                pairs = list(zip(givers, receivers, strict=True))
                if all(pair in edges for pair in pairs):
                    best = max(best, (k, sum(edges[pair] for pair in pairs)))
        if best[0] == k:
            return best
    return best


def check_valid(people, edges, assignment: m.Assignment):
    givers = [g for g, _ in assignment.pairs]
    receivers = [r for _, r in assignment.pairs]
    assert len(set(givers)) == len(givers) and len(set(receivers)) == len(receivers)
    for g, r in assignment.pairs:
        assert g != r and people[g].account != people[r].account
        assert (g, r) in edges
    assert set(assignment.unmatched_receivers) == set(range(len(people))) - set(receivers)


@pytest.mark.parametrize("seed", range(60))
def test_sparse_graph_agrees_with_the_reference_rule(seed):
    rng = random.Random(seed)
    rules = random_rules(rng)
    people = random_exchange(rng, rng.randint(2, 9), rules)
    graph = m.build_graph(people, rules)
    coo = graph.tocoo()
    built = {(int(g), int(r)): int(q) for g, r, q in zip(coo.row, coo.col, coo.data, strict=True)}
    assert built == m.naive_graph(people, rules)


@pytest.mark.parametrize("seed", range(80))
def test_optimal_against_brute_force(seed):
    rng = random.Random(1000 + seed)
    rules = random_rules(rng)
    n = rng.randint(2, 6)
    people = random_exchange(rng, n, rules)
    edges = m.naive_graph(people, rules)
    graph = m.graph_from_edges(n, edges)
    best_count, best_quality = brute_force(n, edges)

    exact = m.optimal_match(graph, avoid_mutual=False)
    check_valid(people, edges, exact)
    assert (len(exact.pairs), exact.quality) == (best_count, best_quality)
    assert len(exact.pairs) == m.maximum_matched(graph)

    swapped = m.optimal_match(graph)
    check_valid(people, edges, swapped)
    assert len(swapped.pairs) == best_count
    assert swapped.mutual_pairs <= exact.mutual_pairs

    greedy = m.greedy_match(graph)
    check_valid(people, edges, greedy)
    assert greedy.unmatched >= exact.unmatched


def test_quality_breaks_ties_between_full_assignments():
    # Everyone can give to everyone else; 0→1 and 1→2 and 2→0 are the good edges.
    edges = {(g, r): 1 for g in range(3) for r in range(3) if g != r}
    edges.update({(0, 1): 10, (1, 2): 10, (2, 0): 10})
    result = m.optimal_match(m.graph_from_edges(3, edges))
    assert result.pairs == [(0, 1), (1, 2), (2, 0)]


def test_count_beats_quality():
    # A heavy edge 0→1 would leave 2 without a giver; the assignment matches all three instead.
    edges = {(0, 1): 100, (0, 2): 1, (1, 0): 1, (2, 1): 1}
    result = m.optimal_match(m.graph_from_edges(3, edges), avoid_mutual=False)
    assert len(result.pairs) == 3
    assert sorted(result.pairs) == [(0, 2), (1, 0), (2, 1)]


def test_mutual_pair_is_swapped_when_possible():
    # 0↔1 and 2↔3 are the heaviest, but 0→3, 2→1 lets the post-pass break both mutual pairs.
    edges = {(0, 1): 5, (1, 0): 5, (2, 3): 5, (3, 2): 5, (0, 3): 4, (2, 1): 4}
    graph = m.graph_from_edges(4, edges)
    assert m.optimal_match(graph, avoid_mutual=False).mutual_pairs == 2
    result = m.optimal_match(graph)
    assert len(result.pairs) == 4
    assert result.mutual_pairs == 0
    assert (0, 3) in result.pairs and (2, 1) in result.pairs


def test_structural_unmatched_and_greedy_baseline_on_generated_exchange():
    people = yuletide_exchange(400, seed=7)
    timed = m.match(people, YULETIDE_RULES)
    graph, result = timed.graph, timed.assignment
    edges = {}
    coo = graph.tocoo()
    for g, r, q in zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist(), strict=True):
        edges[(g, r)] = q
    check_valid(people, edges, result)
    structural = set(m.no_giver(graph))
    assert structural <= set(result.unmatched_receivers)
    assert len(result.pairs) == m.maximum_matched(graph)
    assert m.greedy_match(graph).unmatched >= result.unmatched


def test_empty_and_disconnected_inputs():
    assert m.optimal_match(m.build_graph([], YULETIDE_RULES)).pairs == []
    alone = [m.Participant(1, [p([1], [1])], [p([2], [2])]), m.Participant(2, [p([3], [3])], [p([4], [4])])]
    graph = m.build_graph(alone, YULETIDE_RULES)
    assert graph.nnz == 0
    result = m.optimal_match(graph)
    assert result.unmatched == 2 and m.no_giver(graph) == [0, 1] and m.no_receiver(graph) == [0, 1]
    # two pseuds of one account never give to each other
    twins = [m.Participant(1, [p([1], [1])], [p([1], [1])]), m.Participant(1, [p([1], [1])], [p([1], [1])])]
    assert m.build_graph(twins, YULETIDE_RULES).nnz == 0


def test_generator_is_reproducible():
    a, b = yuletide_exchange(50, seed=3), yuletide_exchange(50, seed=3)
    assert a == b
    assert all(3 <= len(x.requests) <= 6 and 4 <= len(x.offers) <= 10 for x in a)
    assert np.mean([len(x.offers) for x in a]) > np.mean([len(x.requests) for x in a])
