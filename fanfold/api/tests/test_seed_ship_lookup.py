"""Issue 5's check on a real file: after importing seed 003, a fan's shorthand for its ship finds the
canonical relationship, and filtering the works by that name finds the seed."""

import pytest
from django.core.management import call_command

from fanfold.conftest import SEED_BREAK

pytestmark = pytest.mark.django_db

SASUSAKU = "Haruno Sakura/Uchiha Sasuke"


def test_sasusaku_finds_the_canonical_ship_and_the_seed(client, archive, seed_path):
    call_command("import", str(seed_path(SEED_BREAK)), quiet=True)

    results = client.get("/api/v1/tags", {"q": "SasuSaku"}).json()["results"]
    assert results[0]["name"] == SASUSAKU
    assert results[0]["canonical"] is True
    assert results[0]["works"] == 1

    listing = client.get("/api/v1/works", {"include": SASUSAKU}).json()
    assert listing["count"] == 1
    (work,) = listing["results"]
    assert SASUSAKU in work["relationships"]
    # The shorthand itself filters the same way: it is a synonym of the canonical tag.
    assert client.get("/api/v1/works", {"include": "SasuSaku"}).json()["count"] == 1
