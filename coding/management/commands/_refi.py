"""Helpers shared by the REFI-QDA commands: reading a file, finding a project or a user,
printing a report."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from aefront import errors
from interviews.models import Project
from interviews.uploads import limits_from_settings


def read_file(path: str, limit: int) -> bytes:
    file = Path(path)
    try:
        size = file.stat().st_size
        if size > limit:
            raise CommandError(f"{file.name}: too large ({size:,} bytes; the limit is {limit:,})")
        return file.read_bytes()
    except OSError as error:
        raise CommandError(f"{path}: cannot be read ({error.strerror})") from None


def project_by_slug(slug: str) -> Project:
    project = Project.objects.filter(slug=slug).first()
    if project is None:
        raise CommandError(f"No project with the slug {slug!r}.")
    return project


def user_named(username: str | None):
    if not username:
        return None
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"No user called {username!r}.")
    return user


def print_report(command, report) -> None:
    command.stdout.write(report.headline)
    for line in report.came_in:
        command.stdout.write(f"  in: {line}")
    for line in report.skipped:
        command.stdout.write(f"  skipped: {line}")
    for line in report.notes:
        command.stdout.write(f"  note: {line}")


def refused(error) -> CommandError:
    return CommandError(errors.sentence(error))


class ImportCommand(BaseCommand):
    """`manage.py import_<tool> FILE --project NAME [--as USER] [--preview]`: reads the file
    within the upload limit, calls `importer(data=…, label=…, project_name=…, user=…,
    preview=…, **extra(options))` and prints its report; a refusal exits 1 with it."""

    file_help = "the file"

    def importer(self, **kwargs):
        raise NotImplementedError

    def extra(self, options) -> dict:
        return {}

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help=self.file_help)
        parser.add_argument("--project", required=True, help="slug or name of the project")
        parser.add_argument("--as", dest="user", help="username recorded as the importer")
        parser.add_argument("--preview", action="store_true", help="store nothing; report")

    def handle(self, *args, **options) -> None:
        data = read_file(options["file"], limits_from_settings().max_upload_bytes)
        try:
            report = self.importer(
                data=data, label=Path(options["file"]).name, project_name=options["project"],
                user=user_named(options["user"]), preview=options["preview"],
                **self.extra(options),
            )  # fmt: skip
        except ValidationError as error:
            raise refused(error) from None
        print_report(self, report)
