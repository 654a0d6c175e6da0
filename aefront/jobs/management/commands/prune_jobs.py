"""`manage.py prune_jobs`: delete the files of jobs that finished over 24 hours ago."""

from django.core.management.base import BaseCommand

from aefront.jobs.services import prune_expired


class Command(BaseCommand):
    help = "Delete the result files of background jobs that finished more than 24 hours ago."

    def handle(self, *args, **options) -> None:
        self.stdout.write(f"{prune_expired()} job files deleted")
