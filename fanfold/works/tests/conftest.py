import pytest

from fanfold.accounts.models import User


@pytest.fixture
def reader(db):
    return User.objects.create_user("reader", password="not-a-real-password-1")


@pytest.fixture
def staff(db):
    return User.objects.create_user("wrangler", password="not-a-real-password-2", is_staff=True)
