"""The coding pages: a transcript to code, the codebook with its counts, search,
auto-coding, similar passages and theme discovery."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from aefront.errors import UserError, sentence
from coding import autocode, discover, embeddings, forms, search, suggest
from coding.models import AutoCodeBatch
from coding.reading import get_quote, parse_filters, theme_rows, transcript_page
from interviews import access
from interviews.access import CODING_ROLES, ProjectAccess, project_page
from interviews.models import Participant


@project_page()
def transcript_detail(
    request: HttpRequest, project_access: ProjectAccess, transcript_id: int
) -> HttpResponse:
    """The coding page: the transcript with its quotes, the side panel and the filters."""
    transcript = access.get_transcript(project_access, transcript_id)
    context = {"access": project_access, "project": project_access.project}
    context.update(
        transcript_page(transcript, access=project_access, filters=parse_filters(request.GET))
    )
    return render(request, "coding/transcript_detail.html", context)


@project_page()
def theme_list(request: HttpRequest, project_access: ProjectAccess) -> HttpResponse:
    return render(
        request,
        "coding/theme_list.html",
        {
            "access": project_access,
            "project": project_access.project,
            "themes": theme_rows(project_access.project),
        },
    )


# --- search, auto-coding, similar passages, discovery ----------------------------------


@project_page()
def search_page(request: HttpRequest, project_access: ProjectAccess) -> HttpResponse:
    """Search transcripts, quotes and memos, with filters; hits link into the coding page."""
    form = forms.SearchForm(request.GET or None, project=project_access.project)
    results = None
    if form.is_valid() and form.cleaned_data["q"].strip():
        results = search.search(
            project=project_access.project, query=form.cleaned_data["q"], filters=form.filters()
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
