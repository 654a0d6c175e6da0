"""Read side of the report: per-theme counts, matrices, co-occurrence and saturation.

Everything is computed from a fixed set of queries, whatever the number of themes,
quotes or interviews:

1. themes, 2. interviews, 3-5. participants, interview links and speaker turns
(`SpeakerIndex`), 6. codings grouped by (theme, interview), 7. codings one by one for
the few interviews with other than one participant (group interviews: the speaker is
found per quote), 8. pairs of themes on the same quote, grouped, 9. the summaries'
state (narrative written, headline count).

Definitions (also shown on the page):
- a theme's *quotes* are live quotes coded with it (not its sub-themes);
- its *interviews* are the interviews those quotes come from, its *participants* the
  speakers of those quotes, its *local systems* the systems of those interviews (the
  interview's system, or its participant's when the interview has none);
- the totals are the interviews in scope of the filters, their participants and systems;
- a heatmap cell's *share of participants* is the participants of that system (or
  organisation type) who said a quote of the theme, out of that system's (or type's)
  participants in scope;
- co-occurrence counts quotes coded with both themes;
- the saturation curve takes interviews by date and counts themes not seen before.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Length

from coding.models import Quote, QuoteTheme, Theme, ThemeSummary
from coding.reading import blind_hidden, visible_quotes
from coding.report.attribution import ORG_LABELS, Speaker, SpeakerIndex
from coding.tree import placed
from interviews.models import LocalSystem, OrganisationType, Project, Transcript


@dataclass(frozen=True)
class Filters:
    """What the summary and the exports are restricted to. Empty means everything."""

    local_system_id: int | None = None
    organisation_type: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    coder_id: int | None = None
    # Not a filter a user picks: the member the blind rule hides other coders' quotes from
    # (coding.reading.blind_viewer; None for a project admin and for the command line).
    viewer_id: int | None = None

    @property
    def active(self) -> bool:
        return any(
            (
                self.local_system_id,
                self.organisation_type,
                self.date_from,
                self.date_to,
                self.coder_id,
            )
        )

    @property
    def scopes_interviews(self) -> bool:
        """Filters that take whole interviews (or speakers) out of scope."""
        return bool(
            self.local_system_id or self.organisation_type or self.date_from or self.date_to
        )


@dataclass
class InterviewInfo:
    pk: int
    title: str
    interview_date: datetime.date | None
    local_system_id: int | None
    title_is_safe: bool = False

    def export_label(self, redact: Callable[[str], str]) -> str:
        """What exports call the interview: its title only once the author confirmed the
        title names no one (and redacted even then), else 'Interview 12'."""
        if self.title_is_safe and self.title.strip():
            return redact(self.title.strip())
        return f"Interview {self.pk}"


@dataclass
class ThemeRow:
    theme: Theme
    depth: int
    path: str
    quotes: int = 0
    cleared: int = 0  # of `quotes`, those cleared for publication
    interviews: int = 0
    participants: int = 0
    systems: int = 0
    by_org_type: dict[str, int] = field(default_factory=dict)
    has_narrative: bool = False
    headline_count: int = 0
    tree_index: int = 0
    in_report: bool | None = None  # as an author set it (None: not set)
    position: int | None = None  # in the author's report order (None: codebook order)

    @property
    def included(self) -> bool:
        """In the report: as set, or (until set) once a narrative or headline is written."""
        if self.in_report is not None:
            return self.in_report
        return self.has_narrative or self.headline_count > 0


@dataclass
class Totals:
    interviews: int
    participants: int
    systems: int
    # Participants in scope per local system and per organisation type: what a heatmap
    # cell's share of participants is out of.
    system_participants: dict[int, int] = field(default_factory=dict)
    org_participants: dict[str, int] = field(default_factory=dict)


@dataclass
class SaturationPoint:
    index: int
    interview: InterviewInfo
    new_themes: int
    cumulative: int
    new_theme_names: list[str]


@dataclass
class Summary:
    project: Project
    filters: Filters
    rows: list[ThemeRow]
    totals: Totals
    systems: list[LocalSystem]
    org_types: list[tuple[str, str]]
    system_matrix: dict[int, dict[int, int]]
    org_matrix: dict[int, dict[str, int]]
    cooccurrence: dict[tuple[int, int], int]
    saturation: list[SaturationPoint]
    speakers: SpeakerIndex
    interviews: dict[int, InterviewInfo]
    in_scope: list[int]
    # Participants (not quotes) per theme and local system.
    system_people: dict[int, dict[int, int]] = field(default_factory=dict)

    def participant_shares(self, by: str) -> dict[int, dict[int | str, float]]:
        """Per theme, the share (0..1) of each system's or organisation type's participants
        in scope who raised it: `by` is "system" or "org"."""
        if by == "system":
            people, out_of = self.system_people, self.totals.system_participants
        else:
            people = {row.theme.pk: row.by_org_type for row in self.rows if row.by_org_type}
            out_of = self.totals.org_participants
        return {
            theme_id: {key: n / out_of[key] for key, n in cells.items() if out_of.get(key)}
            for theme_id, cells in people.items()
        }

    @property
    def row_by_theme(self) -> dict[int, ThemeRow]:
        return {row.theme.pk: row for row in self.rows}

    def passes(self, transcript_id: int, speaker: Speaker | None) -> bool:
        """Whether a quote of this interview and speaker is inside the filters."""
        return quote_in_scope(self.filters, self.interviews.get(transcript_id), speaker)


def tree_rows(themes: list[Theme]) -> list[ThemeRow]:
    """The report's rows in tree order, with depth and path (see `coding.tree`)."""
    return [
        ThemeRow(theme=place.item, depth=place.depth, path=place.path, tree_index=n)
        for n, place in enumerate(placed(themes))
    ]


