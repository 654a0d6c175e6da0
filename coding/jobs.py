"""The coding app's background jobs (aefront/jobs): the whole project as REFI-QDA, the report
in any format, an import from another tool, agreement over the whole project, and the
suggestion model's vectors. Registered in CodingConfig.ready.

And one task no member starts: `cut_passages`, a new transcript's passages, queued by
coding/hooks.py when its import commits so that the import need not wait for them."""

from __future__ import annotations

import csv
import hashlib
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


def exchange_import(job, access, progress) -> Result:
    """A .qdpx, .qdc or Taguette file stored by the exchange page, imported as a job. The
    import is one transaction, so a retry after a failure starts from nothing stored."""
    from django.core.exceptions import ValidationError

    from aefront.jobs.services import drop_job_file, job_file
    from coding.refi.receive import receive, report_text

    name = job.params.get("filename", "file")
    progress.step(0, 2, f"Reading {name}")
    data = job_file(job, name)
    progress.step(1, 2, f"Importing {name}")
    try:
        report = receive(access=access, filename=name, data=data,
                         codebook_only=bool(job.params.get("codebook_only")),
                         preview=bool(job.params.get("preview")))  # fmt: skip
    except ValidationError as error:
        raise UserError(" ".join(error.messages)) from None
    drop_job_file(job)
    progress.step(2, 2, "Imported")
    text = report_text(report).encode()
    return Result(report.headline, text, f"{job.project.slug}-import-report.txt", "text/plain")


def qdpx_params(post) -> dict:
    return {"positions": "utf16" if post.get("positions") == "utf16" else ""}


REPORT_FORMATS = ("docx", "pdf", "xlsx", "html", "md")


def report_params(post) -> dict:
    """The format, and the report's filters and options as the downloads form sends them."""
    from django.http import QueryDict

    chosen = post.get("format", "")
    if chosen not in REPORT_FORMATS:
        raise UserError(f"format: choose one of {', '.join(REPORT_FORMATS)}.")
    query = QueryDict(mutable=True)
    for name, values in post.lists():
        if name not in {"kind", "format", "csrfmiddlewaretoken"}:
            query.setlist(name, values[:20])
    return {"format": chosen, "query": query.urlencode()[:4000]}


def report_export(job, access, progress) -> Result:
    """The whole report (or its quotes) in one format, with the downloads form's filters,
    recorded as an export like a download."""
    import io

    from django.http import QueryDict

    from coding.report.authoring import finish_export, record_export
    from coding.report.exports import EXPORTERS, Source
    from coding.report.forms import report_forms

    exporter = EXPORTERS.get(job.params.get("format", ""))
    if exporter is None or exporter.key not in REPORT_FORMATS:
        raise UserError("format: this export cannot run in the background.")
    filters, options = report_forms(QueryDict(job.params.get("query", "")), job.project)
    for form in (filters, options):
        if form.is_bound and not form.is_valid():
            raise UserError(" ".join(m for e in form.errors.values() for m in e))
    source = Source(job.project, filters.filters_for(access), options.options())
    progress.step(0, 1, f"Writing the {exporter.label}")
    record = record_export(project=job.project, user=job.user, exporter=exporter, source=source)
    out = io.BytesIO()
    said = exporter.write(source, out)
    data = out.getvalue()
    finish_export(record, hashlib.sha256(data).hexdigest())
    progress.step(1, 1, "Written")
    summary = f"{exporter.label}: {said}" if said else exporter.label
    return Result(summary, data, exporter.filename(job.project), exporter.content_type)


@task()
def cut_passages(transcript_id: int) -> int:
    """The passages of a newly imported transcript; none if a reader cut them first."""
    from coding.passages import index_if_missing

    return index_if_missing(transcript_id)


def connect() -> None:
    register(Kind("qdpx", "Export as REFI-QDA (.qdpx)", AUTHORING_ROLES, export_qdpx, qdpx_params))
    register(
        Kind(
            "report_export",
            "The report, in the background",
            AUTHORING_ROLES,
            report_export,
            report_params,
        )  # fmt: skip
    )
    register(
        Kind("agreement", "Agreement over the whole project", CODING_ROLES, project_agreement)
    )
    register(Kind("embed", "Vectors for theme suggestions", CODING_ROLES, embed_project))
    register(
        Kind("exchange_import", "Import from another tool", frozenset({"admin"}), exchange_import)
    )
