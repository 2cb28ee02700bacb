"""Wrangling: one service per action a tag wrangler takes, shared by pages, the API and commands.

Each action runs in one transaction, checks ``can_wrangle`` (fanfold.core.permissions), writes a
TagChange row with the tag's state before and after, and raises WranglingError with a one-line
message on bad input. Ratings, warnings and categories are fixed: no action changes them.

Works keep pointing at the tag their creator typed; filters map a canonical tag to its synonyms and
sub tags at query time (fanfold.search.engine). What a work is counted under in the facets (its filter
tags) and the tag names it is found by are denormalised: every action schedules one background task
after its commit (fanfold.search.tasks.recompute_filter_tags) that refreshes the affected works in bulk.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import transaction

from fanfold.core import permissions
from fanfold.core.html import user_text_to_safe_html
from fanfold.tags.models import (
    FIXED_TYPES,
    Tag,
    TagChange,
    TagComment,
    TagType,
    WranglerAssignment,
    meta_tag_ids,
    sub_tag_ids,
)

FANDOM_CHILD_TYPES = frozenset({TagType.CHARACTER, TagType.RELATIONSHIP, TagType.ADDITIONAL})
# The types a wrangler may give a tag (fixed types come only from the vocabulary).
WRANGLABLE_TYPES = (TagType.FANDOM, TagType.CHARACTER, TagType.RELATIONSHIP, TagType.ADDITIONAL)
MAX_COMMENT_LENGTH = 10_000


class WranglingError(Exception):
    """A wrangling action that can't be done; ``message`` is one line for the wrangler."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- shared checks and history ---


def _type_label(tag_type: str) -> str:
    """The type as a noun after an article: "an additional", "a character"."""
    word = "additional" if tag_type == TagType.ADDITIONAL else str(tag_type)
    return ("an " if word[:1] in "aeiou" else "a ") + word


def _locked(tag: Tag) -> Tag:
    """The tag re-read inside the transaction (row-locked where the database supports it)."""
    try:
        return Tag.objects.select_for_update().get(pk=tag.pk)
    except Tag.DoesNotExist:
        raise WranglingError("That tag no longer exists.") from None


def _check(user, tag: Tag) -> None:
    if tag.type in FIXED_TYPES:
        raise WranglingError(
            f"{tag.name!r} is a fixed {tag.type} tag: ratings, warnings and categories can't be wrangled."
        )
    refusal = permissions.wrangle_refusal(user, tag)
    if refusal:
        raise WranglingError(refusal)


def _snapshot(tag: Tag) -> dict[str, object]:
    return {
        "type": tag.type,
        "canonical": tag.canonical,
        "merger": tag.merger.name if tag.merger_id and tag.merger else None,
        "unwrangleable": tag.unwrangleable,
    }


# Actions that change neither filters nor the tag names works are found by.
_NO_FILTER_EFFECT = frozenset(
    {
        "comment",
        "attach_to_fandom",
        "detach_from_fandom",
        "add_character",
        "remove_character",
        "mark_unwrangleable",
        "unmark_unwrangleable",
    }
)
_pending = threading.local()  # tag ids changed in this thread's transaction, awaiting the commit


def _flush_recompute() -> None:
    from fanfold.search.tasks import recompute_filter_tags  # local: search imports tags

    ids = _pending.__dict__.pop("ids", None)
    if ids:
        recompute_filter_tags.enqueue(sorted(ids))


def _schedule_recompute(tag_ids: Iterable[int]) -> None:
    """One task per transaction (a mass action touches many tags), enqueued only if it commits."""
    ids = _pending.__dict__.setdefault("ids", set())
    ids.update(tag_ids)
    transaction.on_commit(_flush_recompute)


def _record(user, tag: Tag, action: str, before: dict, after: dict, **extra: object) -> TagChange:
    details: dict[str, object] = {"before": before, "after": after, **extra}
    if action not in _NO_FILTER_EFFECT:
        _schedule_recompute([tag.pk])
    actor = user if getattr(user, "is_authenticated", False) else None
    return TagChange.objects.create(tag=tag, user=actor, action=action, details=details)


def _names(ids: Iterable[int]) -> list[str]:
    return sorted(Tag.objects.filter(pk__in=list(ids)).values_list("name", flat=True))


