"""A tag as plain data: what tag set files hold and what the resolver is built from (no database)."""

from __future__ import annotations

from dataclasses import dataclass

FANDOM = "fandom"
CHARACTER = "character"
RELATIONSHIP = "relationship"
ADDITIONAL = "additional"
RATING = "rating"
WARNING = "warning"
CATEGORY = "category"

TAG_TYPES = (FANDOM, CHARACTER, RELATIONSHIP, ADDITIONAL, RATING, WARNING, CATEGORY)
FIXED_TAG_TYPES = frozenset({RATING, WARNING, CATEGORY})
# Tag types that may have fandom parents (AO3: fandom -> character, relationship, additional tag).
FANDOM_CHILD_TYPES = frozenset({CHARACTER, RELATIONSHIP, ADDITIONAL})

MAX_NAME_LENGTH = 150  # AO3's limit; tag names also never contain commas


@dataclass(frozen=True)
class TagRecord:
    """One tag: canonical (with its synonyms and parents), or a synonym pointing to its merger.

    ``fandoms`` are the parent fandoms of characters, relationships and additional tags;
    ``characters`` the characters of a relationship; ``media`` the media of a fandom;
    ``meta`` the tag's meta tags (canonical tags of the same type that a filter on them also finds).
    """

    name: str
    type: str
    canonical: bool = True
    merger: str | None = None
    fandoms: tuple[str, ...] = ()
    characters: tuple[str, ...] = ()
    synonyms: tuple[str, ...] = ()
    media: str = ""
    meta: tuple[str, ...] = ()
