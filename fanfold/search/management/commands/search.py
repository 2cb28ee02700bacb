"""fanfold search reindex | fanfold search query '<listing parameters>'."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

from django.contrib.auth.models import AnonymousUser
from django.core.management.base import BaseCommand, CommandError

from fanfold.search.engine import search_works
from fanfold.search.indexing import reindex_all
from fanfold.search.query import WorkQuery


class Command(BaseCommand):
    help = "Rebuild the full-text index, or run a listing query as a guest and print the results."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{reindex,query}")
        sub.add_parser("reindex", help="rebuild the search documents of every work")
        query = sub.add_parser(
            "query", help="run a query given as URL parameters, e.g. 'q=lantern&sort=words'"
        )
        query.add_argument("params")

    def handle(self, *args, action, params=None, **options):
        if action == "reindex":
            self.stdout.write(f"Indexed {reindex_all()} works.")
            return
        query, errors = WorkQuery.from_params(parse_qs(params or "", keep_blank_values=False))
        if errors:
            raise CommandError("; ".join(errors))
        page = search_works(query, AnonymousUser())
        payload = {
            "count": page.count,
            "results": [
                {"id": w.id, "title": w.title, "snippet": page.snippets.get(w.id, "")} for w in page.results
            ],
            "facets": {k: [[f.name, f.count, f.state] for f in v] for k, v in page.facets.items()},
            "unknown_tags": page.unknown_tags,
        }
        self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