# --- type and canonical status ---


@transaction.atomic
def set_type(user, tag: Tag, new_type: str) -> Tag:
    """Give an unsorted tag its type, or move a tag between non-fixed types while it has no links."""
    tag = _locked(tag)
    _check(user, tag)
    if new_type not in WRANGLABLE_TYPES:
        raise WranglingError(
            f"{new_type!r} is not a type a wrangler can give (fandom, character, relationship, additional)."
        )
    if tag.type == new_type:
        raise WranglingError(f"{tag.name!r} is already {_type_label(new_type)} tag.")
    if tag.type != TagType.UNSORTED and _has_links(tag):
        raise WranglingError(
            f"{tag.name!r} has synonyms, parents or meta tags: remove them before changing its type."
        )
    if Tag.objects.filter(type=new_type, name_key=tag.name_key).exclude(pk=tag.pk).exists():
        raise WranglingError(
            f"There is already {_type_label(new_type)} tag named {tag.name!r}: make this a synonym of it instead."
        )
    before = _snapshot(tag)
    tag.type = new_type
    tag.save(update_fields=["type", "name_key"])
    _record(user, tag, "set_type", before, _snapshot(tag))
    return tag


def _has_links(tag: Tag) -> bool:
    return bool(
        tag.merger_id
        or tag.synonyms.exists()
        or tag.parents.exists()
        or tag.children.exists()
        or tag.meta_tags.exists()
        or tag.sub_tags.exists()
    )


@transaction.atomic
def make_canonical(user, tag: Tag) -> Tag:
    tag = _locked(tag)
    _check(user, tag)
    if tag.canonical:
        raise WranglingError(f"{tag.name!r} is already canonical.")
    if tag.merger is not None:
        raise WranglingError(f"{tag.name!r} is a synonym of {tag.merger.name!r}: unmerge it first.")
    if tag.type == TagType.UNSORTED:
        raise WranglingError(f"Give {tag.name!r} a type before making it canonical.")
    before = _snapshot(tag)
    tag.canonical, tag.unwrangleable = True, False
    tag.save(update_fields=["canonical", "unwrangleable", "name_key"])
    inherited = inherit_relationship_fandoms(tag) if tag.type == TagType.RELATIONSHIP else set()
    extra = {"inherited_fandoms": _names(inherited)} if inherited else {}
    _record(user, tag, "make_canonical", before, _snapshot(tag), **extra)
    return tag


def inherit_relationship_fandoms(tag: Tag) -> set[int]:
    """Attach a relationship to the fandoms of its characters (AO3: a relationship belongs to its
    characters' fandoms). Returns the ids of the fandoms newly attached."""
    if tag.type != TagType.RELATIONSHIP:
        return set()
    through = Tag.parents.through
    character_ids = through.objects.filter(from_tag_id=tag.pk, to_tag__type=TagType.CHARACTER).values(
        "to_tag_id"
    )
    wanted = set(
        through.objects.filter(from_tag_id__in=character_ids, to_tag__type=TagType.FANDOM).values_list(
            "to_tag_id", flat=True
        )
    )
    have = set(through.objects.filter(from_tag_id=tag.pk).values_list("to_tag_id", flat=True))
    new = wanted - have
    through.objects.bulk_create(
        [through(from_tag_id=tag.pk, to_tag_id=f) for f in new], ignore_conflicts=True
    )
    return new


@transaction.atomic
def make_synonym(user, tag: Tag, canonical_tag: Tag) -> Tag:
    """Merge ``tag`` into ``canonical_tag``. Its own synonyms, parents, children and meta links move
    to the target, so nothing that found the tag before stops finding it."""
    tag, target = _locked(tag), _locked(canonical_tag)
    _check(user, tag)
    _check(user, target)
    if tag.pk == target.pk:
        raise WranglingError("A tag can't be a synonym of itself.")
    if tag.type != target.type:
        raise WranglingError(
            f"{tag.name!r} is {_type_label(tag.type)} tag and {target.name!r} "
            f"{_type_label(target.type)} tag: a synonym must have the same type."
        )
    if not target.canonical:
        raise WranglingError(f"{target.name!r} is not canonical: only canonical tags take synonyms.")
    if tag.merger_id == target.pk:
        raise WranglingError(f"{tag.name!r} is already a synonym of {target.name!r}.")
    tag_meta, tag_sub = meta_tag_ids({tag.pk}), sub_tag_ids({tag.pk})
    if target.pk in tag_meta or target.pk in tag_sub:
        raise WranglingError(
            f"{target.name!r} is a meta or sub tag of {tag.name!r}: remove that link before merging."
        )
    before = _snapshot(tag)
    moved = _move_links(tag, target)
    tag.canonical, tag.merger, tag.unwrangleable = False, target, False
    tag.save(update_fields=["canonical", "merger", "unwrangleable", "name_key"])
    _record(user, tag, "make_synonym", before, _snapshot(tag), moved=moved)
    if any(moved.values()):
        _record(user, target, "received_links", {}, {}, source=tag.name, moved=moved)
    return tag


