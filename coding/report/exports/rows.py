"""The rows every export format is written from.

`build_report` gives the report (title, then one section per theme in the author's
order, with narrative, reach and headline quotes); `quote_rows` yields one row per
quote and theme for the spreadsheets. Both redact every free-text value and attribute
quotes the export way. Both cost a fixed number of queries; `quote_rows` streams.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Case, CharField, F, Func, IntegerField, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.utils import timezone

from aefront.rows import distinct_by_parent
from coding.models import HeadlineQuote, Quote, ThemeSummary
from coding.reading import blind_hidden
from coding.report import inline
from coding.report.attribution import Speaker, SpeakerIndex, for_export
from coding.report.redaction import Redactor
from coding.report.summaries import (
    Filters,
    InterviewInfo,
    Summary,
    ThemeRow,
    effective_system,
    interview_infos,
    project_themes,
    quote_in_scope,
    raised_by,
    summarise,
    theme_codings,
)
from interviews.models import LocalSystem, Project, Transcript

QUOTE_COLUMNS = (
    "theme path",
    "quote",
    "transcript",
    "participant pseudonym",
    "role",
    "organisation type",
    "local system",
    "interview date",
    "start",
    "end",
    "coder",
    "cleared",
    "quote id",  # the quote's uuid: stable across exports, and what the API returns
)
MEMO_COLUMN = "memo"


@dataclass(frozen=True)
class ExportOptions:
    """What the author chose to publish. The defaults are the safe ones."""

    all_quotes: bool = False  # report formats: include quotes not yet cleared
    with_pseudonyms: bool = False
    with_systems: bool = False
    with_memos: bool = False  # CSV/XLSX: add the (redacted) memo column; memos are internal
    with_contents: bool = False  # DOCX: a table of contents after the title page
    with_appendix: bool = False  # DOCX: the theme x local system table as an appendix

    @property
    def columns(self) -> list[str]:
        return [*QUOTE_COLUMNS, MEMO_COLUMN] if self.with_memos else list(QUOTE_COLUMNS)


@dataclass
class ReportQuote:
    quote_id: int
    text: str
    attribution: str
    cleared: bool
    warning: str = ""  # small-number: role, organisation type and system shared by < 3


@dataclass
class ReportSection:
    theme_id: int
    heading: str
    path: str
    narrative: str
    raised_by: str
    quotes: list[ReportQuote] = field(default_factory=list)
    left_out: int = 0  # headline quotes not published (not cleared, or outside the filters)
    inline_left_out: int = 0  # quotes set inline in the narrative and dropped, likewise
    quote_count: int = 0  # the theme's coded quotes in scope, and how many are cleared
    cleared_count: int = 0
    level: int = 1  # 2: a sub-heading under its included parent (Heading 2 in DOCX)

    @property
    def warnings(self) -> list[str]:
        """What the preview flags about an included theme, so that nothing is thin unseen."""
        found = []
        if not self.narrative:
            found.append("no narrative")
        if not self.quotes:
            found.append("no cleared headline quote in the report")
        if self.left_out:
            plural = "s" if self.left_out != 1 else ""
            found.append(
                f"{self.left_out} headline quote{plural} left out (not cleared or outside the "
                "filters)"
            )
        if self.inline_left_out:
            plural = "s" if self.inline_left_out != 1 else ""
            found.append(
                f"{self.inline_left_out} inline quote{plural} dropped from the narrative (not "
                "cleared or outside the filters)"
            )
        return found

    @property
    def paragraphs(self) -> list[str]:
        """The narrative split at blank lines."""
        blocks = [block.strip() for block in self.narrative.replace("\r\n", "\n").split("\n\n")]
        return [block for block in blocks if block]


@dataclass(frozen=True)
class LeftOut:
    """A theme the report leaves out, with what it has and why it is out."""

    path: str
    quotes: int
    cleared: int
    theme_id: int = 0
    by_author: bool = False  # an author set it out; otherwise it has nothing written yet
    has_narrative: bool = False
    headlines: int = 0

    @property
    def reason(self) -> str:
        if not self.by_author:
            return "no narrative and no headline quotes"
        written = "a narrative" if self.has_narrative else "no narrative"
        if self.headlines:
            written += f", {self.headlines} headline quote{'s' if self.headlines != 1 else ''}"
        return f"{written}, left out by an author"

    def __str__(self) -> str:
        plural = "s" if self.quotes != 1 else ""
        return (
            f"{self.path}: {self.quotes} quote{plural}, {self.cleared} cleared, "
            f"{self.reason} — not in the report"
        )


@dataclass
class Report:
    title: str
    scope: str
    sections: list[ReportSection]
    not_included: list[LeftOut]
    options: ExportOptions
    filters: Filters
    generated: datetime.date
    totals_line: str = ""
    draft_notice: str = ""  # the watermark of a draft ("DRAFT — …"); empty in the final
    # What the redaction knew, for the identifier review: the names and the safe words.
    known_names: list[str] = field(default_factory=list)
    safe_terms: list[str] = field(default_factory=list)
    # The theme x local system table of the included themes: header, then one row each.
    appendix: list[list[str]] = field(default_factory=list)

    @property
    def thin_sections(self) -> list[ReportSection]:
        """Included themes the preview warns about (no narrative, no cleared quote…)."""
        return [section for section in self.sections if section.warnings]


def describe_scope(summary: Summary) -> str:
    """'All interviews', or the filters in words."""
    filters = summary.filters
    parts = []
    if filters.local_system_id:
        names = {system.pk: system.name for system in summary.systems}
        parts.append(f"local system {names.get(filters.local_system_id, '?')}")
    if filters.organisation_type:
        labels = dict(summary.org_types)
        parts.append(f"organisation type {labels.get(filters.organisation_type, '?')}")
    if filters.date_from and filters.date_to:
        parts.append(f"interviews from {filters.date_from:%d %B %Y} to {filters.date_to:%d %B %Y}")
    elif filters.date_from:
        parts.append(f"interviews from {filters.date_from:%d %B %Y}")
    elif filters.date_to:
        parts.append(f"interviews up to {filters.date_to:%d %B %Y}")
    if filters.coder_id:
        parts.append("quotes of one coder")
    return ("Limited to " + "; ".join(parts)) if parts else "All interviews"


def coder_labels(project: Project) -> dict[int, str]:
    """'Coder 1', 'Coder 2'… for the people who coded in the project: a username can be a
    name, so exports never carry one."""
    # Every quote's coder, the bin's too, so that a label never shifts; read from the
    # quotes alone (joining the users made PostgreSQL take 9 ms for 15,000 quotes).
    # Each interview's few coders come from the index quote_coders, a probe apiece.
    every = Transcript.all_objects.filter(project=project)
    coder_ids = distinct_by_parent(Quote, "transcript_id", "coder_id", every, above=0)
    return {pk: f"Coder {number}" for number, pk in enumerate(sorted(coder_ids), start=1)}


def report_order(rows: list[ThemeRow], positions: dict[int, int | None]) -> list[ThemeRow]:
    """The author's order: themes with a position first, then the codebook's tree order."""

    def key(row: ThemeRow) -> tuple[int, int, int]:
        position = positions.get(row.theme.pk)
        return (0 if position is not None else 1, position or 0, row.tree_index)

    return sorted(rows, key=key)


def report_outline(
    rows: list[ThemeRow], positions: dict[int, int | None], included: set[int]
) -> list[tuple[ThemeRow, int]]:
    """The included themes with their heading level, in the author's order.

    A theme sits under its nearest included ancestor (level 2, any deeper theme too);
    one with no included ancestor is a section of its own (level 1). Siblings follow the
    author's order, then the codebook's.
    """
    by_id = {row.theme.pk: row for row in rows}

    def anchor(row: ThemeRow) -> int | None:
        parent_id, seen = row.theme.parent_id, set()
        while parent_id is not None and parent_id not in seen:
            if parent_id in included:
                return parent_id
            seen.add(parent_id)
            parent = by_id.get(parent_id)
            parent_id = parent.theme.parent_id if parent else None
        return None

    under: dict[int | None, list[ThemeRow]] = {}
    for row in report_order([row for row in rows if row.theme.pk in included], positions):
        under.setdefault(anchor(row), []).append(row)
    outline: list[tuple[ThemeRow, int]] = []

    def walk(parent_id: int | None, level: int) -> None:
        for row in under.get(parent_id, []):
            outline.append((row, level))
            walk(row.theme.pk, 2)

    walk(None, 1)
    return outline


def report_outline_of(rows: list[ThemeRow]) -> list[tuple[ThemeRow, int]]:
    """`report_outline` of rows whose write-up state is filled in (`summaries.summarise`
    or `summaries.writeup_rows`): what is in the report, as set or written, in order."""
    positions = {row.theme.pk: row.position for row in rows}
    return report_outline(rows, positions, {row.theme.pk for row in rows if row.included})


def is_included(theme_summary: ThemeSummary | None, headline_count: int) -> bool:
    """In the report as an author set it; until set, once something is written."""
    if theme_summary is None:
        return False
    if theme_summary.in_report is not None:
        return theme_summary.in_report
    return bool(theme_summary.narrative.strip()) or headline_count > 0


def build_report(
    *,
    project: Project,
    filters: Filters | None = None,
    options: ExportOptions | None = None,
    summary: Summary | None = None,
) -> Report:
    """The report as it will be published (redacted, attributed), in fixed queries."""
    filters = filters or Filters()
    options = options or ExportOptions()
    summary = summary or summarise(project, filters)
    redact = Redactor.for_project(project)
    summaries = {s.theme_id: s for s in ThemeSummary.objects.filter(project=project)}
    headlines: dict[int, list[HeadlineQuote]] = {}
    chosen_headlines = HeadlineQuote.objects.filter(
        summary__project=project, quote__deleted_at__isnull=True
    )
    if filters.viewer_id is not None:
        chosen_headlines = chosen_headlines.exclude(blind_hidden(filters.viewer_id, "quote__"))
    for headline in chosen_headlines.select_related("quote").order_by(
        "summary_id", "position", "pk"
    ):
        headlines.setdefault(headline.summary_id, []).append(headline)

    inline_quotes = _inline_quotes(project, summaries.values(), filters)
    sections: list[ReportSection] = []
    not_included: list[LeftOut] = []
    positions = {theme_id: s.position for theme_id, s in summaries.items()}
    included = set()
    for row in summary.rows:
        theme_summary = summaries.get(row.theme.pk)
        chosen = headlines.get(theme_summary.pk, []) if theme_summary else []
        if is_included(theme_summary, len(chosen)):
            included.add(row.theme.pk)
        else:
            not_included.append(
                LeftOut(
                    redact(row.path), row.quotes, row.cleared, theme_id=row.theme.pk,
                    by_author=theme_summary is not None and theme_summary.in_report is False,
                    has_narrative=bool(theme_summary and theme_summary.narrative.strip()),
                    headlines=len(chosen),
                )
            )  # fmt: skip
    for row, level in report_outline(summary.rows, positions, included):
        theme_summary = summaries.get(row.theme.pk)
        narrative = theme_summary.narrative.strip() if theme_summary else ""
        chosen = headlines.get(theme_summary.pk, []) if theme_summary else []
        section = ReportSection(
            level=level,
            theme_id=row.theme.pk,
            heading=redact(row.theme.name),
            path=redact(row.path),
            narrative=redact(narrative),
            raised_by=raised_by(row, summary.totals),
            quote_count=row.quotes,
            cleared_count=row.cleared,
        )
        section.narrative, section.inline_left_out = inline.resolve(
            section.narrative,
            lambda pk, theme_id=row.theme.pk: _inline_text(
                inline_quotes.get(pk), theme_id, summary, options, redact
            ),
        )
        for headline in chosen:
            quote = headline.quote
            speaker = summary.speakers.speaker(quote.transcript_id, quote.start)
            publishable = (options.all_quotes or quote.is_cleared) and (
                not filters.coder_id or quote.coder_id == filters.coder_id
            )
            if not publishable or not summary.passes(quote.transcript_id, speaker):
                section.left_out += 1
                continue
            section.quotes.append(
                ReportQuote(
                    quote_id=quote.pk,
                    text=redact(quote.text.strip(), quote.pk),
                    attribution=redact(
                        export_attribution(
                            speaker,
                            options,
                            summary.speakers.also(quote.transcript_id, quote.start, quote.end),
                        )
                    ),
                    cleared=quote.is_cleared,
                    warning=summary.speakers.small_number_warning(speaker),
                )
            )
        sections.append(section)

    totals = summary.totals
    return Report(
        title=redact(project.report_title.strip() or project.name),
        scope=describe_scope(summary),
        sections=sections,
        not_included=not_included,
        options=options,
        filters=filters,
        generated=timezone.localdate(),
        totals_line=(
            f"Based on {totals.interviews} interview{'s' if totals.interviews != 1 else ''} "
            f"with {totals.participants} interviewee{'s' if totals.participants != 1 else ''} "
            f"in {totals.systems} local system{'s' if totals.systems != 1 else ''}."
        ),
        known_names=redact.names,
        safe_terms=redact.safe_terms,
        appendix=system_table(summary, sections, redact) if options.with_appendix else [],
    )


def summary_table(
    *, project: Project, filters: Filters | None = None, summary: Summary | None = None
) -> list[list[str]]:
    """The summary page's theme table as text rows (redacted), for the XLSX Summary sheet."""
    summary = summary or summarise(project, filters or Filters())
    redact = Redactor.for_project(project)
    header = ["Theme", "Quotes", "Cleared", "Interviews", "Participants", "Local systems"]
    header += [f"Participants: {label}" for _, label in summary.org_types] + ["In the report"]
    table = [header]
    for row in summary.rows:
        table.append(
            [
                redact(row.path),
                *(str(n) for n in (row.quotes, row.cleared, row.interviews, row.participants,
                                   row.systems)),
                *(str(row.by_org_type.get(org, 0)) for org, _ in summary.org_types),
                "yes" if row.included else "no",
            ]
        )  # fmt: skip
    return table


