"""The quotes behind one cell of a summary chart (read side).

A cell is a theme and one of: a local system, an organisation type, or a second theme
(quotes coded with both). The quotes are chosen by the same rules that counted the
cell (`summaries.live_codings`, `quote_in_scope`, the sole speaker of a one-to-one
interview), so the list is as long as the number in the cell. Fixed queries.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from django.db.models import F

from coding.models import Quote, Theme
from coding.report.attribution import SpeakerIndex, in_app
from coding.report.summaries import (
    Filters,
    interview_infos,
    live_codings,
    project_themes,
    quote_in_scope,
)
from interviews.models import LocalSystem, OrganisationType, Project


@dataclass
class CellQuote:
    quote: Quote
    attribution: str


@dataclass
class Cell:
    theme_path: str
    label: str  # what the cell crosses the theme with, in words
    quotes: list[CellQuote]


def _paths(project: Project) -> dict[int, str]:
    return {row.theme.pk: row.path for row in project_themes(project)}


def cell_quotes(
    *,
    project: Project,
    theme: Theme,
    filters: Filters,
    system: LocalSystem | None = None,
    organisation_type: str = "",
    with_theme: Theme | None = None,
) -> Cell:
    """The quotes of `theme` in scope of `filters`, narrowed to one chart cell."""
    paths = _paths(project)
    narrowed = dataclasses.replace(
        filters,
        local_system_id=system.pk if system else filters.local_system_id,
        organisation_type=organisation_type or filters.organisation_type,
    )
    codings = live_codings(project, narrowed).filter(tag=theme)
    if system is not None:
        label = f"in {system.name}"
    elif organisation_type:
        label = f"from {OrganisationType(organisation_type).label}"
    else:
        label = f"also coded {paths.get(with_theme.pk, with_theme.name)}"
        codings = codings.filter(content_object__codings__tag=with_theme)
    quote_ids = codings.values("content_object_id")
    quotes = (
        Quote.objects.filter(pk__in=quote_ids)
        .select_related("transcript__project", "coder")
        .defer("transcript__text")
        .order_by(
            F("transcript__interview_date").asc(nulls_last=True), "transcript_id", "start", "pk"
        )
    )
    interviews = interview_infos(project)
    speakers = SpeakerIndex.load(project)
    kept = []
    for quote in quotes:
        tid = quote.transcript_id
        # As counted: every quote of a one-to-one interview is its one interviewee's.
        speaker = (
            speakers.sole(tid) if speakers.is_single(tid) else speakers.speaker(tid, quote.start)
        )
        if quote_in_scope(narrowed, interviews.get(tid), speaker):
            kept.append(CellQuote(quote, in_app(speaker)))
    return Cell(paths.get(theme.pk, theme.name), label, kept)