def _move_links(tag: Tag, target: Tag) -> dict[str, list[str]]:
    """Hand the tag's synonyms, parents, children, meta links and wrangler assignments to the target."""
    moved: dict[str, list[str]] = {}
    synonym_names = list(tag.synonyms.values_list("name", flat=True))
    Tag.objects.filter(merger=tag).update(merger=target)
    moved["synonyms"] = sorted(synonym_names)

    def move(through, own: str, other: str, key: str) -> None:
        rows = list(through.objects.filter(**{own: tag.pk}).values_list(other, flat=True))
        keep = [pk for pk in rows if pk != target.pk]
        through.objects.bulk_create(
            [through(**{own: target.pk, other: pk}) for pk in keep], ignore_conflicts=True
        )
        through.objects.filter(**{own: tag.pk}).delete()
        moved[key] = _names(keep)

    parents, metas = Tag.parents.through, Tag.meta_tags.through
    move(parents, "from_tag_id", "to_tag_id", "parents")
    move(parents, "to_tag_id", "from_tag_id", "children")
    move(metas, "from_tag_id", "to_tag_id", "meta_tags")
    move(metas, "to_tag_id", "from_tag_id", "sub_tags")
    if tag.type == TagType.FANDOM:
        users = list(WranglerAssignment.objects.filter(fandom=tag).values_list("user_id", flat=True))
        WranglerAssignment.objects.bulk_create(
            [WranglerAssignment(user_id=u, fandom=target) for u in users], ignore_conflicts=True
        )
        WranglerAssignment.objects.filter(fandom=tag).delete()
    return moved


@transaction.atomic
def unmake_synonym(user, tag: Tag) -> Tag:
    """Split a synonym from its canonical tag; it becomes an unwrangled tag again."""
    tag = _locked(tag)
    _check(user, tag)
    if not tag.merger_id:
        raise WranglingError(f"{tag.name!r} is not a synonym of any tag.")
    before = _snapshot(tag)
    tag.merger = None
    tag.save(update_fields=["merger", "name_key"])
    _record(user, tag, "unmake_synonym", before, _snapshot(tag))
    return tag


@transaction.atomic
def mark_unwrangleable(user, tag: Tag, value: bool = True) -> Tag:
    """Set aside a tag too vague to wrangle ("feels", "i'm bad at tags"); undone with value=False."""
    tag = _locked(tag)
    _check(user, tag)
    if value and (tag.canonical or tag.merger_id):
        raise WranglingError(
            f"{tag.name!r} is canonical or a synonym: only unwrangled tags can be unwrangleable."
        )
    if tag.unwrangleable == value:
        state = "already" if value else "not"
        raise WranglingError(f"{tag.name!r} is {state} marked unwrangleable.")
    before = _snapshot(tag)
    tag.unwrangleable = value
    tag.save(update_fields=["unwrangleable", "name_key"])
    _record(user, tag, "mark_unwrangleable" if value else "unmark_unwrangleable", before, _snapshot(tag))
    return tag


# --- fandoms ---


def _fandom_names(tag: Tag) -> list[str]:
    return sorted(tag.parents.filter(type=TagType.FANDOM).values_list("name", flat=True))


