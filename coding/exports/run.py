"""One entry point for every export format, used by the download views and the command."""

from __future__ import annotations

from typing import BinaryIO

from django.utils import timezone

from coding.exports.csv_xlsx import csv_chunks, write_xlsx
from coding.exports.docx import write_docx
from coding.exports.markdown_html import render_html, render_markdown
from coding.exports.rows import ExportOptions, build_report, quote_rows
from coding.summaries import Filters
from interviews.models import Project

CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMATS = tuple(CONTENT_TYPES)
FORMAT_LABELS = {
    "docx": "Word (DOCX)",
    "md": "Markdown",
    "html": "Printable HTML",
    "csv": "Quotes (CSV)",
    "xlsx": "Quotes (XLSX)",
}
QUOTE_FORMATS = frozenset({"csv", "xlsx"})


def export_filename(project: Project, fmt: str) -> str:
    kind = "quotes" if fmt in QUOTE_FORMATS else "report"
    return f"{project.slug}-{kind}-{timezone.localdate():%Y-%m-%d}.{fmt}"


def write_export(
    *, project: Project, fmt: str, filters: Filters, options: ExportOptions, out: BinaryIO
) -> str:
    """Write the export to a binary file; returns a one-line description of what was written."""
    if fmt not in CONTENT_TYPES:
        raise ValueError(f"Unknown format {fmt!r}: choose one of {', '.join(FORMATS)}.")
    if fmt == "csv":
        rows = 0
        for chunk in csv_chunks(quote_rows(project=project, filters=filters, options=options)):
            out.write(chunk.encode("utf-8"))
            rows += chunk.count("\r\n")
        return f"{max(rows - 1, 0)} quote rows"
    if fmt == "xlsx":
        rows = write_xlsx(quote_rows(project=project, filters=filters, options=options), out)
        return f"{rows} quote rows"
    report = build_report(project=project, filters=filters, options=options)
    if fmt == "docx":
        write_docx(report, out)
    elif fmt == "md":
        out.write(render_markdown(report).encode("utf-8"))
    else:
        out.write(render_html(report).encode("utf-8"))
    quotes = sum(len(section.quotes) for section in report.sections)
    return f"{len(report.sections)} themes, {quotes} headline quotes"
