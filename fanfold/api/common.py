"""Small helpers the API's routers share: finding a work the caller may see, and pages of results."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from fanfold.core.permissions import visible_works
from fanfold.works.models import Work

MAX_ID = 2**63 - 1  # larger ids cannot exist (and would overflow the database driver)
PAGE_SIZE = 20
MAX_PAGE = 5000


def visible_work_or_404(request: HttpRequest, work_id: int) -> Work:
    """The work, when the caller may see it; a missing and a hidden work both give the same 404."""
    if not valid_id(work_id):
        raise Http404
    work = visible_works(request.user).filter(pk=work_id).first()
    if work is None:
        raise Http404
    return work


def valid_id(object_id: int) -> bool:
    return 0 < object_id <= MAX_ID


def page_of(
    items: QuerySet[Any] | list[Any], page: int, per_page: int = PAGE_SIZE
) -> tuple[list[Any], int, int]:
    """(the items on ``page``, how many items in all, how many pages). A page past the end is empty."""
    count = items.count() if isinstance(items, QuerySet) else len(items)
    num_pages = max(1, -(-count // per_page))
    start = (page - 1) * per_page
    return list(items[start : start + per_page]), count, num_pages