def project_themes(project: Project) -> list[ThemeRow]:
    return tree_rows(list(Theme.objects.filter(project=project)))


def interview_infos(project: Project) -> dict[int, InterviewInfo]:
    """Every interview of the project, in date order (two small queries, never the text).

    The local system comes from the foreign key's index: on SQLite the column sits after
    the long `text` column, and reading it would walk every transcript's overflow pages.
    """
    rows = (
        Transcript.objects.filter(project=project)
        .order_by(F("interview_date").asc(nulls_last=True), "title", "pk")
        .values_list("pk", "title", "interview_date", "title_is_safe")
    )
    systems = dict(
        Transcript.objects.filter(
            local_system_id__in=LocalSystem.objects.filter(project=project).values("pk")
        ).values_list("pk", "local_system_id")
    )
    return {
        pk: InterviewInfo(pk, title, date, systems.get(pk), safe) for pk, title, date, safe in rows
    }


def effective_system(interview: InterviewInfo | None, speaker: Speaker | None) -> int | None:
    if interview is not None and interview.local_system_id:
        return interview.local_system_id
    return speaker.local_system_id if speaker is not None else None


def interview_in_dates(filters: Filters, interview: InterviewInfo | None) -> bool:
    if interview is None:
        return False
    if filters.date_from or filters.date_to:
        if interview.interview_date is None:
            return False
        if filters.date_from and interview.interview_date < filters.date_from:
            return False
        if filters.date_to and interview.interview_date > filters.date_to:
            return False
    return True


def quote_in_scope(
    filters: Filters, interview: InterviewInfo | None, speaker: Speaker | None
) -> bool:
    """System, organisation type and dates (the coder is filtered in SQL)."""
    if not interview_in_dates(filters, interview):
        return False
    if filters.local_system_id and effective_system(interview, speaker) != filters.local_system_id:
        return False
    if filters.organisation_type and (
        speaker is None or speaker.organisation_type != filters.organisation_type
    ):
        return False
    return True


def scope_interviews(project: Project, filters: Filters) -> QuerySet[Transcript]:
    """Interviews of the project inside the date filter, as a subquery of ids."""
    interviews = Transcript.objects.filter(project=project)
    if filters.date_from:
        interviews = interviews.filter(interview_date__gte=filters.date_from)
    if filters.date_to:
        interviews = interviews.filter(interview_date__lte=filters.date_to)
    return interviews.values("pk")


