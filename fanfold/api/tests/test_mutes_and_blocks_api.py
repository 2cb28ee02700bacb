import pytest

from fanfold.social.models import Block, Mute

pytestmark = pytest.mark.django_db

KINDS = [("mutes", Mute, "muter", "muted"), ("blocks", Block, "blocker", "blocked")]


@pytest.mark.parametrize(("path", "model", "owner_field", "other_field"), KINDS)
def test_add_list_and_remove(api, reader, author, other, path, model, owner_field, other_field):
    created = api.post(path, {"username": author.username}, user=reader)
    assert created.status_code == 201
    assert created.json()["username"] == author.username
    assert api.post(path, {"username": author.username}, user=reader).status_code == 201  # idempotent
    api.post(path, {"username": other.username}, user=reader)
    assert model.objects.filter(**{owner_field: reader}).count() == 2

    listed = api.get(path, user=reader).json()["results"]
    assert [row["username"] for row in listed] == [other.username, author.username]  # newest first
    assert api.get(path, user=author).json()["results"] == []  # only your own list

    assert api.delete(f"{path}/{author.username}", user=reader).status_code == 204
    assert not model.objects.filter(**{owner_field: reader, other_field: author}).exists()
    again = api.delete(f"{path}/{author.username}", user=reader)
    assert again.status_code == 404
    assert again.json()["detail"].startswith("You have not")


@pytest.mark.parametrize(("path", "model", "owner_field", "other_field"), KINDS)
def test_refusals(api, reader, staff, path, model, owner_field, other_field):
    myself = api.post(path, {"username": reader.username}, user=reader)
    assert myself.status_code == 403
    assert myself.json()["detail"].endswith("yourself.")
    staff_member = api.post(path, {"username": staff.username}, user=reader)
    assert staff_member.status_code == 403
    assert "staff" in staff_member.json()["detail"]
    nobody = api.post(path, {"username": "no-such-reader"}, user=reader)
    assert nobody.status_code == 404
    assert api.delete(f"{path}/no-such-reader", user=reader).status_code == 404
    assert api.post(path, {"username": reader.username}).status_code == 401
    empty = api.post(path, {"username": ""}, user=reader)
    assert empty.status_code == 400
    assert empty.json()["detail"][0].startswith("username:")
    assert not model.objects.exists()


def test_usernames_match_whatever_their_case(api, reader, author):
    assert api.post("mutes", {"username": author.username.upper()}, user=reader).status_code == 201
    assert Mute.objects.get().muted == author
    assert api.delete(f"mutes/{author.username.title()}", user=reader).status_code == 204
