"""Report pages: summary, theme workspace, preview, redaction list and downloads.

Who may do what (loaded through interviews.access):
- every member (enabler, author, admin) may read the summary page and theme pages;
- authors and admins write (narratives, headline quotes, clearance, report order,
  redaction list) and see the preview and the downloads, which take data out;
- non-members get 404, anonymous users the login page.
"""

from __future__ import annotations

import hashlib
import tempfile
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.dateparse import parse_datetime

from aefront.errors import json_error, sentences
from coding.models import RedactionTerm, ReportSignOff, SafeTerm
from coding.reading import blind_viewer, get_theme
from coding.report import authoring, chart_files, drilldown
from coding.report.charts import CELL_VALUES, charts
from coding.report.exports import (
    EXPORTERS,
    Source,
    format_choices,
    sha256_of,
    spreadsheet_preview,
)
from coding.report.exports.rows import build_report, report_outline_of
from coding.report.forms import (
    BULK_ACTIONS,
    BulkForm,
    CellForm,
    ClearanceForm,
    ExportFormatForm,
    ExportOptionsForm,
    HeadlineForm,
    InclusionForm,
    NarrativeForm,
    QuoteFilterForm,
    RedactionTermForm,
    ReportContentsForm,
    ReportFilterForm,
    ReportOrderForm,
    ReviewDecisionForm,
    SignOffForm,
    report_forms,
)
from coding.report.redaction import NameSources
from coding.report.review import ACTIONS, ReviewError, decide, identifier_review, sign_off
from coding.report.summaries import new_since, sort_rows, summarise, writeup_rows
from coding.report.table import theme_table_body
from coding.report.workspace import basis as workspace_basis
from coding.report.workspace import cards, quote_list, theme_workspace
from interviews.access import AUTHORING_ROLES, ProjectAccess, project_json, project_page

AUTHORS = AUTHORING_ROLES


def _filter_query(request: HttpRequest, names: tuple[str, ...]) -> dict[str, str]:
    return {name: request.GET[name] for name in names if request.GET.get(name)}


def _filter_forms(request: HttpRequest, project, data=None):
    """The report's filters and publishing options, from the query (or from `data`)."""
    return report_forms(request.GET if data is None else data, project)


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


def _chart_values(request: HttpRequest) -> tuple[str, list[str]]:
    """What the heatmaps' cells show (?values=counts|shares), and the error if unknown."""
    values = request.GET.get("values") or "counts"
    if values in CELL_VALUES:
        return values, []
    return "counts", [f"values: “{values[:40]}” is not a choice: use counts or shares."]


def _value_links(request: HttpRequest, values: str) -> list[dict]:
    """The heatmaps' counts / shares switch: links keeping the filters and the sort."""
    base = _filter_query(request, (*ReportFilterForm.FIELDS, "sort"))
    return [
        {"label": label, "url": "?" + urlencode({**base, "values": key}) + "#charts",
         "current": key == values}
        for key, label in CELL_VALUES.items()
    ]  # fmt: skip


def _summary_context(request, project_access: ProjectAccess, form, values: str) -> dict:
    project = project_access.project
    summary = summarise(project, form.filters_for(project_access))
    rows, sort = sort_rows(summary.rows, request.GET.get("sort", "theme"))
    filter_query = urlencode(_filter_query(request, ReportFilterForm.FIELDS))
    return {
        "access": project_access,
        "project": project,
        "form": form,
        "summary": summary,
        "table_body": theme_table_body(
            rows,
            summary.totals,
            [value for value, _ in summary.org_types],
            project_slug=project.slug,
            flat=sort.lstrip("-") != "theme",
        ),
        "sort": sort,
        "headers": _sort_headers(request, summary, sort),
        "charts": charts(summary, query=filter_query, values=values),
        "value_links": _value_links(request, values),
        "chart_query": "&".join(q for q in (filter_query, f"values={values}") if q),
        "order": report_outline_of(summary.rows),
        "formats": format_choices(),
    }


