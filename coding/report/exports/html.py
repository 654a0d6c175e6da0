"""The report as a printable, self-contained HTML page, with the same content as the DOCX.

It comes from a Django template, so every value is escaped.
"""

from __future__ import annotations

from django.template.loader import render_to_string

from coding.report.exports.rows import Report


def render_html(report: Report) -> str:
    return render_to_string("coding/report/export.html", {"report": report})
