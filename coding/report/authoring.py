"""Writes of the report author: narratives, headline quotes, clearance, order, redactions.

Every function is keyword-only, atomic and validated. Saving a narrative uses
optimistic locking on ThemeSummary.version: the author's form carries the version it
was read at, and the save is a compare-and-set. If another author saved first, the
result is a conflict carrying both texts; nothing is overwritten.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.utils import timezone

from coding import trail
from coding.models import (
    ExportRecord,
    HeadlineQuote,
    Quote,
    RedactionTerm,
    Theme,
    ThemeSummary,
)
from coding.report import inline
from interviews.models import Project

MAX_NARRATIVE_CHARS = 20_000
MAX_HEADLINES = 12


class AuthoringError(ValidationError):
    """A rejected write, with a message naming the field and the reason."""


class StaleError(AuthoringError):
    """Another author changed the same thing since this author's page was loaded (409)."""


@dataclass
class NarrativeResult:
    summary: ThemeSummary
    saved: bool
    mine: str  # the text this author submitted

    @property
    def conflict(self) -> bool:
        return not self.saved


def summary_for(*, project: Project, theme: Theme) -> ThemeSummary:
    """The theme's summary, created empty (version 0) the first time."""
    if theme.project_id != project.pk:
        raise AuthoringError("The theme belongs to another project.")
    summary = ThemeSummary.objects.filter(project=project, theme=theme).first()
    if summary is not None:
        return summary
    try:
        with transaction.atomic():
            return ThemeSummary.objects.create(project=project, theme=theme)
    except IntegrityError:  # another author created it a moment ago
        return ThemeSummary.objects.get(project=project, theme=theme)


def save_narrative(
    *, project: Project, theme: Theme, narrative: str, version: int, user
) -> NarrativeResult:
    """Save if nobody saved since `version` was read; otherwise report a conflict."""
    narrative = narrative.replace("\r\n", "\n").strip()
    if len(narrative) > MAX_NARRATIVE_CHARS:
        raise AuthoringError(
            {
                "narrative": f"The narrative is {len(narrative):,} characters; the limit is "
                f"{MAX_NARRATIVE_CHARS:,}."
            }  # fmt: skip
        )
    inline_ids = inline.quote_ids(narrative)
    if inline_ids:
        allowed = theme_quotes_among(project=project, theme=theme, quote_ids=inline_ids)
        unknown = [pk for pk in inline_ids if pk not in allowed]
        if unknown:
            raise AuthoringError(
                {
                    "narrative": f"Quote {unknown[0]} set inline is not a live quote of the theme "
                    f"“{theme.name}”."
                }  # fmt: skip
            )
    with transaction.atomic():
        summary = summary_for(project=project, theme=theme)
        candidate = ThemeSummary(project=project, theme=theme, narrative=narrative)
        candidate.full_clean(
            exclude=["updated_by", "position"], validate_unique=False, validate_constraints=False
        )
        updated = ThemeSummary.objects.filter(pk=summary.pk, version=version).update(
            narrative=narrative,
            version=F("version") + 1,
            updated_by=user,
            updated_at=timezone.now(),
        )
        before = summary.narrative
        summary.refresh_from_db()
        if updated and before != narrative:
            trail.record(summary, changes={"narrative": [before, narrative]}, actor=user)
    return NarrativeResult(summary=summary, saved=bool(updated), mine=narrative)


def theme_quotes_among(*, project: Project, theme: Theme, quote_ids: Sequence[int]) -> set[int]:
    """Which of these ids are live quotes of the theme (one query on the ids, not the theme)."""
    return set(
        Quote.objects.filter(
            pk__in=list(quote_ids), transcript__project=project, codings__tag=theme
        ).values_list("pk", flat=True)
    )


def headline_ids(summary: ThemeSummary) -> list[int]:
    """The live headline quotes, in order (a soft-deleted quote is no longer shown)."""
    return list(
        summary.headlines.filter(quote__deleted_at__isnull=True)
        .order_by("position", "pk")
        .values_list("quote_id", flat=True)
    )