@project_page()
def summary_page(request: HttpRequest, project_access: ProjectAccess) -> HttpResponse:
    form, options_form = _filter_forms(request, project_access.project)
    values, value_errors = _chart_values(request)
    errors = [*(sentences(form) if form.is_bound and not form.is_valid() else []), *value_errors]
    context = {
        **_summary_context(request, project_access, form, values),
        "options_form": options_form,
        "form_errors": errors,
        **_filter_context(request),
    }
    return render(request, "coding/report/summary.html", context, status=400 if errors else 200)


@project_page(AUTHORS)
def chart_download(
    request: HttpRequest, project_access: ProjectAccess, key: str, fmt: str
) -> HttpResponse:
    """One chart of the summary page as SVG or PNG, with the page's filters."""
    project = project_access.project
    form, _ = _filter_forms(request, project)
    back = reverse("report:summary", kwargs={"project_slug": project.slug})
    if key not in chart_files.KEYS or fmt not in chart_files.FORMATS:
        return _bad_request(request, project_access, [
            f"chart: “{key[:40]}.{fmt[:10]}” is not a chart of this page: choose one of "
            f"{', '.join(chart_files.KEYS)}, as svg or png."], back, status=404)  # fmt: skip
    if form.is_bound and not form.is_valid():
        return _bad_request(request, project_access, sentences(form), back)
    values, value_errors = _chart_values(request)
    if value_errors:
        return _bad_request(request, project_access, value_errors, back)
    summary = summarise(project, form.filters_for(project_access))
    chart = charts(summary, values=values)[chart_files.KEYS[key]]
    response = HttpResponse(
        chart_files.chart_file(chart.svg, fmt), content_type=chart_files.FORMATS[fmt]
    )
    response["Content-Disposition"] = f'attachment; filename="{project.slug}-{key}.{fmt}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _filter_context(request: HttpRequest) -> dict:
    """The filters as a query string (for links) and as hidden fields (for forms)."""
    filters = _filter_query(request, ReportFilterForm.FIELDS)
    options = _filter_query(request, ExportOptionsForm.FIELDS)
    return {
        "filter_query": urlencode(filters),
        "scope_query": urlencode({**filters, **options}),
        "hidden_filters": {**filters, **options}.items(),
    }


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
    filter_form = QuoteFilterForm(
        request.GET if any(n in request.GET for n in QuoteFilterForm.FIELDS) else None,
        project=project,
    )
    if filter_form.is_bound and not filter_form.is_valid():
        errors, status = [*(errors or []), *sentences(filter_form)], max(status, 400)
    elif _in_place(request) and request.method == "GET":
        return _quote_list(request, project_access, theme, filter_form)
    workspace = theme_workspace(
        project,
        theme,
        request.GET.get("page", 1),
        viewer_id=blind_viewer(project_access),
        chosen=filter_form.chosen(),
        suggest=request.GET.get("suggest") == "1",
    )
    if narrative_form is None:
        narrative_form = NarrativeForm(
            initial={"narrative": workspace.narrative, "version": workspace.version}
        )
    context = {
        **_workspace_context(project_access, theme, workspace.basis),
        "workspace": workspace,
        "narrative_form": narrative_form,
        "filter_form": filter_form,
        "page_query": urlencode(_filter_query(request, QuoteFilterForm.FIELDS)),
        "conflict": conflict,
        "errors": errors or [],
        "bulk_actions": BULK_ACTIONS.items(),
    }
    response = render(request, "coding/report/theme.html", context, status=status)
    patch_vary_headers(response, ["X-Fragment"])  # the same address answers the list alone
    return response


def _quote_list(request, project_access: ProjectAccess, theme, filter_form) -> HttpResponse:
    """The quote list alone, for the script's filters and pager (refused filters get the
    whole page instead, which says why: the script then loads it)."""
    listing = quote_list(
        project_access.project,
        theme,
        request.GET.get("page", 1),
        viewer_id=blind_viewer(project_access),
        chosen=filter_form.chosen(),
    )
    context = {
        **_card_context(project_access, theme),
        "workspace": listing,
        "page_query": urlencode(_filter_query(request, QuoteFilterForm.FIELDS)),
    }
    response = render(request, "coding/report/_quote_results.html", context)
    response["X-Fragment"] = "workspace"
    patch_vary_headers(response, ["X-Fragment"])
    return response