@transaction.atomic
def attach_to_fandom(user, tag: Tag, fandom: Tag) -> Tag:
    tag, fandom = _locked(tag), _locked(fandom)
    _check(user, tag)
    if fandom.type != TagType.FANDOM:
        raise WranglingError(f"{fandom.name!r} is not a fandom.")
    if not fandom.canonical:
        raise WranglingError(f"{fandom.name!r} is not a canonical fandom.")
    if tag.type == TagType.UNSORTED:
        raise WranglingError(f"Give {tag.name!r} a type before attaching it to a fandom.")
    if tag.type not in FANDOM_CHILD_TYPES:
        raise WranglingError("Only characters, relationships and additional tags belong to fandoms.")
    if tag.merger is not None:
        raise WranglingError(
            f"{tag.name!r} is a synonym: attach its canonical tag {tag.merger.name!r} instead."
        )
    refusal = permissions.wrangle_refusal(user, fandom)
    if refusal:
        raise WranglingError(refusal)
    if tag.parents.filter(pk=fandom.pk).exists():
        raise WranglingError(f"{tag.name!r} is already in {fandom.name!r}.")
    before = {"fandoms": _fandom_names(tag)}
    tag.parents.add(fandom)
    _record(user, tag, "attach_to_fandom", before, {"fandoms": _fandom_names(tag)})
    return tag


@transaction.atomic
def detach_from_fandom(user, tag: Tag, fandom: Tag) -> Tag:
    tag = _locked(tag)
    _check(user, tag)
    if not tag.parents.filter(pk=fandom.pk, type=TagType.FANDOM).exists():
        raise WranglingError(f"{tag.name!r} is not in the fandom {fandom.name!r}.")
    before = {"fandoms": _fandom_names(tag)}
    tag.parents.remove(fandom)
    _record(user, tag, "detach_from_fandom", before, {"fandoms": _fandom_names(tag)})
    return tag


def _character_names(tag: Tag) -> list[str]:
    return sorted(tag.parents.filter(type=TagType.CHARACTER).values_list("name", flat=True))


@transaction.atomic
def add_character(user, relationship: Tag, character: Tag) -> Tag:
    """Link a canonical character to a relationship; the relationship then belongs to the
    character's fandoms too (AO3: a relationship inherits its characters' fandoms)."""
    relationship, character = _locked(relationship), _locked(character)
    _check(user, relationship)
    if relationship.type != TagType.RELATIONSHIP:
        raise WranglingError(
            f"{relationship.name!r} is not a relationship: only relationships have characters."
        )
    if relationship.merger is not None:
        raise WranglingError(
            f"{relationship.name!r} is a synonym: add characters to {relationship.merger.name!r} instead."
        )
    if character.type != TagType.CHARACTER:
        raise WranglingError(f"{character.name!r} is not a character.")
    if not character.canonical:
        raise WranglingError(f"{character.name!r} is not a canonical character.")
    if relationship.parents.filter(pk=character.pk).exists():
        raise WranglingError(f"{character.name!r} is already in {relationship.name!r}.")
    before = {"characters": _character_names(relationship), "fandoms": _fandom_names(relationship)}
    relationship.parents.add(character)
    inherit_relationship_fandoms(relationship)
    after = {"characters": _character_names(relationship), "fandoms": _fandom_names(relationship)}
    _record(user, relationship, "add_character", before, after)
    return relationship


@transaction.atomic
def remove_character(user, relationship: Tag, character: Tag) -> Tag:
    """Unlink a character; fandoms the relationship inherited stay (a wrangler detaches those)."""
    relationship = _locked(relationship)
    _check(user, relationship)
    if not relationship.parents.filter(pk=character.pk, type=TagType.CHARACTER).exists():
        raise WranglingError(f"{character.name!r} is not a character of {relationship.name!r}.")
    before = {"characters": _character_names(relationship)}
    relationship.parents.remove(character)
    _record(user, relationship, "remove_character", before, {"characters": _character_names(relationship)})
    return relationship


# --- meta tags ---


def _meta_names(tag: Tag) -> list[str]:
    return sorted(tag.meta_tags.values_list("name", flat=True))


