"""manage.py search PROJECT "query" [--limit N]"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coding.search import search
from interviews.models import Project


class Command(BaseCommand):
    help = (
        'Search a project\'s transcripts, quotes and memos. Every word must match; "quote" '
        "a phrase. Prints one hit per line: kind, transcript, speaker, offsets, snippet."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("project", help="the project's slug")
        parser.add_argument("query", help='words, or a "quoted phrase"')
        parser.add_argument("--limit", type=int, default=20)

    def handle(self, *args, **options) -> None:
        project = Project.objects.filter(slug=options["project"]).first()
        if project is None:
            raise CommandError(f"No project has the slug {options['project']!r}.")
        results = search(project=project, query=options["query"], limit=options["limit"])
        if not results.hits:
            raise CommandError(f"Nothing matches {options['query']!r} ({results.engine}).")
        for hit in results.hits:
            snippet = "".join(f"[{text}]" if is_hit else text for text, is_hit in hit.snippet)
            snippet = " ".join(snippet.split())
            self.stdout.write(
                f"{hit.kind}\t{hit.transcript_title}\t{hit.speaker or '-'}\t"
                f"{hit.start}-{hit.end}\t{snippet}"
            )
        self.stderr.write(f"{results.total} hits ({results.engine}); {len(results.hits)} shown.")
