"""manage.py import_taguette FILE --project NAME — a Taguette .sqlite3 project file."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand

from coding.management.commands._refi import print_report, read_file, refused, user_named
from coding.refi.taguette import import_taguette
from interviews.uploads import limits_from_settings


class Command(BaseCommand):
    help = (
        "Import a Taguette project file (.sqlite3): documents, highlights and tags, into "
        "the project with this slug or name, created if there is none."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="Taguette's .sqlite3 project file")
        parser.add_argument("--project", required=True, help="slug or name of the project")
        parser.add_argument("--as", dest="user", help="username recorded as the importer")
        parser.add_argument("--taguette-project", type=int, help="its id, if the file has many")
        parser.add_argument("--preview", action="store_true", help="store nothing; report")

    def handle(self, *args, **options) -> None:
        data = read_file(options["file"], limits_from_settings().max_upload_bytes)
        try:
            report = import_taguette(
                data=data, label=Path(options["file"]).name, project_name=options["project"],
                user=user_named(options["user"]), preview=options["preview"],
                taguette_project=options["taguette_project"],
            )  # fmt: skip
        except ValidationError as error:
            raise refused(error) from None
        print_report(self, report)
