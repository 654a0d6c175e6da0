"""The coding pages: a transcript to code, the codebook with its counts, search,
auto-coding, similar passages and theme discovery, and the team's pages: rounds,
agreement and its disagreement viewer, the audit trail, the bin and corrections."""

import csv
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import json_script

from aefront.errors import UserError, sentence, sentences
from coding import (
    agreement,
    autocode,
    corrections,
    discover,
    embeddings,
    forms,
    progress,
    scores,
    search,
    services,
    suggest,
    trail,
)
from coding import bin as coding_bin
from coding.models import Adoption, AutoCodeBatch
from coding.reading import (
    blind_viewer,
    get_quote,
    get_theme,
    page_columns,
    parse_filters,
    theme_rows,
    transcript_page,
)
from interviews import access
from interviews.access import CODING_ROLES, ProjectAccess, Role, project_page
from interviews.models import Participant

ADMIN = frozenset({Role.ADMIN})


@project_page()
def transcript_detail(
    request: HttpRequest, project_access: ProjectAccess, transcript_id: int
) -> HttpResponse:
    """The coding page: the transcript with its quotes, the side panel and the filters."""
    # One query for the transcript, whether it has a round or flags, and the coder's status.
    columns = page_columns(project_access)
    if project_access.can_code:
        columns += progress.status_columns(project_access.user)
    transcript = access.get_transcript_with(project_access, transcript_id, columns)
    context = {
        "access": project_access,
        "project": project_access.project,
        "may_correct": corrections.may_correct(project_access, transcript),
    }
    context.update(
        transcript_page(transcript, access=project_access, filters=parse_filters(request.GET))
    )
    if project_access.can_code:
        context["my_status"] = progress.my_status(project_access, transcript)
    parts = {
        "transcript_html": context.pop("transcript_html"),
        "panel_html": context.pop("panel_html"),
        "coding_data_script": json_script(context["coding_data"], "coding-data"),
    }
    return render_with_parts(request, "coding/transcript_detail.html", context, parts)


def render_with_parts(
    request: HttpRequest, template_name: str, context: dict, parts: dict[str, str]
) -> HttpResponse:
    """The template rendered, then each of `parts` (safe HTML) put in place of its
    `<!--part:name-->` in it.

    The coding page's parts (the transcript's HTML, the panel and the page's JSON: 270 KB
    for 15,000 words) went through every level of the template's nesting, each joining
    them again into a larger string: 4 of the template's 6 ms. No escaped value can hold
    the comment, so only the template's own is replaced."""
    html = render_to_string(template_name, context, request)
    places = {name: html.find(f"<!--part:{name}-->") for name in parts}
    missing = [name for name, at in places.items() if at < 0]
    if missing:
        raise ValueError(f"{template_name} has no place for {', '.join(missing)}")
    chunks: list[str] = []
    for name in sorted(parts, key=places.__getitem__):
        before, _, html = html.partition(f"<!--part:{name}-->")
        chunks += (before, parts[name])
    chunks.append(html)
    return HttpResponse(b"".join(chunk.encode() for chunk in chunks))


@project_page()
def progress_page(request: HttpRequest, project_access: ProjectAccess) -> HttpResponse:
    """Where the team stands: each transcript's coverage, coders, status and last change,
    and each coder's transcripts; filtered and sorted by the query string."""
    filters = progress.Filters.from_query(request.GET)
    return render(
        request,
        "coding/progress.html",
        {
            "access": project_access,
            "project": project_access.project,
            "filters": filters,
            "progress": progress.progress(project_access, filters),
            "statuses": progress.STATUSES,
            "columns": sort_headers(
                request.GET, "sort", TRANSCRIPT_COLUMNS, filters.sort, filters.descending
            ),
            "coder_columns": sort_headers(
                request.GET, "csort", CODER_COLUMNS, filters.coder_sort, filters.coder_descending
            ),
        },
    )


