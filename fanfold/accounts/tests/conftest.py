import pytest

from fanfold.accounts.models import User
from fanfold.accounts.services import register_user

PASSWORD = "not-a-real-password-1"


@pytest.fixture
def reader(db):
    return User.objects.create_user("reader", password=PASSWORD)


@pytest.fixture
def writer(db):
    """An account made the way sign-up makes it: default pseud and preferences included."""
    return register_user("quillfeather", "quill@example.org", PASSWORD)


@pytest.fixture
def cowriter(db):
    return register_user("inkwellow", "inkwell@example.org", PASSWORD)


@pytest.fixture
def admin_user(db):
    return User.objects.create_superuser("lighthouse_admin", "admin@example.org", PASSWORD)