def set_headlines(
    *,
    project: Project,
    theme: Theme,
    quote_ids: Sequence[int],
    expected: Sequence[int] | None,
    user,
) -> ThemeSummary:
    """Replace the theme's headline quotes with `quote_ids`, in that order.

    `expected` is the list the author's page showed; if the stored list differs,
    another author changed it meanwhile and nothing is saved.
    """
    ordered = list(quote_ids)
    if len(set(ordered)) != len(ordered):
        raise AuthoringError({"quotes": "A quote appears twice in the headline list."})
    if len(ordered) > MAX_HEADLINES:
        raise AuthoringError(
            {"quotes": f"Choose at most {MAX_HEADLINES} headline quotes for a theme."}
        )
    with transaction.atomic():
        summary = summary_for(project=project, theme=theme)
        summary = ThemeSummary.objects.select_for_update().get(pk=summary.pk)
        if expected is not None and headline_ids(summary) != list(expected):
            raise StaleError(
                "Another author changed the headline quotes while you were editing. "
                "The page now shows their list; make your change again."
            )
        allowed = theme_quotes_among(project=project, theme=theme, quote_ids=ordered)
        unknown = [pk for pk in ordered if pk not in allowed]
        if unknown:
            raise AuthoringError(
                {
                    "quotes": f"Quote {unknown[0]} is not a live quote of the theme "
                    f"“{theme.name}” in this project."
                }  # fmt: skip
            )
        before = list(summary.headlines.order_by("position").values_list("quote_id", flat=True))
        if before != list(ordered):
            trail.record(summary, changes={"headline_quotes": [before, list(ordered)]}, actor=user)
        summary.headlines.all().delete()
        HeadlineQuote.objects.bulk_create(
            HeadlineQuote(summary=summary, quote_id=pk, position=index)
            for index, pk in enumerate(ordered, start=1)
        )
        ThemeSummary.objects.filter(pk=summary.pk).update(
            updated_by=user, updated_at=timezone.now()
        )
    return summary


def move_in_list(items: list[int], item: int, action: str) -> list[int]:
    """add / remove / up / down / top applied to an ordered list of ids."""
    items = list(items)
    if action == "add":
        if item not in items:
            items.append(item)
        return items
    if item not in items:
        raise AuthoringError({"quotes": f"Quote {item} is not in the headline list."})
    index = items.index(item)
    if action == "remove":
        items.pop(index)
    elif action == "up" and index > 0:
        items[index - 1], items[index] = items[index], items[index - 1]
    elif action == "down" and index < len(items) - 1:
        items[index + 1], items[index] = items[index], items[index + 1]
    elif action == "top":
        items.insert(0, items.pop(index))
    return items


def set_cleared(*, project: Project, quote_ids: Sequence[int], cleared: bool, user) -> int:
    """Clear quotes for publication (or withdraw clearance). Returns how many changed."""
    ids = list(quote_ids)
    with transaction.atomic():
        found = set(
            Quote.objects.filter(pk__in=ids, transcript__project=project).values_list(
                "pk", flat=True
            )
        )
        missing = [pk for pk in ids if pk not in found]
        if missing:
            raise AuthoringError(
                {"quote": f"Quote {missing[0]} is not a live quote of this project."}
            )
        changing = Quote.objects.filter(pk__in=found).exclude(is_cleared=cleared)
        for quote in changing.select_related("transcript"):
            trail.record(quote, changes={"is_cleared": [not cleared, cleared]}, actor=user)
        return Quote.objects.filter(pk__in=found).update(
            is_cleared=cleared, updated_at=timezone.now()
        )


def bulk_update(*, project: Project, theme: Theme, quote_ids: Sequence[int], action: str, user):
    """Clear, withdraw clearance of, or add to the headlines several quotes of a theme.
    Returns a sentence saying what was done."""
    ids = list(dict.fromkeys(quote_ids))
    allowed = theme_quotes_among(project=project, theme=theme, quote_ids=ids)
    unknown = [pk for pk in ids if pk not in allowed]
    if unknown:
        raise AuthoringError({"quote": f"Quote {unknown[0]} is not a live quote of this theme."})
    count = f"{len(ids)} quote{'s' if len(ids) != 1 else ''}"
    if action in ("clear", "unclear"):
        set_cleared(project=project, quote_ids=ids, cleared=action == "clear", user=user)
        return (
            f"{count} cleared for publication."
            if action == "clear"
            else (f"Clearance withdrawn from {count}.")
        )
    with transaction.atomic():
        current = headline_ids(summary_for(project=project, theme=theme))
        added = [pk for pk in ids if pk not in current]
        set_headlines(
            project=project, theme=theme, quote_ids=current + added, expected=current, user=user
        )
    return f"{len(added)} of {count} added to the headlines."


