"""A synthetic Yuletide-like exchange for the bench and the tests (pure Python, no Django).

Yuletide is a gift exchange for small fandoms: each request names one fandom and a few of its
characters; each offer names one fandom and the characters the writer can do, or "any" of them. The
rules are AND: one shared fandom and one shared character. Fandom popularity is Zipf-like
(Zipf–Mandelbrot: weight 1 / (rank + 10)^1.05, so the head is heavy but no single fandom holds most
people), popular fandoms have more characters, and a few accounts sign up with two pseuds.
"""

from __future__ import annotations

import numpy as np

from fanfold.exchanges.matching import Participant, Prompt, TypeRule

FANDOM = "fandom"
CHARACTER = "character"

YULETIDE_RULES = {FANDOM: TypeRule(required=1), CHARACTER: TypeRule(required=1)}


def yuletide_exchange(participants: int, seed: int) -> list[Participant]:
    """``participants`` sign-ups with 3–6 requests and 4–10 offers each, reproducible from ``seed``."""
    rng = np.random.default_rng(seed)
    n_fandoms = max(10, participants * 3 // 4)  # Yuletide: ~1,500 fandoms for ~2,000 people
    ranks = np.arange(1, n_fandoms + 1)
    popularity = 1.0 / (ranks + 10.0) ** 1.05
    popularity /= popularity.sum()
    cdf = np.cumsum(popularity)
    # Characters per fandom: 4 for the long tail, up to ~16 for the most popular.
    n_chars = 4 + np.round(12 * (popularity / popularity[0]) ** 0.5).astype(int)
    first_char = np.concatenate([[0], np.cumsum(n_chars)[:-1]])

    def characters(fandom: int, low: int, high: int) -> frozenset[int]:
        count = min(int(rng.integers(low, high + 1)), int(n_chars[fandom]))
        picks = rng.permutation(int(n_chars[fandom]))[:count]
        return frozenset(int(first_char[fandom] + c) for c in picks.tolist())

    def prompts(count: int, char_low: int, char_high: int, any_chance: float) -> list[Prompt]:
        fandoms: list[int] = []
        while len(fandoms) < count:  # distinct fandoms, drawn by popularity
            for fandom in np.searchsorted(cdf, rng.random(count), side="right").tolist():
                if fandom not in fandoms and len(fandoms) < count:
                    fandoms.append(min(fandom, n_fandoms - 1))
        result = []
        for fandom in fandoms:
            if rng.random() < any_chance:
                result.append(Prompt(tags={FANDOM: frozenset({fandom})}, any=frozenset({CHARACTER})))
            else:
                chars = characters(fandom, char_low, char_high)
                result.append(Prompt(tags={FANDOM: frozenset({fandom}), CHARACTER: chars}))
        return result

    people = []
    account = 0
    for i in range(participants):
        # About one sign-up in fifty is a second pseud of the previous account.
        if i == 0 or rng.random() >= 0.02:
            account += 1
        requests = prompts(int(rng.integers(3, 7)), 1, 2, 0.02)
        offers = prompts(int(rng.integers(4, 11)), 1, 3, 0.1)
        people.append(Participant(account=account, requests=requests, offers=offers))
    return people
