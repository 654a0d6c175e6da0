import json

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from aefront.errors import BadRequest
from interviews import access, recordings
from interviews.overview import project_rows, transcript_rows


def project_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "interviews/project_list.html", {"projects": project_rows(request.user)}
    )


@access.project_page()
def project_detail(request: HttpRequest, project_access: access.ProjectAccess) -> HttpResponse:
    return render(
        request,
        "interviews/project_detail.html",
        {
            "access": project_access,
            "project": project_access.project,
            "transcripts": transcript_rows(project_access.project),
        },
    )


@access.project_page(access.IMPORT_ROLES)
def transcript_original(
    request: HttpRequest, project_access: access.ProjectAccess, transcript_id: int
) -> HttpResponse:
    """The file as it was uploaded, as a download only.

    Originals hold the spoken names, so only roles that import may fetch them; they are
    never rendered by the browser (attachment, nosniff, a sandboxing CSP).
    """
    transcript = access.get_transcript(project_access, transcript_id)
    if not transcript.original_file:
        raise Http404("This transcript has no original file.")
    try:
        handle = transcript.original_file.open("rb")
    except FileNotFoundError:
        raise Http404("The original file is missing from storage.") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=transcript.original_name or f"transcript-{transcript.pk}",
        content_type="application/octet-stream",
    )
    response["Content-Security-Policy"] = "sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


@access.project_page()
def transcript_recording(
    request: HttpRequest, project_access: access.ProjectAccess, transcript_id: int
) -> HttpResponse:
    """The interview's recording for the page's player, with Range requests for seeking.

    It holds voices: report authors hear it only where the project allows it.
    """
    if not recordings.may_hear(project_access):
        raise PermissionDenied("Your role in this project may not play its recordings.")
    transcript = access.get_transcript(project_access, transcript_id)
    if not transcript.recording_file or transcript.recording_format not in recordings.KINDS:
        raise Http404("This transcript has no recording.")
    try:
        return recordings.recording_response(request, transcript)
    except FileNotFoundError:
        raise Http404("The recording is missing from storage.") from None


def _milliseconds(request: HttpRequest) -> int:
    """The `ms` of a JSON body `{"ms": 61500}`, or BadRequest."""
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise BadRequest('Send JSON: {"ms": milliseconds}.') from None
    ms = data.get("ms") if isinstance(data, dict) else None
    if not isinstance(ms, int) or isinstance(ms, bool):
        raise BadRequest("`ms` must be a whole number of milliseconds.")
    return ms


@access.project_json(("POST",), access.CODING_ROLES)
def turn_start(
    request: HttpRequest,
    project_access: access.ProjectAccess,
    transcript_id: int,
    turn_index: int,
) -> HttpResponse:
    """Set one turn's start to the playback position: JSON `{"ms": 61500}`."""
    transcript = access.get_transcript(project_access, transcript_id)
    ms = _milliseconds(request)
    turn = recordings.set_turn_start(transcript=transcript, index=turn_index, started_at_ms=ms)
    return JsonResponse({"turn": turn.index, "ms": turn.started_at_ms})
