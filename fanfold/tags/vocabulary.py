"""AO3's fixed vocabulary: ratings, archive warnings and categories. They cannot be wrangled."""

from __future__ import annotations

NOT_RATED = "Not Rated"
GENERAL = "General Audiences"
TEEN = "Teen And Up Audiences"
MATURE = "Mature"
EXPLICIT = "Explicit"
RATINGS = (NOT_RATED, GENERAL, TEEN, MATURE, EXPLICIT)

CHOSE_NOT_TO_WARN = "Creator Chose Not To Use Archive Warnings"
NO_WARNINGS = "No Archive Warnings Apply"
VIOLENCE = "Graphic Depictions Of Violence"
CHARACTER_DEATH = "Major Character Death"
NON_CON = "Rape/Non-Con"
UNDERAGE = "Underage Sex"
WARNINGS = (CHOSE_NOT_TO_WARN, NO_WARNINGS, VIOLENCE, CHARACTER_DEATH, NON_CON, UNDERAGE)

CATEGORIES = ("Gen", "F/M", "M/M", "F/F", "Multi", "Other")

# Display order of tag types, as AO3 shows them in a work's blurb and preface.
TAG_TYPE_ORDER = ("rating", "warning", "category", "fandom", "relationship", "character", "additional")
