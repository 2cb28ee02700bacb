"""A few hundred fuzzed inputs per import format, in the suite: only ImportFailed may escape a parser.

The long runs (100,000 inputs per format, coverage-guided with atheris) are a separate command:
``python -m fanfold.security.fuzz_imports --format FORMAT --runs 100000`` (figures in docs/reliability.md).
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fanfold.imports.parsed import ImportFailed
from fanfold.security.fuzz_imports import FORMATS, TARGETS, _module, make_target, mutate, seeds

_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


@pytest.fixture(scope="module")
def pools() -> dict[str, list[bytes]]:
    return {fmt: seeds(fmt) for fmt in FORMATS}


@pytest.mark.parametrize("fmt", FORMATS)
def test_seeds_parse(fmt, pools):
    """The seeds are real files of the format (else the fuzzing would start from noise)."""
    module = _module(fmt)
    for data in pools[fmt]:
        assert (
            module.sniff(
                data, {"ao3_epub": "x.epub", "ao3_html": "x.html", "frontmatter": "x.md"}.get(fmt, "x.txt")
            )
            >= 0
        )
    target = make_target(fmt, {"runs": 0, "slowest": 0.0, "slowest_bytes": 0})
    for data in pools[fmt]:
        target(data)


@pytest.mark.parametrize("fmt", FORMATS)
@_SETTINGS
@given(data=st.binary(max_size=4096))
def test_random_bytes(fmt, data):
    make_target(fmt, {"runs": 0, "slowest": 0.0, "slowest_bytes": 0})(data)


@pytest.mark.parametrize("fmt", FORMATS)
@_SETTINGS
@given(seed=st.integers(min_value=0, max_value=2**32 - 1), which=st.integers(min_value=0, max_value=50))
def test_mutated_seeds(fmt, pools, seed, which):
    rng = random.Random(seed)
    pool = pools[fmt]
    data = mutate(pool[which % len(pool)], rng, pool)
    make_target(fmt, {"runs": 0, "slowest": 0.0, "slowest_bytes": 0})(data)


@_SETTINGS
@given(text=st.text(max_size=2000))
def test_text_through_detection(text):
    """The whole pipeline (format detection, then parsing) on arbitrary text in every suffix."""
    from fanfold.imports.services import parse_bytes

    for name in ("a.txt", "a.md", "a.html"):
        try:
            parse_bytes(text.encode("utf-8", "surrogatepass"), name)
        except ImportFailed as exc:
            assert str(exc) and "\n" not in str(exc)


def test_a_crash_would_be_caught():
    """The target re-raises anything but ImportFailed, so a parser bug cannot pass silently."""
    stats = {"runs": 0, "slowest": 0.0, "slowest_bytes": 0}
    target = make_target("plaintext", stats)
    target(b"Title: Fine\n\nA story.")
    assert stats["runs"] == 1
    from unittest import mock

    with (
        mock.patch("fanfold.imports.formats.plaintext.parse", side_effect=KeyError("bug")),
        pytest.raises(KeyError),
    ):
        make_target("plaintext", stats)(b"Title: Fine\n\nA story.")


CRASHES = sorted((Path(__file__).parent / "fuzz_crashes").glob("*.bin"))


@pytest.mark.parametrize("path", CRASHES, ids=[p.stem for p in CRASHES])
def test_inputs_that_once_crashed_a_parser(path):
    """Every input atheris found a crash with, replayed through its target (named before the "-")."""
    target = path.stem.split("-", 1)[0]
    assert target in TARGETS
    make_target(target, {"runs": 0, "slowest": 0.0, "slowest_bytes": 0})(path.read_bytes())


def test_the_crash_inputs_are_there():
    assert {p.stem.split("-", 1)[0] for p in CRASHES} == {"ao3_epub", "ao3_epub_inner"}
