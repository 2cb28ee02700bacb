"""fanfold token create USERNAME [--name NAME]: print a new API token for that account."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from fanfold.accounts.models import User
from fanfold.accounts.tokens import create_token


class Command(BaseCommand):
    help = "Create a personal API token (sent as 'Authorization: Bearer <token>')."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{create}")
        create = sub.add_parser("create", help="create a token for USERNAME and print it")
        create.add_argument("username")
        create.add_argument("--name", default="", help="a label to tell tokens apart")

    def handle(self, *args, action, username, name, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no account named {username!r}")
        if not user.is_active:
            raise CommandError(f"the account {username!r} is suspended")
        _, raw = create_token(user, name or "command line")
        self.stdout.write(raw)
