"""fanfold backup DIR: a consistent online backup of the database and the data directory's files."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fanfold.core.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the archive (database snapshot plus uploaded files) into a new folder, while it serves."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument(
            "directory", metavar="DIR", help="a new (or empty) folder outside the data directory"
        )

    def handle(self, *args, directory, **options):
        try:
            result = backup(Path(directory))
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Backed up the {result.vendor} database ({result.database_bytes:,} bytes) and {result.files} "
            f"file(s) ({result.files_bytes:,} bytes) to {result.path} in {result.seconds:.1f} s."
        )
