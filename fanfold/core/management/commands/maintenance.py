"""fanfold maintenance: daily housekeeping (see core.maintenance)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Daily housekeeping: drop yesterday's per-visitor hit rows, compact the search change log "
        "(after saving a fresh index snapshot), remove leftovers of interrupted download builds."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--keep-change-log-hours",
            type=float,
            default=24,
            help="search change-log entries younger than this stay (default 24)",
        )

    def handle(self, *args, keep_change_log_hours, **options):
        from fanfold.core.maintenance import run_maintenance

        if keep_change_log_hours < 0:
            raise CommandError("--keep-change-log-hours must be 0 or more")
        report = run_maintenance(keep_change_log_hours=keep_change_log_hours)
        self.stdout.write(
            f"Pruned {report.hits_pruned:,} hit row(s) and {report.change_log_pruned:,} search change-log "
            f"entr{'y' if report.change_log_pruned == 1 else 'ies'}; removed "
            f"{report.download_files_removed:,} download leftover(s)."
        )
