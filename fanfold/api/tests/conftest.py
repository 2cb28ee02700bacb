import pytest

from fanfold.accounts.models import User
from fanfold.api.tags import clear_index_cache


@pytest.fixture(autouse=True)
def _fresh_tag_index():
    """Test databases reuse ids, so a cached resolver could outlive the tags it was built from."""
    clear_index_cache()
    yield
    clear_index_cache()


@pytest.fixture
def reader(db):
    return User.objects.create_user("reader", password="not-a-real-password-1")


@pytest.fixture
def staff(db):
    return User.objects.create_user("wrangler", password="not-a-real-password-2", is_staff=True)
