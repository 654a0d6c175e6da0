"""JSON endpoints for coding: create quotes, change them, delete and undo, poll for changes.

Each endpoint loads the project through interviews/access.py first (outsiders get
404 whatever the method), then checks the method, binds one form, calls one service
and answers with the saved quote as JSON. Errors answer `{"error": reason}`: 400 for
bad input, 403 for a role that may not code, 404 for another project's objects,
409 for a conflict with another quote.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.dateparse import parse_datetime
from django.utils.timezone import is_naive, make_aware, now
from django.views.decorators.cache import never_cache

from coding import forms, services
from coding.models import Theme
from coding.reading import changed_quotes, project_themes_json, quote_payload
from interviews import access


class BadRequest(Exception):
    pass


def error(reason: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": reason}, status=status)


def json_endpoint(methods: tuple[str, ...]) -> Callable:
    """Turn access/validation errors into JSON; refuse other methods after access checks."""

    def decorate(view: Callable[..., JsonResponse]) -> Callable[..., JsonResponse]:
        @wraps(view)
        @never_cache
        def wrapper(request: HttpRequest, project_slug: str, **kwargs: Any) -> JsonResponse:
            try:
                project_access = access.get_project_access(request.user, project_slug)
                if request.method not in methods:
                    response = error(f"Use {' or '.join(methods)} here.", status=405)
                    response["Allow"] = ", ".join(methods)
                    return response
                return view(request, project_access, **kwargs)
            except Http404:
                return error("Not found.", status=404)
            except PermissionDenied as denied:
                return error(str(denied) or "Your role does not allow this.", status=403)
            except services.CodingError as rejected:
                return error(services.message_of(rejected), status=rejected.status)
            except ValidationError as invalid:
                return error(services.message_of(invalid))
            except BadRequest as bad:
                return error(str(bad))

        return wrapper

    return decorate


def payload(request: HttpRequest) -> tuple[Any, bool]:
    """The request's data and whether it came as JSON (which keeps its types)."""
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise BadRequest("The request body is not valid JSON.") from None
        if not isinstance(data, dict):
            raise BadRequest("Send a JSON object.")
        return data, True
    return request.POST, False


def bind(form_class: type[forms.ListAwareForm], request: HttpRequest) -> dict[str, Any]:
    data, json_mode = payload(request)
    form = form_class(data, json_mode=json_mode)
    if not form.is_valid():
        raise BadRequest(forms.first_error(form))
    return form.cleaned_data


def coder_access(project_access: access.ProjectAccess) -> None:
    project_access.require(access.CODING_ROLES)


def load_quote(
    project_access: access.ProjectAccess, quote_id: int, *, include_deleted: bool = False
):
    quote = access.get_quote(project_access, quote_id, include_deleted=include_deleted)
    quote.transcript.project = project_access.project  # the same row: saves a query
    return quote


def themes_by_id(project_access: access.ProjectAccess, ids: list[int]) -> list[Theme]:
    """The project's themes with these ids; any other id is an error naming it."""
    found = {theme.pk: theme for theme in Theme.objects.filter(pk__in=ids)}
    themes = []
    for theme_id in ids:
        theme = found.get(theme_id)
        if theme is None or theme.project_id != project_access.project.pk:
            raise BadRequest(f"themes: no theme {theme_id} in this project.")
        themes.append(theme)
    return themes


def saved(quote, request: HttpRequest, project_access: access.ProjectAccess, status=200):
    data = quote_payload(quote, user=request.user, role=project_access.role)
    return JsonResponse({"quote": data}, status=status)


