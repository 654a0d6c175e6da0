"""Read side of the theme workspace: its quote list (filtered, sorted, paged), each
quote's surrounding turn, the headline list, and the fragments an in-place action
re-renders.

Fixed queries whatever the number of quotes: the theme's quotes are read once as small
value rows (ids, interview, offsets, coder, clearance) and filtered and sorted here,
since the speaker of a quote comes from `SpeakerIndex`, not from a column; only the
page's quotes are then loaded whole, with their surrounding turn cut out in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Paginator
from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest, Least, Substr

from coding.models import HeadlineQuote, Quote, Theme, ThemeSummary
from coding.reading import blind_hidden
from coding.report import inline
from coding.report.attribution import Speaker, SpeakerIndex, for_export, in_app
from coding.report.redaction import Redactor
from coding.report.summaries import (
    Filters,
    InterviewInfo,
    ThemeRow,
    effective_system,
    interview_infos,
    raised_by,
    summarise_theme,
)
from interviews.models import Project, SpeakerTurn

QUOTES_PER_PAGE = 50
CONTEXT_CHARS = 600  # at most this much of the turn on either side of the quote
SORTS = {"date": "Interview date", "position": "Position in the interview"}


@dataclass(frozen=True)
class QuoteFilter:
    """The theme page's quote list filters; empty values mean "any"."""

    system_id: int | None = None
    org_type: str = ""
    participant_id: int | None = None
    coder_id: int | None = None
    cleared: str = ""  # "yes", "no" or "" (either)
    sort: str = "date"

    @property
    def active(self) -> bool:
        return bool(
            self.system_id or self.org_type or self.participant_id or self.coder_id or self.cleared
        )


@dataclass
class QuoteView:
    """One quote on a theme page: in-app and published forms side by side."""

    quote: Quote
    speaker: Speaker | None
    attribution: str
    published_text: str
    published_attribution: str
    warning: str
    headline_position: int | None = None
    before: str = ""  # the surrounding turn, before and after the quote
    after: str = ""

    @property
    def redacted(self) -> bool:
        """Whether publishing changes the text (a name on the redaction list)."""
        return self.published_text != self.quote.text.strip()

    @property
    def has_context(self) -> bool:
        return bool(self.before.strip() or self.after.strip())


@dataclass
class Basis:
    """What every render of the workspace needs: speakers, redaction, the headlines."""

    project: Project
    theme: Theme
    viewer_id: int | None
    speakers: SpeakerIndex
    redact: Redactor
    summary: ThemeSummary | None
    headline_quotes: list[Quote]
    positions: dict[int, int]

    def view(self, quote: Quote) -> QuoteView:
        speaker = self.speakers.speaker(quote.transcript_id, quote.start)
        view = QuoteView(
            quote=quote,
            speaker=speaker,
            attribution=in_app(speaker),
            published_text=self.redact(quote.text.strip(), quote.pk),
            published_attribution=self.redact(for_export(speaker)),
            warning=self.speakers.small_number_warning(speaker),
            headline_position=self.positions.get(quote.pk),
        )
        lead = getattr(quote, "context_start", None)
        context = getattr(quote, "context", None)
        if lead is not None and context:
            # Within the turn, the quote's own paragraph (interviews without turns too).
            view.before = context[: max(quote.start - lead, 0)].rpartition("\n\n")[2]
            view.after = context[max(quote.end - lead, 0) :].partition("\n\n")[0]
        return view

    @property
    def included(self) -> bool:
        """In the report: as an author set it, or once a narrative or headline is written."""
        if self.summary is None:
            return False
        if self.summary.in_report is not None:
            return self.summary.in_report
        return bool(self.summary.narrative.strip() or self.headline_quotes)

    @property
    def headlines(self) -> list[QuoteView]:
        return [self.view(quote) for quote in self.headline_quotes]

    @property
    def published_narrative(self) -> str:
        """The narrative as published: redacted, inline quotes resolved like headlines."""
        if self.summary is None:
            return ""
        narrative = self.redact(self.summary.narrative)
        cleared = {
            quote.pk: self.redact(quote.text.strip(), quote.pk)
            for quote in self.inline_quotes
            if quote.is_cleared
        }
        return inline.resolve(narrative, cleared.get)[0]

    @property
    def inline_quotes(self) -> list[Quote]:
        ids = inline.quote_ids(self.summary.narrative if self.summary else "")
        if not ids:
            return []
        return list(self.theme_quotes().filter(pk__in=ids).only("pk", "text", "is_cleared"))

    def theme_quotes(self) -> QuerySet[Quote]:
        quotes = Quote.objects.filter(transcript__project=self.project, codings__tag=self.theme)
        if self.viewer_id is not None:
            quotes = quotes.exclude(blind_hidden(self.viewer_id))
        return quotes


