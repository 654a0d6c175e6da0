"""manage.py import_qdpx FILE --project NAME [--codebook-only] [--preview]."""

from __future__ import annotations

from coding.management.commands._refi import ImportCommand
from coding.refi.importer import import_qdpx


class Command(ImportCommand):
    help = (
        "Import a REFI-QDA project (.qdpx from NVivo, ATLAS.ti, MAXQDA, QualCoder, aefront) "
        "into the project with this slug or name, created if there is none."
    )
    file_help = "the .qdpx file"

    def importer(self, **kwargs):
        return import_qdpx(**kwargs)

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--codebook-only", action="store_true",
            help="import only the codes (e.g. when the archive's texts are missing)",
        )  # fmt: skip

    def extra(self, options) -> dict:
        return {"codebook_only": options["codebook_only"]}