@json_endpoint(("GET", "POST"))
def quotes(request: HttpRequest, project_access: access.ProjectAccess, transcript_id: int):
    """GET: the transcript's quotes (?since=ISO time: only those changed since, deleted too).
    POST: code a passage (start, end, text, themes[], new_theme, memo, uuid)."""
    transcript = access.get_transcript(project_access, transcript_id)
    if request.method == "GET":
        since_text = request.GET.get("since")
        since = None
        if since_text:
            since = parse_datetime(since_text)
            if since is None:
                raise BadRequest("since must be an ISO 8601 date and time.")
            if is_naive(since):
                since = make_aware(since)
        server_now = now()
        items = changed_quotes(
            transcript, since=since, user=request.user, role=project_access.role
        )
        return JsonResponse(
            {
                "now": server_now.isoformat(),
                "quotes": items,
                "themes": project_themes_json(project_access.project),
            }
        )

    coder_access(project_access)
    data = bind(forms.QuoteCreateForm, request)
    chosen = themes_by_id(project_access, data["themes"])
    new_name = (data.get("new_theme") or "").strip()
    # Check the passage before creating any theme, so a bad request writes nothing.
    services.check_offsets(
        transcript=transcript, start=data["start"], end=data["end"], text=data["text"]
    )
    if new_name:
        chosen.append(
            services.find_or_propose_theme(
                project=project_access.project, name=new_name, user=request.user
            )
        )
    quote = services.code_passage(
        transcript=transcript,
        start=data["start"],
        end=data["end"],
        text=data["text"],
        coder=request.user,
        themes=chosen,
        memo=data.get("memo") or "",
        key=data.get("uuid"),
    )
    return saved(quote, request, project_access, status=201)


@json_endpoint(("GET",))
def quote_detail(request: HttpRequest, project_access: access.ProjectAccess, quote_id: int):
    return saved(load_quote(project_access, quote_id), request, project_access)


@json_endpoint(("POST",))
def add_theme(request: HttpRequest, project_access: access.ProjectAccess, quote_id: int):
    coder_access(project_access)
    quote = load_quote(project_access, quote_id)
    data = bind(forms.AddThemeForm, request)
    services.require_editor(quote=quote, user=request.user)
    if data.get("theme") is not None:
        theme = themes_by_id(project_access, [data["theme"]])[0]
    else:
        theme = services.find_or_propose_theme(
            project=project_access.project, name=data["new_theme"], user=request.user
        )
    services.add_theme(quote=quote, theme=theme, user=request.user)
    return saved(quote, request, project_access)


@json_endpoint(("POST",))
def remove_theme(
    request: HttpRequest, project_access: access.ProjectAccess, quote_id: int, theme_id: int
):
    coder_access(project_access)
    quote = load_quote(project_access, quote_id)
    theme = access.get_theme(project_access, theme_id)
    services.remove_theme(quote=quote, theme=theme, user=request.user)
    return saved(quote, request, project_access)


@json_endpoint(("POST",))
def edit_memo(request: HttpRequest, project_access: access.ProjectAccess, quote_id: int):
    coder_access(project_access)
    quote = load_quote(project_access, quote_id)
    data = bind(forms.MemoForm, request)
    services.edit_memo(quote=quote, memo=data.get("memo") or "", user=request.user)
    return saved(quote, request, project_access)


@json_endpoint(("POST",))
def adjust(request: HttpRequest, project_access: access.ProjectAccess, quote_id: int):
    coder_access(project_access)
    quote = load_quote(project_access, quote_id)
    data = bind(forms.AdjustForm, request)
    services.adjust_quote(quote=quote, edge=data["edge"], action=data["action"], user=request.user)
    return saved(quote, request, project_access)


@json_endpoint(("POST",))
def delete(request: HttpRequest, project_access: access.ProjectAccess, quote_id: int):
    coder_access(project_access)
    quote = load_quote(project_access, quote_id)
    services.delete_quote(quote=quote, user=request.user)
    return saved(quote, request, project_access)


@json_endpoint(("POST",))
def restore(request: HttpRequest, project_access: access.ProjectAccess, quote_id: int):
    coder_access(project_access)
    quote = load_quote(project_access, quote_id, include_deleted=True)
    services.restore_quote(quote=quote, user=request.user)
    return saved(quote, request, project_access)
