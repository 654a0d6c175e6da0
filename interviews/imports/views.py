"""Import pages: upload many files (one request each, or all at once without JavaScript),
then review each transcript's speakers."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from aefront import errors
from interviews import access, recordings
from interviews.imports import background
from interviews.imports.forms import (
    ArchiveForm,
    FileUploadForm,
    RecordingForm,
    ReviewForm,
    UploadForm,
)
from interviews.imports.reading import awaiting_review, first_turns, speaker_rows
from interviews.models import Participant, Project, Transcript
from interviews.parsing import ImportRejected
from interviews.services import (
    ImportResult,
    RemapResult,
    import_transcript,
    next_free_pseudonyms,
    save_review,
    speakers_locked,
)
from interviews.uploads import display_name, http_status, limits_from_settings, too_large

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
    return f"{name}: {too_large(None, limits_from_settings()).reason}"


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


def _imported_payload(outcome: FileOutcome) -> dict:
    """The JSON answer for an imported file: the transcript, its turns and speakers."""
    result = outcome.result
    assert result is not None
    return {
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
    }


# --- upload ------------------------------------------------------------------------------


def _upload_page(
    request: HttpRequest,
    project_access: access.ProjectAccess,
    form: UploadForm | None = None,
    status: int = 200,
    archive_form: ArchiveForm | None = None,
) -> HttpResponse:
    project = project_access.project
    return render(
        request,
        "interviews/import_upload.html",
        {
            "access": project_access,
            "project": project,
            "form": form or UploadForm(project=project),
            "archive_form": archive_form or ArchiveForm(project=project),
            "awaiting": awaiting_review(project_access),
            "upload_config": {
                "fileUrl": reverse("imports:upload_file", args=[project.slug]),
                "maxBytes": limits_from_settings().max_upload_bytes,
            },
        },
        status=status,
    )


def _import_batch(request: HttpRequest, project: Project, form: UploadForm) -> list[FileOutcome]:
    """Every file of the no-JavaScript form, and every file the upload handler skipped."""
    local_system = form.cleaned_data["local_system"]
    outcomes = [
        _import_file(request, project, upload, local_system)
        for upload in form.cleaned_data["files"]
    ]
    return outcomes + [
        FileOutcome(name, False, _too_large_message(name), status=413)
        for name in getattr(request, "oversized_uploads", [])
    ]


@access.project_page(access.IMPORT_ROLES, methods=("GET", "POST"))
def upload(request: HttpRequest, project_access: access.ProjectAccess) -> HttpResponse:
    """The upload page; its POST (no JavaScript) imports every file and shows the results."""
    project = project_access.project
    if request.method != "POST":
        return _upload_page(request, project_access, UploadForm(project=project))
    form = UploadForm(request.POST, request.FILES, project=project)
    oversized = getattr(request, "oversized_uploads", [])
    if not form.is_valid() or not (form.cleaned_data["files"] or oversized):
        if not form.errors:
            form.add_error("files", "Choose at least one file.")
        return _upload_page(request, project_access, form, status=400)
    outcomes = _import_batch(request, project, form)
    return render(
        request,
        "interviews/import_results.html",
        {"access": project_access, "project": project, "outcomes": outcomes},
        status=200 if any(outcome.imported for outcome in outcomes) else 422,
    )


@access.project_json(("POST",), access.IMPORT_ROLES)
def upload_file(request: HttpRequest, project_access: access.ProjectAccess) -> JsonResponse:
    """One file per request (the page's script): 201 with the transcript, or 4xx with why."""
    form = FileUploadForm(request.POST, request.FILES, project=project_access.project)
    # Reading request.POST above ran the upload handlers, which record skipped files.
    oversized = getattr(request, "oversized_uploads", [])
    if oversized:
        return errors.json_error(_too_large_message(oversized[0]), status=413)
    if not form.is_valid():
        uploaded = request.FILES.get("file")
        name = display_name(uploaded.name) if uploaded else "upload"
        return errors.json_error(f"{name}: {errors.sentence(form)}", status=400)
    outcome = _import_file(
        request,
        project_access.project,
        form.cleaned_data["file"],
        form.cleaned_data["local_system"],
    )
    if not outcome.imported:
        return errors.json_error(outcome.message, status=outcome.status, name=outcome.name)
    return JsonResponse(_imported_payload(outcome), status=201)


@access.project_page(access.IMPORT_ROLES, methods=("POST",))
def upload_archive(request: HttpRequest, project_access: access.ProjectAccess) -> HttpResponse:
    """A .zip of transcripts: checked and stored here, imported by the worker (a job)."""
    project = project_access.project
    form = ArchiveForm(request.POST, request.FILES, project=project)
    oversized = getattr(request, "oversized_uploads", [])
    if oversized:
        form.add_error("archive", _too_large_message(oversized[0]))
    if form.is_valid():
        try:
            background.start(access=project_access, upload=form.cleaned_data["archive"],
                             local_system=form.cleaned_data["local_system"])  # fmt: skip
        except errors.UserError as error:
            form.add_error("archive", errors.sentence(error))
        else:
            messages.success(request, "The archive is being imported: follow it here.")
            return redirect("jobs:list", project_slug=project.slug)
    return _upload_page(request, project_access, archive_form=form, status=400)


# --- review ------------------------------------------------------------------------------


def _review_form(request: HttpRequest, transcript: Transcript, locked: bool) -> ReviewForm:
    speakers = speaker_rows(transcript)
    project = transcript.project
    return ReviewForm(
        request.POST if request.method == "POST" else None,
        transcript=transcript,
        speakers=speakers,
        participants=list(
            Participant.objects.filter(project=project).select_related("local_system")
        ),
        suggestions=next_free_pseudonyms(project, len(speakers)),
        locked=locked,
    )


def _saved_review(request: HttpRequest, transcript: Transcript, form: ReviewForm) -> bool:
    """Save a valid review form and say what changed; False (a form error) if refused."""
    try:
        result = save_review(
            transcript=transcript,
            title=form.cleaned_data["title"],
            title_is_safe=form.cleaned_data["title_is_safe"],
            interview_date=form.cleaned_data["interview_date"],
            local_system=form.cleaned_data["local_system"],
            mapping=form.mapping(),
            user=request.user,
        )
    except ValidationError as error:
        form.add_error(None, error)
        return False
    _report_review(request, result)
    return True


def _report_review(request: HttpRequest, result: RemapResult | None) -> None:
    if result is None:
        messages.success(request, "Details saved. The speakers can no longer change.")
        return
    mapped = ", ".join(f"{speaker.label} → {speaker.target}" for speaker in result.speakers)
    messages.success(request, f"Speakers saved: {mapped or 'none'}.")
    for pseudonym in result.removed_participants:
        messages.info(request, f"{pseudonym} was removed: no transcript uses it now.")


@access.project_page(access.IMPORT_ROLES, methods=("GET", "POST"))
def review(
    request: HttpRequest, project_access: access.ProjectAccess, transcript_id: int
) -> HttpResponse:
    """The review step: who each speaker is, and the transcript's details."""
    transcript = access.get_transcript(project_access, transcript_id)
    locked = speakers_locked(transcript)
    form = _review_form(request, transcript, locked)
    if request.method == "POST" and form.is_valid() and _saved_review(request, transcript, form):
        return redirect("imports:review", project_access.project.slug, transcript.pk)
    return render(
        request,
        "interviews/import_review.html",
        {
            "access": project_access,
            "project": project_access.project,
            "transcript": transcript,
            "form": form,
            "recording_form": RecordingForm(),
            "recording_length": recordings.format_ms(transcript.recording_ms or 0),
            "locked": locked,
            "first_turns": first_turns(transcript),
            "preview": transcript.text[:PREVIEW_CHARS],
            "preview_cut": len(transcript.text) > PREVIEW_CHARS,
        },
        status=400 if request.method == "POST" else 200,
    )


@access.project_page(access.IMPORT_ROLES, methods=("POST",))
def attach_recording(
    request: HttpRequest, project_access: access.ProjectAccess, transcript_id: int
) -> HttpResponse:
    """Attach (or replace) the interview's recording, then back to the review page."""
    transcript = access.get_transcript(project_access, transcript_id)
    form = RecordingForm(request.POST, request.FILES)
    try:
        if getattr(request, "oversized_uploads", None):
            raise recordings.too_large(None)
        if not form.is_valid():
            raise ValidationError(errors.sentences(form))
        upload = form.cleaned_data["recording"]
        found = recordings.attach_recording(
            transcript=transcript, upload=upload, filename=upload.name
        )
    except ValidationError as refused:
        messages.error(request, f"The recording was not attached: {errors.sentence(refused)}")
    else:
        length = recordings.format_ms(found.duration_ms)
        messages.success(request, f"Recording attached ({found.kind.label}, {length}).")
    return redirect("imports:review", project_access.project.slug, transcript.pk)