TRANSCRIPT_COLUMNS = {"title": "Transcript", "system": "Local system",
                      "coverage": "Participant text coded", "quotes": "Quotes", "status": "Status",
                      "review": "Speaker review", "activity": "Last activity", "coders": "Coders"}  # fmt: skip
CODER_COLUMNS = {"name": "Coder", "assigned": "Assigned (rounds)", "in_progress": "In progress",
                 "done": "Done"}  # fmt: skip


def sort_headers(query, param: str, labels: dict, sort: str, descending: bool) -> list[dict]:
    """A table's headers: each column's label, the link that sorts by it (the other
    table's sort and the filters kept), and its aria-sort."""
    names = ("status", "coder", "system", "sort", "csort")
    kept = {name: query[name] for name in names if query.get(name)}
    columns = []
    for key, label in labels.items():
        current = sort == key
        flip = current and not descending
        link = {**kept, param: f"-{key}" if flip else key}
        order = ("descending" if descending else "ascending") if current else "none"
        columns.append({"label": label, "href": f"?{urlencode(link)}", "sort": order})
    return columns


@project_page(access.CODING_ROLES, methods=("POST",))
def coder_status(
    request: HttpRequest, project_access: ProjectAccess, transcript_id: int
) -> HttpResponse:
    """The caller marks their own coding of the transcript done, or reopens it."""
    transcript = access.get_transcript(project_access, transcript_id)
    form = forms.DoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(sentences(form)))
        return redirect(transcript.get_absolute_url())
    done = form.cleaned_data["done"]
    services.set_coder_status(access=project_access, transcript=transcript, done=done)
    messages.success(request, "Marked done." if done else "Reopened: your status is in progress.")
    return redirect(transcript.get_absolute_url())


@project_page()
def theme_list(request: HttpRequest, project_access: ProjectAccess) -> HttpResponse:
    return render(
        request,
        "coding/theme_list.html",
        {
            "access": project_access,
            "project": project_access.project,
            "themes": theme_rows(project_access.project, project_access),
        },
    )


# --- team coding: rounds, agreement, the disagreement viewer --------------------------


def _coders_of(request: HttpRequest, project_access: ProjectAccess) -> list:
    """The coders asked for (?coder=ID…), else the latest round's."""
    form = forms.ComparisonForm(request.GET or None, project=project_access.project)
    if form.is_bound and form.is_valid() and len(form.cleaned_data["coder"]) >= 2:
        return list(form.cleaned_data["coder"])
    return agreement.default_coders(project_access.project)


def _page(request, project_access, template: str, context: dict, status: int = 200):
    context = {"access": project_access, "project": project_access.project, **context}
    return render(request, f"coding/{template}", context, status=status)


@project_page(ADMIN, methods=("GET", "POST"))
def rounds(request: HttpRequest, project_access: ProjectAccess) -> HttpResponse:
    """Assign transcripts to two or more coders (one or many at once)."""
    project = project_access.project
    form = forms.AssignForm(request.POST or None, project=project)
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            services.assign_transcripts(
                access=project_access,
                transcripts=list(form.cleaned_data["transcripts"]),
                coder_ids=[user.pk for user in form.cleaned_data["coders"]],
                blind=form.cleaned_data["blind"],
            )
        except UserError as error:
            errors = sentences(error)
        else:
            messages.success(request, "Transcripts assigned.")
            return redirect("coding:rounds", project_slug=project.slug)
    errors = errors or (sentences(form) if form.is_bound else [])
    context = {"form": form, "errors": errors, "rounds": _round_rows(project)}
    return _page(request, project_access, "rounds.html", context, 400 if errors else 200)


def _round_rows(project) -> list:
    from coding.models import CodingRound

    return list(
        CodingRound.objects.filter(transcript__project=project)
        .select_related("transcript")
        .prefetch_related("assignments__coder")
        .order_by("transcript__title")
    )


