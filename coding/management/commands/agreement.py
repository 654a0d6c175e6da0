"""manage.py agreement PROJECT --coders USER USER [USER...] [--transcript ID] [--format ...]"""

from __future__ import annotations

import csv

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coding.agreement import coders_by_name, compare, csv_rows, table_text
from interviews.models import Project, Transcript


class Command(BaseCommand):
    help = (
        "Agreement between coders per theme per transcript, and pooled over the "
        "transcripts (transcript=ALL), at character level: percentage agreement and "
        "Cohen's kappa for each pair, and Krippendorff's alpha with three or more coders. "
        "Compares the transcripts assigned to all the coders (else those they all coded)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("project", help="the project's slug")
        parser.add_argument(
            "--coders", nargs="+", required=True, metavar="USER", help="two or more usernames"
        )
        parser.add_argument("--transcript", type=int, help="only this transcript (its id)")
        parser.add_argument("--format", choices=("table", "csv"), default="table", dest="fmt")

    def handle(self, *args, project: str, coders: list[str], transcript, fmt: str, **options):
        found = Project.objects.filter(slug=project).first()
        if found is None:
            raise CommandError(f"No project with the slug {project!r}.")
        if len(set(coders)) < 2:
            raise CommandError("Give at least two different coders.")
        try:
            users = coders_by_name(found, coders)
        except ValueError as error:
            raise CommandError(str(error)) from None
        if (
            transcript is not None
            and not Transcript.objects.filter(project=found, pk=transcript).exists()
        ):
            raise CommandError(f"No transcript {transcript} in {found.slug}.")
        comparison = compare(project=found, coders=users, transcript_id=transcript)
        if not comparison.transcripts:
            raise CommandError(
                "No transcript to compare: none is assigned to all these coders, and none "
                "has quotes by every one of them."
            )
        if fmt == "csv":
            writer = csv.writer(self.stdout, lineterminator="\n")
            for row in csv_rows(comparison):
                writer.writerow(row)
        else:
            self.stdout.write(table_text(comparison))
