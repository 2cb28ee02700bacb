"""Gift exchange matching: who can give to whom, and the best assignment of givers to receivers.

Pure Python + NumPy/SciPy, no Django: the services turn sign-ups into ``Participant`` objects, the
bench feeds synthetic ones. Participants are referred to by their index in the input list.

Compatibility. Giver g can give to receiver r when SOME offer of g matches SOME request of r. A
request matches an offer when, for EVERY tag type with a rule (AND across types), either side said
"any" for that type, or they share at least ``needed`` tags of that type, where ``needed`` is the
rule's count, lowered to the number of tags the request names (a request naming one character under a
"two characters" rule needs that one; a request naming none has no wish on that type). Optional tags
are added to both sides' tags of a type when the rule says they count. Never g == r, and never two
participants with the same ``account`` (two pseuds of one person).

The graph is built with sparse products over inverted indices (prompt × tag matrices), never a Python
loop over pairs: the most selective type gives the candidate pairs, the other types filter them.

Assignment. A maximum-weight bipartite matching of givers to receivers: every matched edge is worth a
large constant (so the number of people matched comes first) plus its quality (see ``_pair_quality``).
Dummy nodes make a full matching always exist, so SciPy's ``min_weight_full_bipartite_matching``
(LAPJVsp) can solve it exactly. Mutual pairs (a gives to b and b to a) are then broken by 2-opt swaps
that keep the number matched.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import maximum_bipartite_matching, min_weight_full_bipartite_matching

EMPTY: frozenset[int] = frozenset()


@dataclass(frozen=True)
class TypeRule:
    """How one tag type must match: ``required`` shared tags (0: the type is not compared)."""

    required: int = 1
    include_optional: bool = False


@dataclass(frozen=True)
class Prompt:
    """A request or an offer: tag ids per type, the types marked "any", and optional tags per type."""

    tags: Mapping[str, AbstractSet[int]] = field(default_factory=dict)
    any: frozenset[str] = frozenset()
    optional: Mapping[str, AbstractSet[int]] = field(default_factory=dict)

    def tags_for(self, tag_type: str, rule: TypeRule) -> AbstractSet[int]:
        tags = self.tags.get(tag_type, EMPTY)
        if rule.include_optional:
            tags = tags | self.optional.get(tag_type, EMPTY)
        return tags


@dataclass(frozen=True)
class Participant:
    """One sign-up. ``account`` identifies the person: sign-ups sharing it are never matched."""

    account: int
    requests: Sequence[Prompt]
    offers: Sequence[Prompt]


Rules = Mapping[str, TypeRule]


def _needed(request: Prompt, tag_type: str, rule: TypeRule) -> int:
    if rule.required <= 0 or tag_type in request.any:
        return 0
    return min(rule.required, len(request.tags_for(tag_type, rule)))


def prompt_matches(request: Prompt, offer: Prompt, rules: Rules) -> bool:
    """The reference rule for one request and one offer (the sparse builder must agree with it)."""
    for tag_type, rule in rules.items():
        needed = _needed(request, tag_type, rule)
        if needed == 0 or tag_type in offer.any:
            continue
        shared = request.tags_for(tag_type, rule) & offer.tags_for(tag_type, rule)
        if len(shared) < needed:
            return False
    return True


def _pair_quality(request: Prompt, offer: Prompt, rules: Rules) -> int:
    """What one matching request/offer pair adds to a giver→receiver edge: 1 + the tags they share."""
    return 1 + sum(len(request.tags_for(t, rule) & offer.tags_for(t, rule)) for t, rule in rules.items())


def naive_graph(participants: Sequence[Participant], rules: Rules) -> dict[tuple[int, int], int]:
    """Every compatible (giver, receiver) with its quality, by brute force. For tests and tiny
    exchanges only: it is quadratic in prompts."""
    edges: dict[tuple[int, int], int] = {}
    for g, giver in enumerate(participants):
        for r, receiver in enumerate(participants):
            if giver.account == receiver.account:
                continue
            quality = sum(
                _pair_quality(req, off, rules)
                for req in receiver.requests
                for off in giver.offers
                if prompt_matches(req, off, rules)
            )
            if quality:
                edges[(g, r)] = quality
    return edges


# --- The sparse compatibility graph ----------------------------------------------------------------


def _incidence(prompts: Sequence[Prompt], tag_type: str, rule: TypeRule, index: dict[int, int]):
    """Rows and columns of the prompt × tag 0/1 matrix of one type (new tag ids are added to
    ``index``), and each prompt's number of tags of that type."""
    rows: list[int] = []
    cols: list[int] = []
    sizes: list[int] = []
    column = index.setdefault
    for i, prompt in enumerate(prompts):
        tags = prompt.tags.get(tag_type, EMPTY)
        if rule.include_optional:
            tags = tags | prompt.optional.get(tag_type, EMPTY)
        sizes.append(len(tags))
        for tag in tags:
            rows.append(i)
            cols.append(column(tag, len(index)))
    return rows, cols, np.array(sizes, dtype=np.int64)


