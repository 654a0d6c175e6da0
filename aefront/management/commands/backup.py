"""`manage.py backup [DIRECTORY]`: the database and MEDIA_ROOT, with a sha256 manifest."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from aefront.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump on PostgreSQL, the online backup API on SQLite) and "
        "every uploaded file into a new folder under DIRECTORY, with a manifest of sha256 "
        "sums and per-table row counts. Safe while the app is in use."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "directory", type=Path, nargs="?",
            help="where the backup folder goes (default: BACKUP_DIR, else ./backups)",
        )  # fmt: skip

    def handle(self, *args, directory: Path | None, **options) -> None:
        directory = directory or Path(settings.AEFRONT_BACKUP_DIR)
        try:
            folder = backup(directory)
        except (BackupError, OSError) as error:
            raise CommandError(f"{directory}: {error}") from None
        self.stdout.write(f"backed up to {folder}")
