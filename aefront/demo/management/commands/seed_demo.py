"""`manage.py seed_demo`: load the demo projects and print the demo logins."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.template.defaultfilters import pluralize

from aefront.demo.content import PRINTED_LOGINS, USERS
from aefront.demo.seeding import DemoContentError, seed_demo


class Command(BaseCommand):
    help = (
        "Create the demo users, the 'demo' project (7 interviews, a two-level codebook, "
        "coded quotes) and the 'winter' project. Safe to run again: nothing is duplicated "
        "and nothing you changed is overwritten."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--allow-without-debug",
            action="store_true",
            help="Run even with DEBUG off. The demo users have publicly known passwords "
            "(admin is a superuser): never do this on a server people can reach.",
        )

    def handle(self, *args, allow_without_debug: bool = False, **options) -> None:
        if not settings.DEBUG and not allow_without_debug:
            raise CommandError(
                "seed_demo creates users with publicly known passwords, including a "
                "superuser; it runs only with DEBUG=1 (or --allow-without-debug)."
            )
        try:
            report = seed_demo()
        except DemoContentError as error:
            raise CommandError(f"The demo content is inconsistent: {error}") from error

        for slug, transcripts, themes, quotes in report.projects:
            counts = ", ".join(
                f"{n} {noun}{pluralize(n)}"
                for n, noun in ((transcripts, "transcript"), (themes, "theme"), (quotes, "quote"))
            )
            self.stdout.write(f"project {slug}: {counts}")
        if report.created:
            made = ", ".join(f"{n} {kind}" for kind, n in report.created.items())
            self.stdout.write(f"created {made}")
        else:
            self.stdout.write("nothing new: the demo was already loaded")
        self.stdout.write("")
        self.stdout.write("Demo logins (username / password):")
        passwords = {user.username: user.password for user in USERS}
        for username in PRINTED_LOGINS:
            if username in report.password_kept:
                self.stdout.write(f"{username} / (password changed since seeding; kept)")
            else:
                self.stdout.write(f"{username} / {passwords[username]}")