def set_inclusion(*, project: Project, theme_ids: Sequence[int], included: bool, user) -> int:
    """Put these themes in the report, or leave them out. Returns how many changed."""
    ids = list(dict.fromkeys(theme_ids))
    with transaction.atomic():
        themes = {t.pk: t for t in Theme.objects.filter(project=project, pk__in=ids)}
        missing = [pk for pk in ids if pk not in themes]
        if missing:
            raise AuthoringError({"theme": f"Theme {missing[0]} is not in this project."})
        changed = 0
        for pk in ids:
            summary = summary_for(project=project, theme=themes[pk])
            if summary.in_report is not included:
                trail.record(
                    summary, changes={"in_report": [summary.in_report, included]}, actor=user
                )
                changed += ThemeSummary.objects.filter(pk=summary.pk).update(
                    in_report=included, updated_by=user, updated_at=timezone.now()
                )
    return changed


def set_report_contents(*, project: Project, included_ids: Sequence[int], user) -> None:
    """The summary page's checklist: exactly these themes in the report, all others out."""
    every = list(Theme.objects.filter(project=project).values_list("pk", flat=True))
    unknown = [pk for pk in included_ids if pk not in set(every)]
    if unknown:
        raise AuthoringError({"theme": f"Theme {unknown[0]} is not in this project."})
    with transaction.atomic():
        chosen = set(included_ids)
        set_inclusion(project=project, theme_ids=sorted(chosen), included=True, user=user)
        set_inclusion(
            project=project, theme_ids=[pk for pk in every if pk not in chosen], included=False,
            user=user,
        )  # fmt: skip


def set_report_order(*, project: Project, theme_ids: Sequence[int], user) -> None:
    """Put these themes first in the report, in this order (others follow the codebook)."""
    ids = list(theme_ids)
    if len(set(ids)) != len(ids):
        raise AuthoringError({"themes": "A theme appears twice in the order."})
    with transaction.atomic():
        themes = {t.pk: t for t in Theme.objects.filter(project=project, pk__in=ids)}
        missing = [pk for pk in ids if pk not in themes]
        if missing:
            raise AuthoringError({"themes": f"Theme {missing[0]} is not in this project."})
        ThemeSummary.objects.filter(project=project).exclude(theme_id__in=ids).update(
            position=None
        )
        summaries = {
            summary.theme_id: summary
            for summary in ThemeSummary.objects.filter(project=project, theme_id__in=ids)
        }
        moved = []
        for position, pk in enumerate(ids, start=1):
            summary = summaries.get(pk) or summary_for(project=project, theme=themes[pk])
            if summary.position != position:
                summary.position = position
                moved.append(summary)
        ThemeSummary.objects.bulk_update(moved, ["position"])  # one statement


def add_redaction_term(*, project: Project, term: str, replacement: str) -> RedactionTerm:
    term = " ".join(term.split())
    replacement = " ".join(replacement.split()) or "[name]"
    if sum(ch.isalnum() for ch in term) < 2:
        raise AuthoringError({"term": "Enter a name or place of at least two letters."})
    if (
        RedactionTerm.objects.annotate(lower=Lower("term"))
        .filter(project=project, lower=term.lower())
        .exists()
    ):
        raise AuthoringError({"term": f"“{term}” is already on the redaction list."})
    redaction = RedactionTerm(project=project, term=term, replacement=replacement)
    redaction.full_clean()
    with transaction.atomic():
        redaction.save()
    return redaction


def remove_redaction_term(*, project: Project, term_id: int) -> None:
    deleted, _ = RedactionTerm.objects.filter(project=project, pk=term_id).delete()
    if not deleted:
        raise AuthoringError({"term": "That term is not on this project's redaction list."})


# --- export records -----------------------------------------------------------------------


def _jsonable(value) -> dict:
    return {
        key: item.isoformat() if hasattr(item, "isoformat") else item
        for key, item in dataclasses.asdict(value).items()
    }


def record_export(*, project: Project, user, exporter, source) -> ExportRecord:
    """A draft download: who, when, the format, the filters and the opt-ins (the audit
    trail holds it too). The file's hash is added by `finish_export` once it is written."""
    return ExportRecord.objects.create(
        project=project,
        user=user if getattr(user, "is_authenticated", False) else None,
        format=exporter.key,
        filename=exporter.filename(project),
        filters=_jsonable(source.filters),
        options=_jsonable(source.options),
    )


def finish_export(record: ExportRecord, sha256: str) -> None:
    record.sha256 = sha256
    record.save(update_fields=["sha256"])
