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
