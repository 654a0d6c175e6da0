"""manage.py suggest PROJECT "passage" [--limit N]"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coding.suggest import suggest_themes
from interviews.models import Project


class Command(BaseCommand):
    help = (
        "Rank a project's themes for a passage, on this server: one line per theme as "
        "'score<TAB>theme name', best first, then the backend that ranked them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("project", help="the project's slug")
        parser.add_argument("passage", help="the passage's text")
        parser.add_argument("--limit", type=int, default=3)

    def handle(self, *args, **options) -> None:
        project = Project.objects.filter(slug=options["project"]).first()
        if project is None:
            raise CommandError(f"No project has the slug {options['project']!r}.")
        if not options["passage"].strip():
            raise CommandError("Give the passage's text.")
        ranking = suggest_themes(
            project=project, text=options["passage"], limit=max(1, options["limit"])
        )
        if not ranking.suggestions:
            raise CommandError("The project has no active themes to suggest.")
        for suggestion in ranking.suggestions:
            self.stdout.write(f"{suggestion.score:.3f}\t{suggestion.name}")
        self.stdout.write(f"backend: {ranking.backend} ({ranking.backend_label})")