def system_table(summary: Summary, sections: list[ReportSection], redact) -> list[list[str]]:
    """Quotes of each included theme per local system (the summary's heatmap, as text)."""
    systems = list(summary.systems)
    header = ["Theme", *(redact(system.name) for system in systems), "All systems"]
    rows = [header]
    by_theme = summary.row_by_theme
    for section in sections:
        counts = summary.system_matrix.get(section.theme_id, {})
        row = by_theme[section.theme_id]
        rows.append(
            [section.heading, *(str(counts.get(s.pk, 0)) for s in systems), str(row.quotes)]
        )
    return rows


def _inline_quotes(project: Project, summaries, filters: Filters) -> dict[int, Quote]:
    """The quotes the narratives set inline, with the themes they are coded with."""
    ids = {pk for s in summaries for pk in inline.quote_ids(s.narrative)}
    if not ids:
        return {}
    quotes = Quote.objects.filter(pk__in=ids, transcript__project=project)
    if filters.viewer_id is not None:
        quotes = quotes.exclude(blind_hidden(filters.viewer_id))
    found = {quote.pk: quote for quote in quotes.prefetch_related("codings")}
    for quote in found.values():
        quote.theme_ids = {coding.tag_id for coding in quote.codings.all()}
    return found


def _inline_text(quote, theme_id: int, summary: Summary, options, redact) -> str | None:
    """An inline quote's published text, under the rules of a headline quote (or None)."""
    if quote is None or theme_id not in quote.theme_ids:
        return None
    filters = summary.filters
    speaker = summary.speakers.speaker(quote.transcript_id, quote.start)
    if not (options.all_quotes or quote.is_cleared):
        return None
    if filters.coder_id and quote.coder_id != filters.coder_id:
        return None
    if not summary.passes(quote.transcript_id, speaker):
        return None
    return redact(quote.text.strip(), quote.pk)