@project_page(access.CODING_ROLES, methods=("POST",))
def mark_done(
    request: HttpRequest, project_access: ProjectAccess, transcript_id: int
) -> HttpResponse:
    transcript = access.get_transcript(project_access, transcript_id)
    form = forms.DoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(sentences(form)))
        return redirect(transcript.get_absolute_url())
    done = form.cleaned_data["done"]
    try:
        services.mark_done(access=project_access, transcript=transcript, done=done)
    except UserError as error:
        messages.error(request, " ".join(sentences(error)))
    else:
        messages.success(request, "Marked done." if done else "Marked not done yet.")
    return redirect(transcript.get_absolute_url())


@project_page(access.CODING_ROLES)
def agreement_page(request: HttpRequest, project_access: ProjectAccess) -> HttpResponse:
    """The coders x themes table of scores, pooled (and per transcript)."""
    project = project_access.project
    form = forms.ComparisonForm(request.GET or None, project=project)
    chosen = form.cleaned_data.get("transcript") if form.is_valid() else None
    coders = _coders_of(request, project_access)
    comparison = agreement.compare(
        project=project,
        coders=coders,
        transcript_id=chosen.pk if chosen else None,
        viewer=blind_viewer(project_access),
    )
    context = {
        "form": form,
        "comparison": comparison,
        "bands": scores.BANDS,
        "coder_query": urlencode([("coder", c.pk) for c in coders]),
        "errors": sentences(form) if form.is_bound else [],
    }
    return _page(request, project_access, "agreement.html", context)


def _viewer_context(request, project_access, transcript, theme, index: int) -> dict:
    coders = _coders_of(request, project_access)
    view = agreement.disagreements(
        transcript=transcript,
        theme=theme,
        coders=coders,
        index=index,
        viewer=blind_viewer(project_access),
    )
    return {
        "view": view,
        "coders": coders,
        "coder_query": urlencode([("coder", c.pk) for c in coders]),
        "decisions": Adoption.Decision.choices,
    }


@project_page(access.CODING_ROLES)
def disagreement_page(
    request: HttpRequest, project_access: ProjectAccess, transcript_id: int, theme_id: int
) -> HttpResponse:
    """The coders' quotes side by side on one disagreement, with next and previous."""
    transcript = access.get_transcript(project_access, transcript_id)
    theme = get_theme(project_access, theme_id)
    raw = request.GET.get("d", "1")
    index = int(raw) - 1 if raw.isascii() and raw.isdigit() and len(raw) < 9 else 0
    context = _viewer_context(request, project_access, transcript, theme, index)
    if blind_viewer(project_access) is not None and transcript.pk not in {
        t.pk
        for t in agreement.compared_transcripts(
            project_access.project,
            [c.pk for c in context["coders"]],
            transcript_id=transcript.pk,
            viewer=blind_viewer(project_access),
        )
    }:
        raise Http404("This round is still blind.")
    return _page(request, project_access, "disagreement.html", context)


@project_page(ADMIN, methods=("POST",))
def decide(
    request: HttpRequest, project_access: ProjectAccess, transcript_id: int, theme_id: int
) -> HttpResponse:
    """A lead coder adopts one version, merges them or leaves both; recorded."""
    transcript = access.get_transcript(project_access, transcript_id)
    theme = get_theme(project_access, theme_id)
    coder_ids = [c.pk for c in forms.coder_choices(project_access.project)]
    form = forms.AdoptionForm(request.POST, coder_ids=coder_ids)
    back = reverse(
        "coding:disagreement", args=[project_access.project.slug, transcript.pk, theme.pk]
    )
    if not form.is_valid():
        return _page(
            request, project_access, "error.html", {"errors": sentences(form), "back": back}, 400
        )
    data = form.cleaned_data
    try:
        services.record_adoption(
            access=project_access, transcript=transcript, theme=theme,
            span=(data["start"], data["end"]), decision=data["decision"],
            coder_ids=data["coder"], adopted_coder_id=data.get("adopted_coder"),
        )  # fmt: skip
    except UserError as error:
        return _page(
            request, project_access, "error.html", {"errors": sentences(error), "back": back}, 400
        )
    messages.success(request, "Decision recorded.")
    query = urlencode([("coder", pk) for pk in data["coder"]] + [("d", (data["index"] or 0) + 1)])
    return HttpResponseRedirect(f"{back}?{query}")


