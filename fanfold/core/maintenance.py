"""Daily housekeeping: `fanfold maintenance` (run by a systemd timer or cron, see docs/deployment.md).

Nothing here is needed for correctness; it keeps tables and the data directory from growing without
bound on an archive that runs for years.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class MaintenanceReport:
    hits_pruned: int
    change_log_pruned: int
    download_files_removed: int


def run_maintenance(*, keep_change_log_hours: float = 24) -> MaintenanceReport:
    from django.db import connection

    from fanfold.downloads import cache
    from fanfold.search.fast.index import compact_change_log
    from fanfold.social.services import prune_hits
    from fanfold.works.models import Work

    hits = prune_hits()
    log_entries = compact_change_log(connection.alias, keep_seconds=keep_change_log_hours * 3600)
    cached = cache.cached_work_ids()
    existing: set[int] = set()
    for start in range(0, len(cached), 5000):
        chunk = cached[start : start + 5000]
        existing.update(Work.objects.filter(id__in=chunk).values_list("id", flat=True))
    files = cache.sweep(existing)
    return MaintenanceReport(hits, log_entries, files)
