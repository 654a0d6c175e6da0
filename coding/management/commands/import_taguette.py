"""manage.py import_taguette FILE --project NAME — a Taguette .sqlite3 project file."""

from __future__ import annotations

from coding.management.commands._refi import ImportCommand
from coding.refi.taguette import import_taguette


class Command(ImportCommand):
    help = (
        "Import a Taguette project file (.sqlite3): documents, highlights and tags, into "
        "the project with this slug or name, created if there is none."
    )
    file_help = "Taguette's .sqlite3 project file"

    def importer(self, **kwargs):
        return import_taguette(**kwargs)

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--taguette-project", type=int, help="its id, if the file has many")

    def extra(self, options) -> dict:
        return {"taguette_project": options["taguette_project"]}