def _overlap(req_m: sparse.csr_array, off_m: sparse.csr_array, req_idx, off_idx) -> np.ndarray:
    """Shared tag counts of the given request/offer pairs.

    One sparse product gives every (request, offer) sharing a tag of this type, usually far fewer
    than the pairs asked about; each asked pair is then looked up by binary search on a combined
    key (absent: nothing shared). No loops in Python, nothing dense."""
    if len(req_idx) == 0:
        return np.zeros(0, dtype=np.int64)
    product = (req_m @ off_m.T).tocoo()
    width = np.int64(off_m.shape[0])
    keys = product.row.astype(np.int64) * width + product.col.astype(np.int64)
    order = np.argsort(keys, kind="stable")
    keys, counts = keys[order], product.data[order].astype(np.int64)
    wanted = np.asarray(req_idx, np.int64) * width + np.asarray(off_idx, np.int64)
    pos = np.minimum(np.searchsorted(keys, wanted), max(len(keys) - 1, 0))
    if len(keys) == 0:
        return np.zeros(len(wanted), dtype=np.int64)
    return np.where(keys[pos] == wanted, counts[pos], 0)


@dataclass
class _TypeData:
    req: sparse.csr_array
    off: sparse.csr_array
    needed: np.ndarray  # per request
    off_any: np.ndarray  # per offer, bool


