import pytest

from fanfold.accounts.models import User

PASSWORD = "not-a-real-password-1"


@pytest.fixture
def reader(db):
    return User.objects.create_user("reader", password=PASSWORD)