def export_attribution(
    speaker: Speaker | None, options: ExportOptions, also: Sequence[Speaker] = ()
) -> str:
    """'a chief executive of an acute trust', and each other speaker of a quote across
    turns: '…, and a director of social care of a local authority'."""
    phrases = [
        for_export(each, with_pseudonym=options.with_pseudonyms, with_system=options.with_systems)
        for each in (speaker, *also)
    ]
    return phrases[0] if len(phrases) == 1 else ", ".join(phrases[:-1]) + " and " + phrases[-1]


def quote_rows(
    *,
    project: Project,
    filters: Filters | None = None,
    options: ExportOptions | None = None,
    theme_ids: Collection[int] | None = None,
) -> Iterator[list[str]]:
    """Header (`options.columns`), then one row per quote and theme, streamed.

    Ordered by theme (tree order), interview date, position in the transcript. Memory
    stays flat: only themes, interviews and participants are held, never the quotes.
    """
    filters = filters or Filters()
    options = options or ExportOptions()
    yield options.columns
    themes = project_themes(project)
    if not themes:
        return
    interviews = interview_infos(project)
    speakers = SpeakerIndex.load(project)
    redact = Redactor.for_project(project)
    paths = {row.theme.pk: redact(row.path) for row in themes}
    coders = coder_labels(project)
    system_names = {}
    if options.with_systems:
        system_names = dict(LocalSystem.objects.filter(project=project).values_list("pk", "name"))

    wanted = [row for row in themes if theme_ids is None or row.theme.pk in theme_ids]
    # Every coded quote, cleared or not: the `cleared` column says which may be published.
    # The interviews' scope (this project's, out of the bin, the dates) is checked per
    # row against `interviews`, by `quote_in_scope` in `_interview_cells`.
    codings = theme_codings([row.theme.pk for row in wanted], filters)
    order = [
        *interview_order(interviews),
        "content_object__start",
        "content_object__end",
        "content_object_id",
    ]
    if len(wanted) > 1:  # one theme needs no theme order
        codings = codings.annotate(
            theme_order=Case(
                *(When(tag_id=row.theme.pk, then=Value(row.tree_index)) for row in wanted),
                output_field=IntegerField(),
            )
        )
        order.insert(0, "theme_order")
    # The uuid as text: PostgreSQL's is already str(UUID), and parsing each into a UUID
    # object took a sixth of the rows' Python time.
    codings = codings.annotate(uuid_text=Cast("content_object__uuid", CharField()))
    rows = codings.order_by(*order).values_list(
        "tag_id",
        "content_object__text",
        "content_object__transcript_id",
        "content_object__start",
        "content_object__end",
        "content_object__coder_id",
        "content_object__memo" if options.with_memos else "content_object__is_cleared",
        "content_object__is_cleared",
        "content_object_id",
        "uuid_text",
    )
    # The cells a quote's interview and speakers give (None: out of the filters' scope),
    # worked out once per interview and set of speakers rather than once per row.
    by_place: dict[tuple, tuple[str, ...] | None] = {}
    for row in rows.iterator(chunk_size=2000):
        theme_id, text, transcript_id, start, end, coder_id, memo, cleared, quote_id, key = row
        speaker = speakers.speaker(transcript_id, start)
        also = speakers.also(transcript_id, start, end) if speaker else []
        place = (transcript_id, speaker and speaker.pk, *(each.pk for each in also))
        cells = by_place.get(place, _UNSEEN)
        if cells is _UNSEEN:
            cells = by_place[place] = _interview_cells(
                interviews.get(transcript_id), speaker, also, filters, options, redact,
                system_names,
            )  # fmt: skip
        if cells is None:
            continue
        yield [
            paths[theme_id],
            redact(text, quote_id),
            *cells,
            str(start),
            str(end),
            coders.get(coder_id, ""),
            "yes" if cleared else "no",
            key if len(key) == 36 else str(uuid.UUID(key)),  # SQLite keeps 32 hex digits
            *([redact(memo, quote_id)] if options.with_memos else []),
        ]