def build_graph(participants: Sequence[Participant], rules: Rules) -> sparse.csr_array:
    """The givers × receivers matrix: entry (g, r) is the quality of g giving to r (absent: they
    cannot). Same result as ``naive_graph``, built with sparse products."""
    n = len(participants)
    requests = [p for person in participants for p in person.requests]
    offers = [p for person in participants for p in person.offers]
    req_owner = np.fromiter(
        (i for i, person in enumerate(participants) for _ in person.requests), np.int64, len(requests)
    )
    off_owner = np.fromiter(
        (i for i, person in enumerate(participants) for _ in person.offers), np.int64, len(offers)
    )
    n_req, n_off = len(requests), len(offers)
    if n == 0 or n_req == 0 or n_off == 0:
        return sparse.csr_array((n, n), dtype=np.int64)

    data: dict[str, _TypeData] = {}
    for tag_type, rule in rules.items():
        index: dict[int, int] = {}
        r_rows, r_cols, r_sizes = _incidence(requests, tag_type, rule, index)
        o_rows, o_cols, _sizes = _incidence(offers, tag_type, rule, index)
        width = max(len(index), 1)
        req_m = sparse.csr_array(
            (np.ones(len(r_rows), np.int32), (r_rows, r_cols)), shape=(n_req, width), dtype=np.int32
        )
        off_m = sparse.csr_array(
            (np.ones(len(o_rows), np.int32), (o_rows, o_cols)), shape=(n_off, width), dtype=np.int32
        )
        # as _needed(): the rule's count, at most the request's own tags, none if it says "any"
        req_any = np.fromiter((tag_type in p.any for p in requests), bool, n_req)
        needed = np.where(req_any, 0, np.minimum(max(rule.required, 0), r_sizes))
        off_any = np.fromiter((tag_type in p.any for p in offers), bool, n_off)
        data[tag_type] = _TypeData(req_m, off_m, needed, off_any)

    constrained = [t for t, d in data.items() if (d.needed > 0).any()]
    if constrained:
        # The anchor type yields the fewest candidate pairs: estimated from tag popularity on both sides.
        def estimate(t: str) -> float:
            d = data[t]
            hard_req = d.needed > 0
            per_tag = (
                np.asarray(d.req[hard_req].sum(axis=0)).ravel()
                * np.asarray(d.off[~d.off_any].sum(axis=0)).ravel()
            )
            return float(per_tag.sum()) + (~hard_req).sum() * n_off + hard_req.sum() * d.off_any.sum()

        anchor = min(constrained, key=estimate)
        req_idx, off_idx, anchor_overlap = _anchor_pairs(data[anchor], n_off)
    else:  # no type is compared: every request takes every offer
        anchor = None
        req_idx = np.repeat(np.arange(n_req), n_off)
        off_idx = np.tile(np.arange(n_off), n_req)
        anchor_overlap = np.zeros(len(req_idx), np.int64)

    # Same account (and so self): dropped first, before any more work is spent on those pairs.
    accounts = np.fromiter((p.account for p in participants), np.int64, n)
    keep = accounts[off_owner[off_idx]] != accounts[req_owner[req_idx]]
    req_idx, off_idx = req_idx[keep], off_idx[keep]
    quality = 1 + anchor_overlap[keep]
    # The other constrained types filter the pairs; each type's overlap, computed once, is also
    # what the pair adds to the quality.
    for tag_type in constrained:
        if tag_type == anchor:
            continue
        d = data[tag_type]
        shared = _overlap(d.req, d.off, req_idx, off_idx)
        need = d.needed[req_idx]
        keep = (need == 0) | d.off_any[off_idx] | (shared >= need)
        req_idx, off_idx, quality = req_idx[keep], off_idx[keep], quality[keep] + shared[keep]
    for tag_type, d in data.items():
        if tag_type not in constrained:  # compared by nobody, but shared tags still add quality
            quality = quality + _overlap(d.req, d.off, req_idx, off_idx)
    givers, receivers = off_owner[off_idx], req_owner[req_idx]
    graph = sparse.coo_array((quality, (givers, receivers)), shape=(n, n)).tocsr()
    graph.sum_duplicates()
    return graph


