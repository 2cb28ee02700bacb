"""fanfold tags load FILE | fanfold tags export FILE: share canonical tags, synonyms and parents."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fanfold.tags.services import export_records, load_records
from fanfold.tags.tagset import TagsetError, dump_tagset, load_tagset


def _format_of(path: Path, given: str | None) -> str:
    fmt = given or ("csv" if path.suffix.lower() == ".csv" else "json")
    if fmt not in {"json", "csv"}:
        raise CommandError(f"unknown tag set format {fmt!r} (use json or csv)")
    return fmt


class Command(BaseCommand):
    help = "Load or export a tag set (JSON or CSV; see docs/tag-sets.md)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{load,export}")
        load = sub.add_parser("load", help="load canonical tags, synonyms and parents from FILE")
        load.add_argument("file")
        load.add_argument("--format", choices=["json", "csv"])
        export = sub.add_parser("export", help="write the archive's wrangled tags to FILE (- for stdout)")
        export.add_argument("file")
        export.add_argument("--format", choices=["json", "csv"])

    def handle(self, *args, action, file, format=None, **options):
        path = Path(file)
        if action == "load":
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise CommandError(f"cannot read {file}: {exc.strerror or exc}") from None
            try:
                records = load_tagset(data, _format_of(path, format))
            except TagsetError as exc:
                raise CommandError(f"{file}: {exc}") from None
            result = load_records(records)
            self.stdout.write(
                f"Loaded {result['records']} entries: {result['created']} tags created, {result['updated']} updated."
            )
        else:
            text = dump_tagset(export_records(), _format_of(path, format))
            if file == "-":
                self.stdout.write(text)
            else:
                try:
                    path.write_text(text, encoding="utf-8")
                except OSError as exc:
                    raise CommandError(f"cannot write {file}: {exc.strerror or exc}") from None
                self.stdout.write(f"Wrote the tag set to {file}.")
