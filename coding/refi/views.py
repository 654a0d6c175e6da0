"""The exchange pages: the .qdpx download (authors and admins) and the import form
(project admins)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from aefront import errors
from coding.refi.export import export_project
from coding.refi.forms import ExchangeForm
from coding.refi.receive import receive, start_in_background
from interviews import access
from interviews.uploads import display_name

ADMINS = frozenset({access.Role.ADMIN})


@access.project_page(access.AUTHORING_ROLES)
def download_qdpx(request: HttpRequest, project_access: access.ProjectAccess) -> HttpResponse:
    """The project as a .qdpx; `?positions=utf16` for NVivo and QualCoder."""
    utf16 = request.GET.get("positions") == "utf16"
    exported = export_project(project=project_access.project, utf16=utf16)
    response = HttpResponse(exported.data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@access.project_page(ADMINS, methods=("GET", "POST"))
def exchange(request: HttpRequest, project_access: access.ProjectAccess) -> HttpResponse:
    """Import a .qdpx, .qdc or Taguette file into this project, or preview it."""
    oversized = getattr(request, "oversized_uploads", [])
    form = ExchangeForm(request.POST or None, request.FILES or None, oversized=oversized)
    report = None
    if request.method == "POST" and form.is_valid():
        upload, options = form.cleaned_data["file"], form.cleaned_data
        received = start_in_background if options["background"] else receive
        try:
            report = received(
                access=project_access, filename=upload.name, data=upload.read(),
                codebook_only=options["codebook_only"], preview=options["preview"],
            )  # fmt: skip
        except ValidationError as error:
            form.add_error("file", errors.sentence(error))
        if options["background"] and not form.errors:
            messages.success(request, f"{display_name(upload.name)}: importing in the background.")
            return redirect("jobs:list", project_slug=project_access.project.slug)
    context = {"project": project_access.project, "form": form, "report": report}
    status = 422 if form.errors else 200
    return render(request, "coding/refi/exchange.html", context, status=status)
