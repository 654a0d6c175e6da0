"""Every API refusal as JSON: `{"error": sentence, "fields": {name: [reasons]}}`.

DRF's own errors (401, 403, 404, 405, 429, serializer validation) and the services'
`UserError`/`ValidationError` all take this shape, with the status they carry; an
exception nobody expected is left to Django (logged; the 500 page, never a traceback).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from aefront import errors


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as {"field" or "field.sub": [reasons]}."""
    found: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            for inner, reasons in _flatten(value, name).items():
                found.setdefault(inner, []).extend(reasons)
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            name = f"{prefix}.{index}" if isinstance(value, dict | list) else prefix
            for inner, reasons in _flatten(value, name).items():
                found.setdefault(inner, []).extend(reasons)
    else:
        found.setdefault(prefix or "non_field_errors", []).append(str(detail))
    return found


def _answer(message: str, status_code: int, fields: dict | None = None) -> Response:
    body: dict = {"error": message}
    if fields:
        body["fields"] = fields
    return Response(body, status=status_code)


def handle(exc, context):
    if isinstance(exc, RecursionError):  # JSON nested thousands deep
        return _answer("The request body is nested too deeply.", status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ValidationError) and not isinstance(exc, exceptions.ValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else None
        return _answer(errors.sentence(exc), errors.status_of(exc), fields)
    if isinstance(exc, Http404):
        return _answer(str(exc) or "Not found.", status.HTTP_404_NOT_FOUND)
    if isinstance(exc, PermissionDenied):
        return _answer(str(exc) or "Your role does not allow this.", status.HTTP_403_FORBIDDEN)
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        message = "; ".join(
            reason if name == "non_field_errors" else f"{name}: {reason}"
            for name, reasons in fields.items()
            for reason in reasons
        )
        response.data = {"error": message or "The request was refused.", "fields": fields}
    else:
        detail = response.data.get("detail") if isinstance(response.data, dict) else None
        response.data = {"error": str(detail or exc)}
    return response
