"""The export formats, described in one registry.

Each format declares its label, content type, file extension and writer here; the
`export_report` command's `--format` choices, the download buttons, the format form
and the preview read `EXPORTERS`. Every writer is fed by the same rows (`rows.py`):
`build_report()` for the report formats, `quote_rows()` for the tabular ones. To add
a format: a module beside this one with its writer, and one `Exporter` below.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from django.utils import timezone

from coding.report.exports import csv, docx, html, markdown, xlsx
from coding.report.exports.rows import (
    ExportOptions,
    Report,
    build_report,
    quote_rows,
    summary_table,
)
from coding.report.summaries import Filters
from interviews.models import Project


@dataclass(frozen=True)
class Source:
    """What one export is made of: the project, the report's filters and the options.

    Not `final`, the report is a draft: it carries the identifier review's watermark.
    """

    project: Project
    filters: Filters
    options: ExportOptions
    final: bool = False
    theme_ids: frozenset[int] | None = None  # the tables only: these themes' quotes

    def report(self) -> Report:
        report = build_report(project=self.project, filters=self.filters, options=self.options)
        if not self.final:
            from coding.report.review import draft_notice, identifier_review

            report.draft_notice = draft_notice(identifier_review(report))
        return report

    def quote_rows(self) -> Iterator[list[str]]:
        return quote_rows(
            project=self.project,
            filters=self.filters,
            options=self.options,
            theme_ids=self.theme_ids,
        )


@dataclass(frozen=True)
class Exporter:
    """One format. `write` puts the file in `out` and says what it wrote; `stream`, if
    set, yields the same bytes for a streamed download (flat memory); `render`, for the
    report formats, writes a report already built (the signed-off final)."""

    key: str
    label: str
    content_type: str
    extension: str
    holds: str  # "report" or "quotes": the middle of the file name
    write: Callable[[Source, BinaryIO], str]
    stream: Callable[[Source], Iterator[bytes]] | None = None
    render: Callable[[Report, BinaryIO], None] | None = None

    def filename(self, project: Project) -> str:
        return f"{project.slug}-{self.holds}-{timezone.localdate():%Y-%m-%d}.{self.extension}"

    def write_report(self, report: Report, out: BinaryIO) -> None:
        if self.render is None:
            raise ValueError(f"{self.label} is not a report format.")
        self.render(report, out)


def _report_summary(report: Report) -> str:
    quotes = sum(len(section.quotes) for section in report.sections)
    return f"{len(report.sections)} themes, {quotes} headline quotes"


def _render_docx(report: Report, out: BinaryIO) -> None:
    docx.write_docx(report, out)


# The renderers are looked up on each call (not bound here), so they can be replaced in tests.
def _render_markdown(report: Report, out: BinaryIO) -> None:
    out.write(markdown.render_markdown(report).encode("utf-8"))


def _render_html(report: Report, out: BinaryIO) -> None:
    out.write(html.render_html(report).encode("utf-8"))


def _render_pdf(report: Report, out: BinaryIO) -> None:
    from coding.report.exports import pdf  # reportlab and Pillow: 12 MiB, loaded on use

    pdf.write_pdf(report, out)


def _report_writer(
    render: Callable[[Report, BinaryIO], None],
) -> Callable[[Source, BinaryIO], str]:
    def write(source: Source, out: BinaryIO) -> str:
        report = source.report()
        render(report, out)
        return _report_summary(report)

    return write


def _stream_csv(source: Source) -> Iterator[bytes]:
    return csv.csv_bytes(source.quote_rows())


def _write_csv(source: Source, out: BinaryIO) -> str:
    lines = 0
    for chunk in _stream_csv(source):
        out.write(chunk)
        lines += chunk.count(b"\r\n")
    return f"{max(lines - 1, 0)} quote rows"


def _write_xlsx(source: Source, out: BinaryIO) -> str:
    summary = summary_table(project=source.project, filters=source.filters)
    return f"{xlsx.write_xlsx(source.quote_rows(), out, summary=summary)} quote rows"


OFFICE = "application/vnd.openxmlformats-officedocument"
EXPORTERS: dict[str, Exporter] = {
    exporter.key: exporter
    for exporter in (
        Exporter("docx", "Word (DOCX)", f"{OFFICE}.wordprocessingml.document", "docx",
                 "report", _report_writer(_render_docx), render=_render_docx),
        Exporter("md", "Markdown", "text/markdown; charset=utf-8", "md",
                 "report", _report_writer(_render_markdown), render=_render_markdown),
        Exporter("html", "Printable HTML", "text/html; charset=utf-8", "html",
                 "report", _report_writer(_render_html), render=_render_html),
        Exporter("pdf", "PDF", "application/pdf", "pdf",
                 "report", _report_writer(_render_pdf), render=_render_pdf),
        Exporter("csv", "Quotes (CSV)", "text/csv; charset=utf-8", "csv",
                 "quotes", _write_csv, _stream_csv),
        Exporter("xlsx", "Quotes (XLSX)", f"{OFFICE}.spreadsheetml.sheet", "xlsx",
                 "quotes", _write_xlsx),
    )
}  # fmt: skip
FORMATS = tuple(EXPORTERS)


def sha256_of(spool: BinaryIO) -> str:
    """The SHA-256 of a written file, read from its start; leaves it at its start."""
    spool.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: spool.read(65536), b""):
        digest.update(chunk)
    spool.seek(0)
    return digest.hexdigest()


PREVIEW_ROWS = 20


def spreadsheet_preview(source: Source, summary=None) -> dict[str, list[list[str]]]:
    """The XLSX's sheets (the CSV is its Quotes sheet) as the download writes them: the
    header and the first rows, from the same row builders."""
    from itertools import islice

    return {
        "Summary": summary_table(project=source.project, filters=source.filters, summary=summary),
        "Quotes": list(islice(source.quote_rows(), PREVIEW_ROWS + 1)),
    }


def format_choices() -> list[tuple[str, str]]:
    return [(exporter.key, exporter.label) for exporter in EXPORTERS.values()]


def write_export(
    *,
    project: Project,
    fmt: str,
    filters: Filters,
    options: ExportOptions,
    out: BinaryIO,
    final: bool = False,
) -> str:
    """Write one export to a binary file; returns a one-line description of what it holds.

    Report formats are drafts (watermarked) unless `final`; the signed-off final goes
    through `review.sign_off`, which checks the review and records the file's hash.
    """
    exporter = EXPORTERS.get(fmt)
    if exporter is None:
        raise ValueError(f"Unknown format {fmt!r}: choose one of {', '.join(FORMATS)}.")
    return exporter.write(Source(project, filters, options, final), out)
