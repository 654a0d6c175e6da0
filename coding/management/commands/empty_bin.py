"""manage.py empty_bin: purge what has been in the bin for longer than BIN_DAYS (cron-safe)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from coding.bin import bin_days, empty_bin


class Command(BaseCommand):
    help = (
        "Delete for good the quotes and transcripts that have been in the bin for longer "
        "than BIN_DAYS (30 by default), recording each purge in the audit trail. Safe to "
        "run from cron: it does nothing when nothing is due."
    )

    def handle(self, *args, **options) -> None:
        transcripts, quotes = empty_bin()
        self.stdout.write(
            f"Purged {transcripts} transcript{'s' if transcripts != 1 else ''} and {quotes} "
            f"quote{'s' if quotes != 1 else ''} older than {bin_days()} days."
        )