def _card_context(project_access: ProjectAccess, theme) -> dict:
    """What each quote card needs (its forms' address made once, not once a card)."""
    project = project_access.project
    return {
        "access": project_access,
        "project": project,
        "theme": theme,
        "can_author": project_access.can_author,
        "clearance_url": reverse("report:clearance", args=[project.slug, theme.pk]),
    }


def _workspace_context(project_access: ProjectAccess, theme, found) -> dict:
    return {
        **_card_context(project_access, theme),
        "basis": found,
        "headlines": found.headlines,
        "expected": ",".join(str(quote.pk) for quote in found.headline_quotes),
    }


def _in_place(request: HttpRequest) -> bool:
    """A request from the workspace's script, which swaps fragments instead of loading."""
    return request.headers.get("X-Fragment") == "workspace"


def _fragments(
    request, project_access, theme, message: str, status: int = 200, *, quote_ids=(),
    narrative: bool = False,
) -> HttpResponse:  # fmt: skip
    """The parts of the theme page an action changed, each an element with its id."""
    found = workspace_basis(project_access.project, theme, viewer_id=blind_viewer(project_access))
    context = {
        **_workspace_context(project_access, theme, found),
        "message": message,
        "failed": status >= 400,
        "cards": cards(found, list(quote_ids)) if status < 400 else [],
        "narrative": narrative,
        "bulk_actions": BULK_ACTIONS.items(),
    }
    return render(request, "coding/report/_fragments.html", context, status=status)


def _reply(request, message: str, *, fragments, plain, status: int = 200) -> HttpResponse:
    """The one answer of every in-place action (theme workspace, report order).

    For the page's script (X-Fragment), `fragments(message, status)`: the parts the
    action changed. For a plain form post: on success a redirect to `plain` (a URL,
    with the message flashed), on refusal `plain()`, the page with its errors.
    """
    if _in_place(request):
        response = fragments(message, status)
        response["X-Fragment"] = "workspace"  # the script swaps only what says it is fragments
        return response
    if status >= 400:
        return plain()
    messages.success(request, message)
    return HttpResponseRedirect(plain)


def _theme_reply(
    request, project_access, theme, message: str = "", *, errors=(), status: int = 0,
    anchor: str = "", quote_ids=(), narrative: bool = False, narrative_form=None,
) -> HttpResponse:  # fmt: skip
    """`_reply` on the theme page: done (`message`, back to `anchor`) or refused (`errors`)."""
    status = status or (400 if errors else 200)

    def fragments(text: str, code: int) -> HttpResponse:
        return _fragments(request, project_access, theme, text, code, quote_ids=quote_ids,
                          narrative=narrative)  # fmt: skip

    def page() -> HttpResponse:
        return _theme_page(request, project_access, theme, status=status, errors=list(errors),
                           narrative_form=narrative_form)  # fmt: skip

    plain = page if errors else _theme_url(project_access.project, theme, anchor)
    return _reply(request, " ".join(errors) or message, fragments=fragments, plain=plain,
                  status=status)  # fmt: skip


@project_page()
def theme_page(request: HttpRequest, project_access: ProjectAccess, theme_id: int) -> HttpResponse:
    theme = get_theme(project_access, theme_id)
    return _theme_page(request, project_access, theme)


@project_json(("GET",))
def theme_new(request: HttpRequest, project_access: ProjectAccess, theme_id: int) -> HttpResponse:
    """JSON {new}: quotes coded with the theme since ?since=ISO (the page's live notice)."""
    return _new_since(request, project_access, get_theme(project_access, theme_id))


@project_json(("GET",))
def project_new(request: HttpRequest, project_access: ProjectAccess) -> HttpResponse:
    """JSON {new}: the project's quotes since ?since=ISO (the summary page's live notice)."""
    return _new_since(request, project_access, None)


def _new_since(request: HttpRequest, project_access: ProjectAccess, theme) -> HttpResponse:
    try:
        since = parse_datetime(request.GET.get("since") or "")
    except ValueError:  # well-formed but impossible: month 13
        since = None
    if since is None or since.tzinfo is None:
        return json_error("since must be an ISO 8601 date and time with its offset.", 400)
    return JsonResponse({"new": new_since(project_access, since, theme)})