# --- audit trail and bin -----------------------------------------------------------------


@project_page(ADMIN)
def trail_page(request: HttpRequest, project_access: ProjectAccess) -> HttpResponse:
    """The project's audit trail, filtered; ?format=csv downloads it."""
    project = project_access.project
    form = forms.TrailFilterForm(request.GET or None, project=project, types=trail.TYPE_LABELS)
    filters = _trail_filters(form)
    found = trail.entries(project, filters)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{project.slug}-trail.csv"'
        writer = csv.writer(response)
        for row in trail.csv_rows(found.iterator()):
            writer.writerow([_cell(cell) for cell in row])
        return response
    page = Paginator(found, 100).get_page(request.GET.get("page", 1))
    context = {
        "form": form,
        "page": page,
        "entries": [(entry, trail.change_lines(entry)) for entry in page.object_list],
        "query": urlencode({k: v for k, v in request.GET.items() if k not in ("page", "format")}),
        "errors": sentences(form) if form.is_bound and not form.is_valid() else [],
    }
    return _page(request, project_access, "trail.html", context)


def _trail_filters(form) -> trail.TrailFilters:
    if not form.is_bound or not form.is_valid():
        return trail.TrailFilters()
    data = form.cleaned_data
    return trail.TrailFilters(
        user_id=data["user"].pk if data.get("user") else None,
        object_type=data.get("object_type") or "",
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        transcript_id=data.get("transcript"),
        quote_id=data.get("quote"),
        theme_id=data.get("theme"),
    )


