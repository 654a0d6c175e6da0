"""Refuse a request body that is too large from its Content-Length, before any of it is read.

Django's own limits act once something reads the body: the upload handler skips a file
past the limit only after receiving all of it. This middleware answers 413 first, so a
request declaring 200 MiB costs nothing. A file upload (multipart) may carry up to
AEFRONT_MAX_REQUEST_BYTES (one file at the upload limit plus the form around it); any
other body up to DATA_UPLOAD_MAX_MEMORY_SIZE.

A missing or false Content-Length cannot make the app read more. Django's input stream
(`LimitedStream`) stops at the declared length, so a body longer than it declares is
read only to that length and one with no length is not read at all. A body sent in
chunks (`Transfer-Encoding`, no Content-Length: the reverse proxy normally buffers it
and sends the length) answers 411 before a byte is read, rather than arriving empty.
And `BoundedInput`, which wsgi.py puts around the server's `wsgi.input`, refuses to
hand anything that reads it directly more than AEFRONT_MAX_REQUEST_BYTES.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from aefront import errors
from aefront.middleware import wants_json
from interviews.uploads import format_size, is_recording_upload

BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def declared_length(request: HttpRequest) -> int:
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0  # Django reads nothing of a body whose length it cannot read


def body_limit(request: HttpRequest) -> int:
    if request.content_type == "multipart/form-data":
        if is_recording_upload(request.path_info):
            return settings.AEFRONT_MAX_RECORDING_BYTES + 1024 * 1024
        return settings.AEFRONT_MAX_REQUEST_BYTES
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def too_large_message(request: HttpRequest, size: int, limit: int) -> str:
    if request.content_type == "multipart/form-data" and is_recording_upload(request.path_info):
        return (
            f"This recording is too large ({format_size(size)}): the limit is "
            f"{format_size(settings.AEFRONT_MAX_RECORDING_BYTES)}."
        )
    if request.content_type == "multipart/form-data":
        return (
            f"This upload is too large ({format_size(size)}): the limit is "
            f"{format_size(settings.AEFRONT_MAX_UPLOAD_BYTES)} per file and "
            f"{format_size(limit)} per upload. Upload fewer or smaller files."
        )
    return f"This request is too large ({format_size(size)}): the limit is {format_size(limit)}."


LENGTH_REQUIRED = (
    "This request was sent without a Content-Length (in chunks), so it was not read. "
    "Send it again with its length."
)


def is_chunked(request: HttpRequest) -> bool:
    """A body announced by Transfer-Encoding with no usable Content-Length."""
    if request.method not in BODY_METHODS or "HTTP_TRANSFER_ENCODING" not in request.META:
        return False
    length = request.META.get("CONTENT_LENGTH") or ""
    return not length.strip().isdigit()


TITLES = {411: "Length required", 413: "Too large"}


def refusal(request: HttpRequest, message: str, status: int) -> HttpResponse:
    if wants_json(request):
        return errors.json_error(message, status=status)
    # No request: the context processors would load the session for a refusal.
    page = render_to_string("413.html", {"message": message, "title": TITLES[status]})
    return HttpResponse(page, status=status)


class RequestSizeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_chunked(request):
            return refusal(request, LENGTH_REQUIRED, 411)
        size, limit = declared_length(request), body_limit(request)
        if size <= limit:
            return self.get_response(request)
        return refusal(request, too_large_message(request, size, limit), 413)


class BoundedInput:
    """A WSGI input stream that yields at most `limit` bytes, then refuses to read on.

    Django reads through its own LimitedStream; this bounds anything else that might
    read `environ["wsgi.input"]` (a server's chunked body, a client that lies).
    """

    def __init__(self, stream, limit: int) -> None:
        self.stream = stream
        self.limit = limit
        self.read_so_far = 0

    def _allow(self, size: int | None) -> int:
        left = self.limit - self.read_so_far
        if left <= 0 and size != 0:
            raise RequestDataTooBig(f"request body past {self.limit} bytes")
        return left if size is None or size < 0 else min(size, left)

    def read(self, size: int | None = -1) -> bytes:
        chunk = self.stream.read(self._allow(size))
        self.read_so_far += len(chunk)
        return chunk

    def readline(self, size: int | None = -1) -> bytes:
        line = self.stream.readline(self._allow(size))
        self.read_so_far += len(line)
        return line

    def __iter__(self):
        while line := self.readline():
            yield line


def bounded_wsgi(application):
    """Wrap a WSGI application so that its input stream stops at the request limit."""

    def bounded(environ, start_response):
        limit = max(settings.AEFRONT_MAX_REQUEST_BYTES, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        if is_recording_upload(environ.get("PATH_INFO", "")):
            limit = settings.AEFRONT_MAX_RECORDING_BYTES + 1024 * 1024
        environ["wsgi.input"] = BoundedInput(environ["wsgi.input"], limit)
        return application(environ, start_response)

    return bounded