@project_page()
def cell_quotes(
    request: HttpRequest, project_access: ProjectAccess, theme_id: int
) -> HttpResponse:
    """The quotes behind one chart cell (theme x system, organisation type or theme)."""
    theme = get_theme(project_access, theme_id)
    project = project_access.project
    form, _ = _filter_forms(request, project)
    cell_form = CellForm(request.GET, project=project)
    back = reverse("report:summary", kwargs={"project_slug": project.slug})
    errors = (
        [*sentences(form), *sentences(cell_form)]
        if not form.is_valid() or not cell_form.is_valid()
        else []
    )
    if errors:
        return _bad_request(request, project_access, errors, back)
    cell = drilldown.cell_quotes(
        project=project, theme=theme, filters=form.filters_for(project_access), **cell_form.cell()
    )
    context = {"access": project_access, "project": project, "theme": theme, "cell": cell,
               **_filter_context(request)}  # fmt: skip
    return render(request, "coding/report/cell.html", context)


def _theme_url(project, theme, anchor: str = "") -> str:
    url = reverse("report:theme", kwargs={"project_slug": project.slug, "theme_id": theme.pk})
    return f"{url}#{anchor}" if anchor else url


@project_page(AUTHORS, methods=("POST",))
def save_narrative(
    request: HttpRequest, project_access: ProjectAccess, theme_id: int
) -> HttpResponse:
    theme = get_theme(project_access, theme_id)
    form = NarrativeForm(request.POST)
    if not form.is_valid():
        return _theme_reply(
            request, project_access, theme, errors=sentences(form), narrative_form=form
        )
    try:
        result = authoring.save_narrative(
            project=project_access.project,
            theme=theme,
            narrative=form.cleaned_data["narrative"],
            version=form.cleaned_data["version"],
            user=request.user,
        )
    except ValidationError as error:
        return _theme_reply(
            request, project_access, theme, errors=sentences(error), narrative_form=form
        )
    if result.conflict:
        return _narrative_conflict(request, project_access, theme, result)
    return _theme_reply(
        request, project_access, theme, "Narrative saved.", anchor="narrative", narrative=True
    )


def _narrative_conflict(request, project_access: ProjectAccess, theme, result) -> HttpResponse:
    """409: both texts side by side, the author's kept in the form, nothing overwritten."""
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
        request, project_access, theme, status=409, narrative_form=merge_form, conflict=conflict
    )


@project_page(AUTHORS, methods=("POST",))
def edit_headlines(
    request: HttpRequest, project_access: ProjectAccess, theme_id: int
) -> HttpResponse:
    theme = get_theme(project_access, theme_id)
    form = HeadlineForm(request.POST)
    if not form.is_valid():
        return _theme_reply(request, project_access, theme, errors=sentences(form))
    verb, quote_id = form.cleaned_data["action"]
    posted = form.cleaned_data["quote"]
    try:
        ordered = posted if verb == "save" else authoring.move_in_list(posted, quote_id, verb)
        authoring.set_headlines(
            project=project_access.project,
            theme=theme,
            quote_ids=ordered,
            expected=form.cleaned_data["expected"],
            user=request.user,
        )
    except ValidationError as error:
        stale = isinstance(error, authoring.StaleError)
        return _theme_reply(
            request, project_access, theme, errors=sentences(error), status=409 if stale else 400
        )
    changed = sorted({*posted, *ordered})  # their cards show "headline N" or an Add button
    return _theme_reply(request, project_access, theme, "Headline quotes saved.",
                        anchor="headlines", quote_ids=changed)  # fmt: skip


@project_page(AUTHORS, methods=("POST",))
def set_clearance(
    request: HttpRequest, project_access: ProjectAccess, theme_id: int
) -> HttpResponse:
    theme = get_theme(project_access, theme_id)
    form = ClearanceForm(request.POST)
    if not form.is_valid():
        return _theme_reply(request, project_access, theme, errors=sentences(form))
    quote_id, cleared = form.cleaned_data["quote"], form.cleaned_data["cleared"]
    try:
        authoring.bulk_update(
            project=project_access.project, theme=theme, quote_ids=[quote_id],
            action="clear" if cleared else "unclear", user=request.user,
        )  # fmt: skip
    except ValidationError as error:
        return _theme_reply(request, project_access, theme, errors=sentences(error))
    message = "Quote cleared for publication." if cleared else "Clearance withdrawn."
    return _theme_reply(request, project_access, theme, message, anchor=f"q{quote_id}",
                        quote_ids=[quote_id])  # fmt: skip


