"""Helpers shared by the REFI-QDA commands: reading a file, finding a project or a user,
printing a report."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from aefront import errors
from interviews.models import Project


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
