"""JSON endpoints for coding: create quotes, change them, delete and undo, poll for changes,
and the live stream of a transcript's changes with its presence (coding/live.py).

Each endpoint is an `access.project_json` view: the project is loaded first (outsiders
get 404 whatever the method), then the method and the role are checked; the view binds
one form, calls one service and answers with the saved quote as JSON. Errors answer
`{"error": reason}`: 400 for bad input, 403 for a role that may not code, 404 for
another project's objects, 409 for a conflict with another quote.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, JsonResponse, StreamingHttpResponse
from django.utils.dateparse import parse_datetime
from django.utils.timezone import is_naive, make_aware, now

from aefront.errors import BadRequest, json_error, sentence
from coding import forms, live, services, suggest
from coding.models import Quote, Theme
from coding.reading import (
    changed_quotes,
    get_quote,
    get_theme,
    project_themes_json,
    quote_payload,
    user_name,
)
from interviews import access
from interviews.access import CODING_ROLES, project_json


def payload(request: HttpRequest) -> tuple[Any, bool]:
    """The request's data and whether it came as JSON (which keeps its types)."""
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise BadRequest("The request body is not valid JSON.") from None
        except RecursionError:
            raise BadRequest("The request body is nested too deeply.") from None
        if not isinstance(data, dict):
            raise BadRequest("Send a JSON object.")
        return data, True
    return request.POST, False


def bind(form_class: type[forms.ListAwareForm], request: HttpRequest) -> dict[str, Any]:
    data, json_mode = payload(request)
    form = form_class(data, json_mode=json_mode)
    if not form.is_valid():
        raise BadRequest(sentence(form, labels={}))
    return form.cleaned_data


def themes_by_id(
    project_access: access.ProjectAccess, ids: list[int], codebook: list[Theme] | None = None
) -> list[Theme]:
    """The project's themes with these ids; any other id is an error naming it.

    `codebook`: the project's themes, if already loaded (then no query)."""
    if codebook is None:
        codebook = list(Theme.objects.filter(pk__in=ids))
    found = {theme.pk: theme for theme in codebook}
    themes = []
    for theme_id in ids:
        theme = found.get(theme_id)
        if theme is None or theme.project_id != project_access.project.pk:
            raise BadRequest(f"themes: no theme {theme_id} in this project.")
        themes.append(theme)
    return themes


def saved(
    quote: Quote,
    project_access: access.ProjectAccess,
    status: int = 200,
    codebook: list[Theme] | None = None,
) -> JsonResponse:
    data = quote_payload(quote, access=project_access, loaded_themes=codebook)
    return JsonResponse({"quote": data}, status=status)


def since_of(request: HttpRequest):
    since_text = request.GET.get("since")
    if not since_text:
        return None
    try:
        since = parse_datetime(since_text)
    except ValueError:  # well-formed but impossible: month 13, hour 25, offset +99:00
        since = None
    if since is None:
        raise BadRequest("since must be an ISO 8601 date and time that exists.")
    return make_aware(since) if is_naive(since) else since


@project_json(("GET", "POST"))
def quotes(request: HttpRequest, project_access: access.ProjectAccess, transcript_id: int):
    """GET: the transcript's quotes (?since=ISO time: only those changed since, deleted too).
    POST: code a passage (start, end, text, themes[], new_theme, memo, uuid), inside one
    speaker turn (checked on the turns' offsets, read with the passage)."""
    if request.method == "GET":
        return _changed(request, project_access, transcript_id)
    project_access.require(CODING_ROLES, "coding")
    data = bind(forms.QuoteCreateForm, request)
    transcript = access.get_transcript_for_passage(
        project_access, transcript_id, data["start"], data["end"]
    )
    # One read of the codebook serves the check of the themes and the answer.
    codebook = list(Theme.objects.filter(project=project_access.project))
    quote = services.code_passage(
        access=project_access,
        transcript=transcript,
        start=data["start"],
        end=data["end"],
        text=data["text"],
        themes=themes_by_id(project_access, data["themes"], codebook),
        new_theme=data.get("new_theme") or "",
        memo=data.get("memo") or "",
        key=data.get("uuid"),
    )
    proposed = set(quote.theme_ids) - {theme.pk for theme in codebook}  # by new_theme
    return saved(quote, project_access, status=201, codebook=None if proposed else codebook)


def _changed(request, project_access: access.ProjectAccess, transcript_id: int) -> JsonResponse:
    transcript = access.get_transcript(project_access, transcript_id)
    server_now = now()
    items = changed_quotes(transcript, since=since_of(request), access=project_access)
    return JsonResponse(
        {
            "now": server_now.isoformat(),
            "quotes": items,
            "themes": project_themes_json(project_access.project),
        }
    )


@project_json(("GET",))
def quote_detail(request: HttpRequest, project_access: access.ProjectAccess, quote_id: int):
    return saved(get_quote(project_access, quote_id), project_access)


@project_json(("POST",), CODING_ROLES)
def add_theme(request: HttpRequest, project_access: access.ProjectAccess, quote_id: int):
    quote = get_quote(project_access, quote_id)
    data = bind(forms.AddThemeForm, request)
    theme = None
    if data.get("theme") is not None:
        theme = themes_by_id(project_access, [data["theme"]])[0]
    services.add_theme(
        access=project_access, quote=quote, theme=theme, new_theme=data.get("new_theme") or ""
    )
    return saved(quote, project_access)


