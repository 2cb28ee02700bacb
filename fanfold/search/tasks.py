"""Background work of the search app."""

from __future__ import annotations

from django_tasks import task

from fanfold.search.filtertags import recompute_for_tags


@task()
def recompute_filter_tags(tag_ids: list[int]) -> int:
    """Enqueued by the wrangling services after their transaction commits."""
    return recompute_for_tags(tag_ids)
