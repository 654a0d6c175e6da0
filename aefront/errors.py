"""One vocabulary for refusals: how an error becomes a sentence a user can act on.

Services raise `UserError` (a ValidationError that carries the HTTP status the web
answers with); forms collect field errors. Views, the JSON endpoints and the
management commands all turn either into words through `sentence()`/`sentences()`,
so a refusal reads the same wherever it is shown.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.http import JsonResponse


class UserError(ValidationError):
    """A refused request. `status` is the HTTP status a web answer carries."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class BadRequest(UserError):
    """The request itself is malformed (not JSON, missing fields): always 400."""

    def __init__(self, message: str) -> None:
        super().__init__(message, status=400)


def sentences(error: ValidationError | forms.Form, *, labels: dict[str, str] | None = None):
    """Each problem as its own line, 'field: reason' where it concerns one field.

    `labels` maps field names to the names a user sees (a form's labels).
    """
    if isinstance(error, forms.Form):
        items = [(name, [str(text) for text in texts]) for name, texts in error.errors.items()]
        if labels is None:
            labels = {name: str(field.label or name) for name, field in error.fields.items()}
    elif hasattr(error, "error_dict"):
        items = list(error.message_dict.items())
    else:
        items = [("__all__", list(error.messages))]
    labels = labels if labels is not None else {}
    return [
        text if name == "__all__" else f"{labels.get(name, name)}: {text}"
        for name, texts in items
        for text in texts
    ]


def sentence(error: ValidationError | forms.Form, *, labels: dict[str, str] | None = None):
    """All problems on one line, for a JSON answer or a command's error message."""
    lines = sentences(error, labels=labels)
    return "; ".join(lines) if lines else "The request was refused."


def status_of(error: ValidationError) -> int:
    return getattr(error, "status", 400)


def json_error(reason: str, status: int = 400, **extra) -> JsonResponse:
    """The JSON endpoints' one error shape: {"error": reason, ...}."""
    return JsonResponse({"error": reason, **extra}, status=status)
