"""Import pages: upload many files (one request each, or all at once without JavaScript),
then review each transcript's speakers."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from interviews import access
from interviews.forms import FileUploadForm, ReviewForm, SpeakerRow, UploadForm
from interviews.models import Participant, Project, Transcript
from interviews.parsing import ImportRejected, speaker_key
from interviews.services import (
    ImportResult,
    import_transcript,
    next_free_pseudonyms,
    save_review,
    speakers_locked,
)
from interviews.uploads import display_name, format_size, http_status, limits_from_settings

SAMPLE_CHARS = 160
PREVIEW_CHARS = 1500


@dataclass(frozen=True)
class FileOutcome:
    """One file's result, as the results page and the JSON endpoint report it."""

    name: str
    imported: bool
    message: str
    result: ImportResult | None = None
    status: int = 201

    @property
    def review_url(self) -> str:
        if self.result is None:
            return ""
        transcript = self.result.transcript
        return reverse("imports:review", args=[transcript.project.slug, transcript.pk])


def _too_large_message(name: str) -> str:
    return f"{name}: is too large (the limit is {format_size(limits_from_settings().max_upload_bytes)})"


def _import_file(request: HttpRequest, project: Project, upload, local_system) -> FileOutcome:
    name = display_name(upload.name)
    try:
        result = import_transcript(
            project=project,
            filename=upload.name,
            data=upload.read(),
            user=request.user,
            local_system=local_system,
        )
    except ImportRejected as refused:
        return FileOutcome(name, False, f"{name}: {refused.reason}", status=http_status(refused))
    return FileOutcome(name, True, result.summary, result=result)


def _awaiting_review(project_access: access.ProjectAccess):
    return (
        access.transcripts_for(project_access)
        .filter(speakers_confirmed=False)
        .only("pk", "title", "original_name", "created_at", "project")
        .order_by("-created_at")[:50]
    )


def _upload_page(
    request: HttpRequest, project_access: access.ProjectAccess, form: UploadForm, status: int = 200
) -> HttpResponse:
    project = project_access.project
    return render(
        request,
        "interviews/import_upload.html",
        {
            "access": project_access,
            "project": project,
            "form": form,
            "awaiting": _awaiting_review(project_access),
            "upload_config": {
                "fileUrl": reverse("imports:upload_file", args=[project.slug]),
                "maxBytes": limits_from_settings().max_upload_bytes,
            },
        },
        status=status,
    )


def upload(request: HttpRequest, project_slug: str) -> HttpResponse:
    """The upload page; its POST (no JavaScript) imports every file and shows the results."""
    project_access = access.get_project_access(request.user, project_slug, access.IMPORT_ROLES)
    project = project_access.project
    if request.method != "POST":
        return _upload_page(request, project_access, UploadForm(project=project))
    form = UploadForm(request.POST, request.FILES, project=project)
    oversized = getattr(request, "oversized_uploads", [])
    if not form.is_valid() or not (form.cleaned_data["files"] or oversized):
        if not form.errors:
            form.add_error("files", "Choose at least one file.")
        return _upload_page(request, project_access, form, status=400)
    local_system = form.cleaned_data["local_system"]
    outcomes = [
        _import_file(request, project, upload, local_system)
        for upload in form.cleaned_data["files"]
    ]
    outcomes += [
        FileOutcome(name, False, _too_large_message(name), status=413) for name in oversized
    ]
    status = 200 if any(outcome.imported for outcome in outcomes) else 422
    return render(
        request,
        "interviews/import_results.html",
        {"access": project_access, "project": project, "outcomes": outcomes},
        status=status,
    )


