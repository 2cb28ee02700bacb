import json

import pytest

from fanfold.accounts.models import User
from fanfold.accounts.tokens import create_token
from fanfold.api.tags import clear_index_cache
from fanfold.social.tests.conftest import authored_work, immediate_tasks, pseud_of  # noqa: F401


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


@pytest.fixture
def author(db):
    user = User.objects.create_user("quillmoth", email="quillmoth@example.org", password="pw-not-real-5")
    pseud_of(user)
    return user


@pytest.fixture
def other(db):
    user = User.objects.create_user("fernpaper", email="fernpaper@example.org", password="pw-not-real-6")
    pseud_of(user)
    return user


@pytest.fixture
def work(author):
    return authored_work(author, title="The Lighthouse Ledger")


class Api:
    """Calls the API as a guest or with a user's Bearer token (made with accounts.tokens)."""

    def __init__(self, client):
        self.client = client
        self._tokens: dict[int, str] = {}

    def headers(self, user) -> dict[str, str]:
        if user is None:
            return {}
        if user.pk not in self._tokens:
            self._tokens[user.pk] = create_token(user, "tests")[1]
        return {"Authorization": f"Bearer {self._tokens[user.pk]}"}

    def call(self, method: str, path: str, body=None, *, user=None, ip: str | None = None):
        """``body``: the JSON body, or for GET the query parameters."""
        url = path if path.startswith("/") else f"/api/v1/{path}"
        extra = {"REMOTE_ADDR": ip} if ip else {}
        send = getattr(self.client, method.lower())
        if method.upper() == "GET":
            return send(url, body or {}, headers=self.headers(user), **extra)
        data = json.dumps(body) if body is not None else ""
        return send(url, data, content_type="application/json", headers=self.headers(user), **extra)

    def get(self, path, params=None, **kwargs):
        return self.call("GET", path, params, **kwargs)

    def post(self, path, body=None, **kwargs):
        return self.call("POST", path, body, **kwargs)

    def patch(self, path, body=None, **kwargs):
        return self.call("PATCH", path, body, **kwargs)

    def delete(self, path, **kwargs):
        return self.call("DELETE", path, **kwargs)


@pytest.fixture
def api(client):
    return Api(client)
