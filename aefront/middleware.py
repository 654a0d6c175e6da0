"""Answer 503 with Retry-After, never a raw 500 or a trace, while the database is unreachable.

Django turns an exception into a response at every middleware layer
(`convert_exception_to_response`), so a fault raised while the session loads, the user
is looked up or axes counts attempts never reaches a view's `process_exception`. Three
paths therefore meet in `database_unavailable()`:

- `DatabaseUnavailableMiddleware.process_exception`: the view and its template;
- `server_error`, the project's handler500: any layer, outside DEBUG;
- `DatabaseFaultMiddleware`, first in MIDDLEWARE: wraps the whole chain and replaces
  any 5xx answer of a request that met a database fault (marked by the two paths above
  or by `got_request_exception`), so DEBUG's trace page never shows one either.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers
from django.views import defaults

logger = logging.getLogger(__name__)

DATABASE_FAULTS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 5
UNAVAILABLE = (
    "aefront cannot reach its database just now. Nothing you saved before this has been "
    "lost. Please try again in a few seconds."
)
FAULT_MARK = "_aefront_database_fault"


def is_database_fault(exception: BaseException | None) -> bool:
    """A lost or refused connection (the driver's own class, or Django's wrapper of it)."""
    if exception is None:
        return False
    if isinstance(exception, DATABASE_FAULTS):
        return True
    # Raw driver errors (sqlite3, psycopg2) raised outside Django's wrapper.
    return type(exception).__name__ in {"OperationalError", "InterfaceError"} and (
        type(exception).__module__.split(".")[0] in {"sqlite3", "psycopg2", "psycopg"}
    )


def wants_json(request: HttpRequest) -> bool:
    accept = request.headers.get("Accept", "")
    content_type = request.headers.get("Content-Type", "")
    return (
        "/api/" in request.path
        or "application/json" in content_type
        or ("application/json" in accept and "text/html" not in accept)
    )


def close_broken_connections() -> None:
    """Drop every connection that no longer answers, so the next request reconnects."""
    for connection in connections.all(initialized_only=True):
        if connection.connection is None:
            continue
        try:
            usable = connection.is_usable()
        except Exception:  # a dead socket may fail in any driver-specific way
            usable = False
        if not usable:
            try:
                connection.close()
            except Exception:
                connection.connection = None


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """The one answer to a database fault: 503, Retry-After, no detail of the fault."""
    setattr(request, FAULT_MARK, True)
    close_broken_connections()
    if wants_json(request):
        response: HttpResponse = JsonResponse(
            {"error": UNAVAILABLE, "retry_after": RETRY_AFTER_SECONDS}, status=503
        )
    else:
        # No request: the context processors (user, messages) would query the database.
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    response.aefront_database_fault = True
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: called while the exception is being handled, at whichever layer."""
    exception = sys.exc_info()[1]
    if is_database_fault(exception):
        logger.warning("database unavailable: %s", type(exception).__name__)
        return database_unavailable(request)
    return defaults.server_error(request)


def _mark_fault(sender, request: HttpRequest | None = None, **kwargs) -> None:
    if request is not None and is_database_fault(sys.exc_info()[1]):
        setattr(request, FAULT_MARK, True)


got_request_exception.connect(_mark_fault, dispatch_uid="aefront-database-fault")


class DatabaseFaultMiddleware:
    """First in MIDDLEWARE: whatever layer met the fault, the client gets the 503."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            response = self.get_response(request)
        except DATABASE_FAULTS as exception:  # only with DEBUG_PROPAGATE_EXCEPTIONS
            logger.warning("database unavailable: %s", type(exception).__name__)
            return database_unavailable(request)
        if getattr(response, "aefront_database_fault", False):
            return response
        if response.status_code >= 500 and getattr(request, FAULT_MARK, False):
            return database_unavailable(request)
        return response


class DatabaseUnavailableMiddleware:
    """Catches the view's (and its template's) fault before it is logged as a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_fault(exception):
            return None
        logger.warning("database unavailable: %s", type(exception).__name__)
        return database_unavailable(request)