@transaction.atomic
def add_meta_tag(user, sub: Tag, meta: Tag) -> Tag:
    """Make ``meta`` a meta tag of ``sub``: both canonical, of one type, and never in a loop."""
    sub, meta = _locked(sub), _locked(meta)
    _check(user, sub)
    _check(user, meta)
    if sub.pk == meta.pk:
        raise WranglingError("A tag can't be its own meta tag.")
    if sub.type != meta.type:
        raise WranglingError("A meta tag must have the same type as its sub tag.")
    if not (sub.canonical and meta.canonical):
        raise WranglingError("Only canonical tags have meta tags: make both tags canonical first.")
    if sub.meta_tags.filter(pk=meta.pk).exists():
        raise WranglingError(f"{meta.name!r} is already a meta tag of {sub.name!r}.")
    if meta.pk in sub_tag_ids({sub.pk}):
        raise WranglingError(f"{meta.name!r} is a sub tag of {sub.name!r}: that would make a loop.")
    before = {"meta_tags": _meta_names(sub)}
    sub.meta_tags.add(meta)
    _record(user, sub, "add_meta_tag", before, {"meta_tags": _meta_names(sub)})
    return sub


@transaction.atomic
def remove_meta_tag(user, sub: Tag, meta: Tag) -> Tag:
    sub = _locked(sub)
    _check(user, sub)
    if not sub.meta_tags.filter(pk=meta.pk).exists():
        raise WranglingError(f"{meta.name!r} is not a meta tag of {sub.name!r}.")
    before = {"meta_tags": _meta_names(sub)}
    sub.meta_tags.remove(meta)
    _record(user, sub, "remove_meta_tag", before, {"meta_tags": _meta_names(sub)})
    return sub


# --- comments ---


@transaction.atomic
def add_tag_comment(user, tag: Tag, body: str) -> TagComment:
    """A wrangler's note on a tag (fixed tags included: a note changes nothing)."""
    refusal = permissions.wrangle_refusal(user, tag)
    if refusal:
        raise WranglingError(refusal)
    text = (body or "").strip()
    if not text:
        raise WranglingError("Write a comment first.")
    if len(text) > MAX_COMMENT_LENGTH:
        raise WranglingError(f"A comment can be at most {MAX_COMMENT_LENGTH:,} characters long.")
    comment = TagComment.objects.create(tag=tag, user=user, body=user_text_to_safe_html(text, "html"))
    _record(user, tag, "comment", {}, {}, comment=comment.pk)
    return comment


# --- mass actions ---

MASS_ACTIONS: dict[str, tuple[Callable[..., object], bool]] = {
    # action: (service, needs a target)
    "set_type": (set_type, True),
    "make_canonical": (make_canonical, False),
    "make_synonym": (make_synonym, True),
    "unmake_synonym": (unmake_synonym, False),
    "attach_to_fandom": (attach_to_fandom, True),
    "detach_from_fandom": (detach_from_fandom, True),
    "add_character": (add_character, True),
    "remove_character": (remove_character, True),
    "add_meta_tag": (add_meta_tag, True),
    "remove_meta_tag": (remove_meta_tag, True),
    "mark_unwrangleable": (mark_unwrangleable, False),
}


@dataclass
class MassResult:
    done: list[Tag] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (tag name or id, message)


@transaction.atomic
def mass_wrangle(user, tag_ids: Iterable[int], action: str, target: Tag | str | None = None) -> MassResult:
    """Apply one action to many tags in one transaction. A tag that fails keeps its state (each
    action runs in its own savepoint) and is reported; the others go through."""
    if action not in MASS_ACTIONS:
        raise WranglingError(f"Unknown wrangling action {action!r}.")
    service, needs_target = MASS_ACTIONS[action]
    if needs_target and target is None:
        raise WranglingError("Choose what to apply the action with (a tag or a type).")
    if action == "set_type" and not isinstance(target, str):
        raise WranglingError("Choose a type for the tags.")
    if needs_target and action != "set_type" and not isinstance(target, Tag):
        raise WranglingError("Choose a tag to apply the action with.")
    ids = list(dict.fromkeys(int(i) for i in tag_ids))
    if not ids:
        raise WranglingError("Choose at least one tag.")
    tags = Tag.objects.in_bulk(ids)
    result = MassResult()
    for tag_id in ids:
        tag = tags.get(tag_id)
        if tag is None:
            result.failures.append((str(tag_id), "That tag no longer exists."))
            continue
        try:
            done = service(user, tag, target) if needs_target else service(user, tag)
        except WranglingError as exc:
            result.failures.append((tag.name, exc.message))
        else:
            assert isinstance(done, Tag)
            result.done.append(done)
    return result