def scoped_quotes(project: Project, filters: Filters) -> QuerySet[Quote]:
    """Live quotes of the project with the SQL-side filters (coder, dates).

    Filtering on `transcript_id IN (subquery)` lets the database walk quotes by their
    transcript index instead of looking each coding's quote up: 3x faster on SQLite.
    """
    quotes = Quote.objects.filter(transcript_id__in=scope_interviews(project, filters))
    if filters.coder_id:
        quotes = quotes.filter(coder_id=filters.coder_id)
    if filters.viewer_id is not None:
        quotes = quotes.exclude(blind_hidden(filters.viewer_id))
    return quotes


def live_codings(project: Project, filters: Filters) -> QuerySet[QuoteTheme]:
    """Codings of the quotes of `scoped_quotes` (themes of other projects are ignored later)."""
    codings = QuoteTheme.objects.filter(
        content_object__transcript_id__in=scope_interviews(project, filters),
        content_object__deleted_at__isnull=True,
    )
    return _coder_and_blind(codings, filters)


def theme_codings(theme_ids: Collection[int], filters: Filters) -> QuerySet[QuoteTheme]:
    """Codings of these themes on live quotes, with the coder and the blind rule, but not
    the interviews' scope: the caller keeps a row only if its interview is one of
    `interview_infos` (the project's, out of the bin) and `quote_in_scope` (the dates).

    Led by the themes' index, so one theme's codings cost what that theme holds. With
    `live_codings`' subquery of interviews, PostgreSQL walked every quote of the project
    and probed its codings: 23 ms for one theme's 1,600 codings among 15,000 quotes.
    """
    codings = QuoteTheme.objects.filter(
        tag_id__in=theme_ids, content_object__deleted_at__isnull=True
    )
    return _coder_and_blind(codings, filters)


def _coder_and_blind(codings: QuerySet[QuoteTheme], filters: Filters) -> QuerySet[QuoteTheme]:
    if filters.coder_id:
        codings = codings.filter(content_object__coder_id=filters.coder_id)
    if filters.viewer_id is not None:
        codings = codings.exclude(blind_hidden(filters.viewer_id, prefix="content_object__"))
    return codings


_Place = tuple[int | None, str, int | None]
"""(speaker, organisation type, system) of a quote: what a `_Tally` counts it under."""


class _Tally:
    """What one theme accumulates while codings are counted."""

    __slots__ = (
        "quotes",
        "cleared",
        "interviews",
        "people",
        "systems",
        "org_people",
        "system_people",
        "by_system",
        "by_org",
    )

    def __init__(self) -> None:
        self.quotes = 0
        self.cleared = 0
        self.interviews: set[int] = set()
        self.people: set[int] = set()
        self.systems: set[int] = set()
        self.org_people: dict[str, set[int]] = defaultdict(set)
        self.system_people: dict[int, set[int]] = defaultdict(set)
        self.by_system: dict[int, int] = defaultdict(int)
        self.by_org: dict[str, int] = defaultdict(int)

    def add(self, transcript_id: int, place: _Place, n: int, cleared: int) -> None:
        speaker_pk, org, system = place
        self.quotes += n
        self.cleared += cleared
        self.interviews.add(transcript_id)
        if system:
            self.systems.add(system)
            self.by_system[system] += n
        if speaker_pk is not None:
            self.people.add(speaker_pk)
            self.org_people[org].add(speaker_pk)
            self.by_org[org] += n
            if system:
                self.system_people[system].add(speaker_pk)


def _place(interview: InterviewInfo, speaker: Speaker | None) -> _Place:
    """(speaker, organisation type, system) of quotes said by `speaker` in `interview`."""
    system = effective_system(interview, speaker)
    if speaker is None:
        return (None, "", system)
    return (speaker.pk, speaker.organisation_type, system)


@dataclass
class _Scope:
    """The interviews in scope of the filters (in date order) and their totals."""

    in_scope: list[int]
    totals: Totals