RELATED = ("transcript__project", "transcript__local_system", "coder")


def basis(
    project: Project,
    theme: Theme,
    *,
    viewer_id: int | None = None,
    speakers: SpeakerIndex | None = None,
) -> Basis:
    """Speakers (3 queries unless given), the redaction set (8), the summary and its
    headlines (2)."""
    theme_summary = (
        ThemeSummary.objects.filter(project=project, theme=theme)
        .select_related("updated_by")
        .first()
    )
    positions: dict[int, int] = {}
    headline_quotes: list[Quote] = []
    if theme_summary is not None:
        for headline in (
            HeadlineQuote.objects.filter(summary=theme_summary, quote__deleted_at__isnull=True)
            .exclude(blind_hidden(viewer_id, "quote__") if viewer_id is not None else Q(pk=None))
            .select_related(*(f"quote__{name}" for name in RELATED))
            .defer("quote__transcript__text")
            .order_by("position", "pk")
        ):
            positions[headline.quote_id] = len(positions) + 1
            headline_quotes.append(headline.quote)
    return Basis(
        project=project,
        theme=theme,
        viewer_id=viewer_id,
        speakers=speakers or SpeakerIndex.load(project),
        redact=Redactor.for_project(project),
        summary=theme_summary,
        headline_quotes=headline_quotes,
        positions=positions,
    )


