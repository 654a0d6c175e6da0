"""Django admin helpers for the theme list: the CSV export action.

ThemeAdmin registers `export_quotes_csv` in its `actions`. The file has every live
quote (cleared or not) of the selected themes, one row per quote and theme, redacted
like every export, with pseudonyms and system names (the admin is working inside the
team, not publishing). Themes of projects the user does not administer are ignored.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone

from coding.models import Theme
from coding.report.exports import EXPORTERS
from coding.report.exports.csv import csv_bytes
from coding.report.exports.rows import ExportOptions, quote_rows
from interviews.access import admin_project_ids
from interviews.models import Project

# The admin's working copy: every column, memos included (redacted like the quotes).
ADMIN_OPTIONS = ExportOptions(
    all_quotes=True, with_pseudonyms=True, with_systems=True, with_memos=True
)


def selected_rows(themes: QuerySet[Theme]) -> Iterator[list[str]]:
    """A 'project' column, then the usual quote columns, for every selected theme."""
    yield ["project", *ADMIN_OPTIONS.columns]
    by_project: dict[int, set[int]] = {}
    for theme_id, project_id in themes.values_list("pk", "project_id"):
        by_project.setdefault(project_id, set()).add(theme_id)
    for project in Project.objects.filter(pk__in=by_project).order_by("slug"):
        rows = quote_rows(project=project, options=ADMIN_OPTIONS, theme_ids=by_project[project.pk])
        next(rows)  # each project's header
        for row in rows:
            yield [project.slug, *row]


@admin.action(description="Export the selected themes' quotes as CSV")
def export_quotes_csv(modeladmin, request: HttpRequest, queryset: QuerySet[Theme]):
    allowed = admin_project_ids(request.user)
    themes = queryset if allowed is None else queryset.filter(project_id__in=allowed)
    response = StreamingHttpResponse(
        csv_bytes(selected_rows(themes)), content_type=EXPORTERS["csv"].content_type
    )
    filename = f"theme-quotes-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
