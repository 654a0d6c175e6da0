"""Many transcripts at once, in the background: a .zip of transcript files becomes a job
(aefront/jobs). The request only checks the archive and stores it; the worker imports its
files one by one with progress, and the job's file is a CSV saying what became of each.

A retry imports the archive again from the start: files already imported are found by
their content (import_transcript refuses a duplicate) and listed as already in the
project, so nothing is stored twice.
"""

from __future__ import annotations

import csv
import io
import posixpath
import zipfile

from django.urls import reverse

from aefront.cells import neutralise
from aefront.errors import UserError
from aefront.jobs.kinds import Kind, Result, register
from aefront.jobs.models import Job
from aefront.jobs.services import drop_job_file, job_file, start_job_on_file
from interviews.access import IMPORT_ROLES, ProjectAccess
from interviews.models import LocalSystem
from interviews.parsing.core import ImportRejected
from interviews.services import import_transcript
from interviews.uploads import display_name, format_size, limits_from_settings

KIND = "import_archive"
MAX_FILES = 500
SKIPPED_NAMES = ("__MACOSX/", ".DS_Store", "Thumbs.db")


def _wanted(entry: zipfile.ZipInfo) -> bool:
    name = entry.filename
    base = posixpath.basename(name)
    return not (entry.is_dir() or name.startswith(SKIPPED_NAMES) or base.startswith((".", "~$")))


def archive_files(data: bytes, name: str) -> tuple[zipfile.ZipFile, list[zipfile.ZipInfo]]:
    """The archive and its transcript files, or UserError naming the archive and why."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = [entry for entry in archive.infolist() if _wanted(entry)]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError):
        raise UserError(f"{name}: not a .zip archive, or a damaged one.") from None
    if not entries:
        raise UserError(f"{name}: holds no files to import.")
    if len(entries) > MAX_FILES:
        raise UserError(f"{name}: holds {len(entries)} files; at most {MAX_FILES} at a time.")
    if any(entry.flag_bits & 0x1 for entry in entries):
        raise UserError(f"{name}: is password-protected; zip the files without a password.")
    return archive, entries


def start(*, access: ProjectAccess, upload, local_system: LocalSystem | None) -> Job:
    """Check and store the archive, and queue its import."""
    name = display_name(upload.name)
    data = upload.read()
    _archive, entries = archive_files(data, name)
    params = {"archive": name, "files": len(entries),
              "local_system": local_system.pk if local_system else None}  # fmt: skip
    return start_job_on_file(access=access, kind=KIND, data=data, params=params,
                             summary=f"{name}: {len(entries)} files")  # fmt: skip


def import_archive(job: Job, access: ProjectAccess, progress) -> Result:
    name = job.params.get("archive", "archive")
    data = job_file(job, name)
    archive, entries = archive_files(data, name)
    system = LocalSystem.objects.filter(
        project=job.project, pk=job.params.get("local_system") or 0
    ).first()
    limit = limits_from_settings().max_upload_bytes
    rows = []
    for number, entry in enumerate(entries):
        progress.step(number, len(entries), f"Importing {entry.filename}")
        rows.append(_import_entry(job, archive, entry, system, limit))
    progress.step(len(entries), len(entries), "Imported")
    drop_job_file(job)
    counts = {outcome: sum(row[1] == outcome for row in rows) for outcome in OUTCOMES}
    said = ", ".join(f"{n} {outcome}" for outcome, n in counts.items() if n)
    return Result(f"{name}: {said}", _report(rows), f"{job.project.slug}-import.csv", "text/csv")


OUTCOMES = ("imported", "already in the project", "refused")


def _import_entry(job, archive, entry, system, limit) -> tuple[str, str, str, str]:
    """(file, outcome, message, link) for one file of the archive."""
    filename = posixpath.basename(entry.filename)
    with archive.open(entry) as member:
        content = member.read(limit + 1)  # bounded, whatever the header claims
    if len(content) > limit:
        return (entry.filename, "refused", f"{filename}: larger than {format_size(limit)}", "")
    try:
        result = import_transcript(
            project=job.project, filename=filename, data=content, user=job.user,
            local_system=system,
        )  # fmt: skip
    except ImportRejected as refused:
        outcome = "already in the project" if refused.code == "duplicate" else "refused"
        return (entry.filename, outcome, f"{filename}: {refused.reason}", "")
    link = reverse("imports:review", args=[job.project.slug, result.transcript.pk])
    return (entry.filename, "imported", result.summary, link)


def _report(rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["file", "outcome", "message", "speaker review"])
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return ("\ufeff" + out.getvalue()).encode()


def connect() -> None:
    register(Kind(KIND, "Import a .zip of transcripts", IMPORT_ROLES, import_archive))
