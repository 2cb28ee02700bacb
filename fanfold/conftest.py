"""Shared fixtures: the seed fics (read from ../shared/seeds at run time) and a tagged archive."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

# CI runs the property tests with a fixed seed so a landing never hinges on luck; local runs explore
# new examples each time (and hypothesis keeps any failure it finds in .hypothesis/ to replay).
hypothesis_settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

SEEDS_DIR = Path(__file__).resolve().parents[2] / "shared" / "seeds"
SEED_WHUMPTOBER = "000_e0b2eccc26823695.txt"
SEED_BREAK = "003_97c62dbbae00b04f.txt"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Real hashers are slow on purpose (about a second per password here); tests make many accounts."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters and other cached values must not leak from one test into the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def seed_path():
    """Path of a seed fic by file name; skips the test when the seeds are not beside the checkout."""

    def get(name: str) -> Path:
        path = SEEDS_DIR / name
        if not path.is_file():
            pytest.skip(f"seed file not found at {path} (the seeds live in ../shared/seeds beside the repo)")
        return path

    return get


@pytest.fixture(scope="session")
def starter_index():
    """The resolver over the starter tag set, without a database."""
    from fanfold.core.management.commands.setup import STARTER_TAGSET_PATH
    from fanfold.tags.resolver import TagIndex
    from fanfold.tags.tagset import load_tagset

    return TagIndex(load_tagset(STARTER_TAGSET_PATH.read_bytes(), "json"))


@pytest.fixture
def archive(db):
    """A database with the fixed vocabulary and the starter tag set loaded, as `fanfold setup` leaves it."""
    from fanfold.core.management.commands.setup import STARTER_TAGSET_PATH
    from fanfold.tags.services import ensure_fixed_tags, load_records
    from fanfold.tags.tagset import load_tagset

    ensure_fixed_tags()
    load_records(load_tagset(STARTER_TAGSET_PATH.read_bytes(), "json"))