def _cell(value: str) -> str:
    """A spreadsheet opening the CSV must not run a formula from a name or a quote."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@project_page(ADMIN)
def bin_page(request: HttpRequest, project_access: ProjectAccess) -> HttpResponse:
    context = {"bin": coding_bin.contents(project_access.project)}
    return _page(request, project_access, "bin.html", context)


def _bin_action(request, project_access, action, success: str) -> HttpResponse:
    try:
        action()
    except UserError as error:
        messages.error(request, " ".join(sentences(error)))
    else:
        messages.success(request, success)
    return redirect("coding:bin", project_slug=project_access.project.slug)


@project_page(ADMIN, methods=("POST",))
def restore_quote(request: HttpRequest, project_access: ProjectAccess, quote_id: int):
    quote = coding_bin.binned_quote(project_access, quote_id)
    return _bin_action(
        request, project_access,
        lambda: coding_bin.restore_quote(access=project_access, quote=quote),
        "Quote restored with its themes.",
    )  # fmt: skip


@project_page(ADMIN, methods=("POST",))
def restore_transcript(request: HttpRequest, project_access: ProjectAccess, transcript_id: int):
    transcript = coding_bin.binned_transcript(project_access, transcript_id)
    return _bin_action(
        request, project_access,
        lambda: coding_bin.restore_transcript(access=project_access, transcript=transcript),
        "Transcript restored with its quotes.",
    )  # fmt: skip


@project_page(ADMIN, methods=("POST",))
def delete_transcript(request: HttpRequest, project_access: ProjectAccess, transcript_id: int):
    transcript = access.get_transcript(project_access, transcript_id)
    return _bin_action(
        request, project_access,
        lambda: coding_bin.bin_transcript(access=project_access, transcript=transcript),
        f"“{transcript.title}” moved to the bin with its quotes.",
    )  # fmt: skip


# --- corrections -------------------------------------------------------------------------


def _stretch_labels(transcript) -> list[tuple[str, str]]:
    from coding.layout import blocks_for
    from interviews.models import SpeakerTurn

    turns = list(
        SpeakerTurn.objects.filter(transcript=transcript)
        .select_related("participant")
        .order_by("index")
    )
    text = transcript.text
    if not turns:
        return [("Transcript text", text)]
    speakers = {(b.start, b.end): b.speaker for b in blocks_for(text, turns)}
    return [
        (f"Turn {n}: {speakers.get((t.start, t.end)) or 'speaker'}", text[t.start : t.end])
        for n, t in enumerate(turns, 1)
    ]


@project_page(access.CODING_ROLES, methods=("GET", "POST"))
def correct(request: HttpRequest, project_access: ProjectAccess, transcript_id: int):
    """Fix typos or misheard words, turn by turn; quotes are re-anchored."""
    transcript = access.get_transcript(project_access, transcript_id)
    if not corrections.may_correct(project_access, transcript):
        raise PermissionDenied("Only a project admin or the interview's enabler may correct it.")
    stretches = _stretch_labels(transcript)
    form = forms.CorrectionForm(
        request.POST or None, stretches=stretches, initial={"version": transcript.text_version}
    )
    errors = sentences(form) if form.is_bound and not form.is_valid() else []
    if form.is_bound and form.is_valid():
        try:
            result = corrections.correct_transcript(
                access=project_access, transcript=transcript, bodies=form.bodies(),
                expected_version=form.cleaned_data["version"], note=form.cleaned_data["note"],
            )  # fmt: skip
        except UserError as error:
            errors = sentences(error)
        else:
            messages.success(
                request,
                f"Corrected: {result.moved} quotes moved with their text, {result.flagged} flagged for review.",
            )
            return redirect(transcript.get_absolute_url())
    context = {"transcript": transcript, "form": form, "errors": errors}
    return _page(request, project_access, "correct.html", context, 400 if errors else 200)


@project_page()
def versions(request: HttpRequest, project_access: ProjectAccess, transcript_id: int):
    """The transcript's earlier texts (?v=N shows one)."""
    from interviews.models import TranscriptVersion

    transcript = access.get_transcript(project_access, transcript_id)
    found = list(
        TranscriptVersion.objects.filter(transcript=transcript).select_related("replaced_by")
    )
    shown = next((v for v in found if str(v.number) == request.GET.get("v")), None)
    context = {"transcript": transcript, "versions": found, "shown": shown}
    return _page(request, project_access, "versions.html", context)


# --- search, auto-coding, similar passages, discovery ----------------------------------


@project_page()
def search_page(request: HttpRequest, project_access: ProjectAccess) -> HttpResponse:
    """Search transcripts, quotes and memos, with filters; hits link into the coding page."""
    form = forms.SearchForm(request.GET or None, project=project_access.project)
    results = None
    if form.is_valid() and form.cleaned_data["q"].strip():
        results = search.search(
            project=project_access.project,
            query=form.cleaned_data["q"],
            filters=form.filters(),
            viewer_id=blind_viewer(project_access),
        )
    context = {"access": project_access, "project": project_access.project}
    return render(request, "coding/search.html", {**context, "form": form, "results": results})


@project_page(CODING_ROLES, ("GET", "POST"))
def autocode_page(request: HttpRequest, project_access: ProjectAccess) -> HttpResponse:
    """GET: preview a keyword's matches (and past batches). POST: code the ticked ones."""
    project = project_access.project
    if request.method == "POST":
        form = forms.AutoCodeApplyForm(request.POST, project=project)
        if form.is_valid():
            try:
                batch = autocode.apply_batch(
                    access=project_access,
                    theme=form.theme_object(),
                    spans=autocode.parse_keys(form.matches),
                    kind=form.cleaned_data["kind"],
                    description=form.cleaned_data["q"] or "ticked passages",
                )
            except UserError as refused:
                messages.error(request, sentence(refused))
            else:
                messages.success(request, f"Coded {batch.items.count()} passages: {batch}.")
        return redirect("coding:autocode", project.slug)
    return render(request, "coding/autocode.html", autocode_context(request, project_access))


