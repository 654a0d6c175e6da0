"""Report pages: summary, theme workspace, preview, redaction list and downloads.

Who may do what (loaded through interviews.access):
- every member (enabler, author, admin) may read the summary page and theme pages;
- authors and admins write (narratives, headline quotes, clearance, report order,
  redaction list) and see the preview and the downloads, which take data out;
- non-members get 404, anonymous users the login page.
"""

from __future__ import annotations

import tempfile
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.urls import reverse

from coding import authoring
from coding.exports.csv_xlsx import csv_chunks
from coding.exports.rows import build_report, quote_rows
from coding.exports.run import CONTENT_TYPES, FORMAT_LABELS, export_filename, write_export
from coding.models import RedactionTerm
from coding.report_charts import charts
from coding.report_forms import (
    ClearanceForm,
    ExportFormatForm,
    ExportOptionsForm,
    HeadlineForm,
    NarrativeForm,
    RedactionTermForm,
    ReportFilterForm,
    ReportOrderForm,
)
from coding.report_table import theme_table_body
from coding.summaries import sort_rows, summarise, theme_workspace
from interviews import access
from interviews.models import Participant

ALL = access.ALL_ROLES
AUTHORS = access.AUTHORING_ROLES


# Access is checked before the method, so that an outsider gets 404 for any method.