@project_page(AUTHORS, methods=("POST",))
def set_inclusion(
    request: HttpRequest, project_access: ProjectAccess, theme_id: int
) -> HttpResponse:
    theme = get_theme(project_access, theme_id)
    form = InclusionForm(request.POST)
    if not form.is_valid():
        return _theme_reply(request, project_access, theme, errors=sentences(form))
    included = form.cleaned_data["in_report"]
    authoring.set_inclusion(
        project=project_access.project, theme_ids=[theme.pk], included=included,
        user=request.user,
    )  # fmt: skip
    message = "In the report." if included else "Left out of the report."
    return _theme_reply(request, project_access, theme, message, anchor="inclusion")


@project_page(AUTHORS, methods=("POST",))
def report_contents(request: HttpRequest, project_access: ProjectAccess) -> HttpResponse:
    project = project_access.project
    form = ReportContentsForm(request.POST)
    target = reverse("report:summary", kwargs={"project_slug": project.slug})
    try:
        if not form.is_valid():
            raise ValidationError(sentences(form))
        authoring.set_report_contents(
            project=project, included_ids=form.cleaned_data["theme"], user=request.user
        )
    except ValidationError as error:
        return _bad_request(request, project_access, sentences(error), target)
    count = len(form.cleaned_data["theme"])
    messages.success(request, f"{count} theme{'s' if count != 1 else ''} in the report.")
    return HttpResponseRedirect(f"{target}#contents")


@project_page(AUTHORS, methods=("POST",))
def bulk_action(
    request: HttpRequest, project_access: ProjectAccess, theme_id: int
) -> HttpResponse:
    theme = get_theme(project_access, theme_id)
    form = BulkForm(request.POST)
    if not form.is_valid():
        return _theme_reply(request, project_access, theme, errors=sentences(form))
    ids = form.cleaned_data["quote"]
    try:
        done = authoring.bulk_update(
            project=project_access.project, theme=theme, quote_ids=ids,
            action=form.cleaned_data["action"], user=request.user,
        )  # fmt: skip
    except ValidationError as error:
        return _theme_reply(request, project_access, theme, errors=sentences(error))
    return _theme_reply(request, project_access, theme, done, anchor="quotes", quote_ids=ids)


# --- preview, order and downloads --------------------------------------------------------


def _published(project_access: ProjectAccess, form, options_form, summary=None) -> dict:
    """The report as it would be published, and its identifier review, for a page."""
    report = build_report(
        project=project_access.project,
        filters=form.filters_for(project_access),
        options=options_form.options(),
        summary=summary,
    )
    return {
        "access": project_access,
        "project": project_access.project,
        "form": form,
        "options_form": options_form,
        "report": report,
        "review": identifier_review(report),
    }


@project_page(AUTHORS)
def preview(request: HttpRequest, project_access: ProjectAccess) -> HttpResponse:
    project = project_access.project
    form, options_form = _filter_forms(request, project)
    status = 400 if form.is_bound and not form.is_valid() else 200
    if options_form.is_bound and not options_form.is_valid():
        status = 400
    source = Source(project, form.filters_for(project_access), options_form.options())
    summary = summarise(project, source.filters)  # one tally for the report and the sheets
    context = {
        **_published(project_access, form, options_form, summary),
        "formats": format_choices(),
        "form_errors": sentences(form) + sentences(options_form) if status == 400 else [],
        "sheets": spreadsheet_preview(source, summary),
        **_filter_context(request),
    }
    return render(request, "coding/report/preview.html", context, status=status)


