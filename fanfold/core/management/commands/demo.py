"""fanfold demo: load the demo works (written for Fanfold) through the normal importer."""

from __future__ import annotations

from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand

DEMO_WORKS = Path(__file__).resolve().parents[3] / "demo" / "works"


class Command(BaseCommand):
    help = "Import the demo works; files already imported are skipped."

    def handle(self, *args, **options):
        call_command("import", str(DEMO_WORKS), quiet=True, stdout=self.stdout, stderr=self.stderr)
