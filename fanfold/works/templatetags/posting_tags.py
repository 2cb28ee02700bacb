"""Template helpers for the posting pages and the creator actions on a work page."""

from __future__ import annotations

from django import template
from django.forms import BoundField

from fanfold.core import permissions

register = template.Library()


def _viewer(context):
    request = context.get("request")
    return getattr(request, "user", None) or context.get("user")


@register.simple_tag(takes_context=True)
def can_edit_work(context, work) -> bool:
    """{% can_edit_work work as can_edit %}: whether the viewer may edit (and delete) the work."""
    return work is not None and permissions.can_edit_work(_viewer(context), work)


@register.filter
def described_widget(field: BoundField):
    """The field's widget, pointing at its help text and errors (aria-describedby, aria-invalid)."""
    described_by = []
    attrs: dict[str, str | bool] = {}
    if field.help_text:
        described_by.append(f"{field.auto_id}_helptext")
    if field.errors:
        described_by.append(f"{field.auto_id}_error")
        attrs["aria-invalid"] = "true"
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    return field.as_widget(attrs=attrs)
