"""The audit trail: django-auditlog's entries of one project, filtered, and its CSV.

django-auditlog writes an entry for every create, change and delete of the registered
models (see the bottom of coding/models.py and interviews/models.py) with the actor,
the time and each changed field's before and after; each model's
`get_additional_data()` files the entry under its project (and transcript, quote or
theme), which is what the page filters on. Changes made in bulk (merges, clearance,
corrections, purges) are written here by `record`, as one entry each.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet

from coding.models import (
    Adoption,
    Assignment,
    CodingRound,
    ExportRecord,
    Quote,
    QuoteTheme,
    ReportSignOff,
    Theme,
    ThemeSummary,
)
from interviews.models import Membership, Project, Transcript

OBJECT_TYPES: dict[str, type[Model]] = {
    "quote": Quote,
    "coding": QuoteTheme,
    "theme": Theme,
    "summary": ThemeSummary,
    "transcript": Transcript,
    "membership": Membership,
    "export": ExportRecord,
    "sign-off": ReportSignOff,
    "round": CodingRound,
    "assignment": Assignment,
    "adoption": Adoption,
}
TYPE_LABELS = {
    "quote": "Quote",
    "coding": "Theme on a quote",
    "theme": "Theme",
    "summary": "Theme summary",
    "transcript": "Transcript",
    "membership": "Membership",
    "export": "Export",
    "sign-off": "Signed-off export",
    "round": "Coding round",
    "assignment": "Assignment",
    "adoption": "Adoption",
}
ACTIONS = dict(LogEntry.Action.choices)
CSV_COLUMNS = ["time", "user", "action", "object_type", "object_id", "object", "changes"]


@dataclass(frozen=True)
class TrailFilters:
    user_id: int | None = None
    object_type: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    transcript_id: int | None = None
    quote_id: int | None = None
    theme_id: int | None = None


def record(
    instance: Model,
    *,
    changes: dict,
    actor=None,
    action: int = LogEntry.Action.UPDATE,
    extra: dict | None = None,
) -> LogEntry:
    """One entry written by hand, for a change made in bulk (`changes`: field -> [before,
    after], or a description under "note")."""
    data = instance.get_additional_data() if hasattr(instance, "get_additional_data") else {}
    data.update(extra or {})
    return LogEntry.objects.log_create(
        instance,
        force_log=True,
        action=action,
        changes=changes,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        additional_data=data,
    )


def entries(project: Project, filters: TrailFilters = TrailFilters()) -> QuerySet[LogEntry]:
    """The project's entries, newest first, with their actors and types (one query)."""
    found = LogEntry.objects.filter(additional_data__project=project.pk)
    if filters.user_id:
        found = found.filter(actor_id=filters.user_id)
    if filters.object_type in OBJECT_TYPES:
        model = OBJECT_TYPES[filters.object_type]
        found = found.filter(content_type=ContentType.objects.get_for_model(model))
    if filters.date_from:
        found = found.filter(timestamp__date__gte=filters.date_from)
    if filters.date_to:
        found = found.filter(timestamp__date__lte=filters.date_to)
    for key, value in (
        ("transcript", filters.transcript_id),
        ("quote", filters.quote_id),
        ("theme", filters.theme_id),
    ):
        if value:
            found = found.filter(**{f"additional_data__{key}": value})
    return found.select_related("actor", "content_type").order_by("-timestamp", "-pk")


def type_key(entry: LogEntry) -> str:
    model = entry.content_type.model_class()
    return next((key for key, each in OBJECT_TYPES.items() if each is model), "")


def change_lines(entry: LogEntry) -> list[tuple[str, str, str]]:
    """(field, before, after) of each change; a note has no before."""
    changes = entry.changes if isinstance(entry.changes, dict) else {}
    lines = []
    for name, value in changes.items():
        if isinstance(value, list | tuple) and len(value) == 2:
            lines.append((name, _text(value[0]), _text(value[1])))
        else:
            lines.append((name, "", _text(value)))
    return lines


def _text(value) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def csv_rows(found: Iterable[LogEntry]) -> Iterator[list[str]]:
    yield CSV_COLUMNS
    for entry in found:
        yield [
            entry.timestamp.isoformat(),
            entry.actor.get_username() if entry.actor else "",
            ACTIONS.get(entry.action, str(entry.action)),
            type_key(entry),
            entry.object_pk,
            entry.object_repr,
            json.dumps(entry.changes, ensure_ascii=False) if entry.changes else "",
        ]