def _anchor_pairs(d: _TypeData, n_off: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(request, offer, shared tags) of the pairs satisfying the anchor type: enough shared tags
    (one sparse product), or "any" on either side, or a request with no wish on this type."""
    hard_req = np.flatnonzero(d.needed > 0)
    soft_req = np.flatnonzero(d.needed == 0)
    tag_off = np.flatnonzero(~d.off_any)
    any_off = np.flatnonzero(d.off_any)
    product = (d.req[hard_req] @ d.off[tag_off].T).tocoo()
    ok = product.data >= d.needed[hard_req[product.row]]
    dense_req = np.concatenate([np.repeat(hard_req, len(any_off)), np.repeat(soft_req, n_off)])
    dense_off = np.concatenate([np.tile(any_off, len(hard_req)), np.tile(np.arange(n_off), len(soft_req))])
    dense_req, dense_off = dense_req.astype(np.int64), dense_off.astype(np.int64)
    req_idx = np.concatenate([hard_req[product.row[ok]], dense_req]).astype(np.int64)
    off_idx = np.concatenate([tag_off[product.col[ok]], dense_off]).astype(np.int64)
    shared = np.concatenate([product.data[ok].astype(np.int64), _overlap(d.req, d.off, dense_req, dense_off)])
    return req_idx, off_idx, shared


def graph_from_edges(n: int, edges: Mapping[tuple[int, int], int]) -> sparse.csr_array:
    if not edges:
        return sparse.csr_array((n, n), dtype=np.int64)
    (g, r), q = zip(*edges.keys(), strict=True), list(edges.values())
    return sparse.coo_array((np.array(q, np.int64), (np.array(g), np.array(r))), shape=(n, n)).tocsr()


# --- Assignment --------------------------------------------------------------------------------------


@dataclass
class Assignment:
    """The result: ``pairs`` of (giver, receiver) indices; everyone else is listed as unmatched."""

    pairs: list[tuple[int, int]]
    unmatched_receivers: list[int]
    unmatched_givers: list[int]
    quality: int
    mutual_pairs: int
    qualities: list[int] = field(default_factory=list)  # of each pair, in ``pairs`` order

    @property
    def unmatched(self) -> int:
        return len(self.unmatched_receivers)


def no_giver(graph: sparse.csr_array) -> list[int]:
    """Receivers nobody can give to (the structurally unmatchable: no algorithm can help them)."""
    return np.flatnonzero(np.bincount(graph.indices, minlength=graph.shape[1]) == 0).tolist()


def no_receiver(graph: sparse.csr_array) -> list[int]:
    """Givers who can give to nobody."""
    return np.flatnonzero(np.diff(graph.indptr) == 0).tolist()


def maximum_matched(graph: sparse.csr_array) -> int:
    """The size of a maximum matching (Hopcroft–Karp): an upper bound for any assignment."""
    if graph.nnz == 0:
        return 0
    match = maximum_bipartite_matching(graph.astype(bool).astype(np.int8), perm_type="column")
    return int((match >= 0).sum())


def _result(graph: sparse.csr_array, pairs: Iterable[tuple[int, int]]) -> Assignment:
    pairs = sorted(pairs)
    n = graph.shape[0]
    giving = {g for g, _ in pairs}
    receiving = {r for _, r in pairs}
    if pairs:
        rows, cols = np.array([g for g, _ in pairs]), np.array([r for _, r in pairs])
        qualities = np.asarray(graph[rows, cols]).ravel().astype(np.int64).tolist()
    else:
        qualities = []
    pair_set = set(pairs)
    mutual = sum(1 for g, r in pairs if g < r and (r, g) in pair_set)
    return Assignment(
        pairs=pairs,
        unmatched_receivers=[r for r in range(n) if r not in receiving],
        unmatched_givers=[g for g in range(n) if g not in giving],
        quality=sum(qualities),
        mutual_pairs=mutual,
        qualities=qualities,
    )


def optimal_match(graph: sparse.csr_array, *, avoid_mutual: bool = True) -> Assignment:
    """Most people matched, then the highest total quality; exact (LAPJVsp on a padded graph).

    Rows: n givers then n dummy givers (one per receiver); columns: n receivers then n dummy
    receivers (one per giver). Real edge g→r costs ``base - quality``; g→its dummy and r's dummy→r
    (staying unmatched) cost ``stay``; dummy giver of r → dummy receiver of g exists for each real edge
    g→r (the transpose), so whatever real matching is chosen, the dummies can pair off: a full matching
    always exists. Every real edge used adds one transpose edge and removes two "stay" edges, so with
    ``2*stay > base + 1 + n*max_quality`` one more person matched always beats any quality gain.
    """
    n = graph.shape[0]
    coo = graph.tocoo()
    g, r, q = coo.row.astype(np.int64), coo.col.astype(np.int64), coo.data.astype(np.int64)
    if len(g) == 0:
        return _result(graph, [])
    q_max = int(q.max())
    base = q_max + 1  # real edges cost base - quality >= 1: no zero weights for SciPy
    stay = (base + 1 + n * q_max) // 2 + 1
    ids = np.arange(n, dtype=np.int64)
    rows = np.concatenate([g, ids, n + ids, n + r])
    cols = np.concatenate([r, n + ids, ids, n + g])
    cost = np.concatenate([base - q, np.full(n, stay), np.full(n, stay), np.ones(len(g), np.int64)]).astype(
        np.float64
    )
    padded = sparse.csr_array((cost, (rows, cols)), shape=(2 * n, 2 * n))
    row_ind, col_ind = min_weight_full_bipartite_matching(padded)
    real = (row_ind < n) & (col_ind < n)
    pairs = list(zip(row_ind[real].tolist(), col_ind[real].tolist(), strict=True))
    if avoid_mutual:
        pairs = break_mutual_pairs(graph, pairs)
    return _result(graph, pairs)


def break_mutual_pairs(graph: sparse.csr_array, pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Swap receivers to undo "a gives to b and b gives to a", keeping everyone who is matched.

    For a mutual pair (a, b), look for another matched c→d with a→d and c→b both possible: then a
    gives to d and c to b. Among such swaps take the one losing the least quality; skip swaps that
    would make a new mutual pair. Mutual pairs with no such swap stay (they are rare and still valid).
    """
    gives = dict(pairs)  # giver -> receiver
    receives_from = {r: g for g, r in pairs}
    indptr, indices, data = graph.indptr, graph.indices, graph.data

    def weight(g: int, r: int) -> int | None:
        row = indices[indptr[g] : indptr[g + 1]]
        pos = np.searchsorted(row, r)
        return int(data[indptr[g] + pos]) if pos < len(row) and row[pos] == r else None

    graph.sort_indices()
    for a in list(gives):
        b = gives.get(a)
        if b is None or gives.get(b) != a:
            continue
        best: tuple[int, int, int] | None = None
        for d in indices[indptr[a] : indptr[a + 1]].tolist():
            c = receives_from.get(d)
            if c is None or c in (a, b) or d in (a, b):
                continue
            w_cb = weight(c, b)
            if w_cb is None or gives.get(d) == a or gives.get(b) == c:
                continue
            w_ad = weight(a, d)
            assert w_ad is not None
            loss = weight(a, b) + weight(c, d) - w_ad - w_cb  # type: ignore[operator]
            if best is None or loss < best[0]:
                best = (loss, c, d)
        if best is not None:
            _, c, d = best
            gives[a], gives[c] = d, b
            receives_from[d], receives_from[b] = a, c
    return sorted(gives.items())


def greedy_match(graph: sparse.csr_array) -> Assignment:
    """AO3's way, as the baseline: receivers with the fewest possible givers first, each taking the
    free giver of highest quality (ties: the giver with the fewest options left unused elsewhere)."""
    csc = graph.tocsc()
    options = np.diff(csc.indptr)
    giver_options = np.diff(graph.indptr)
    taken = np.zeros(graph.shape[0], bool)
    pairs: list[tuple[int, int]] = []
    for r in np.argsort(options, kind="stable").tolist():
        start, end = csc.indptr[r], csc.indptr[r + 1]
        if start == end:
            continue
        givers = csc.indices[start:end]
        free = ~taken[givers]
        if not free.any():
            continue
        givers, quality = givers[free], csc.data[start:end][free]
        # lexsort: last key first; highest quality, then fewest options
        pick = givers[np.lexsort((giver_options[givers], -quality))[0]]
        taken[pick] = True
        pairs.append((int(pick), r))
    return _result(graph, pairs)


@dataclass
class Timed:
    graph: sparse.csr_array
    assignment: Assignment
    graph_seconds: float
    solve_seconds: float


def match(participants: Sequence[Participant], rules: Rules, *, avoid_mutual: bool = True) -> Timed:
    """Build the graph and solve it, timing both (the bench and the services use this)."""
    t0 = time.perf_counter()
    graph = build_graph(participants, rules)
    t1 = time.perf_counter()
    assignment = optimal_match(graph, avoid_mutual=avoid_mutual)
    t2 = time.perf_counter()
    return Timed(graph, assignment, t1 - t0, t2 - t1)
