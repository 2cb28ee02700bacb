"""Measuring tag suggestions against a labelled set of raw tags (``data/evaluation_pairs.csv``).

Each pair is a tag as someone typed it, the fandoms of the work it was on, and the canonical tag a
wrangler would merge it into (empty when the right answer is "no suggestion"). The resolver's
answer counts as a suggestion when it names a tag the index knows, with a confidence of at least
the threshold; precision is the share of suggestions that are right, recall the share of pairs with
an answer that got the right suggestion.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from fanfold.tags.records import TAG_TYPES
from fanfold.tags.resolver import DEFAULT_SUGGESTION_THRESHOLD, TagIndex
from fanfold.tags.tagset import split_list

DEFAULT_PAIRS_PATH = Path(__file__).resolve().parent / "data" / "evaluation_pairs.csv"
PAIR_COLUMNS = ("type", "raw", "fandoms", "expected")

__all__ = [
    "DEFAULT_PAIRS_PATH",
    "DEFAULT_SUGGESTION_THRESHOLD",
    "EvaluationError",
    "Outcome",
    "Pair",
    "Report",
    "evaluate",
    "load_pairs",
    "read_pairs",
]


class EvaluationError(ValueError):
    """A pairs file that cannot be read or does not have the expected shape."""


@dataclass(frozen=True)
class Pair:
    tag_type: str
    raw: str
    fandoms: tuple[str, ...]
    expected: str  # "" when no suggestion is the right answer
    line: int = 0


@dataclass(frozen=True)
class Outcome:
    pair: Pair
    suggestion: str  # "" when the resolver made none at this threshold
    confidence: float
    method: str

    @property
    def correct(self) -> bool:
        return bool(self.suggestion) and self.suggestion == self.pair.expected

    @property
    def is_miss(self) -> bool:
        """A wrong suggestion, or no suggestion where one was expected."""
        return (bool(self.suggestion) and not self.correct) or (
            bool(self.pair.expected) and not self.suggestion
        )


@dataclass
class Tally:
    pairs: int = 0
    expected: int = 0
    suggestions: int = 0
    correct: int = 0

    def add(self, outcome: Outcome) -> None:
        self.pairs += 1
        self.expected += bool(outcome.pair.expected)
        self.suggestions += bool(outcome.suggestion)
        self.correct += outcome.correct

    @property
    def precision(self) -> float:
        # No suggestions at all earns nothing: an evaluation must not pass by staying silent.
        return self.correct / self.suggestions if self.suggestions else 0.0

    @property
    def recall(self) -> float:
        return self.correct / self.expected if self.expected else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "pairs": self.pairs,
            "expected": self.expected,
            "suggestions": self.suggestions,
            "correct": self.correct,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
        }


@dataclass
class Report:
    threshold: float
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def total(self) -> Tally:
        tally = Tally()
        for outcome in self.outcomes:
            tally.add(outcome)
        return tally

    def by_type(self) -> dict[str, Tally]:
        result: dict[str, Tally] = {}
        for outcome in self.outcomes:
            result.setdefault(outcome.pair.tag_type, Tally()).add(outcome)
        return result

    def by_method(self) -> dict[str, Tally]:
        """Suggestions grouped by the matcher that made them (pairs without one are left out)."""
        result: dict[str, Tally] = {}
        for outcome in self.outcomes:
            if outcome.suggestion:
                result.setdefault(outcome.method, Tally()).add(outcome)
        return result

    @property
    def misses(self) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if outcome.is_miss]

    def summary(self) -> dict[str, object]:
        total = self.total
        return {
            "pairs": total.pairs,
            "precision": round(total.precision, 4),
            "recall": round(total.recall, 4),
            "by_type": {name: tally.as_dict() for name, tally in sorted(self.by_type().items())},
        }


def read_pairs(text: str) -> list[Pair]:
    """Pairs from CSV text with the columns type, raw, fandoms, expected (``fandoms`` "|"-separated)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    columns = [c.strip() for c in reader.fieldnames or ()]
    missing = [c for c in PAIR_COLUMNS if c not in columns]
    if missing:
        raise EvaluationError(f"missing column(s) {', '.join(missing)}; expected {','.join(PAIR_COLUMNS)}")
    pairs: list[Pair] = []
    for row in reader:
        line = reader.line_num
        values = {key.strip(): (value or "").strip() for key, value in row.items() if key}
        tag_type = values["type"].lower()
        if tag_type not in TAG_TYPES:
            raise EvaluationError(f"line {line}: unknown tag type {values['type']!r}")
        if not values["raw"]:
            raise EvaluationError(f"line {line}: the raw tag is empty")
        pairs.append(Pair(tag_type, values["raw"], split_list(values["fandoms"]), values["expected"], line))
    if not pairs:
        raise EvaluationError("no pairs in the file")
    return pairs


def load_pairs(path: Path = DEFAULT_PAIRS_PATH) -> list[Pair]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise EvaluationError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise EvaluationError(f"{path} is not UTF-8 text") from None
    return read_pairs(text)


def suggest(index: TagIndex, pair: Pair, threshold: float) -> Outcome:
    """The resolver's suggestion for one pair: an existing canonical tag, confident enough."""
    resolved = index.resolve(pair.tag_type, pair.raw, pair.fandoms)
    # A relationship nobody has tagged yet resolves to a composed name; that is a new tag, not a
    # suggestion to merge into an existing one.
    suggested = (
        resolved.canonical
        and resolved.confidence >= threshold
        and index.is_known(pair.tag_type, resolved.name)
    )
    return Outcome(pair, resolved.name if suggested else "", resolved.confidence, resolved.method)


def evaluate(
    index: TagIndex, pairs: Iterable[Pair], threshold: float = DEFAULT_SUGGESTION_THRESHOLD
) -> Report:
    report = Report(threshold)
    report.outcomes.extend(suggest(index, pair, threshold) for pair in pairs)
    return report


def format_table(report: Report, *, verbose: bool = False) -> str:
    """The report as plain text: totals, per type, per method and (verbose) the misses."""
    total = report.total
    lines = [
        f"{total.pairs} pairs, threshold {report.threshold:g}: "
        f"precision {total.precision:.3f}, recall {total.recall:.3f} "
        f"({total.correct} correct of {total.suggestions} suggestions, {total.expected} with an answer)",
        "",
        _table("type", report.by_type()),
        "",
        _table("method", report.by_method(), recall=False),
    ]
    if verbose:
        misses = report.misses
        lines += ["", f"Misses ({len(misses)}):"]
        for outcome in misses:
            pair = outcome.pair
            got = outcome.suggestion or "(no suggestion)"
            want = pair.expected or "(no suggestion)"
            context = f" [{'; '.join(pair.fandoms)}]" if pair.fandoms else ""
            lines.append(
                f"  line {pair.line} {pair.tag_type}: {pair.raw!r}{context} -> {got}"
                f" ({outcome.method} {outcome.confidence:.2f}); expected {want}"
            )
    return "\n".join(lines)


def _table(label: str, tallies: dict[str, Tally], *, recall: bool = True) -> str:
    rows: Sequence[tuple[str, ...]] = [
        (label, "pairs", "suggestions", "correct", "precision", "recall"),
        *(
            (
                name,
                str(t.pairs),
                str(t.suggestions),
                str(t.correct),
                f"{t.precision:.3f}",
                f"{t.recall:.3f}" if recall and t.expected else "-",
            )
            for name, t in sorted(tallies.items())
        ),
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    )
