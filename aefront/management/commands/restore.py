"""`manage.py restore [FOLDER]`: a backup into a new, empty database and MEDIA_ROOT."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from aefront.backup import BackupError, newest_backup, restore


class Command(BaseCommand):
    help = (
        "Restore a folder written by `manage.py backup` into the configured database, which "
        "must be new and empty, and MEDIA_ROOT. Every file's sha256 is checked first, and "
        "every table's row count and checksum after."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "folder", type=Path, nargs="?",
            help="a folder `backup` wrote (default: the newest in BACKUP_DIR, else ./backups)",
        )  # fmt: skip

    def handle(self, *args, folder: Path | None, **options) -> None:
        try:
            folder = folder or newest_backup(Path(settings.AEFRONT_BACKUP_DIR))
            states = restore(folder)
        except (BackupError, OSError) as error:
            raise CommandError(str(error)) from None
        rows = sum(state.rows for state in states.values())
        self.stdout.write(
            f"restored {folder}: {len(states)} tables, {rows:,} rows, every checksum matches"
        )
