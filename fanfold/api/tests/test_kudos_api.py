import pytest

from fanfold.core.ratelimit import Rate
from fanfold.social.models import Kudo
from fanfold.social.services import block_user
from fanfold.social.tests.conftest import authored_work

pytestmark = pytest.mark.django_db


def kudos(api, work, **kwargs):
    return api.post(f"works/{work.pk}/kudos", **kwargs)


def test_a_user_leaves_kudos_with_a_token(api, work, reader):
    response = kudos(api, work, user=reader)
    assert response.status_code == 201
    assert response.json() == {"work_id": work.pk, "kudos": 1}
    assert Kudo.objects.get().user == reader


def test_a_guest_leaves_kudos_by_ip(api, work):
    response = kudos(api, work, ip="192.0.2.10")
    assert response.status_code == 201
    assert response.json()["kudos"] == 1
    assert Kudo.objects.get().user is None


def test_own_work_and_blocked_users_get_the_refusal(api, work, author, reader):
    own = kudos(api, work, user=author)
    assert own.status_code == 403
    assert own.json() == {"detail": "You can't leave kudos on your own work."}
    block_user(author, reader)
    blocked = kudos(api, work, user=reader)
    assert blocked.status_code == 403
    assert "blocked" in blocked.json()["detail"]
    assert Kudo.objects.count() == 0


@pytest.mark.parametrize("flags", [{"draft": True}, {"restricted": True}])
def test_a_work_you_may_not_see_is_not_found(api, author, flags):
    hidden = authored_work(author, **flags)
    response = kudos(api, hidden)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found"}
    assert api.post(f"works/{hidden.pk + 999}/kudos").status_code == 404


def test_rate_limit_is_a_429_with_retry_after(api, author, settings):
    settings.FANFOLD_RATE_LIMITS = {"kudos": (Rate(1, 60), None)}
    first, second = authored_work(author), authored_work(author)
    assert kudos(api, first, ip="192.0.2.20").status_code == 201
    response = kudos(api, second, ip="192.0.2.20")
    assert response.status_code == 429
    assert response.json()["detail"].startswith("Too many kudos")
    assert 0 < int(response["Retry-After"]) <= 61
    assert kudos(api, second, ip="192.0.2.21").status_code == 201
