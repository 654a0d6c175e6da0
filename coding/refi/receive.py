"""The upload form's one service: a .qdpx, .qdc or Taguette .sqlite3 into a project,
dispatched by the file's extension, with one `Report` whatever the kind."""

from __future__ import annotations

from coding.refi.codebook import import_codebook
from coding.refi.importer import Report, import_qdpx
from coding.refi.qde import RefiError
from coding.refi.taguette import import_taguette
from interviews.access import ProjectAccess
from interviews.uploads import display_name

KINDS = {
    "qdpx": "REFI-QDA project",
    "qdc": "REFI-QDA codebook",
    "sqlite3": "Taguette project",
    "sqlite": "Taguette project",
}


def kind_of(filename: str) -> str:
    stem, dot, extension = display_name(filename).rpartition(".")
    extension = extension.lower() if dot and stem else ""
    if extension not in KINDS:
        raise RefiError(
            f"{display_name(filename)}: choose a .qdpx project, a .qdc codebook or a "
            "Taguette .sqlite3 project file"
        )
    return extension


def receive(
    *, access: ProjectAccess, filename: str, data: bytes, codebook_only: bool, preview: bool
) -> Report:
    """Import one uploaded file into the accessed project (its admins only)."""
    access.require(frozenset({"admin"}), "importing projects")
    kind, label = kind_of(filename), display_name(filename)
    if kind == "qdpx":
        return import_qdpx(data=data, label=label, project=access.project, user=access.user,
                           codebook_only=codebook_only, preview=preview)  # fmt: skip
    if kind == "qdc":
        result = import_codebook(project=access.project, data=data, label=label,
                                 preview=preview)  # fmt: skip
        report = Report(label=label, project=access.project, preview=preview)
        report.counts["themes"] = result.plan.count("added")
        report.came_in = [step.describe() for step in result.plan.steps]
        report.notes = [f"codebook: {result.plan.summary}", *result.plan.notes]
        return report
    return import_taguette(data=data, label=label, project=access.project, user=access.user,
                           preview=preview)  # fmt: skip


def start_in_background(
    *, access: ProjectAccess, filename: str, data: bytes, codebook_only: bool, preview: bool
):
    """Store the file and queue its import (the job kind "exchange_import", coding/jobs.py);
    its kind is checked now, so a wrong file is refused on the page."""
    from aefront.jobs.services import start_job_on_file

    access.require(frozenset({"admin"}), "importing projects")
    kind_of(filename)
    name = display_name(filename)
    params = {"filename": name, "codebook_only": codebook_only, "preview": preview}
    return start_job_on_file(access=access, kind="exchange_import", data=data, params=params,
                             summary=name)  # fmt: skip


def report_text(report: Report) -> str:
    """The report as the exchange page shows it, as plain text (a job's file)."""
    lines = [report.headline, ""]
    for title, items in (("What came in", report.came_in),
                         ("What was skipped, and why", report.skipped), ("Notes", report.notes)):  # fmt: skip
        if items:
            lines += [title, *(f"- {item}" for item in items), ""]
    return "\n".join(lines)
