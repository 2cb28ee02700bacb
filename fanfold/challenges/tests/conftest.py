"""Fixtures of the collection tests: a collection with an owner, a moderator, a member, and outsiders.

All names and text are invented for the tests.
"""

from __future__ import annotations

import pytest

from fanfold.works.tests.posting_support import make_user


@pytest.fixture
def people(db):
    """owner, moderator, member, outsider (a logged-in stranger) and staff."""
    return {
        "owner": make_user("owl_keeper"),
        "moderator": make_user("moth_warden"),
        "member": make_user("marsh_wren"),
        "outsider": make_user("passing_heron"),
        "staff": make_user("site_staff", is_staff=True),
    }
