"""Make a personal access token for a user, printed once (for scripts and CI)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from aefront.api.tokens import issue_token
from aefront.errors import UserError, sentence


class Command(BaseCommand):
    help = "Make a personal access token for USERNAME and print it (it is stored hashed)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="command line", help="what the token is for")
        parser.add_argument("--scope", choices=["read", "write"], default="read")

    def handle(self, *args, username, name, scope, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user is called {username!r}.")
        try:
            _, secret = issue_token(user=user, name=name, scope=scope)
        except UserError as refused:
            raise CommandError(sentence(refused)) from None
        self.stdout.write(secret)
