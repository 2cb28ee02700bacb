"""fanfold export: write downloads of works to a folder, or a whole listing to a zip.

    fanfold export 1 2 --format epub -o DIR
    fanfold export --query 'include=Naruto&rating=Teen And Up Audiences' --format epub -o books.zip
    fanfold export --collection whumptober --format pdf -o whumptober.zip

Exports are what a guest could download: drafts, hidden and restricted works are left out of
listings, and named works that are not downloadable are refused with a message.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from pathlib import Path
from urllib.parse import parse_qs

from django.contrib.auth.models import AnonymousUser
from django.core.management.base import BaseCommand, CommandError
from django.template.loader import render_to_string

from fanfold.downloads import services
from fanfold.downloads.content import work_url
from fanfold.downloads.naming import FORMATS, file_name
from fanfold.works.models import Work

MAX_QUERY_WORKS = 10_000
EXPORT_PAGE_SIZE = 100  # works read per search page


class Command(BaseCommand):
    help = "Export works as EPUB, PDF, HTML, TXT, AZW3 or MOBI files (a folder, or a zip for a listing)."

    def add_arguments(self, parser):
        parser.add_argument("ids", nargs="*", help="work ids")
        parser.add_argument(
            "--format", "-f", default="epub", help=f"one of: {', '.join(FORMATS)} (default epub)"
        )
        parser.add_argument(
            "--output", "-o", required=True, help="a folder for ids; a .zip file for --query/--collection"
        )
        parser.add_argument(
            "--query", help="listing parameters, as in a listing URL: 'include=Naruto&complete=1'"
        )
        parser.add_argument("--collection", help="a collection's name (as in its URL) or title")

    def handle(self, *args, ids, format, output, query, collection, **options):
        fmt = format.lower().lstrip(".")
        if fmt not in FORMATS:
            raise CommandError(f"unknown format {format!r}; choose one of: {', '.join(FORMATS)}")
        if not services.format_available(fmt):
            raise CommandError(f"{FORMATS[fmt][0]} needs calibre's ebook-convert, which is not installed")
        chosen = sum(bool(x) for x in (ids, query, collection))
        if chosen != 1:
            raise CommandError("give work ids, or --query, or --collection (exactly one of them)")
        if ids:
            self._export_ids(ids, fmt, Path(output))
        else:
            works = self._query_works(query) if query else self._collection_works(collection)
            self._export_zip(works, fmt, Path(output), query or f"collection={collection}")

    # --- ids to a folder ---------------------------------------------------------------------------

    def _export_ids(self, raw_ids: list[str], fmt: str, folder: Path) -> None:
        try:
            ids = [int(i) for i in raw_ids]
        except ValueError:
            bad = next(i for i in raw_ids if not i.strip().isdigit())
            raise CommandError(f"{bad!r} is not a work id (a whole number)") from None
        works = {w.pk: w for w in Work.objects.filter(pk__in=ids)}
        missing = [str(i) for i in ids if i not in works]
        if missing:
            raise CommandError(f"no work with id {', '.join(missing)}")
        guest = AnonymousUser()
        refused = [str(i) for i in ids if not services.can_download(guest, works[i])]
        if refused:
            raise CommandError(
                f"work {', '.join(refused)} cannot be exported: drafts, hidden and restricted works are not downloadable"
            )
        _writable_folder(folder)
        for work_id in ids:
            work = works[work_id]
            built = self._build(work, fmt)
            target = folder / built.name
            _copy(built, target)
            self.stdout.write(f"{target}")

    def _build(self, work: Work, fmt: str) -> Path:
        try:
            return services.build_file(work, fmt)
        except services.DownloadUnavailable as exc:
            raise CommandError(f"work {work.pk}: {exc}") from None

    # --- listings to a zip -------------------------------------------------------------------------

    def _query_works(self, raw: str) -> list[Work]:
        from fanfold.search.engine import search_works
        from fanfold.search.query import WorkQuery

        query, errors = WorkQuery.from_params(parse_qs(raw, keep_blank_values=False))
        if errors:
            raise CommandError("bad query: " + "; ".join(errors))
        guest = AnonymousUser()
        works: list[Work] = []
        page = 1
        while True:
            result = search_works(query.with_changes(page=page, per_page=EXPORT_PAGE_SIZE), guest)
            if result.unknown_tags and page == 1:
                self.stderr.write(f"no tag named {', '.join(result.unknown_tags)}")
            works.extend(result.results)
            if page >= result.num_pages or not result.results or len(works) >= MAX_QUERY_WORKS:
                return works[:MAX_QUERY_WORKS]
            page += 1

    def _collection_works(self, name: str) -> list[Work]:
        from fanfold.challenges.models import Collection
        from fanfold.search.engine import search_works
        from fanfold.search.query import Scope, WorkQuery

        found = (
            Collection.objects.filter(name=name).first()
            or Collection.objects.filter(title__iexact=name).first()
        )
        if found is None:
            raise CommandError(f"no collection named {name!r}")
        query = WorkQuery(scope=Scope("collection", found.pk))
        works: list[Work] = []
        page = 1
        while True:
            result = search_works(query.with_changes(page=page, per_page=EXPORT_PAGE_SIZE), AnonymousUser())
            works.extend(result.results)
            if page >= result.num_pages or not result.results:
                return works
            page += 1

    def _export_zip(self, works: list[Work], fmt: str, target: Path, description: str) -> None:
        if target.suffix.lower() != ".zip":
            raise CommandError(f"{target}: a listing is written as a zip; name the output FILE.zip")
        _writable_folder(target.parent if str(target.parent) else Path("."), create=False)
        names: set[str] = set()
        entries = []
        fd, tmp_name = tempfile.mkstemp(prefix=".export-", suffix=".zip", dir=target.parent or ".")
        os.close(fd)
        try:
            with zipfile.ZipFile(tmp_name, "w", zipfile.ZIP_DEFLATED) as archive:
                for work in works:
                    built = self._build(work, fmt)
                    name = file_name(work.title, work.pk, fmt)
                    if name in names:  # two works with the same short title
                        name = f"{Path(name).stem}_{work.pk}.{fmt}"
                    names.add(name)
                    # Already compressed formats are stored as they are.
                    method = (
                        zipfile.ZIP_STORED if fmt in {"epub", "pdf", "azw3", "mobi"} else zipfile.ZIP_DEFLATED
                    )
                    archive.write(built, name, compress_type=method)
                    entries.append(_index_entry(work, name))
                index = {"query": description, "format": fmt, "count": len(entries), "works": entries}
                archive.writestr("index.json", json.dumps(index, ensure_ascii=False, indent=2))
                archive.writestr("index.html", render_to_string("downloads/export_index.html", index))
            os.replace(tmp_name, target)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        self.stdout.write(f"{target}: {len(entries)} work{'s' if len(entries) != 1 else ''}")


def _index_entry(work: Work, name: str) -> dict:
    return {
        "id": work.pk,
        "title": work.title,
        "creators": [p.name for p in work.creator_pseuds] if not _hidden(work) else ["Anonymous"],
        "file": name,
        "url": work_url(work.pk),
        "words": work.word_count,
        "updated": work.updated.isoformat(),
    }


def _hidden(work: Work) -> bool:
    from fanfold.downloads.content import creators_hidden

    return creators_hidden(work)


def _writable_folder(folder: Path, *, create: bool = True) -> None:
    if folder.exists() and not folder.is_dir():
        raise CommandError(f"{folder} exists and is not a folder")
    if not folder.exists():
        if not create:
            raise CommandError(f"no folder {folder}")
        try:
            folder.mkdir(parents=True)
        except OSError as exc:
            raise CommandError(f"cannot create {folder}: {exc.strerror or exc}") from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise CommandError(f"cannot write to {folder}")


def _copy(source: Path, target: Path) -> None:
    try:
        tmp = target.with_name(f".{target.name}.part")
        tmp.write_bytes(source.read_bytes())
        os.replace(tmp, target)
    except OSError as exc:
        raise CommandError(f"cannot write {target}: {exc.strerror or exc}") from None