@dataclass
class _Tallies:
    """What counting the codings leaves for the later steps (the rows are filled in place)."""

    system_matrix: dict[int, dict[int, int]]
    org_matrix: dict[int, dict[str, int]]
    system_people: dict[int, dict[int, int]]
    # Themes seen in each interview in scope (for saturation).
    interview_themes: dict[int, set[int]]
    # One-to-one interviews in scope whose one speaker passes the filters.
    places: dict[int, _Place]
    # Themes of each group-interview quote in scope (for co-occurrence).
    quote_themes: dict[int, list[int]]
    # Group interviews: any number of participants other than one.
    other: list[int]


def _kept_interviewees(
    filters: Filters, pk: int, interview: InterviewInfo, speakers: SpeakerIndex
) -> list[Speaker] | None:
    """The interview's interviewees inside the filters, or None if it is out of scope.

    With no interviewee left, the interview is out of an organisation-type filter, but
    stays in a system filter when its own system matches.
    """
    if not interview_in_dates(filters, interview):
        return None
    people = [speakers.speakers[p] for p in speakers.interviewees(pk) if p in speakers.speakers]
    kept = [s for s in people if quote_in_scope(filters, interview, s)]
    if filters.organisation_type and not kept:
        return None
    if filters.local_system_id and not kept and not quote_in_scope(filters, interview, None):
        return None
    return kept


def _scope(
    filters: Filters, interviews: dict[int, InterviewInfo], speakers: SpeakerIndex
) -> _Scope:
    """Interviews in scope, and the totals "out of" which each theme is counted."""
    in_scope: list[int] = []
    scope_participants: set[int] = set()
    scope_systems: set[int] = set()
    by_system: dict[int, set[int]] = defaultdict(set)
    by_org: dict[str, set[int]] = defaultdict(set)
    for pk, interview in interviews.items():
        kept = _kept_interviewees(filters, pk, interview, speakers)
        if kept is None:
            continue
        in_scope.append(pk)
        scope_participants.update(s.pk for s in kept)
        system = interview.local_system_id
        if system:
            scope_systems.add(system)
        else:
            scope_systems.update(s.local_system_id for s in kept if s.local_system_id)
        for speaker in kept:  # counted where their quotes are (`_place`)
            by_org[speaker.organisation_type].add(speaker.pk)
            if place := effective_system(interview, speaker):
                by_system[place].add(speaker.pk)
    totals = Totals(
        len(in_scope),
        len(scope_participants),
        len(scope_systems),
        {key: len(people) for key, people in by_system.items()},
        {key: len(people) for key, people in by_org.items()},
    )
    return _Scope(in_scope, totals)


def _sole_places(
    filters: Filters,
    interviews: dict[int, InterviewInfo],
    speakers: SpeakerIndex,
    in_scope: list[int],
) -> dict[int, _Place]:
    """The place of each one-to-one interview in scope whose speaker passes the filters.

    Every quote of such an interview has the same speaker, organisation type and system.
    """
    places: dict[int, _Place] = {}
    for pk in in_scope:
        speaker = speakers.sole(pk)
        if speaker is not None and quote_in_scope(filters, interviews[pk], speaker):
            places[pk] = _place(interviews[pk], speaker)
    return places


_Count = tuple[int, int, _Place, int, int]
"""(theme, interview, place, quotes, cleared quotes): one cell of the tallies."""


def _one_to_one_counts(
    project: Project, filters: Filters, places: dict[int, _Place], theme_id: int | None
) -> Iterator[_Count]:
    """(theme, interview, place, quotes, cleared) for the interviews of `places`, in SQL
    (of one theme only when `theme_id` is given)."""
    coded = Q(codings__tag_id=theme_id) if theme_id is not None else Q(codings__isnull=False)
    grouped = (
        scoped_quotes(project, filters)
        .filter(coded)
        .values_list("codings__tag_id", "transcript_id")
        .annotate(n=Count("codings__pk"), cleared=Count("codings__pk", filter=Q(is_cleared=True)))
        .order_by()
    )
    for theme_id, transcript_id, n, cleared in grouped:
        place = places.get(transcript_id)
        if place is not None:
            yield theme_id, transcript_id, place, n, cleared


