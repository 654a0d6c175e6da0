"""manage.py export_qdpx PROJECT -o FILE [--utf16] — a project as a REFI-QDA .qdpx."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from coding.management.commands._refi import project_by_slug
from coding.refi.export import export_project


class Command(BaseCommand):
    help = "Export a project (by slug) as a REFI-QDA project file (.qdpx)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("project", help="the project's slug")
        parser.add_argument("-o", "--output", required=True, help="the .qdpx file to write")
        parser.add_argument(
            "--utf16", action="store_true",
            help="write positions in UTF-16 units (what NVivo and QualCoder count)",
        )  # fmt: skip

    def handle(self, *args, **options) -> None:
        project = project_by_slug(options["project"])
        exported = export_project(project=project, utf16=options["utf16"])
        try:
            Path(options["output"]).write_bytes(exported.data)
        except OSError as error:
            raise CommandError(
                f"{options['output']}: cannot be written ({error.strerror})"
            ) from None
        self.stdout.write(
            f"wrote {options['output']}: {exported.transcripts} transcripts, "
            f"{exported.quotes} quotes, {exported.themes} themes"
        )
        for warning in exported.warnings:
            self.stdout.write(f"  note: {warning}")