@project_json(("POST",), CODING_ROLES)
def remove_theme(
    request: HttpRequest, project_access: access.ProjectAccess, quote_id: int, theme_id: int
):
    quote = get_quote(project_access, quote_id)
    theme = get_theme(project_access, theme_id)
    services.remove_theme(access=project_access, quote=quote, theme=theme)
    return saved(quote, project_access)


@project_json(("POST",), CODING_ROLES)
def edit_memo(request: HttpRequest, project_access: access.ProjectAccess, quote_id: int):
    quote = get_quote(project_access, quote_id)
    data = bind(forms.MemoForm, request)
    services.edit_memo(access=project_access, quote=quote, memo=data.get("memo") or "")
    return saved(quote, project_access)


@project_json(("POST",), CODING_ROLES)
def adjust(request: HttpRequest, project_access: access.ProjectAccess, quote_id: int):
    quote = get_quote(project_access, quote_id)
    data = bind(forms.AdjustForm, request)
    services.adjust_quote(
        access=project_access, quote=quote, edge=data["edge"], action=data["action"]
    )
    return saved(quote, project_access)


@project_json(("POST",), CODING_ROLES)
def delete(request: HttpRequest, project_access: access.ProjectAccess, quote_id: int):
    quote = get_quote(project_access, quote_id)
    services.delete_quote(access=project_access, quote=quote)
    return saved(quote, project_access)


@project_json(("POST",), CODING_ROLES)
def restore(request: HttpRequest, project_access: access.ProjectAccess, quote_id: int):
    quote = get_quote(project_access, quote_id, include_deleted=True)
    services.restore_quote(access=project_access, quote=quote)
    return saved(quote, project_access)


@project_json(("POST",), CODING_ROLES)
def undo_step(request: HttpRequest, project_access: access.ProjectAccess, quote_id: int):
    """POST {step, expected_updated_at, theme | memo | start and end}: one step of the
    page's undo or redo; 409 if the quote changed since the caller's last change."""
    quote = get_quote(project_access, quote_id, include_deleted=True)
    data = bind(forms.UndoStepForm, request)
    theme = None
    if data.get("theme") is not None:
        theme = themes_by_id(project_access, [data["theme"]])[0]
    span = (data["start"], data["end"]) if data["step"] == "span" else None
    services.undo_step(
        access=project_access,
        quote=quote,
        step=data["step"],
        expected_updated_at=data["expected_updated_at"],
        theme=theme,
        memo=data.get("memo"),
        span=span,
    )
    return saved(quote, project_access)


@project_json(("POST",))
def suggest_themes(request: HttpRequest, project_access: access.ProjectAccess):
    """POST {text}: the three most likely themes, with scores, confidences and the backend
    that ranked them (computed on this server)."""
    data = bind(forms.SuggestForm, request)
    ranking = suggest.suggest_themes(project=project_access.project, text=data["text"])
    return JsonResponse(
        {
            "backend": ranking.backend,
            "backend_label": ranking.backend_label,
            "suggestions": [
                {
                    "id": s.theme_id,
                    "name": s.name,
                    "path": s.path,
                    "score": round(s.score, 4),
                    "confidence": round(s.confidence, 4),
                }
                for s in ranking.suggestions
            ],
        }
    )


@project_json(("GET",))
def live_stream(request: HttpRequest, project_access: access.ProjectAccess, transcript_id: int):
    """The transcript's changes as server-sent events (coding/live.py), for members only.
    Only the ASGI server can hold a stream open: elsewhere 503, and the page polls."""
    transcript = access.get_transcript(project_access, transcript_id)
    if not isinstance(request, ASGIRequest):
        return json_error("Live updates need the ASGI server: this page polls instead.", 503)
    user = {"id": request.user.pk, "name": user_name(request.user)}
    last_id = request.headers.get("Last-Event-ID") or request.GET.get("last") or ""
    events = live.stream(
        transcript_id=transcript.pk, user=user, last_id=last_id[:64], gone=live.gone_of(request)
    )
    response = StreamingHttpResponse(events, content_type="text/event-stream")
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response


@project_json(("GET",))
def project_live_stream(request: HttpRequest, project_access: access.ProjectAccess):
    """The project's quote changes as server-sent events, for the report pages' notice."""
    if not isinstance(request, ASGIRequest):
        return json_error("Live updates need the ASGI server.", 503)
    events = live.project_stream(project_id=project_access.project.pk, gone=live.gone_of(request))
    response = StreamingHttpResponse(events, content_type="text/event-stream")
    response["X-Accel-Buffering"] = "no"
    return response


@project_json(("POST",))
def live_presence(request: HttpRequest, project_access: access.ProjectAccess, transcript_id: int):
    """POST {conn, editing}: the page's user edits this quote now (editing: null, none)."""
    transcript = access.get_transcript(project_access, transcript_id)
    data = bind(forms.PresenceForm, request)
    user = {"id": request.user.pk, "name": user_name(request.user)}
    if not live.presence(transcript.pk, conn=data["conn"], user=user, editing=data.get("editing")):
        return json_error("conn: no live page of yours has this id open.", 409)
    return JsonResponse({"ok": True})
