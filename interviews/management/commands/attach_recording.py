"""manage.py attach_recording PROJECT TRANSCRIPT_ID FILE — attach an interview recording."""

from __future__ import annotations

from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import ValidationError

from aefront import errors
from interviews.models import Project, Transcript
from interviews.recordings import SUPPORTED, attach_recording, format_ms


class Command(BaseCommand):
    help = f"Attach a recording ({SUPPORTED}) to a transcript, replacing any before."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("project", help="the project's slug")
        parser.add_argument("transcript_id", type=int, help="the transcript's id")
        parser.add_argument("file", type=Path, help="the recording")

    def handle(self, *args, project: str, transcript_id: int, file: Path, **options) -> None:
        found = Project.objects.filter(slug=project).first()
        if found is None:
            raise CommandError(f"no project with the slug {project!r}")
        transcript = Transcript.objects.filter(project=found, pk=transcript_id).first()
        if transcript is None:
            raise CommandError(f"project {project} has no transcript {transcript_id}")
        try:
            with file.open("rb") as handle:
                probe = attach_recording(
                    transcript=transcript, upload=File(handle), filename=file.name
                )
        except OSError as error:
            raise CommandError(f"{file}: cannot be read ({error.strerror})") from None
        except ValidationError as refused:
            raise CommandError(f"{file}: refused: {errors.sentence(refused)}") from None
        self.stdout.write(
            f"attached {file.name} to transcript {transcript.pk} ({transcript.title}): "
            f"{probe.kind.label}, {format_ms(probe.duration_ms)}"
        )
