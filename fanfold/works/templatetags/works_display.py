"""Template filters for showing works: tags grouped in AO3's order, the required-tags square, stats."""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.urls import reverse

from fanfold.core import languages
from fanfold.core.text import normalize_key
from fanfold.tags import vocabulary as vocab
from fanfold.tags.models import Tag, TagType
from fanfold.works.models import Work

register = template.Library()

_WARNING_ORDER = {normalize_key(name): i for i, name in enumerate(vocab.WARNINGS)}
_WARNING_ORDER.setdefault(normalize_key("Choose Not To Use Archive Warnings"), 0)  # AO3's stored spelling
_CATEGORY_ORDER = {normalize_key(name): i for i, name in enumerate(vocab.CATEGORIES)}
_NOT_WARNED = {normalize_key(vocab.CHOSE_NOT_TO_WARN), normalize_key("Choose Not To Use Archive Warnings")}
_NO_WARNINGS = normalize_key(vocab.NO_WARNINGS)

# Rating name (folded) -> (short label, CSS modifier).
_RATING_BADGES = {
    normalize_key(vocab.GENERAL): ("General", "general"),
    normalize_key(vocab.TEEN): ("Teen", "teen"),
    normalize_key(vocab.MATURE): ("Mature", "mature"),
    normalize_key(vocab.EXPLICIT): ("Explicit", "explicit"),
    normalize_key(vocab.NOT_RATED): ("Not rated", "notrated"),
}


@register.filter
def thousands(value) -> str:
    """12345 -> "12,345" (AO3's way, whatever the locale)."""
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return "" if value is None else str(value)


@register.filter
def web_url(url: str) -> str:
    """The URL if it is an http(s) address, else "" (so a stored "javascript:" never becomes a link)."""
    url = (url or "").strip()
    return url if url.lower().startswith(("http://", "https://")) else ""


@register.filter
def tag_works_url(tag: Tag | str) -> str:
    """The works listing of a tag (/tags/<name>/works/); names with "/", "&" or "?" round-trip."""
    return reverse("tags:works", args=[tag.name if isinstance(tag, Tag) else str(tag)])


@register.filter
def tag_url(tag: Tag | str) -> str:
    """The tag's own page (/tags/<name>/)."""
    return reverse("tags:detail", args=[tag.name if isinstance(tag, Tag) else str(tag)])


@register.filter
def pseud_works_url(pseud) -> str:
    return reverse("works:pseud_works", args=[pseud.pk])


@register.filter
def language_name(code: str) -> str:
    return languages.language_name(code or "")


@register.filter
def tag_groups(work: Work) -> dict[str, list[Tag]]:
    """The work's tags by type (keys are TagType values), warnings and categories in AO3's order.

    Uses the prefetched tags (Work.objects.with_listing_data()); computed once per work.
    """
    cached = getattr(work, "_tag_groups", None)
    if cached is not None:
        return cached
    groups: dict[str, list[Tag]] = {tag_type: [] for tag_type in TagType.values}
    for tag in work.tags.all():
        groups.setdefault(tag.type, []).append(tag)
    groups[TagType.WARNING].sort(key=lambda t: (_WARNING_ORDER.get(t.name_key, 99), t.name_key))
    groups[TagType.CATEGORY].sort(key=lambda t: (_CATEGORY_ORDER.get(t.name_key, 99), t.name_key))
    work._tag_groups = groups  # type: ignore[attr-defined]
    return groups


@register.filter
def blurb_tags(work: Work, reading=None) -> list[Tag]:
    """The tags line of a blurb, as AO3 shows it: warnings, relationships, characters, additional tags.

    Given the reader's settings (``reading``), leaves out the groups they hide until clicked.
    """
    groups = tag_groups(work)
    hide_warnings = bool(getattr(reading, "hide_warnings", False))
    hide_additional = bool(getattr(reading, "hide_additional_tags", False))
    return [
        *([] if hide_warnings else groups[TagType.WARNING]),
        *groups[TagType.RELATIONSHIP],
        *groups[TagType.CHARACTER],
        *([] if hide_additional else groups[TagType.ADDITIONAL]),
        *groups[TagType.UNSORTED],
    ]


def chapters_posted(work: Work) -> int:
    """The chapter count, from the listing annotation when there is one."""
    posted = getattr(work, "chapters_posted", None)
    return work.chapter_count if posted is None else posted


@register.filter
def chapters_display(work: Work) -> str:
    """ "3/5", "3/?" for a work in progress of unknown length, "1/1" for a finished one-shot."""
    posted = chapters_posted(work)
    if work.chapters_expected:
        expected = str(work.chapters_expected)
    elif work.complete:
        expected = str(posted)
    else:
        expected = "?"
    return f"{posted}/{expected}"


@dataclass(frozen=True)
class Badge:
    kind: str  # rating, warning, category, status
    modifier: str  # CSS modifier
    label: str  # short visible text
    text: str  # the full text, for screen readers and the tooltip


@register.filter
def required_tags(work: Work, hide_warnings: bool = False) -> list[Badge]:
    """AO3's "required tags" square as four text badges: rating, warnings, category, completion.

    With ``hide_warnings`` (a reader's preference) the warning badge does not name the warnings.
    """
    groups = tag_groups(work)
    badges = []

    ratings = groups[TagType.RATING]
    rating_name = ratings[0].name if ratings else vocab.NOT_RATED
    label, modifier = _RATING_BADGES.get(normalize_key(rating_name), (rating_name, "notrated"))
    badges.append(Badge("rating", modifier, label, f"Rating: {rating_name}"))

    warnings = groups[TagType.WARNING]
    names = ", ".join(t.name for t in warnings)
    keys = {t.name_key for t in warnings}
    if not warnings:
        badges.append(Badge("warning", "unknown", "Not warned", "Archive Warnings: none given"))
    elif hide_warnings:
        badges.append(Badge("warning", "hidden", "Warnings", "Archive Warnings: hidden by your preferences"))
    elif keys - _NOT_WARNED - {_NO_WARNINGS}:
        badges.append(Badge("warning", "yes", "Warnings", f"Archive Warnings: {names}"))
    elif keys & _NOT_WARNED:
        badges.append(Badge("warning", "choosenot", "Not warned", f"Archive Warnings: {names}"))
    else:
        badges.append(Badge("warning", "no", "No warnings", f"Archive Warnings: {names}"))

    categories = groups[TagType.CATEGORY]
    if not categories:
        badges.append(Badge("category", "none", "No category", "Category: none"))
    elif len(categories) == 1:
        name = categories[0].name
        badges.append(Badge("category", "one", name, f"Category: {name}"))
    else:
        names = ", ".join(t.name for t in categories)
        badges.append(Badge("category", "multi", "Multi", f"Categories: {names}"))

    if work.complete:
        badges.append(Badge("status", "complete", "Complete", "Complete Work"))
    else:
        badges.append(Badge("status", "wip", "WIP", "Work in Progress"))
    return badges


@register.simple_tag(takes_context=True)
def reading_settings_form(context):
    """The reading settings form (font size, line width, theme), filled in for the current visitor."""
    from fanfold.accounts.context_processors import reading_settings_for
    from fanfold.accounts.forms import ReadingSettingsForm

    request = context.get("request")
    initial = reading_settings_for(request).as_initial() if request is not None else {}
    return ReadingSettingsForm(initial=initial, auto_id="reading-%s")