_UNSEEN = object()


def interview_order(interviews: dict[int, InterviewInfo]) -> list:
    """The codings' order by interview: date (undated last), title, id. On PostgreSQL as
    each interview's place in `interviews` (which holds them in that order): sorting
    the codings by title compared the titles under the database's collation, a third
    of the export's query, and needed the join to the transcripts. SQLite compares
    bytes, which costs it little."""
    if connection.vendor != "postgresql":
        return [
            F("content_object__transcript__interview_date").asc(nulls_last=True),
            "content_object__transcript__title",
            "content_object__transcript_id",
        ]
    place = Func(
        RawSQL("%s::bigint[]", (list(interviews),)),
        F("content_object__transcript_id"),
        function="array_position",
        output_field=IntegerField(),
    )
    return [place.asc(nulls_last=True), "content_object__transcript_id"]


def _interview_cells(
    interview: InterviewInfo | None,
    speaker: Speaker | None,
    also: list[Speaker],
    filters: Filters,
    options: ExportOptions,
    redact: Redactor,
    system_names: dict[int, str],
) -> tuple[str, ...] | None:
    """A quote row's transcript, speaker and date cells (transcript to interview date),
    or None if the quote is outside the filters' scope."""
    if not quote_in_scope(filters, interview, speaker):
        return None
    system_name = ""
    if options.with_systems:
        system_name = redact(system_names.get(effective_system(interview, speaker), ""))
    everyone = [speaker, *also] if speaker else []
    return (
        interview.export_label(redact),
        "; ".join(s.pseudonym for s in everyone) if options.with_pseudonyms else "",
        "; ".join(redact(s.role_title) for s in everyone),
        "; ".join(s.organisation_label for s in everyone),
        system_name,
        interview.interview_date.isoformat() if interview.interview_date else "",
    )