def autocode_context(request: HttpRequest, project_access: ProjectAccess) -> dict:
    project = project_access.project
    form = forms.AutoCodePreviewForm(request.GET or None, project=project)
    matches = None
    if form.is_valid():
        matches = autocode.preview(
            access=project_access,
            query=form.cleaned_data["q"],
            unit=form.cleaned_data["unit"],
            speaker=form.cleaned_data["speaker"],
            theme=form.theme_object(),
        )
    return {
        "access": project_access,
        "project": project,
        "form": form,
        "matches": matches,
        "limit": autocode.MAX_MATCHES,
        "speaker_form": forms.SpeakerCodeForm(project=project),
        "batches": autocode.recent_batches(project_access),
    }


@project_page(CODING_ROLES, ("POST",))
def autocode_speaker(request: HttpRequest, project_access: ProjectAccess) -> HttpResponse:
    """Code every turn of one participant, or of all interviewers, with a theme."""
    project = project_access.project
    form = forms.SpeakerCodeForm(request.POST, project=project)
    if not form.is_valid():
        messages.error(request, sentence(form))
        return redirect("coding:autocode", project.slug)
    who = form.cleaned_data["who"]
    participant = None
    if who.startswith("p"):
        participant = Participant.objects.filter(project=project, pk=who[1:]).first()
    try:
        batch = autocode.code_speaker(
            access=project_access,
            theme=form.theme_object(),
            participant=participant,
            interviewers=who == "interviewers",
        )
    except UserError as refused:
        messages.error(request, sentence(refused))
    else:
        messages.success(request, f"Coded {batch.items.count()} turns: {batch}.")
    return redirect("coding:autocode", project.slug)


@project_page(CODING_ROLES, ("POST",))
def autocode_undo(request: HttpRequest, project_access: ProjectAccess, batch_id: int):
    """Undo one auto-coding batch: exactly the quotes and codings it made."""
    batch = access.get_in_project(
        project_access, AutoCodeBatch.objects.select_related("theme"), batch_id, what="batch"
    )
    try:
        changed = autocode.undo_batch(access=project_access, batch=batch)
    except UserError as refused:
        messages.error(request, sentence(refused))
    else:
        messages.success(request, f"Undone: {batch} ({changed} quotes changed).")
    return redirect("coding:autocode", project_access.project.slug)


@project_page()
def similar_page(request: HttpRequest, project_access: ProjectAccess, quote_id: int):
    """Uncoded passages across the project like this quote, ready to code."""
    quote = get_quote(project_access, quote_id)
    backend, similar = suggest.similar_passages(project=project_access.project, quote=quote)
    return render(
        request,
        "coding/similar.html",
        {
            "access": project_access,
            "project": project_access.project,
            "quote": quote,
            "similar": similar,
            "backend_label": embeddings.BACKEND_LABELS[backend],
            "form": forms.ThemeChoiceForm(project=project_access.project),
        },
    )


@project_page(CODING_ROLES, ("GET", "POST"))
def discover_page(request: HttpRequest, project_access: ProjectAccess) -> HttpResponse:
    """GET ?run=1: cluster uncoded participant passages. POST: a cluster becomes a theme."""
    project = project_access.project
    if request.method == "POST":
        form = forms.NewThemeFromClusterForm(request.POST)
        try:
            if not form.is_valid():
                raise UserError(sentence(form))
            batch = autocode.theme_from_cluster(
                access=project_access, name=form.cleaned_data["name"], keys=form.matches
            )
        except UserError as refused:
            messages.error(request, sentence(refused))
        else:
            messages.success(request, f"New theme “{batch.theme}”: {batch.items.count()} coded.")
        return redirect("coding:autocode", project.slug)
    backend, clusters = (
        discover.discover(project=project) if request.GET.get("run") else ("", None)
    )
    context = {"access": project_access, "project": project, "clusters": clusters}
    context["backend_label"] = embeddings.BACKEND_LABELS.get(backend, "")
    return render(request, "coding/discover.html", context)
