"""manage.py import_transcripts PROJECT FILE… — import transcript files into a project."""

from __future__ import annotations

import csv
import datetime
import io
import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from interviews.access import IMPORT_ROLES
from interviews.models import LocalSystem, Membership, Project
from interviews.parsing import ImportRejected
from interviews.parsing.core import Limits
from interviews.parsing.formats import FORMATS
from interviews.services import import_transcript
from interviews.uploads import display_name, limits_from_settings, too_large

SPEAKER_MAP_HELP = """\
A speaker map says who each spoken name is: a JSON object {"Jane Smith": "P03",
"Sam Jones": "interviewer"} or a CSV file with two columns, spoken name and pseudonym
(or "interviewer"); a header row "speaker,pseudonym" is optional. Names are matched
ignoring case and spacing. A pseudonym that does not exist yet becomes a new participant.
"""


def read_speaker_map(path: Path) -> dict[str, str]:
    """A speaker map file (JSON object or two-column CSV) → {spoken name: pseudonym}."""
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise CommandError(f"speaker map {path}: cannot be read ({error})") from None
    if path.suffix.lower() == ".json" or raw.lstrip().startswith("{"):
        try:
            loaded = json.loads(raw)
        except ValueError as error:
            raise CommandError(f"speaker map {path}: not valid JSON ({error})") from None
        if not isinstance(loaded, dict) or not all(
            isinstance(key, str) and isinstance(value, str) for key, value in loaded.items()
        ):
            raise CommandError(
                f'speaker map {path}: must be a JSON object of "spoken name": "pseudonym"'
            )
        mapping = loaded
    else:
        mapping = {}
        for number, row in enumerate(csv.reader(io.StringIO(raw)), start=1):
            cells = [cell.strip() for cell in row]
            if not any(cells):
                continue
            if len(cells) != 2 or not all(cells):
                raise CommandError(
                    f"speaker map {path}, line {number}: expected two columns, "
                    "spoken name and pseudonym"
                )
            if number == 1 and [cell.casefold() for cell in cells] == ["speaker", "pseudonym"]:
                continue
            mapping[cells[0]] = cells[1]
    cleaned = {" ".join(key.split()): value.strip() for key, value in mapping.items()}
    if any(not key or not value for key, value in cleaned.items()):
        raise CommandError(f"speaker map {path}: names and pseudonyms must not be empty")
    return cleaned


class Command(BaseCommand):
    help = (
        f"Import transcript files ({' '.join('.' + item.extension for item in FORMATS)}) "
        "into a project. Prints one line per file and exits non-zero if any file was refused."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("project", help="the project's slug")
        parser.add_argument("files", nargs="+", metavar="FILE", help="transcript files")
        parser.add_argument(
            "--system", metavar="NAME", help="local system of these interviews (created if new)"
        )
        parser.add_argument("--date", metavar="YYYY-MM-DD", help="interview date")
        parser.add_argument("--speaker-map", metavar="FILE", help=SPEAKER_MAP_HELP)
        parser.add_argument(
            "--user", metavar="USERNAME", help="the enabler importing (a member of the project)"
        )

    def handle(self, *args, **options) -> None:
        slug = options["project"]
        project = Project.objects.filter(slug=slug).first()
        if project is None:
            raise CommandError(f"unknown project {slug!r}: give a project's slug")
        interview_date = None
        if options["date"]:
            try:
                interview_date = datetime.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(
                    f"--date {options['date']!r} is not a date: use YYYY-MM-DD"
                ) from None
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"unknown user {options['user']!r}")
            if not Membership.objects.filter(
                user=user, project=project, role__in=IMPORT_ROLES
            ).exists():
                raise CommandError(
                    f"user {options['user']!r} may not import into {slug!r} "
                    "(needs the enabler or admin role)"
                )
        speaker_map = (
            read_speaker_map(Path(options["speaker_map"])) if options["speaker_map"] else None
        )
        local_system = None
        if options["system"]:
            name = " ".join(options["system"].split())
            if not name:
                raise CommandError("--system must not be empty")
            local_system = LocalSystem.objects.filter(project=project, name__iexact=name).first()
            if local_system is None:
                local_system = LocalSystem.objects.create(project=project, name=name[:200])
                self.stdout.write(f"created local system {local_system.name}")

        limits = limits_from_settings()
        refused = 0
        for raw_path in options["files"]:
            path = Path(raw_path)
            name = display_name(path.name)
            try:
                data = _read(path, limits.max_upload_bytes)
                result = import_transcript(
                    project=project,
                    filename=path.name,
                    data=data,
                    user=user,
                    local_system=local_system,
                    interview_date=interview_date,
                    speaker_map=speaker_map,
                    limits=limits,
                )
            except ImportRejected as error:
                refused += 1
                self.stdout.write(f"refused {name}: {error.reason}")
                continue
            self.stdout.write(result.summary)
            for speaker in result.speakers:
                self.stdout.write(f"  {speaker.label} → {speaker.target}")
            for note in result.notes:
                self.stdout.write(f"  note: {note}")
        total = len(options["files"])
        if refused:
            raise CommandError(f"{refused} of {total} files refused", returncode=1)


def _read(path: Path, max_bytes: int) -> bytes:
    try:
        if not path.is_file():
            raise ImportRejected("no such file" if not path.exists() else "is not a file")
        size = path.stat().st_size
        if size > max_bytes:
            raise too_large(size, Limits(max_upload_bytes=max_bytes))
        with path.open("rb") as handle:
            return handle.read(max_bytes + 1)
    except OSError as error:
        raise ImportRejected(
            f"cannot be read ({error.strerror or 'input/output error'})"
        ) from None