def _order_reply(request, project_access, message: str = "", errors=()) -> HttpResponse:
    """`_reply` for the report's order list: the list again (the summary page's), or back
    to the page it was on (preview by default, or `back=summary`)."""
    project = project_access.project
    page = "summary" if request.POST.get("back") == "summary" else "preview"
    target = reverse(f"report:{page}", kwargs={"project_slug": project.slug})

    def fragments(text: str, code: int) -> HttpResponse:
        context = {"access": project_access, "project": project, "message": text,
                   "failed": code >= 400, "order": report_outline_of(writeup_rows(project))}  # fmt: skip
        return render(request, "coding/report/_order_fragments.html", context, status=code)

    def page_with_errors() -> HttpResponse:
        return _bad_request(request, project_access, list(errors), target)

    plain = page_with_errors if errors else f"{target}#order"
    return _reply(request, " ".join(errors) or message, fragments=fragments, plain=plain,
                  status=400 if errors else 200)  # fmt: skip


@project_page(AUTHORS, methods=("POST",))
def reorder(request: HttpRequest, project_access: ProjectAccess) -> HttpResponse:
    project = project_access.project
    form = ReportOrderForm(request.POST)
    if not form.is_valid():
        return _order_reply(request, project_access, errors=sentences(form))
    verb, theme_id = form.cleaned_data["action"]
    try:
        ordered = form.cleaned_data["theme"]
        if verb != "save":
            if verb == "remove":
                raise ValidationError({"action": "Themes leave the report by emptying them."})
            ordered = authoring.move_in_list(ordered, theme_id, verb)
        authoring.set_report_order(project=project, theme_ids=ordered, user=request.user)
    except ValidationError as error:
        return _order_reply(request, project_access, errors=sentences(error))
    return _order_reply(request, project_access, "Order of themes saved.")


def _bad_request(request, project_access, errors: list[str], back: str, status: int = 400):
    return render(
        request,
        "coding/report/error.html",
        {
            "access": project_access,
            "project": project_access.project,
            "errors": errors,
            "back": back,
        },
        status=status,
    )


@project_page(AUTHORS)
def export(request: HttpRequest, project_access: ProjectAccess) -> HttpResponse:
    project = project_access.project
    form, options_form = _filter_forms(request, project)
    format_form = ExportFormatForm(request.GET)
    back = reverse("report:summary", kwargs={"project_slug": project.slug})
    errors = []
    for each in (form, options_form, format_form):
        if each.is_bound and not each.is_valid():
            errors += sentences(each)
    if errors:
        return _bad_request(request, project_access, errors, back)
    exporter = EXPORTERS[format_form.cleaned_data["format"]]
    source = Source(project, form.filters_for(project_access), options_form.options())
    record = authoring.record_export(
        project=project, user=request.user, exporter=exporter, source=source
    )
    return _download(exporter, source, record)


def _hashed(chunks, record):
    """The stream, its SHA-256 added to the export's record once the last byte is out."""
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
        yield chunk
    authoring.finish_export(record, digest.hexdigest())


