"""The coding app's background jobs (aefront/jobs): the whole project as REFI-QDA, agreement
over the whole project, and the suggestion model's vectors. Registered in CodingConfig.ready.

And one task no member starts: `cut_passages`, a new transcript's passages, queued by
coding/hooks.py when its import commits so that the import need not wait for them."""

from __future__ import annotations

import csv
import io

from django_tasks import task

from aefront.errors import UserError
from aefront.jobs.kinds import Kind, Result, register
from interviews.access import AUTHORING_ROLES, CODING_ROLES


def export_qdpx(job, access, progress) -> Result:
    from coding.refi.export import export_project

    progress.step(0, 1, "Writing the archive")
    exported = export_project(project=job.project, utf16=job.params.get("positions") == "utf16")
    progress.step(1, 1, "Archive written")
    said = (
        f"{exported.transcripts} transcripts, {exported.quotes} quotes, {exported.themes} themes"
    )
    return Result(said + "".join(f"; {w}" for w in exported.warnings), exported.data,
                  exported.filename, "application/zip")  # fmt: skip


def project_agreement(job, access, progress) -> Result:
    from django.contrib.auth import get_user_model

    from coding.agreement import compare, csv_rows, round_coders
    from coding.models import Quote
    from coding.reading import blind_viewer

    # Everyone assigned to a round; without rounds, everyone who has coded.
    coders = round_coders(job.project) or list(
        get_user_model()
        .objects.filter(
            pk__in=Quote.objects.filter(transcript__project=job.project).values("coder_id")
        )
        .order_by("username")
    )
    if len(coders) < 2:
        raise UserError("Agreement needs two coders who coded the same transcripts.")
    progress.step(0, 1, f"Comparing {len(coders)} coders")
    comparison = compare(project=job.project, coders=coders, viewer=blind_viewer(access))
    out = io.StringIO()
    writer = csv.writer(out)
    for row in csv_rows(comparison):
        writer.writerow(row)
    progress.step(1, 1, "Compared")
    return Result(f"{len(coders)} coders compared", ("\ufeff" + out.getvalue()).encode(),
                  f"{job.project.slug}-agreement.csv", "text/csv")  # fmt: skip


def embed_project(job, access, progress) -> Result:
    from coding import embeddings
    from coding.passages import index_missing

    if embeddings.backend_name() != "model":
        return Result("The lexical ranking is in use: it needs no vectors.")
    progress.step(0, 3, "Cutting passages")
    index_missing(job.project.pk)
    progress.step(1, 3, "Embedding quotes")
    quotes = embeddings.embed_quotes(project_id=job.project.pk)
    progress.step(2, 3, "Embedding passages")
    passages = embeddings.embed_passages(project_id=job.project.pk)
    return Result(f"{quotes} quotes and {passages} passages embedded")


@task()
def cut_passages(transcript_id: int) -> int:
    """The passages of a newly imported transcript; none if a reader cut them first."""
    from coding.passages import index_if_missing

    return index_if_missing(transcript_id)


def connect() -> None:
    register(Kind("qdpx", "Export as REFI-QDA (.qdpx)", AUTHORING_ROLES, export_qdpx))
    register(
        Kind("agreement", "Agreement over the whole project", CODING_ROLES, project_agreement)
    )
    register(Kind("embed", "Vectors for theme suggestions", CODING_ROLES, embed_project))
