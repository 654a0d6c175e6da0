"""manage.py import_qdc FILE --project SLUG [--preview] — merge a .qdc codebook."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand

from coding.management.commands._refi import project_by_slug, read_file, refused
from coding.refi.codebook import import_codebook


class Command(BaseCommand):
    help = (
        "Merge a REFI-QDA codebook (.qdc, from NVivo, ATLAS.ti, MAXQDA, QualCoder or "
        "Taguette) into a project's themes. --preview (a dry run) shows what would be "
        "added, renamed and merged, and stores nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="the .qdc file")
        parser.add_argument("--project", required=True, help="the project's slug")
        parser.add_argument("--preview", "--dry-run", action="store_true",
                            help="show the changes, store nothing")  # fmt: skip

    def handle(self, *args, **options) -> None:
        project = project_by_slug(options["project"])
        data = read_file(options["file"], 10 * 1024 * 1024)
        try:
            result = import_codebook(project=project, data=data,
                                     label=Path(options["file"]).name,
                                     preview=options["preview"])  # fmt: skip
        except ValidationError as error:
            raise refused(error) from None
        verb = "would change" if result.preview else "changed"
        self.stdout.write(f"{Path(options['file']).name} {verb} {project.slug}: "
                          f"{result.plan.summary}")  # fmt: skip
        for step in result.plan.steps:
            if step.action != "unchanged":
                self.stdout.write(f"  {step.describe()}")
        for note in result.plan.notes:
            self.stdout.write(f"  note: {note}")