def _download(exporter, source: Source, record) -> HttpResponse:
    """A streamed answer where the format streams (CSV), else a spooled file."""
    filename = exporter.filename(source.project)
    if exporter.stream is not None:
        response = StreamingHttpResponse(
            _hashed(exporter.stream(source), record), content_type=exporter.content_type
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    else:
        spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
        exporter.write(source, spool)
        spool.seek(0)
        authoring.finish_export(record, sha256_of(spool))
        return _attachment(spool, filename, exporter.content_type)
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _attachment(spool, filename: str, content_type: str) -> FileResponse:
    response = FileResponse(
        spool, as_attachment=True, filename=filename, content_type=content_type
    )
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- identifier review -------------------------------------------------------------------


@project_page(AUTHORS)
def review_page(request: HttpRequest, project_access: ProjectAccess) -> HttpResponse:
    return _review_page(request, project_access, request.GET)


def _review_page(request, project_access, data, errors=(), status=200) -> HttpResponse:
    project = project_access.project
    form, options_form = _filter_forms(request, project, data)
    errors = [*errors, *sentences(form), *sentences(options_form)]
    context = {
        **_published(project_access, form, options_form),
        "actions": ACTIONS.items(),
        "report_formats": [(e.key, e.label) for e in EXPORTERS.values() if e.holds == "report"],
        "sign_offs": ReportSignOff.objects.filter(project=project).select_related("signed_by"),
        "form_errors": errors,
        **_filter_context(request),
    }
    status = 400 if errors and status == 200 else status
    return render(request, "coding/report/review.html", context, status=status)


@project_page(AUTHORS, methods=("POST",))
def review_decide(request: HttpRequest, project_access: ProjectAccess) -> HttpResponse:
    form = ReviewDecisionForm(request.POST)
    if not form.is_valid():
        return _review_page(request, project_access, request.POST, sentences(form))
    data = form.cleaned_data
    try:
        done = decide(
            access=project_access,
            quote_id=data["quote"],
            text=data["text"],
            action=data["action"],
            user=request.user,
        )
    except ReviewError as error:
        return _review_page(request, project_access, request.POST, sentences(error))
    messages.success(request, done)
    target = reverse("report:review", kwargs={"project_slug": project_access.project.slug})
    return HttpResponseRedirect(f"{target}?{data['scope']}#review-list")


@project_page(AUTHORS, methods=("POST",))
def review_sign_off(request: HttpRequest, project_access: ProjectAccess) -> HttpResponse:
    project = project_access.project
    form, options_form = _filter_forms(request, project, request.POST)
    sign_off_form = SignOffForm(request.POST)
    errors = [*sentences(form), *sentences(options_form), *sentences(sign_off_form)]
    if errors:
        return _review_page(request, project_access, request.POST, errors)
    exporter = EXPORTERS[sign_off_form.cleaned_data["format"]]
    source = Source(project, form.filters_for(project_access), options_form.options(), final=True)
    try:
        record, spool = sign_off(
            access=project_access, exporter=exporter, source=source, user=request.user
        )
    except ReviewError as error:
        return _review_page(request, project_access, request.POST, sentences(error), 409)
    response = _attachment(spool, record.filename, exporter.content_type)
    response["X-Report-SHA256"] = record.sha256
    return response


# --- redaction list ----------------------------------------------------------------------


@project_page(AUTHORS, methods=("GET", "POST"))
def redactions(request: HttpRequest, project_access: ProjectAccess) -> HttpResponse:
    project = project_access.project
    if request.method != "POST":
        return _redactions_page(request, project_access, RedactionTermForm())
    form = RedactionTermForm(request.POST)
    if form.is_valid():
        try:
            term = authoring.add_redaction_term(
                project=project,
                term=form.cleaned_data["term"],
                replacement=form.cleaned_data["replacement"],
            )
        except ValidationError as error:
            form.add_error(None, error)  # add_error files each field's message under it
        else:
            messages.success(request, f"“{term.term}” will be replaced by {term.replacement}.")
            return HttpResponseRedirect(
                reverse("report:redactions", kwargs={"project_slug": project.slug})
            )
    return _redactions_page(request, project_access, form, status=400)


def _redactions_page(request, project_access: ProjectAccess, form, status: int = 200):
    project = project_access.project
    context = {
        "access": project_access,
        "project": project,
        "form": form,
        "terms": RedactionTerm.objects.filter(project=project).order_by("term"),
        "sources": NameSources.for_project(project),
        "safe_terms": SafeTerm.objects.filter(project=project).select_related("marked_by"),
    }
    return render(request, "coding/report/redactions.html", context, status=status)


@project_page(AUTHORS, methods=("POST",))
def delete_redaction(
    request: HttpRequest, project_access: ProjectAccess, term_id: int
) -> HttpResponse:
    project = project_access.project
    back = reverse("report:redactions", kwargs={"project_slug": project.slug})
    try:
        authoring.remove_redaction_term(project=project, term_id=term_id)
    except ValidationError as error:
        return _bad_request(request, project_access, sentences(error), back, status=404)
    messages.success(request, "Term removed from the redaction list.")
    return HttpResponseRedirect(back)


@project_page(AUTHORS, methods=("POST",))
def delete_safe_term(
    request: HttpRequest, project_access: ProjectAccess, safe_id: int
) -> HttpResponse:
    project = project_access.project
    back = reverse("report:redactions", kwargs={"project_slug": project.slug})
    deleted, _ = SafeTerm.objects.filter(project=project, pk=safe_id).delete()
    if not deleted:
        return _bad_request(request, project_access, ["That word is not marked safe."], back, 404)
    messages.success(request, "No longer marked safe: it will be redacted or flagged again.")
    return HttpResponseRedirect(f"{back}#safe")