def _messages_of(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [
            (text if field == "__all__" else f"{field}: {text}")
            for field, texts in error.message_dict.items()
            for text in texts
        ]
    return list(error.messages)


def _form_errors(form) -> list[str]:
    return [
        f"{form.fields[name].label if name in form.fields else name}: {error}"
        if name != "__all__"
        else str(error)
        for name, errors in form.errors.items()
        for error in errors
    ]


def _filter_query(request: HttpRequest, names: tuple[str, ...]) -> dict[str, str]:
    return {name: request.GET[name] for name in names if request.GET.get(name)}


def _filter_forms(request: HttpRequest, project):
    bound = any(name in request.GET for name in ReportFilterForm.FIELDS)
    form = ReportFilterForm(request.GET if bound else None, project=project)
    options = ExportOptionsForm(
        request.GET if any(n in request.GET for n in ExportOptionsForm.FIELDS) else None
    )
    return form, options


# --- summary ---------------------------------------------------------------------------


SORTABLE = (
    ("theme", "Theme"),
    ("quotes", "Quotes"),
    ("interviews", "Interviews"),
    ("participants", "Participants"),
    ("systems", "Local systems"),
)


def _sort_headers(request, summary, current: str) -> list[dict]:
    base = _filter_query(request, ReportFilterForm.FIELDS)
    columns = list(SORTABLE) + [(f"org:{value}", label) for value, label in summary.org_types]
    headers = []
    for key, label in columns:
        active = current.lstrip("-") == key
        descending = current.startswith("-")
        # First click on a count sorts high to low; the theme column starts in tree order.
        if active:
            target = key if descending else f"-{key}"
        else:
            target = key if key == "theme" else f"-{key}"
        direction = ("descending" if descending else "ascending") if active else ""
        headers.append(
            {
                "key": key,
                "label": label,
                "url": "?" + urlencode({**base, "sort": target}),
                "aria_sort": direction,
                "is_org": key.startswith("org:"),
            }
        )
    return headers


def summary_page(request: HttpRequest, project_slug: str) -> HttpResponse:
    project_access = access.get_project_access(request.user, project_slug, ALL)
    if request.method not in ("GET",):
        return HttpResponseNotAllowed(["GET"])
    project = project_access.project
    form, options_form = _filter_forms(request, project)
    status = 200
    if form.is_bound and not form.is_valid():
        status = 400
    summary = summarise(project, form.filters())
    rows, sort = sort_rows(summary.rows, request.GET.get("sort", "theme"))
    flat = sort.lstrip("-") != "theme"
    table_body = theme_table_body(
        rows,
        summary.totals,
        [value for value, _ in summary.org_types],
        project_slug=project.slug,
        flat=flat,
    )
    filter_query = urlencode(_filter_query(request, ReportFilterForm.FIELDS))
    context = {
        "access": project_access,
        "project": project,
        "form": form,
        "options_form": options_form,
        "summary": summary,
        "table_body": table_body,
        "sort": sort,
        "headers": _sort_headers(request, summary, sort),
        "charts": charts(summary),
        "filter_query": filter_query,
        "formats": list(FORMAT_LABELS.items()),
        "hidden_filters": {
            **_filter_query(request, ReportFilterForm.FIELDS),
            **_filter_query(request, ExportOptionsForm.FIELDS),
        }.items(),
        "form_errors": _form_errors(form) if status == 400 else [],
    }
    return render(request, "coding/report_summary.html", context, status=status)


# --- theme page ------------------------------------------------------------------------


def _theme_page(
    request: HttpRequest,
    project_access,
    theme,
    *,
    status: int = 200,
    narrative_form: NarrativeForm | None = None,
    conflict: dict | None = None,
    errors: list[str] | None = None,
) -> HttpResponse:
    project = project_access.project
    workspace = theme_workspace(project, theme, request.GET.get("page", 1))
    if narrative_form is None:
        narrative_form = NarrativeForm(
            initial={"narrative": workspace.narrative, "version": workspace.version}
        )
    context = {
        "access": project_access,
        "project": project,
        "theme": theme,
        "workspace": workspace,
        "narrative_form": narrative_form,
        "conflict": conflict,
        "errors": errors or [],
        "can_author": project_access.can_author,
        "expected": ",".join(str(pk) for pk in workspace.headline_ids),
    }
    return render(request, "coding/report_theme.html", context, status=status)


def theme_page(request: HttpRequest, project_slug: str, theme_id: int) -> HttpResponse:
    project_access = access.get_project_access(request.user, project_slug, ALL)
    if request.method not in ("GET",):
        return HttpResponseNotAllowed(["GET"])
    theme = access.get_theme(project_access, theme_id)
    return _theme_page(request, project_access, theme)


def _theme_url(project, theme, anchor: str = "") -> str:
    url = reverse("report:theme", kwargs={"project_slug": project.slug, "theme_id": theme.pk})
    return f"{url}#{anchor}" if anchor else url


def save_narrative(request: HttpRequest, project_slug: str, theme_id: int) -> HttpResponse:
    project_access = access.get_project_access(request.user, project_slug, AUTHORS)
    if request.method not in ("POST",):
        return HttpResponseNotAllowed(["POST"])
    theme = access.get_theme(project_access, theme_id)
    project = project_access.project
    form = NarrativeForm(request.POST)
    if not form.is_valid():
        return _theme_page(
            request, project_access, theme, status=400, narrative_form=form,
            errors=_form_errors(form),
        )  # fmt: skip
    try:
        result = authoring.save_narrative(
            project=project,
            theme=theme,
            narrative=form.cleaned_data["narrative"],
            version=form.cleaned_data["version"],
            user=request.user,
        )
    except ValidationError as error:
        return _theme_page(
            request, project_access, theme, status=400, narrative_form=form,
            errors=_messages_of(error),
        )  # fmt: skip
    if result.conflict:
        theirs = result.summary
        merge_form = NarrativeForm(initial={"narrative": result.mine, "version": theirs.version})
        conflict = {
            "theirs": theirs.narrative,
            "mine": result.mine,
            "by": theirs.updated_by.get_username() if theirs.updated_by else "another author",
            "at": theirs.updated_at,
            "version": theirs.version,
        }
        return _theme_page(
            request, project_access, theme, status=409, narrative_form=merge_form,
            conflict=conflict,
        )  # fmt: skip
    messages.success(request, "Narrative saved.")
    return HttpResponseRedirect(_theme_url(project, theme, "narrative"))


def edit_headlines(request: HttpRequest, project_slug: str, theme_id: int) -> HttpResponse:
    project_access = access.get_project_access(request.user, project_slug, AUTHORS)
    if request.method not in ("POST",):
        return HttpResponseNotAllowed(["POST"])
    theme = access.get_theme(project_access, theme_id)
    project = project_access.project
    form = HeadlineForm(request.POST)
    if not form.is_valid():
        return _theme_page(request, project_access, theme, status=400, errors=_form_errors(form))
    verb, quote_id = form.cleaned_data["action"]
    posted = form.cleaned_data["quote"]
    try:
        ordered = posted if verb == "save" else authoring.move_in_list(posted, quote_id, verb)
        authoring.set_headlines(
            project=project,
            theme=theme,
            quote_ids=ordered,
            expected=form.cleaned_data["expected"],
            user=request.user,
        )
    except ValidationError as error:
        stale = isinstance(error, authoring.StaleError)
        return _theme_page(
            request, project_access, theme, status=409 if stale else 400,
            errors=_messages_of(error),
        )  # fmt: skip
    messages.success(request, "Headline quotes saved.")
    return HttpResponseRedirect(_theme_url(project, theme, "headlines"))


def set_clearance(request: HttpRequest, project_slug: str, theme_id: int) -> HttpResponse:
    project_access = access.get_project_access(request.user, project_slug, AUTHORS)
    if request.method not in ("POST",):
        return HttpResponseNotAllowed(["POST"])
    theme = access.get_theme(project_access, theme_id)
    project = project_access.project
    form = ClearanceForm(request.POST)
    if not form.is_valid():
        return _theme_page(request, project_access, theme, status=400, errors=_form_errors(form))
    quote_id = form.cleaned_data["quote"]
    if quote_id not in authoring.theme_quote_ids(project=project, theme=theme):
        return _theme_page(
            request, project_access, theme, status=400,
            errors=[f"quote: Quote {quote_id} is not a live quote of this theme."],
        )  # fmt: skip
    cleared = form.cleaned_data["cleared"]
    authoring.set_cleared(
        project=project, quote_ids=[quote_id], cleared=cleared, user=request.user
    )
    messages.success(
        request, "Quote cleared for publication." if cleared else "Clearance withdrawn."
    )
    return HttpResponseRedirect(_theme_url(project, theme, f"q{quote_id}"))


# --- preview, order and downloads --------------------------------------------------------


def preview(request: HttpRequest, project_slug: str) -> HttpResponse:
    project_access = access.get_project_access(request.user, project_slug, AUTHORS)
    if request.method not in ("GET",):
        return HttpResponseNotAllowed(["GET"])
    project = project_access.project
    form, options_form = _filter_forms(request, project)
    status = 400 if form.is_bound and not form.is_valid() else 200
    if options_form.is_bound and not options_form.is_valid():
        status = 400
    report = build_report(project=project, filters=form.filters(), options=options_form.options())
    query = {
        **_filter_query(request, ReportFilterForm.FIELDS),
        **_filter_query(request, ExportOptionsForm.FIELDS),
    }
    context = {
        "access": project_access,
        "project": project,
        "form": form,
        "options_form": options_form,
        "report": report,
        "formats": list(FORMAT_LABELS.items()),
        "hidden_filters": query.items(),
        "section_ids": [section.theme_id for section in report.sections],
        "form_errors": _form_errors(form) + _form_errors(options_form) if status == 400 else [],
    }
    return render(request, "coding/report_preview.html", context, status=status)


def reorder(request: HttpRequest, project_slug: str) -> HttpResponse:
    project_access = access.get_project_access(request.user, project_slug, AUTHORS)
    if request.method not in ("POST",):
        return HttpResponseNotAllowed(["POST"])
    project = project_access.project
    form = ReportOrderForm(request.POST)
    target = reverse("report:preview", kwargs={"project_slug": project.slug})
    if not form.is_valid():
        return _bad_request(request, project_access, _form_errors(form), target)
    verb, theme_id = form.cleaned_data["action"]
    try:
        ordered = form.cleaned_data["theme"]
        if verb != "save":
            if verb == "remove":
                raise ValidationError({"action": "Themes leave the report by emptying them."})
            ordered = authoring.move_in_list(ordered, theme_id, verb)
        authoring.set_report_order(project=project, theme_ids=ordered, user=request.user)
    except ValidationError as error:
        return _bad_request(request, project_access, _messages_of(error), target)
    messages.success(request, "Order of themes saved.")
    return HttpResponseRedirect(f"{target}#order")


def _bad_request(request, project_access, errors: list[str], back: str, status: int = 400):
    return render(
        request,
        "coding/report_error.html",
        {
            "access": project_access,
            "project": project_access.project,
            "errors": errors,
            "back": back,
        },
        status=status,
    )


def export(request: HttpRequest, project_slug: str) -> HttpResponse:
    project_access = access.get_project_access(request.user, project_slug, AUTHORS)
    if request.method not in ("GET",):
        return HttpResponseNotAllowed(["GET"])
    project = project_access.project
    form, options_form = _filter_forms(request, project)
    format_form = ExportFormatForm(request.GET)
    back = reverse("report:summary", kwargs={"project_slug": project.slug})
    errors = []
    for each in (form, options_form, format_form):
        if each.is_bound and not each.is_valid():
            errors += _form_errors(each)
    if errors:
        return _bad_request(request, project_access, errors, back)
    fmt = format_form.cleaned_data["format"]
    filters, options = form.filters(), options_form.options()
    filename = export_filename(project, fmt)
    if fmt == "csv":
        rows = quote_rows(project=project, filters=filters, options=options)
        response = StreamingHttpResponse(
            (chunk.encode("utf-8") for chunk in csv_chunks(rows)),
            content_type=CONTENT_TYPES[fmt],
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    else:
        spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
        write_export(project=project, fmt=fmt, filters=filters, options=options, out=spool)
        spool.seek(0)
        response = FileResponse(
            spool, as_attachment=True, filename=filename, content_type=CONTENT_TYPES[fmt]
        )
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- redaction list ----------------------------------------------------------------------


def redactions(request: HttpRequest, project_slug: str) -> HttpResponse:
    project_access = access.get_project_access(request.user, project_slug, AUTHORS)
    if request.method not in (
        "GET",
        "POST",
    ):
        return HttpResponseNotAllowed(["GET", "POST"])
    project = project_access.project
    status = 200
    if request.method == "POST":
        form = RedactionTermForm(request.POST)
        if form.is_valid():
            try:
                term = authoring.add_redaction_term(
                    project=project,
                    term=form.cleaned_data["term"],
                    replacement=form.cleaned_data["replacement"],
                )
            except ValidationError as error:
                for field, texts in error.message_dict.items():
                    for text in texts:
                        form.add_error(field if field in form.fields else None, text)
            else:
                messages.success(request, f"“{term.term}” will be replaced by {term.replacement}.")
                return HttpResponseRedirect(
                    reverse("report:redactions", kwargs={"project_slug": project.slug})
                )
        status = 400
    else:
        form = RedactionTermForm()
    context = {
        "access": project_access,
        "project": project,
        "form": form,
        "terms": RedactionTerm.objects.filter(project=project).order_by("term"),
        "real_names": Participant.objects.filter(project=project).exclude(real_name="").count(),
    }
    return render(request, "coding/report_redactions.html", context, status=status)


def delete_redaction(request: HttpRequest, project_slug: str, term_id: int) -> HttpResponse:
    project_access = access.get_project_access(request.user, project_slug, AUTHORS)
    if request.method not in ("POST",):
        return HttpResponseNotAllowed(["POST"])
    project = project_access.project
    back = reverse("report:redactions", kwargs={"project_slug": project.slug})
    try:
        authoring.remove_redaction_term(project=project, term_id=term_id)
    except ValidationError as error:
        return _bad_request(request, project_access, _messages_of(error), back, status=404)
    messages.success(request, "Term removed from the redaction list.")
    return HttpResponseRedirect(back)
