from __future__ import annotations

from django import template

from fanfold.downloads.services import FormatLink, format_links
from fanfold.works.models import Work

register = template.Library()


@register.simple_tag
def download_links(work: Work) -> list[FormatLink]:
    """The download formats of a work: a link each, or an unavailable entry (no calibre)."""
    return format_links(work)