def upload_file(request: HttpRequest, project_slug: str) -> JsonResponse:
    """One file per request (the page's script): 201 with the transcript, or 4xx with why."""
    try:
        project_access = access.get_project_access(request.user, project_slug, access.IMPORT_ROLES)
    except Http404:
        return JsonResponse({"error": "No such project."}, status=404)
    except PermissionDenied:
        return JsonResponse(
            {"error": "Your role in this project does not allow importing transcripts."},
            status=403,
        )
    if request.method != "POST":
        response = JsonResponse({"error": "Send a file with POST."}, status=405)
        response["Allow"] = "POST"
        return response
    project = project_access.project
    form = FileUploadForm(request.POST, request.FILES, project=project)
    # Reading request.POST above ran the upload handlers, which record skipped files.
    oversized = getattr(request, "oversized_uploads", [])
    if oversized:
        return JsonResponse({"error": _too_large_message(oversized[0])}, status=413)
    if not form.is_valid():
        uploaded = request.FILES.get("file")
        name = display_name(uploaded.name) if uploaded else "upload"
        problems = "; ".join(
            f"{field if field != '__all__' else 'form'}: {' '.join(errors)}"
            for field, errors in form.errors.items()
        )
        return JsonResponse({"error": f"{name}: {problems}"}, status=400)
    outcome = _import_file(
        request, project, form.cleaned_data["file"], form.cleaned_data["local_system"]
    )
    if not outcome.imported:
        return JsonResponse(
            {"error": outcome.message, "name": outcome.name}, status=outcome.status
        )
    result = outcome.result
    assert result is not None
    return JsonResponse(
        {
            "id": result.transcript.pk,
            "name": outcome.name,
            "title": result.transcript.title,
            "turns": result.turn_count,
            "speakers": [
                {"pseudonym": speaker.pseudonym or "Interviewer", "created": speaker.created}
                for speaker in result.speakers
            ],
            "notes": list(result.notes),
            "message": outcome.message,
            "review_url": outcome.review_url,
        },
        status=201,
    )


def speaker_rows(transcript: Transcript) -> list[SpeakerRow]:
    """Detected speakers in order of first appearance, each with a sample line."""
    rows: dict[str, dict] = {}
    turns = transcript.turns.select_related("participant__local_system").order_by("index")
    for turn in turns:
        if not turn.speaker_label:
            continue
        key = speaker_key(turn.speaker_label)
        row = rows.get(key)
        if row is None:
            sample = transcript.text[turn.start : turn.end].split("\n", 1)[0]
            if len(sample) > SAMPLE_CHARS:
                sample = sample[: SAMPLE_CHARS - 1] + "…"
            rows[key] = {
                "label": turn.speaker_label,
                "sample": sample,
                "turns": 1,
                "participant": turn.participant,
                "is_interviewer": turn.is_interviewer,
            }
        else:
            row["turns"] += 1
    return [SpeakerRow(**row) for row in rows.values()]


def review(request: HttpRequest, project_slug: str, transcript_id: int) -> HttpResponse:
    """The review step: who each speaker is, and the transcript's details."""
    project_access = access.get_project_access(request.user, project_slug, access.IMPORT_ROLES)
    transcript = access.get_transcript(project_access, transcript_id)
    project = project_access.project
    locked = speakers_locked(transcript)
    speakers = speaker_rows(transcript)
    participants = list(Participant.objects.filter(project=project).select_related("local_system"))
    form = ReviewForm(
        request.POST if request.method == "POST" else None,
        transcript=transcript,
        speakers=speakers,
        participants=participants,
        suggestions=next_free_pseudonyms(project, len(speakers)),
        locked=locked,
    )
    if request.method == "POST" and form.is_valid():
        try:
            result = save_review(
                transcript=transcript,
                title=form.cleaned_data["title"],
                interview_date=form.cleaned_data["interview_date"],
                local_system=form.cleaned_data["local_system"],
                mapping=form.mapping(),
                user=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if result is None:
                messages.success(request, "Details saved. The speakers can no longer change.")
            else:
                mapped = ", ".join(
                    f"{speaker.label} → {speaker.target}" for speaker in result.speakers
                )
                messages.success(request, f"Speakers saved: {mapped or 'none'}.")
                for pseudonym in result.removed_participants:
                    messages.info(request, f"{pseudonym} was removed: no transcript uses it now.")
            return redirect("imports:review", project.slug, transcript.pk)
    return render(
        request,
        "interviews/import_review.html",
        {
            "access": project_access,
            "project": project,
            "transcript": transcript,
            "form": form,
            "locked": locked,
            "preview": transcript.text[:PREVIEW_CHARS],
            "preview_cut": len(transcript.text) > PREVIEW_CHARS,
        },
        status=400 if request.method == "POST" else 200,
    )
