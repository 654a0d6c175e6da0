"""Files in and out of the API: a transcript upload (through the same gate and import
service as the upload page) and an export download (through the report's registry,
with its filters, and optionally one theme)."""

from __future__ import annotations

import dataclasses
import tempfile

from django.http import FileResponse, StreamingHttpResponse
from rest_framework.exceptions import ValidationError as FieldError

from aefront.errors import UserError
from coding.models import Theme
from coding.reading import blind_viewer
from coding.report.exports import EXPORTERS, Source
from coding.report.forms import ExportOptionsForm, ReportFilterForm
from interviews import access
from interviews.models import LocalSystem, Transcript
from interviews.parsing import ImportRejected
from interviews.services import import_transcript
from interviews.uploads import display_name, http_status, limits_from_settings, too_large


def import_upload(request, project_access: access.ProjectAccess, upload, system_id) -> Transcript:
    oversized = getattr(request, "oversized_uploads", [])
    if oversized:
        reason = too_large(None, limits_from_settings()).reason
        raise UserError(f"{oversized[0]}: {reason}", status=413)
    system = None
    if system_id is not None:
        system = access.get_in_project(
            project_access, LocalSystem.objects.all(), system_id, what="local system"
        )
    name = display_name(upload.name)
    try:
        result = import_transcript(
            project=project_access.project,
            filename=upload.name,
            data=upload.read(),
            user=request.user,
            local_system=system,
        )
    except ImportRejected as refused:
        raise UserError(f"{name}: {refused.reason}", status=http_status(refused)) from None
    return result.transcript


def export_response(request, project_access: access.ProjectAccess, fmt: str, theme: Theme | None):
    project = project_access.project
    params = request.query_params
    filters = ReportFilterForm(
        params if any(name in params for name in ReportFilterForm.FIELDS) else None,
        project=project,
    )
    options = ExportOptionsForm(
        params if any(name in params for name in ExportOptionsForm.FIELDS) else None
    )
    for form in (filters, options):
        if form.is_bound and not form.is_valid():
            raise FieldError({name: list(texts) for name, texts in form.errors.items()})
    exporter = EXPORTERS[fmt]
    if theme is not None and exporter.holds != "quotes":
        raise FieldError({"theme": ["One theme's quotes come as csv or xlsx."]})
    source = Source(
        project,
        dataclasses.replace(filters.filters(), viewer_id=blind_viewer(project_access)),
        options.options(),
        theme_ids=None if theme is None else frozenset({theme.pk}),
    )
    filename = exporter.filename(project)
    if exporter.stream is not None:
        response = StreamingHttpResponse(
            exporter.stream(source), content_type=exporter.content_type
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    else:
        spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
        exporter.write(source, spool)
        spool.seek(0)
        response = FileResponse(
            spool, as_attachment=True, filename=filename, content_type=exporter.content_type
        )
    response["Cache-Control"] = "no-store"
    return response
