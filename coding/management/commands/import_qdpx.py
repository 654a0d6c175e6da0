"""manage.py import_qdpx FILE --project NAME [--codebook-only] [--preview]."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand

from coding.management.commands._refi import print_report, read_file, refused, user_named
from coding.refi.importer import import_qdpx
from interviews.uploads import limits_from_settings


class Command(BaseCommand):
    help = (
        "Import a REFI-QDA project (.qdpx from NVivo, ATLAS.ti, MAXQDA, QualCoder, aefront) "
        "into the project with this slug or name, created if there is none."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="the .qdpx file")
        parser.add_argument("--project", required=True, help="slug or name of the project")
        parser.add_argument("--as", dest="user", help="username recorded as the importer")
        parser.add_argument(
            "--codebook-only", action="store_true",
            help="import only the codes (e.g. when the archive's texts are missing)",
        )  # fmt: skip
        parser.add_argument("--preview", action="store_true", help="store nothing; report")

    def handle(self, *args, **options) -> None:
        data = read_file(options["file"], limits_from_settings().max_upload_bytes)
        try:
            report = import_qdpx(
                data=data, label=Path(options["file"]).name, project_name=options["project"],
                user=user_named(options["user"]), codebook_only=options["codebook_only"],
                preview=options["preview"],
            )  # fmt: skip
        except ValidationError as error:
            raise refused(error) from None
        print_report(self, report)
