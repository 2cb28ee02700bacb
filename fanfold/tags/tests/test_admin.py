"""Staff assign wranglers to fandoms in the admin; tags and their history are read-only there."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from fanfold.accounts.models import User
from fanfold.core.permissions import WRANGLERS_GROUP, can_wrangle
from fanfold.tags import wrangling
from fanfold.tags.models import Tag, TagType, WranglerAssignment

pytestmark = pytest.mark.django_db


def test_staff_assign_a_wrangler_to_a_fandom_in_the_admin(client, admin_user, archive):
    wrangler = User.objects.create_user("quillsorter", password="pw-not-real-9")
    wrangler.groups.add(Group.objects.get(name=WRANGLERS_GROUP))
    naruto = Tag.objects.get(type=TagType.FANDOM, name="Naruto")
    stray = Tag.objects.create(name="ramen date", type=TagType.ADDITIONAL)
    stray.parents.add(naruto)
    assert not can_wrangle(wrangler, stray)

    client.force_login(admin_user)
    assert client.get(reverse("admin:tags_wranglerassignment_add")).status_code == 200
    response = client.post(
        reverse("admin:tags_wranglerassignment_add"), {"user": wrangler.pk, "fandom": naruto.pk}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert WranglerAssignment.objects.filter(user=wrangler, fandom=naruto).exists()
    assert can_wrangle(wrangler, stray)


def test_tags_and_history_are_listed_but_not_edited_in_the_admin(client, admin_user, archive):
    tag = Tag.objects.create(name="moonlit picnic", type=TagType.ADDITIONAL)
    wrangling.make_canonical(admin_user, tag)
    client.force_login(admin_user)
    for model in ("tags_tag", "tags_tagchange", "tags_tagcomment", "tags_wranglerassignment"):
        assert client.get(reverse(f"admin:{model}_changelist")).status_code == 200, model
    assert "moonlit picnic" in client.get(reverse("admin:tags_tagchange_changelist")).content.decode()
    # Read-only: the change page shows the tag but a POST changes nothing.
    client.post(reverse("admin:tags_tag_change", args=[tag.pk]), {"name": "renamed", "type": "additional"})
    tag.refresh_from_db()
    assert tag.name == "moonlit picnic"
