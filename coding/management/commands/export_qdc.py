"""manage.py export_qdc PROJECT -o FILE — a project's codebook as a REFI-QDA .qdc."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from coding.management.commands._refi import project_by_slug
from coding.refi.export import export_codebook


class Command(BaseCommand):
    help = "Export a project's codebook (by slug) as a REFI-QDA codebook (.qdc)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("project", help="the project's slug")
        parser.add_argument("-o", "--output", required=True, help="the .qdc file to write")

    def handle(self, *args, **options) -> None:
        project = project_by_slug(options["project"])
        data = export_codebook(project=project)
        try:
            Path(options["output"]).write_bytes(data)
        except OSError as error:
            raise CommandError(
                f"{options['output']}: cannot be written ({error.strerror})"
            ) from None
        self.stdout.write(f"wrote {options['output']}: the codebook of {project.slug}")