def with_context(quotes: QuerySet[Quote]) -> QuerySet[Quote]:
    """Each quote with the speaker turn around it (or a window of text when the
    interview has no turns), cut out by the database: the transcript is never loaded."""
    turns = SpeakerTurn.objects.filter(
        transcript_id=OuterRef("transcript_id"),
        start__lte=OuterRef("start"),
        end__gt=OuterRef("start"),
    ).order_by("start")
    lead = Greatest(
        Coalesce(Subquery(turns.values("start")[:1]), F("start") - CONTEXT_CHARS // 2),
        F("start") - CONTEXT_CHARS,
        Value(0),
    )
    tail = Least(
        Coalesce(Subquery(turns.values("end")[:1]), F("end") + CONTEXT_CHARS // 2),
        F("end") + CONTEXT_CHARS,
    )
    return quotes.annotate(context_start=lead, context_end=tail).annotate(
        context=Substr(
            "transcript__text", F("context_start") + 1, F("context_end") - F("context_start")
        )
    )


def cards(basis: Basis, quote_ids: list[int]) -> list[QuoteView]:
    """The quotes with these ids (of the theme, visible to the viewer), in that order."""
    if not quote_ids:
        return []
    loaded = {
        quote.pk: quote
        for quote in with_context(
            basis.theme_quotes().filter(pk__in=quote_ids).select_related(*RELATED)
        ).defer("transcript__text")
    }
    return [basis.view(loaded[pk]) for pk in quote_ids if pk in loaded]


@dataclass(slots=True)
class _Entry:
    pk: int
    transcript_id: int
    start: int
    coder_id: int | None
    cleared: bool
    speaker: Speaker | None
    system_id: int | None
    date_key: tuple


def _entries(basis: Basis, interviews: dict[int, InterviewInfo]) -> list[_Entry]:
    """Every quote of the theme as a small value row (one query)."""
    order = {pk: n for n, pk in enumerate(interviews)}  # date, title, id order
    entries = []
    for pk, transcript_id, start, coder_id, cleared in basis.theme_quotes().values_list(
        "pk", "transcript_id", "start", "coder_id", "is_cleared"
    ):
        speaker = basis.speakers.speaker(transcript_id, start)
        entries.append(
            _Entry(
                pk=pk,
                transcript_id=transcript_id,
                start=start,
                coder_id=coder_id,
                cleared=cleared,
                speaker=speaker,
                system_id=effective_system(interviews.get(transcript_id), speaker),
                date_key=(order.get(transcript_id, len(order)), start, pk),
            )
        )
    return entries


def _keep(entry: _Entry, chosen: QuoteFilter) -> bool:
    speaker = entry.speaker
    if chosen.system_id and entry.system_id != chosen.system_id:
        return False
    if chosen.org_type and (speaker is None or speaker.organisation_type != chosen.org_type):
        return False
    if chosen.participant_id and (speaker is None or speaker.pk != chosen.participant_id):
        return False
    if chosen.coder_id and entry.coder_id != chosen.coder_id:
        return False
    if chosen.cleared and entry.cleared != (chosen.cleared == "yes"):
        return False
    return True


def listed_ids(entries: list[_Entry], chosen: QuoteFilter) -> list[int]:
    kept = [entry for entry in entries if _keep(entry, chosen)]
    if chosen.sort == "position":
        kept.sort(key=lambda entry: (entry.start, entry.date_key))
    else:
        kept.sort(key=lambda entry: entry.date_key)
    return [entry.pk for entry in kept]


@dataclass
class ThemeWorkspace:
    theme: Theme
    row: ThemeRow
    raised_by: str
    basis: Basis
    quotes: list[QuoteView]
    headlines: list[QuoteView]
    warnings: int
    total: int
    page: Any = None
    chosen: QuoteFilter = field(default_factory=QuoteFilter)
    suggested: list[QuoteView] = field(default_factory=list)
    suggested_by: str = ""
    suggestions_asked: bool = False

    @property
    def summary(self) -> ThemeSummary | None:
        return self.basis.summary

    @property
    def published_narrative(self) -> str:
        return self.basis.published_narrative

    @property
    def version(self) -> int:
        return self.summary.version if self.summary else 0

    @property
    def narrative(self) -> str:
        return self.summary.narrative if self.summary else ""

    @property
    def headline_ids(self) -> list[int]:
        return [view.quote.pk for view in self.headlines]


@dataclass
class QuoteList:
    """The theme page's quote list alone: what its filters and pager answer in place."""

    quotes: list[QuoteView]
    total: int
    page: Any
    chosen: QuoteFilter


def quote_list(
    project: Project,
    theme: Theme,
    page: int | str = 1,
    *,
    viewer_id: int | None = None,
    chosen: QuoteFilter | None = None,
) -> QuoteList:
    """The page of quotes `theme_workspace` lists, without the rest of the page (the
    project's tally, the suggestions): speakers, redaction set, interviews, quotes."""
    chosen = chosen or QuoteFilter()
    found = basis(project, theme, viewer_id=viewer_id)
    entries = _entries(found, interview_infos(project))
    page_obj = Paginator(listed_ids(entries, chosen), QUOTES_PER_PAGE).get_page(page)
    return QuoteList(cards(found, list(page_obj.object_list)), len(entries), page_obj, chosen)


def theme_workspace(
    project: Project,
    theme: Theme,
    page: int | str = 1,
    *,
    viewer_id: int | None = None,
    chosen: QuoteFilter | None = None,
    suggest: bool = False,
) -> ThemeWorkspace:
    """Everything the theme page shows, in a fixed number of queries.

    Quotes are shown a page at a time; the headline quotes and the count of quotes with a
    small-number warning always cover the whole theme. Headline suggestions are made when
    asked (`suggest`): ranking loads numpy's and scikit-learn's machinery (about 60 MiB)
    into the app server, which a page view should not cost.
    """
    chosen = chosen or QuoteFilter()
    counted = summarise_theme(project, theme, Filters(viewer_id=viewer_id))
    found = basis(project, theme, viewer_id=viewer_id, speakers=counted.speakers)
    entries = _entries(found, counted.interviews)
    warnings = sum(1 for entry in entries if found.speakers.small_number_warning(entry.speaker))
    page_obj = Paginator(listed_ids(entries, chosen), QUOTES_PER_PAGE).get_page(page)
    suggested, suggested_by = [], ""
    if suggest:
        from coding.embeddings import BACKEND_LABELS, backend_name
        from coding.suggest import headline_suggestions

        suggested = headline_suggestions(
            project=project, theme=theme, exclude=list(found.positions), viewer_id=viewer_id
        )
        suggested_by = BACKEND_LABELS[backend_name()]
    return ThemeWorkspace(
        theme=theme,
        row=counted.row,
        raised_by=raised_by(counted.row, counted.totals),
        basis=found,
        quotes=cards(found, list(page_obj.object_list)),
        headlines=found.headlines,
        warnings=warnings,
        total=len(entries),
        page=page_obj,
        chosen=chosen,
        suggested=[found.view(quote) for quote in suggested],
        suggested_by=suggested_by,
        suggestions_asked=suggest,
    )
