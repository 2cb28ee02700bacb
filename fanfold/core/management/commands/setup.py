"""fanfold setup: prepare a data directory (migrations, starter tags, static files). Idempotent."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from fanfold.tags.services import ensure_fixed_tags, load_records
from fanfold.tags.tagset import load_tagset

STARTER_TAGSET_PATH = Path(__file__).resolve().parents[3] / "tags" / "data" / "starter_tags.json"


class Command(BaseCommand):
    help = "Prepare the data directory: apply migrations, load the starter tag set, collect static files."

    def add_arguments(self, parser):
        parser.add_argument("--no-starter-tags", action="store_true", help="do not load the starter tag set")

    def handle(self, *args, no_starter_tags, **options):
        verbosity = options["verbosity"]
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=max(0, verbosity - 1))
        ensure_fixed_tags()
        if not no_starter_tags:
            records = load_tagset(STARTER_TAGSET_PATH.read_bytes(), "json")
            result = load_records(records)
            self.stdout.write(
                f"Starter tag set: {result['records']} entries, {result['created']} tags created."
            )
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(self.style.SUCCESS(f"Fanfold is set up in {settings.DATA_DIR}"))