def _group_counts(
    filters: Filters,
    interviews: dict[int, InterviewInfo],
    speakers: SpeakerIndex,
    other: list[int],
    scope_set: set[int],
    codings: QuerySet[QuoteTheme],
) -> tuple[list[_Count], dict[int, list[int]]]:
    """(theme, interview, place, quotes, cleared) for group interviews in scope, and each
    quote's themes.

    The speaker, hence the place, is found per quote from the speaker turns.
    """
    quote_themes: dict[int, list[int]] = defaultdict(list)
    if not other:
        return [], quote_themes
    cells: dict[tuple[int, int, int | None], list[int]] = defaultdict(lambda: [0, 0])
    for theme_id, quote_id, transcript_id, start, is_cleared in codings.filter(
        content_object__transcript_id__in=other
    ).values_list(
        "tag_id",
        "content_object_id",
        "content_object__transcript_id",
        "content_object__start",
        "content_object__is_cleared",
    ):
        if transcript_id not in scope_set:
            continue
        speaker = speakers.speaker(transcript_id, start)
        if quote_in_scope(filters, interviews.get(transcript_id), speaker):
            cell = cells[(theme_id, transcript_id, speaker.pk if speaker else None)]
            cell[0] += 1
            cell[1] += int(is_cleared)
            quote_themes[quote_id].append(theme_id)
    counts = []
    for (theme_id, transcript_id, speaker_pk), (n, cleared) in cells.items():
        speaker = speakers.speakers.get(speaker_pk) if speaker_pk else None
        place = _place(interviews[transcript_id], speaker)
        counts.append((theme_id, transcript_id, place, n, cleared))
    return counts, quote_themes


def _add_counts(
    tallies: dict[int, _Tally],
    interview_themes: dict[int, set[int]],
    counts: Iterable[_Count],
) -> None:
    """Add (theme, interview, place, quotes, cleared) to the tallies; other projects' themes
    skipped."""
    for theme_id, transcript_id, place, n, cleared in counts:
        tally = tallies.get(theme_id)
        if tally is not None:
            tally.add(transcript_id, place, n, cleared)
            interview_themes[transcript_id].add(theme_id)


def _fill_rows(rows: list[ThemeRow], tallies: dict[int, _Tally]) -> tuple[dict, dict, dict]:
    """Copy each theme's tally into its row; return the theme x system and x org matrices
    of quotes, and the theme x system matrix of participants."""
    system_matrix: dict[int, dict[int, int]] = {}
    org_matrix: dict[int, dict[str, int]] = {}
    system_people: dict[int, dict[int, int]] = {}
    for row in rows:
        tally = tallies[row.theme.pk]
        row.quotes = tally.quotes
        row.cleared = tally.cleared
        row.interviews = len(tally.interviews)
        row.participants = len(tally.people)
        row.systems = len(tally.systems)
        row.by_org_type = {org: len(people) for org, people in tally.org_people.items()}
        if tally.by_system:
            system_matrix[row.theme.pk] = dict(tally.by_system)
        if tally.by_org:
            org_matrix[row.theme.pk] = dict(tally.by_org)
        if tally.system_people:
            system_people[row.theme.pk] = {k: len(v) for k, v in tally.system_people.items()}
    return system_matrix, org_matrix, system_people


def _tallies(
    project: Project,
    filters: Filters,
    rows: list[ThemeRow],
    interviews: dict[int, InterviewInfo],
    speakers: SpeakerIndex,
    in_scope: list[int],
    theme_id: int | None = None,
) -> _Tallies:
    """Per-theme counts and matrices, from one-to-one and group interviews in scope (of
    the theme `theme_id` only, when given: `rows` then holds its row alone)."""
    # Per theme: quotes, and the interviews, speakers and systems they come from. One-to-one
    # interviews come grouped by (theme, interview) from SQL; every quote of such an
    # interview has the same speaker, organisation type and system ("place").
    tallies = {row.theme.pk: _Tally() for row in rows}
    interview_themes: dict[int, set[int]] = defaultdict(set)
    places = _sole_places(filters, interviews, speakers, in_scope)
    _add_counts(tallies, interview_themes, _one_to_one_counts(project, filters, places, theme_id))

    # Group interviews (any other number of participants): the speaker of each quote.
    other = [pk for pk in interviews if not speakers.is_single(pk)]
    codings = live_codings(project, filters)
    if theme_id is not None:
        codings = codings.filter(tag_id=theme_id)
    group_counts, quote_themes = _group_counts(
        filters, interviews, speakers, other, set(in_scope), codings
    )
    _add_counts(tallies, interview_themes, group_counts)

    system_matrix, org_matrix, system_people = _fill_rows(rows, tallies)
    return _Tallies(
        system_matrix, org_matrix, system_people, interview_themes, places, quote_themes, other
    )


