"""Writes to the tag table, and the in-memory TagIndex built from it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.db import transaction

from fanfold.core.text import normalize_key
from fanfold.tags import vocabulary as vocab
from fanfold.tags.models import FIXED_TYPES, Tag, TagType
from fanfold.tags.records import TagRecord
from fanfold.tags.resolver import TagIndex

FIXED_VOCABULARY = {
    TagType.RATING: vocab.RATINGS,
    TagType.WARNING: vocab.WARNINGS,
    TagType.CATEGORY: vocab.CATEGORIES,
}


def ensure_fixed_tags() -> None:
    """The ratings, warnings and categories exist and are canonical; nothing can wrangle them away."""
    for tag_type, names in FIXED_VOCABULARY.items():
        for name in names:
            tag, created = Tag.objects.get_or_create(
                type=tag_type, name_key=normalize_key(name), defaults={"name": name, "canonical": True}
            )
            if not created and (not tag.canonical or tag.merger_id or tag.name != name):
                tag.name, tag.canonical, tag.merger = name, True, None
                tag.save()


def get_or_create_tags(tag_type: str, names: Sequence[str], canonical: set[str] | None = None) -> list[Tag]:
    """Tags of one type by name, creating the missing ones (unwrangled, unless known canonical)."""
    if not names:
        return []
    keys = {normalize_key(n): n for n in names}
    existing = {t.name_key: t for t in Tag.objects.filter(type=tag_type, name_key__in=list(keys))}
    result = []
    for key, name in keys.items():
        tag = existing.get(key)
        if tag is None:
            tag = Tag(name=name, type=tag_type, canonical=bool(canonical and name in canonical))
            if tag_type in FIXED_TYPES:
                raise ValueError(f"{name!r} is not one of AO3's fixed {tag_type} tags")
            tag.save()
        result.append(tag)
    return result


@transaction.atomic
def load_records(records: Iterable[TagRecord]) -> dict[str, int]:
    """Upsert a tag set: canonical flags, synonyms (mergers) and parents. Idempotent.

    Works in bulk (a handful of queries for thousands of tags), since archives share big sets.
    """
    records = [r for r in records if r.type not in FIXED_TYPES]  # fixed tags come from the vocabulary
    by_key: dict[tuple[str, str], Tag] = {(t.type, t.name_key): t for t in Tag.objects.all()}
    new: dict[tuple[str, str], Tag] = {}
    changed: dict[int, Tag] = {}

    def upsert(tag_type: str, name: str, *, canonical: bool, media: str = "") -> Tag:
        key = (tag_type, normalize_key(name))
        tag = by_key.get(key)
        if tag is None:
            tag = Tag(name=name, type=tag_type, name_key=key[1], canonical=canonical, media=media)
            by_key[key] = new[key] = tag
        elif tag.canonical != canonical or (media and tag.media != media) or tag.name != name:
            tag.canonical, tag.name = canonical, name
            if media:
                tag.media = media
            if canonical:
                tag.merger = None
            if tag.pk:
                changed[tag.pk] = tag
        return tag

    for record in records:
        upsert(record.type, record.name, canonical=record.canonical, media=record.media)
    synonyms_of: list[tuple[Tag, Tag]] = []  # (synonym, canonical)
    for record in records:
        tag = by_key[(record.type, normalize_key(record.name))]
        synonyms_of += [(upsert(record.type, name, canonical=False), tag) for name in record.synonyms]
        if record.merger:
            target = by_key.get((record.type, normalize_key(record.merger)))
            if target is not None:
                synonyms_of.append((tag, target))
    Tag.objects.bulk_create(list(new.values()), batch_size=500)

    for synonym, canonical in synonyms_of:
        if synonym is not canonical and synonym.merger_id != canonical.pk:
            synonym.merger = canonical
            changed[synonym.pk] = synonym
    Tag.objects.bulk_update(list(changed.values()), ["name", "canonical", "media", "merger"], batch_size=500)

    links = []
    for record in records:
        tag = by_key[(record.type, normalize_key(record.name))]
        parent_keys = [(TagType.FANDOM, n) for n in record.fandoms] + [
            (TagType.CHARACTER, n) for n in record.characters
        ]
        for tag_type, name in parent_keys:
            parent = by_key.get((tag_type, normalize_key(name)))
            if parent is not None:
                links.append(Tag.parents.through(from_tag_id=tag.pk, to_tag_id=parent.pk))
    Tag.parents.through.objects.bulk_create(links, batch_size=1000, ignore_conflicts=True)
    meta_links = []
    for record in records:
        tag = by_key[(record.type, normalize_key(record.name))]
        for name in record.meta:
            meta = by_key.get((record.type, normalize_key(name)))
            if meta is not None and meta.pk != tag.pk:
                meta_links.append(Tag.meta_tags.through(from_tag_id=tag.pk, to_tag_id=meta.pk))
    Tag.meta_tags.through.objects.bulk_create(meta_links, batch_size=1000, ignore_conflicts=True)
    ensure_fixed_tags()
    updated = len([pk for pk in changed if pk not in {t.pk for t in new.values()}])
    return {"created": len(new), "updated": updated, "records": len(records)}


def _canonical_records(*, include_fixed: bool) -> list[TagRecord]:
    """Canonical tags with their parents and synonyms, as records, in a stable order."""
    tags = Tag.objects.filter(canonical=True).prefetch_related("parents", "meta_tags")
    if not include_fixed:
        tags = tags.exclude(type__in=FIXED_TYPES)
    synonyms: dict[int, list[str]] = defaultdict(list)
    for name, merger_id in Tag.objects.filter(merger__isnull=False).values_list("name", "merger_id"):
        synonyms[merger_id].append(name)
    records = []
    for tag in sorted(tags, key=lambda t: (t.type, t.name_key)):
        parents = list(tag.parents.all())
        records.append(
            TagRecord(
                name=tag.name,
                type=tag.type,
                canonical=True,
                fandoms=tuple(sorted(p.name for p in parents if p.type == TagType.FANDOM)),
                characters=tuple(sorted(p.name for p in parents if p.type == TagType.CHARACTER)),
                synonyms=tuple(sorted(synonyms.get(tag.id, []))),
                media=tag.media,
                meta=tuple(sorted(m.name for m in tag.meta_tags.all())),
            )
        )
    return records


def export_records() -> list[TagRecord]:
    """Every wrangled tag (canonical, with its synonyms), for sharing a tag set."""
    return _canonical_records(include_fixed=False)


def build_index() -> TagIndex:
    """The resolver over the archive's wrangled tags (canonical ones and their synonyms)."""
    return TagIndex(_canonical_records(include_fixed=True))
