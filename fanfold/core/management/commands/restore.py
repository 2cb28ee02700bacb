"""fanfold restore DIR: bring a backup back into an empty data directory (and database)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fanfold.core.backup import BackupError, restore, verify


class Command(BaseCommand):
    help = "Restore a backup made by `fanfold backup` into an empty data directory and database."
    # The database may not exist yet: do not touch it before we are asked to.
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("directory", metavar="DIR", help="a folder written by `fanfold backup`")
        parser.add_argument("--force", action="store_true", help="overwrite a data directory/database in use")
        parser.add_argument("--verify-only", action="store_true", help="check the backup's checksums only")

    def handle(self, *args, directory, force, verify_only, **options):
        try:
            if verify_only:
                manifest = verify(Path(directory))
                self.stdout.write(
                    f"The backup of {manifest['created_at']} is whole: the database and "
                    f"{len(manifest['files'])} file(s) match their checksums."
                )
                return
            result = restore(Path(directory), force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Restored the {result.vendor} backup of {result.created_at} ({result.files} file(s)). "
            "Run `fanfold setup` next: it applies any newer migrations and collects the static files."
        )
