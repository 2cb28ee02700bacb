"""Wrangling services: the rules, their refusals, the history they write, and who may wrangle.

Every tag and person here is invented for these tests.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, Group

from fanfold.accounts.models import User
from fanfold.core.permissions import WRANGLERS_GROUP, can_wrangle
from fanfold.tags import wrangling
from fanfold.tags.models import (
    Tag,
    TagChange,
    TagComment,
    TagType,
    WranglerAssignment,
    meta_tag_ids,
    sub_tag_ids,
)
from fanfold.tags.services import ensure_fixed_tags, export_records, load_records
from fanfold.tags.tagset import TagsetError, dump_tagset, load_tagset
from fanfold.tags.wrangling import WranglingError

GUEST = AnonymousUser()


def tag(name: str, tag_type: str = TagType.CHARACTER, *, canonical: bool = False, **fields) -> Tag:
    return Tag.objects.create(name=name, type=tag_type, canonical=canonical, **fields)


def wrangler(username: str, *fandoms: Tag) -> User:
    user = User.objects.create_user(username, email=f"{username}@example.org", password="pw-not-real")
    group, _ = Group.objects.get_or_create(name=WRANGLERS_GROUP)
    user.groups.add(group)
    for fandom in fandoms:
        WranglerAssignment.objects.create(user=user, fandom=fandom)
    return user


@pytest.fixture
def tidewater(db):
    return tag("Tidewater Chronicles", TagType.FANDOM, canonical=True)


@pytest.fixture
def ember(db):
    return tag("Ember Court", TagType.FANDOM, canonical=True)


@pytest.fixture
def staff(db):
    return User.objects.create_user("quaymaster", email="quay@example.org", password="pw", is_staff=True)


@pytest.fixture
def tide_wrangler(tidewater):
    return wrangler("reedcutter", tidewater)


@pytest.fixture
def ember_wrangler(ember):
    return wrangler("ashsifter", ember)


@pytest.fixture
def plain_user(db):
    return User.objects.create_user("pebblewalker", email="pebble@example.org", password="pw")


def in_fandom(name: str, fandom: Tag, tag_type: str = TagType.CHARACTER, canonical: bool = True) -> Tag:
    made = tag(name, tag_type, canonical=canonical)
    made.parents.add(fandom)
    return made


def actions(t: Tag) -> list[str]:
    return list(TagChange.objects.filter(tag=t).order_by("id").values_list("action", flat=True))


def refused(message_part: str, service, *args, **kwargs) -> None:
    with pytest.raises(WranglingError) as caught:
        service(*args, **kwargs)
    assert message_part in caught.value.message
    assert "\n" not in caught.value.message


# --- permissions ---


@pytest.mark.parametrize(
    ("who", "in_tidewater", "no_fandom", "the_fandom"),
    [
        ("guest", False, False, False),
        ("plain_user", False, False, False),
        ("tide_wrangler", True, True, True),
        ("ember_wrangler", False, True, False),
        ("staff", True, True, True),
    ],
)
def test_permission_matrix(request, tidewater, who, in_tidewater, no_fandom, the_fandom):
    user = GUEST if who == "guest" else request.getfixturevalue(who)
    marina = in_fandom("Marina Saltwell", tidewater)
    loose = tag("someone on a boat", TagType.UNSORTED)
    assert can_wrangle(user, marina) is in_tidewater
    assert can_wrangle(user, loose) is no_fandom
    assert can_wrangle(user, tidewater) is the_fandom
    assert can_wrangle(user) is (who not in ("guest", "plain_user"))


def test_a_synonym_is_wrangled_by_its_canonical_tags_fandom(tidewater, tide_wrangler, ember_wrangler):
    marina = in_fandom("Marina Saltwell", tidewater)
    nickname = tag("Rina", merger=marina)
    assert can_wrangle(tide_wrangler, nickname)
    assert not can_wrangle(ember_wrangler, nickname)


def test_inactive_wrangler_cannot_wrangle(tide_wrangler):
    tide_wrangler.is_active = False
    tide_wrangler.save()
    assert not can_wrangle(tide_wrangler)


def test_services_check_permission(tidewater, ember_wrangler, plain_user):
    marina = in_fandom("Marina Saltwell", tidewater, canonical=False)
    refused("not assigned", wrangling.make_canonical, ember_wrangler, marina)
    refused("Only tag wranglers", wrangling.make_canonical, plain_user, marina)
    refused("Log in", wrangling.make_canonical, GUEST, marina)
    marina.refresh_from_db()
    assert not marina.canonical
    assert not TagChange.objects.exists()


# --- fixed tags ---


@pytest.mark.parametrize(
    "act",
    [
        lambda u, fixed, other: wrangling.set_type(u, fixed, TagType.ADDITIONAL),
        lambda u, fixed, other: wrangling.make_canonical(u, fixed),
        lambda u, fixed, other: wrangling.make_synonym(u, fixed, other),
        lambda u, fixed, other: wrangling.make_synonym(u, other, fixed),
        lambda u, fixed, other: wrangling.unmake_synonym(u, fixed),
        lambda u, fixed, other: wrangling.attach_to_fandom(u, fixed, other),
        lambda u, fixed, other: wrangling.add_meta_tag(u, fixed, other),
        lambda u, fixed, other: wrangling.add_meta_tag(u, other, fixed),
        lambda u, fixed, other: wrangling.mark_unwrangleable(u, fixed),
    ],
)
def test_ratings_warnings_and_categories_cannot_be_wrangled(staff, tidewater, act):
    ensure_fixed_tags()
    for fixed in Tag.objects.filter(type__in=[TagType.RATING, TagType.WARNING, TagType.CATEGORY])[:3]:
        with pytest.raises(WranglingError, match="fixed"):
            act(staff, fixed, tidewater)
    assert not TagChange.objects.exists()


def test_mass_action_on_a_fixed_tag_reports_it(staff):
    ensure_fixed_tags()
    explicit = Tag.objects.get(type=TagType.RATING, name="Explicit")
    result = wrangling.mass_wrangle(staff, [explicit.id], "mark_unwrangleable")
    assert result.done == [] and "fixed" in result.failures[0][1]


# --- type ---


def test_set_type_sorts_an_unsorted_tag_and_records_it(staff):
    loose = tag("Captain Brineheart", TagType.UNSORTED)
    wrangling.set_type(staff, loose, TagType.CHARACTER)
    loose.refresh_from_db()
    assert loose.type == TagType.CHARACTER
    change = TagChange.objects.get(tag=loose)
    assert change.user == staff
    assert change.action == "set_type"
    assert change.details["before"]["type"] == "unsorted"
    assert change.details["after"]["type"] == "character"


def test_set_type_refusals(staff, tidewater):
    loose = tag("Brine", TagType.UNSORTED)
    refused("not a type", wrangling.set_type, staff, loose, TagType.RATING)
    refused("not a type", wrangling.set_type, staff, loose, "spaceship")
    refused("is already a fandom tag", wrangling.set_type, staff, tidewater, TagType.FANDOM)
    linked = in_fandom("Old Brine", tidewater)
    refused("remove them", wrangling.set_type, staff, linked, TagType.ADDITIONAL)
    tag("Brine", TagType.ADDITIONAL)
    refused(
        "There is already an additional tag named 'Brine'",
        wrangling.set_type,
        staff,
        loose,
        TagType.ADDITIONAL,
    )
    loose.refresh_from_db()
    assert loose.type == TagType.UNSORTED


def test_set_type_between_types_when_unlinked(staff):
    stray = tag("Tidepool Magic", TagType.CHARACTER)
    wrangling.set_type(staff, stray, TagType.ADDITIONAL)
    stray.refresh_from_db()
    assert stray.type == TagType.ADDITIONAL


# --- canonical and synonyms ---


def test_make_canonical_and_its_refusals(staff):
    marina = tag("Marina Saltwell")
    wrangling.make_canonical(staff, marina)
    marina.refresh_from_db()
    assert marina.canonical
    assert actions(marina) == ["make_canonical"]
    refused("already canonical", wrangling.make_canonical, staff, marina)
    nickname = tag("Rina", merger=marina)
    refused("unmerge it first", wrangling.make_canonical, staff, nickname)
    refused("type", wrangling.make_canonical, staff, tag("mystery person", TagType.UNSORTED))


def test_make_canonical_clears_unwrangleable(staff):
    vague = tag("sea feelings", TagType.ADDITIONAL, unwrangleable=True)
    wrangling.make_canonical(staff, vague)
    vague.refresh_from_db()
    assert vague.canonical and not vague.unwrangleable


def test_make_synonym_refusals(staff, tidewater):
    marina = in_fandom("Marina Saltwell", tidewater)
    loose = tag("Marina S.")
    refused("itself", wrangling.make_synonym, staff, marina, marina)
    refused("same type", wrangling.make_synonym, staff, tag("Marina", TagType.ADDITIONAL), marina)
    refused("not canonical", wrangling.make_synonym, staff, marina, loose)
    wrangling.make_synonym(staff, loose, marina)
    refused("already a synonym", wrangling.make_synonym, staff, loose, marina)


def test_merging_a_canonical_tag_moves_its_synonyms_parents_and_meta_links(staff, tidewater, ember):
    old = in_fandom("Captain Saltwell", tidewater)
    old.parents.add(ember)
    alias = tag("Cap'n Saltwell", merger=old)
    ship = in_fandom("Captain Saltwell/Gull", tidewater, TagType.RELATIONSHIP)
    ship.parents.add(old)
    meta = tag("Ship Captains", canonical=True)
    old.meta_tags.add(meta)
    sub = tag("Retired Captain Saltwell", canonical=True)
    sub.meta_tags.add(old)
    target = in_fandom("Marina Saltwell", tidewater)

    wrangling.make_synonym(staff, old, target)

    old.refresh_from_db()
    alias.refresh_from_db()
    assert old.merger == target and not old.canonical
    assert alias.merger == target  # synonyms of a merged tag follow it
    assert set(target.parents.all()) == {tidewater, ember}
    assert set(target.children.all()) == {ship}
    assert set(target.meta_tags.all()) == {meta}
    assert set(target.sub_tags.all()) == {sub}
    assert not old.parents.exists() and not old.children.exists()
    assert not old.meta_tags.exists() and not old.sub_tags.exists()
    change = TagChange.objects.get(tag=old, action="make_synonym")
    assert change.details["before"]["canonical"] is True
    assert change.details["after"]["merger"] == "Marina Saltwell"
    assert change.details["moved"]["synonyms"] == ["Cap'n Saltwell"]
    assert actions(target) == ["received_links"]


def test_merging_a_fandom_moves_its_wranglers(staff, tidewater, tide_wrangler):
    tidewater_alias = tag("Tidewater", TagType.FANDOM, canonical=True)
    WranglerAssignment.objects.create(user=tide_wrangler, fandom=tidewater_alias)
    other = wrangler("kelpreader", tidewater_alias)
    wrangling.make_synonym(staff, tidewater_alias, tidewater)
    assert set(WranglerAssignment.objects.values_list("user__username", "fandom__name")) == {
        ("reedcutter", "Tidewater Chronicles"),
        ("kelpreader", "Tidewater Chronicles"),
    }
    assert other.wrangler_assignments.count() == 1


def test_merge_refused_when_target_is_in_its_meta_hierarchy(staff):
    broad = tag("Sailors", canonical=True)
    narrow = tag("Deckhands", canonical=True)
    narrow.meta_tags.add(broad)
    refused("meta or sub tag", wrangling.make_synonym, staff, narrow, broad)
    narrow.refresh_from_db()
    assert narrow.canonical and narrow.meta_tags.count() == 1
    assert not TagChange.objects.exists()


def test_unmake_synonym(staff):
    marina = tag("Marina Saltwell", canonical=True)
    nickname = tag("Rina", merger=marina)
    wrangling.unmake_synonym(staff, nickname)
    nickname.refresh_from_db()
    assert nickname.merger is None and not nickname.canonical
    assert actions(nickname) == ["unmake_synonym"]
    refused("not a synonym", wrangling.unmake_synonym, staff, nickname)


# --- fandoms ---


def test_attach_and_detach_fandom(tide_wrangler, tidewater):
    marina = tag("Marina Saltwell", canonical=True)  # no fandom yet: any wrangler may sort it
    wrangling.attach_to_fandom(tide_wrangler, marina, tidewater)
    assert list(marina.parents.all()) == [tidewater]
    refused("already in", wrangling.attach_to_fandom, tide_wrangler, marina, tidewater)
    wrangling.detach_from_fandom(tide_wrangler, marina, tidewater)
    assert not marina.parents.exists()
    refused("is not in the fandom", wrangling.detach_from_fandom, tide_wrangler, marina, tidewater)
    assert actions(marina) == ["attach_to_fandom", "detach_from_fandom"]
    first = TagChange.objects.filter(tag=marina).order_by("id").first()
    assert first is not None
    assert first.details == {"before": {"fandoms": []}, "after": {"fandoms": ["Tidewater Chronicles"]}}


def test_attach_refusals(staff, tidewater, ember, ember_wrangler):
    marina = tag("Marina Saltwell", canonical=True)
    refused("not a fandom", wrangling.attach_to_fandom, staff, marina, tag("Gull", canonical=True))
    loose_fandom = tag("Tidewater Chronicles (TV)", TagType.FANDOM)
    refused("not a canonical fandom", wrangling.attach_to_fandom, staff, marina, loose_fandom)
    refused("a type", wrangling.attach_to_fandom, staff, tag("stuff", TagType.UNSORTED), tidewater)
    refused("belong to fandoms", wrangling.attach_to_fandom, staff, ember, tidewater)
    refused(
        "attach its canonical tag", wrangling.attach_to_fandom, staff, tag("Rina", merger=marina), tidewater
    )
    # A wrangler of another fandom may not file a tag into a fandom they don't look after.
    refused("not assigned", wrangling.attach_to_fandom, ember_wrangler, marina, tidewater)
    assert not marina.parents.exists()


def test_a_canonical_relationship_inherits_its_characters_fandoms(staff, tidewater, ember):
    marina = in_fandom("Marina Saltwell", tidewater)
    ash = in_fandom("Ash Vey", ember)
    ship = tag("Marina Saltwell/Ash Vey", TagType.RELATIONSHIP)
    ship.parents.add(marina, ash)
    wrangling.make_canonical(staff, ship)
    assert set(ship.parents.filter(type=TagType.FANDOM)) == {tidewater, ember}
    change = TagChange.objects.get(tag=ship)
    assert change.details["inherited_fandoms"] == ["Ember Court", "Tidewater Chronicles"]
    assert wrangling.inherit_relationship_fandoms(ship) == set()  # nothing left to add


# --- meta tags ---


def test_meta_tags_are_inherited_and_recorded(staff):
    top = tag("Found Family", TagType.ADDITIONAL, canonical=True)
    middle = tag("Found Family at Sea", TagType.ADDITIONAL, canonical=True)
    bottom = tag("Found Family on a Lighthouse", TagType.ADDITIONAL, canonical=True)
    wrangling.add_meta_tag(staff, middle, top)
    wrangling.add_meta_tag(staff, bottom, middle)
    assert meta_tag_ids({bottom.id}) == {middle.id, top.id}
    assert sub_tag_ids({top.id}) == {middle.id, bottom.id}
    assert actions(bottom) == ["add_meta_tag"]
    wrangling.remove_meta_tag(staff, bottom, middle)
    assert meta_tag_ids({bottom.id}) == set()
    refused("not a meta tag", wrangling.remove_meta_tag, staff, bottom, middle)


def test_meta_tag_refusals(staff):
    top = tag("Found Family", TagType.ADDITIONAL, canonical=True)
    middle = tag("Found Family at Sea", TagType.ADDITIONAL, canonical=True)
    bottom = tag("Found Family on a Lighthouse", TagType.ADDITIONAL, canonical=True)
    middle.meta_tags.add(top)
    bottom.meta_tags.add(middle)
    refused("its own meta tag", wrangling.add_meta_tag, staff, top, top)
    refused("same type", wrangling.add_meta_tag, staff, top, tag("Sea Captain", canonical=True))
    refused("canonical", wrangling.add_meta_tag, staff, tag("found fam", TagType.ADDITIONAL), top)
    refused("already a meta tag", wrangling.add_meta_tag, staff, middle, top)
    refused("loop", wrangling.add_meta_tag, staff, top, bottom)  # bottom is under top already
    refused("loop", wrangling.add_meta_tag, staff, middle, bottom)
    assert not top.meta_tags.exists()
    assert not TagChange.objects.exists()


# --- unwrangleable ---


def test_mark_unwrangleable_rules(staff):
    vague = tag("so many feelings", TagType.ADDITIONAL)
    wrangling.mark_unwrangleable(staff, vague)
    vague.refresh_from_db()
    assert vague.unwrangleable
    refused("already marked", wrangling.mark_unwrangleable, staff, vague)
    wrangling.mark_unwrangleable(staff, vague, value=False)
    vague.refresh_from_db()
    assert not vague.unwrangleable
    assert actions(vague) == ["mark_unwrangleable", "unmark_unwrangleable"]
    canon = tag("Hurt and Mending", TagType.ADDITIONAL, canonical=True)
    refused("only unwrangled", wrangling.mark_unwrangleable, staff, canon)
    refused(
        "only unwrangled", wrangling.mark_unwrangleable, staff, tag("h&m", TagType.ADDITIONAL, merger=canon)
    )


# --- comments ---


def test_tag_comment_is_sanitised_and_recorded(tide_wrangler, tidewater):
    marina = in_fandom("Marina Saltwell", tidewater)
    comment = wrangling.add_tag_comment(
        tide_wrangler, marina, 'Is this the <b>same</b> Marina?<script>alert("x")</script>'
    )
    assert "<script" not in comment.body and "<b>same</b>" in comment.body
    assert comment.user == tide_wrangler
    assert actions(marina) == ["comment"]
    refused("Write a comment", wrangling.add_tag_comment, tide_wrangler, marina, "   ")
    refused("Log in", wrangling.add_tag_comment, GUEST, marina, "hello")
    assert TagComment.objects.count() == 1


# --- mass actions ---


def test_mass_wrangle_applies_what_it_can_and_reports_the_rest(tide_wrangler, tidewater, ember):
    target = in_fandom("Marina Saltwell", tidewater)
    variants = [in_fandom(n, tidewater, canonical=False) for n in ("Marina S", "Marina Saltwel")]
    foreign = in_fandom("Ash Vey", ember, canonical=False)
    wrong_type = in_fandom("Marina Saltwell Appreciation", tidewater, TagType.ADDITIONAL, canonical=False)
    ids = [v.id for v in variants] + [foreign.id, wrong_type.id, 999_999]

    result = wrangling.mass_wrangle(tide_wrangler, ids, "make_synonym", target)

    assert sorted(t.name for t in result.done) == ["Marina S", "Marina Saltwel"]
    failures = dict(result.failures)
    assert set(failures) == {"Ash Vey", "Marina Saltwell Appreciation", "999999"}
    assert "not assigned" in failures["Ash Vey"]
    assert "same type" in failures["Marina Saltwell Appreciation"]
    assert set(target.synonyms.all()) == set(variants)
    foreign.refresh_from_db()
    wrong_type.refresh_from_db()
    assert foreign.merger is None and wrong_type.merger is None
    assert TagChange.objects.filter(action="make_synonym").count() == 2


def test_mass_wrangle_without_a_target_and_with_types(staff, tidewater):
    loose = [tag(n, TagType.UNSORTED) for n in ("Gull", "Tern", "Petrel")]
    result = wrangling.mass_wrangle(staff, [t.id for t in loose], "set_type", TagType.CHARACTER)
    assert len(result.done) == 3 and not result.failures
    result = wrangling.mass_wrangle(staff, [t.id for t in loose], "make_canonical")
    assert len(result.done) == 3
    result = wrangling.mass_wrangle(staff, [t.id for t in loose], "attach_to_fandom", tidewater)
    assert set(tidewater.children.all()) == set(loose)


def test_mass_wrangle_refuses_bad_requests(staff, tidewater):
    refused("Unknown wrangling action", wrangling.mass_wrangle, staff, [tidewater.id], "delete")
    refused("Choose at least one tag", wrangling.mass_wrangle, staff, [], "make_canonical")
    refused("Choose what", wrangling.mass_wrangle, staff, [tidewater.id], "make_synonym")
    refused("Choose a type", wrangling.mass_wrangle, staff, [tidewater.id], "set_type", tidewater)
    refused("Choose a tag", wrangling.mass_wrangle, staff, [tidewater.id], "add_meta_tag", "fandom")


# --- tag sets carry meta tags ---


def test_tagset_export_and_import_round_trip_meta_tags(db):
    ensure_fixed_tags()
    top = tag("Found Family", TagType.ADDITIONAL, canonical=True)
    middle = tag("Found Family at Sea", TagType.ADDITIONAL, canonical=True)
    tag("Crew as Family", TagType.ADDITIONAL, merger=middle)
    middle.meta_tags.add(top)
    for fmt in ("json", "csv"):
        text = dump_tagset(export_records(), fmt)
        records = {r.name: r for r in load_tagset(text, fmt)}
        assert records["Found Family at Sea"].meta == ("Found Family",)
        assert records["Found Family"].meta == ()
    text = dump_tagset(export_records(), "json")
    Tag.objects.filter(type=TagType.ADDITIONAL).delete()
    load_records(load_tagset(text, "json"))
    middle = Tag.objects.get(name="Found Family at Sea")
    assert [t.name for t in middle.meta_tags.all()] == ["Found Family"]
    assert middle.synonyms.get().name == "Crew as Family"


def test_csv_without_meta_keeps_the_old_header(db):
    ensure_fixed_tags()
    tag("Found Family", TagType.ADDITIONAL, canonical=True)
    header = dump_tagset(export_records(), "csv").splitlines()[0]
    assert header == "type,name,canonical,merger,fandoms,characters,synonyms,media"


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ('{"type": "additional", "name": "A", "meta": ["B"]}', "'B' is not a canonical additional"),
        ('{"type": "additional", "name": "A", "meta": ["A"]}', "its own meta tag"),
        (
            '{"type": "additional", "name": "A", "meta": ["B"]},'
            ' {"type": "additional", "name": "B", "meta": ["C"]},'
            ' {"type": "additional", "name": "C", "meta": ["A"]}',
            "form a loop",
        ),
        (
            '{"type": "additional", "name": "A"},'
            ' {"type": "additional", "name": "B", "canonical": false, "merger": "A", "meta": ["A"]}',
            "only canonical tags",
        ),
        ('{"type": "additional", "name": "A", "meta": "B"}', '"meta" must be a list'),
    ],
)
def test_tagset_meta_validation(entries, message):
    document = '{"format": "fanfold-tags", "version": 1, "tags": [' + entries + "]}"
    with pytest.raises(TagsetError, match=message):
        load_tagset(document, "json")


# --- characters of relationships ---


def test_adding_a_character_links_it_and_the_relationship_inherits_its_fandoms(tidewater, staff):
    relationship = tag("Maren/Oskar", TagType.RELATIONSHIP, canonical=True)
    maren = tag("Maren Vell", canonical=True)
    maren.parents.add(tidewater)
    wrangling.add_character(staff, relationship, maren)
    assert set(relationship.parents.values_list("name", flat=True)) == {"Maren Vell", "Tidewater Chronicles"}
    change = TagChange.objects.filter(tag=relationship, action="add_character").get()
    assert change.details["after"]["characters"] == ["Maren Vell"]
    wrangling.remove_character(staff, relationship, maren)
    # The inherited fandom stays until a wrangler detaches it.
    assert set(relationship.parents.values_list("name", flat=True)) == {"Tidewater Chronicles"}


def test_adding_a_character_refuses_non_relationships_and_non_canonical_characters(staff, db):
    relationship = tag("Maren/Oskar", TagType.RELATIONSHIP, canonical=True)
    loose = tag("maren v")
    with pytest.raises(WranglingError, match="not a canonical character"):
        wrangling.add_character(staff, relationship, loose)
    other = tag("Oskar Brin", canonical=True)
    with pytest.raises(WranglingError, match="only relationships have characters"):
        wrangling.add_character(staff, other, tag("Maren Vell", canonical=True))
    with pytest.raises(WranglingError, match="is not a character of"):
        wrangling.remove_character(staff, relationship, other)


def test_a_fandom_wrangler_may_not_add_characters_outside_their_fandoms(tidewater, ember, tide_wrangler):
    relationship = tag("Ash/Cinder", TagType.RELATIONSHIP, canonical=True)
    relationship.parents.add(ember)
    ash = tag("Ash", canonical=True)
    with pytest.raises(WranglingError):
        wrangling.add_character(tide_wrangler, relationship, ash)
    assert not relationship.parents.filter(pk=ash.pk).exists()
