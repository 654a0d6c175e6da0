"""Refuse a request body that is too large from its Content-Length, before any of it is read.

Django's own limits act once something reads the body: the upload handler skips a file
past the limit only after receiving all of it. This middleware answers 413 first, so a
request declaring 200 MiB costs nothing. A file upload (multipart) may carry up to
AEFRONT_MAX_REQUEST_BYTES (one file at the upload limit plus the form around it); any
other body up to DATA_UPLOAD_MAX_MEMORY_SIZE. A missing or false Content-Length cannot
make Django read more: its input stream stops at the declared length.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from aefront import errors
from aefront.middleware import wants_json
from interviews.uploads import format_size


def declared_length(request: HttpRequest) -> int:
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0  # Django reads nothing of a body whose length it cannot read


def body_limit(request: HttpRequest) -> int:
    if request.content_type == "multipart/form-data":
        return settings.AEFRONT_MAX_REQUEST_BYTES
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def too_large_message(request: HttpRequest, size: int, limit: int) -> str:
    if request.content_type == "multipart/form-data":
        return (
            f"This upload is too large ({format_size(size)}): the limit is "
            f"{format_size(settings.AEFRONT_MAX_UPLOAD_BYTES)} per file and "
            f"{format_size(limit)} per upload. Upload fewer or smaller files."
        )
    return f"This request is too large ({format_size(size)}): the limit is {format_size(limit)}."


class RequestSizeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        size, limit = declared_length(request), body_limit(request)
        if size <= limit:
            return self.get_response(request)
        message = too_large_message(request, size, limit)
        if wants_json(request):
            return errors.json_error(message, status=413)
        # No request: the context processors would load the session for a refusal.
        return HttpResponse(render_to_string("413.html", {"message": message}), status=413)