def _cooccurrence(
    project: Project, filters: Filters, tallied: _Tallies
) -> dict[tuple[int, int], int]:
    """Quotes coded with both themes, both ways round.

    Pairs are grouped in SQL for one-to-one interviews (just those in scope when the
    filters take interviews out); group-interview quotes are paired from their themes.
    """
    cooccurrence: dict[tuple[int, int], int] = defaultdict(int)
    pairs = live_codings(project, filters).filter(content_object__codings__tag_id__gt=F("tag_id"))
    if filters.scopes_interviews:
        pairs = pairs.filter(content_object__transcript_id__in=list(tallied.places))
    elif tallied.other:
        pairs = pairs.exclude(content_object__transcript_id__in=tallied.other)
    for first, second, n in (
        pairs.values_list("tag_id", "content_object__codings__tag_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        cooccurrence[(first, second)] += n
        cooccurrence[(second, first)] += n
    for theme_ids in tallied.quote_themes.values():
        unique = sorted(set(theme_ids))
        for i, first in enumerate(unique):
            for second in unique[i + 1 :]:
                cooccurrence[(first, second)] += 1
                cooccurrence[(second, first)] += 1
    return dict(cooccurrence)


def _saturation(
    in_scope: list[int],
    interview_themes: dict[int, set[int]],
    interviews: dict[int, InterviewInfo],
    row_by_theme: dict[int, ThemeRow],
) -> list[SaturationPoint]:
    """Saturation: new themes per successive interview, by interview date."""
    saturation: list[SaturationPoint] = []
    seen: set[int] = set()
    for index, pk in enumerate(in_scope, start=1):
        fresh = interview_themes.get(pk, set()) - seen
        seen |= fresh
        names = sorted(row_by_theme[t].theme.name for t in fresh if t in row_by_theme)
        saturation.append(SaturationPoint(index, interviews[pk], len(fresh), len(seen), names))
    return saturation


def _writeup_state(project: Project, row_by_theme: dict[int, ThemeRow]) -> None:
    """What the authors have written so far: narrative written, headline count, per row."""
    for theme_id, narrative_length, headline_count, in_report, position in (
        ThemeSummary.objects.filter(project=project)
        .annotate(narrative_length=Length("narrative"), headline_count=Count("headlines"))
        .values_list("theme_id", "narrative_length", "headline_count", "in_report", "position")
    ):
        row = row_by_theme.get(theme_id)
        if row is not None:
            row.has_narrative = bool(narrative_length)
            row.headline_count = headline_count
            row.in_report = in_report
            row.position = position


def writeup_rows(project: Project) -> list[ThemeRow]:
    """The project's themes in tree order with the authors' state only (narrative,
    headlines, inclusion, position): two queries, for the report's order list."""
    rows = project_themes(project)
    _writeup_state(project, {row.theme.pk: row for row in rows})
    return rows


def _org_types(speakers: SpeakerIndex) -> list[tuple[str, str]]:
    """The organisation types of the project's participants, in the choices' order."""
    present = {speaker.organisation_type for speaker in speakers.speakers.values()}
    return [(value, label) for value, label in OrganisationType.choices if value in present]


def summarise(project: Project, filters: Filters | None = None) -> Summary:
    """Everything the summary page shows, in a fixed number of queries."""
    filters = filters or Filters()
    rows = project_themes(project)
    row_by_theme = {row.theme.pk: row for row in rows}
    interviews = interview_infos(project)
    speakers = SpeakerIndex.load(project)
    systems = list(LocalSystem.objects.filter(project=project).order_by("name"))
    scope = _scope(filters, interviews, speakers)
    tallied = _tallies(project, filters, rows, interviews, speakers, scope.in_scope)
    cooccurrence = _cooccurrence(project, filters, tallied)
    saturation = _saturation(scope.in_scope, tallied.interview_themes, interviews, row_by_theme)
    _writeup_state(project, row_by_theme)
    return Summary(
        project=project,
        filters=filters,
        rows=rows,
        totals=scope.totals,
        systems=systems,
        org_types=_org_types(speakers),
        system_matrix=tallied.system_matrix,
        org_matrix=tallied.org_matrix,
        cooccurrence=cooccurrence,
        saturation=saturation,
        speakers=speakers,
        interviews=interviews,
        in_scope=scope.in_scope,
        system_people=tallied.system_people,
    )


@dataclass
class ThemeCount:
    """One theme's row and the totals it is counted out of, as `summarise()` has them."""

    row: ThemeRow
    totals: Totals
    interviews: dict[int, InterviewInfo]
    speakers: SpeakerIndex


def summarise_theme(project: Project, theme: Theme, filters: Filters | None = None) -> ThemeCount:
    """The theme page's counts: `summarise()`'s for one theme, without counting the
    other themes, co-occurrence or saturation (a fixed number of queries)."""
    filters = filters or Filters()
    row = next(row for row in project_themes(project) if row.theme.pk == theme.pk)
    interviews = interview_infos(project)
    speakers = SpeakerIndex.load(project)
    scope = _scope(filters, interviews, speakers)
    _tallies(project, filters, [row], interviews, speakers, scope.in_scope, theme.pk)
    return ThemeCount(row, scope.totals, interviews, speakers)


SORT_KEYS = {
    "theme": lambda row: row.tree_index,
    "name": lambda row: row.path.lower(),
    "quotes": lambda row: row.quotes,
    "interviews": lambda row: row.interviews,
    "participants": lambda row: row.participants,
    "systems": lambda row: row.systems,
}


def sort_rows(rows: list[ThemeRow], sort: str) -> tuple[list[ThemeRow], str]:
    """Rows sorted by `sort` ('quotes', '-quotes', 'org:acute_trust'...); unknown -> tree."""
    descending = sort.startswith("-")
    key_name = sort.lstrip("-")
    if key_name.startswith("org:") and key_name[4:] in ORG_LABELS:
        org = key_name[4:]

        def key(row: ThemeRow) -> tuple:
            return (row.by_org_type.get(org, 0), -row.tree_index)
    elif key_name in SORT_KEYS and key_name != "theme":
        base = SORT_KEYS[key_name]

        def key(row: ThemeRow) -> tuple:
            value = base(row)
            return (value, -row.tree_index if descending else row.tree_index)
    else:
        return sorted(rows, key=SORT_KEYS["theme"], reverse=descending), (
            "-theme" if descending else "theme"
        )
    return sorted(rows, key=key, reverse=descending), sort


def raised_by(row: ThemeRow, totals: Totals) -> str:
    """'Raised by 14 of 40 interviewees in 9 of 12 systems'."""
    people = "interviewee" if totals.participants == 1 else "interviewees"
    text = f"Raised by {row.participants} of {totals.participants} {people}"
    if totals.systems:
        places = "system" if totals.systems == 1 else "systems"
        text += f" in {row.systems} of {totals.systems} {places}"
    return text


def theme_admin_counts(queryset: QuerySet[Theme]) -> QuerySet[Theme]:
    """Quote and interview counts for the admin theme list, in the list's one query."""
    live = Q(codings__content_object__deleted_at__isnull=True)
    return queryset.annotate(
        quote_count=Count("codings__content_object", filter=live, distinct=True),
        interview_count=Count("codings__content_object__transcript", filter=live, distinct=True),
    )


def new_since(access, since: datetime.datetime, theme: Theme | None = None) -> int:
    """Live quotes made after `since` that this member may see, coded with `theme` if
    given (1 query): the report pages' "N new quotes … since you opened it"."""
    quotes = visible_quotes(access).filter(created_at__gt=since)
    if theme is not None:
        quotes = quotes.filter(codings__tag=theme).distinct()
    return quotes.count()
