"""Search a project's transcripts, quotes and memos (read side, fixed query counts).

- PostgreSQL: full-text search with the English configuration: `SearchVector` over
  a stored tsvector (passages, migration 0007) or
  expressions that GIN indexes cover (quotes and memos, migration 0006), `SearchQuery` (plain words and
  "quoted phrases"), `SearchRank` and `SearchHeadline`.
- SQLite: the FTS5 tables of the same migration (porter stemming), `bm25()` and
  `snippet()`.

Every term must match (AND); a "quoted phrase" must match as a phrase. Transcripts are
searched passage by passage (`coding.passages`), and every hit links to its place in
the coding page: `#at-START-END` for a passage, `#quote-ID` for a quote or a memo.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorField,
)
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Window
from django.db.models.expressions import RawSQL

from coding.models import Passage, Quote
from coding.passages import index_missing
from interviews.models import OrganisationType, Project, SpeakerTurn

START, STOP = "\x02", "\x03"
TERM = re.compile(r'"([^"]*)"|(\S+)')
MAX_QUERY_CHARS = 300
CONFIG = "english"


@dataclass
class Filters:
    system_id: int | None = None
    organisation_type: str = ""
    speaker: str = ""  # "participant" or "interviewer"
    coded: str = ""  # "coded" or "uncoded"
    theme_id: int | None = None


@dataclass
class Hit:
    kind: str  # "passage", "quote" or "memo"
    transcript_id: int
    transcript_title: str
    speaker: str
    start: int
    end: int
    snippet: list[tuple[str, bool]]
    url: str
    score: float
    quote_id: int | None = None


@dataclass
class Results:
    query: str
    engine: str
    hits: list[Hit] = field(default_factory=list)
    total: int = 0


def terms(query: str) -> list[tuple[str, bool]]:
    """(text, is_phrase) for each term: "quoted phrases" and single words."""
    found = []
    for match in TERM.finditer(query[:MAX_QUERY_CHARS]):
        phrase, word = match.group(1), match.group(2)
        text = " ".join((phrase if phrase is not None else word).split())
        text = re.sub(r"[^\w\s'’-]", " ", text).strip()
        if text:
            found.append((" ".join(text.split()), phrase is not None))
    return found


def fts5_query(query: str) -> str:
    """The terms as an FTS5 MATCH expression: each term a quoted string (so no operator
    or column filter a user types can change the query), all required."""
    return " ".join('"' + text.replace('"', '""') + '"' for text, _ in terms(query))


def segments(marked: str) -> list[tuple[str, bool]]:
    """Text with START/STOP markers as (text, is_hit) pieces, for the template to escape."""
    pieces: list[tuple[str, bool]] = []
    for n, part in enumerate(re.split(f"[{START}{STOP}]", marked)):
        if part:
            pieces.append((part, n % 2 == 1))
    return pieces


def engine() -> str:
    return "PostgreSQL full-text search" if connection.vendor == "postgresql" else "SQLite FTS5"


# --- filters ---------------------------------------------------------------------------


def _turn_at(**match) -> Exists:
    """A speaker turn of the row's transcript that holds the row's start and matches."""
    return Exists(
        SpeakerTurn.objects.filter(
            transcript=OuterRef("transcript"),
            start__lte=OuterRef("start"),
            end__gt=OuterRef("start"),
            **match,
        )
    )


def _overlapping_quotes(**match) -> Exists:
    return Exists(
        Quote.objects.filter(
            transcript=OuterRef("transcript"),
            start__lt=OuterRef("end"),
            end__gt=OuterRef("start"),
            **match,
        )
    )


def filter_passages(passages: QuerySet[Passage], filters: Filters) -> QuerySet[Passage]:
    if filters.system_id:
        passages = passages.filter(
            Q(participant__local_system_id=filters.system_id)
            | Q(participant__isnull=True, transcript__local_system_id=filters.system_id)
        )
    if filters.organisation_type:
        passages = passages.filter(participant__organisation_type=filters.organisation_type)
    if filters.speaker:
        passages = passages.filter(is_interviewer=filters.speaker == "interviewer")
    if filters.coded == "coded":
        passages = passages.filter(_overlapping_quotes())
    elif filters.coded == "uncoded":
        passages = passages.exclude(_overlapping_quotes())
    if filters.theme_id:
        passages = passages.filter(_overlapping_quotes(codings__tag_id=filters.theme_id))
    return passages


def filter_quotes(quotes: QuerySet[Quote], filters: Filters) -> QuerySet[Quote]:
    if filters.coded == "uncoded":
        return quotes.none()
    if filters.system_id:
        quotes = quotes.filter(
            _turn_at(participant__local_system_id=filters.system_id)
            | Q(transcript__local_system_id=filters.system_id)
        )
    if filters.organisation_type:
        quotes = quotes.filter(_turn_at(participant__organisation_type=filters.organisation_type))
    if filters.speaker:
        quotes = quotes.filter(_turn_at(is_interviewer=filters.speaker == "interviewer"))
    if filters.theme_id:
        quotes = quotes.filter(codings__tag_id=filters.theme_id).distinct()
    return quotes


# --- the two engines ---------------------------------------------------------------------


def _pg_query(query: str) -> SearchQuery | None:
    combined = None
    for text, phrase in terms(query):
        part = SearchQuery(text, search_type="phrase" if phrase else "plain", config=CONFIG)
        combined = part if combined is None else combined & part
    return combined


def _pg_vector(table: str, column: str):
    """The stored vector of passages (migration 0007), the indexed expression otherwise."""
    if table == "coding_passage":
        return RawSQL('"coding_passage"."search_vector"', [], output_field=SearchVectorField())
    return SearchVector(column, config=CONFIG)


def _pg_hits(rows: QuerySet, column: str, query: SearchQuery, limit: int) -> tuple[list, int]:
    """Ranked ids and the total in one pass over the GIN index's matches; headlines (the
    costly part) for the shown rows only."""
    vector = _pg_vector(rows.model._meta.db_table, column)
    ranked = list(
        rows.annotate(found=vector)
        .filter(found=query)
        .annotate(rank=SearchRank(vector, query), total=Window(Count("pk")))
        .order_by("-rank", "pk")
        .values_list("pk", "rank", "total")[:limit]
    )
    if not ranked:
        return [], 0
    shown = rows.filter(pk__in=[pk for pk, _, _ in ranked]).annotate(
        marked=SearchHeadline(
            column,
            query,
            config=CONFIG,
            start_sel=START,
            stop_sel=STOP,
            max_words=40,
            min_words=15,
        )
    )
    by_pk = {row.pk: row for row in shown}
    return [(by_pk[pk], float(rank), by_pk[pk].marked) for pk, rank, _ in ranked], ranked[0][2]


def _fts5_hits(rows: QuerySet, table: str, column: int, match: str, limit: int):
    """Rows of `rows` matching in the FTS5 table: ids and bm25 from the index, filters
    from the ORM, snippets for the shown rows only."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT rowid, bm25({table}) FROM {table} WHERE {table} MATCH %s", [match])
        scores = {pk: -score for pk, score in cursor.fetchall()}
    if not scores:
        return [], 0
    # The index's matches as a subquery: a list of ids could pass SQLite's variable limit.
    matching = RawSQL(f"SELECT rowid FROM {table} WHERE {table} MATCH %s", [match])
    kept = set(rows.filter(pk__in=matching).values_list("pk", flat=True))
    best = sorted(kept, key=lambda pk: (-scores[pk], pk))[:limit]
    if not best:
        return [], len(kept)
    marks = ", ".join(["%s"] * len(best))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT rowid, snippet({table}, {column}, char(2), char(3), ' … ', 32) FROM {table} "
            f"WHERE {table} MATCH %s AND rowid IN ({marks})",
            [match, *best],
        )
        snippets = dict(cursor.fetchall())
    by_pk = rows.in_bulk(best)
    return [(by_pk[pk], scores[pk], snippets.get(pk, "")) for pk in best], len(kept)


def _memo_match(match: str) -> str:
    return f"memo : ({match})" if match else match


# --- the search --------------------------------------------------------------------------


def search(
    *,
    project: Project,
    query: str,
    filters: Filters | None = None,
    limit: int = 50,
    viewer_id: int | None = None,
):
    """The best `limit` hits among passages, quotes and memos, best first. `viewer_id`
    (coding.reading.blind_viewer) hides the quotes and memos a blind round hides."""
    filters = filters or Filters()
    results = Results(query=query, engine=engine())
    if not terms(query):
        return results
    index_missing(project.pk)
    passages = filter_passages(
        Passage.objects.filter(transcript__project=project).select_related(
            "transcript", "participant"
        ),
        filters,
    ).defer("transcript__text")
    quotes = Quote.objects.filter(transcript__project=project)
    if viewer_id is not None:
        from coding.reading import blind_hidden

        quotes = quotes.exclude(blind_hidden(viewer_id))
    quotes = filter_quotes(quotes.select_related("transcript"), filters).defer("transcript__text")
    found = []
    if connection.vendor == "postgresql":
        pg_query = _pg_query(query)
        for kind, rows, column in (
            ("passage", passages, "text"),
            ("quote", quotes, "text"),
            ("memo", quotes.exclude(memo=""), "memo"),
        ):
            hits, total = _pg_hits(rows, column, pg_query, limit)
            results.total += total
            found += [(kind, *hit) for hit in hits]
    else:
        match = fts5_query(query)
        for kind, rows, table, column, expression in (
            ("passage", passages, "coding_passage_fts", 0, match),
            ("quote", quotes, "coding_quote_fts", 0, f"text : ({match})"),
            ("memo", quotes.exclude(memo=""), "coding_quote_fts", 1, _memo_match(match)),
        ):
            hits, total = _fts5_hits(rows, table, column, expression, limit)
            results.total += total
            found += [(kind, *hit) for hit in hits]
    found.sort(key=lambda item: -item[2])
    found = found[:limit]
    speakers = speakers_at(
        [(row.transcript_id, row.start) for kind, row, _, _ in found if kind != "passage"]
    )
    for kind, row, score, marked in found:
        row.transcript.project = project  # the same row: saves a query per hit
        results.hits.append(_hit(kind, row, score, marked, speakers))
    return results


def _hit(kind: str, row, score: float, marked: str, speakers: dict) -> Hit:
    transcript = row.transcript
    if kind == "passage":
        speaker = (
            "Interviewer"
            if row.is_interviewer
            else (row.participant.pseudonym if row.participant_id else "")
        )
        url = f"{transcript.get_absolute_url()}#at-{row.start}-{row.end}"
        quote_id = None
    else:
        speaker = speakers.get((row.transcript_id, row.start), "")
        url = f"{transcript.get_absolute_url()}#quote-{row.pk}"
        quote_id = row.pk
    return Hit(
        kind=kind,
        transcript_id=transcript.pk,
        transcript_title=transcript.title,
        speaker=speaker,
        start=row.start,
        end=row.end,
        snippet=segments(marked or ""),
        url=url,
        score=score,
        quote_id=quote_id,
    )


def speakers_at(places: list[tuple[int, int]]) -> dict[tuple[int, int], str]:
    """Who speaks at each (transcript, offset): a pseudonym, 'Interviewer' or '' (1 query)."""
    if not places:
        return {}
    turns: dict[int, list] = {}
    for turn in (
        SpeakerTurn.objects.filter(transcript_id__in={t for t, _ in places})
        .select_related("participant")
        .only("transcript_id", "start", "end", "is_interviewer", "participant__pseudonym")
    ):
        turns.setdefault(turn.transcript_id, []).append(turn)
    found = {}
    for transcript_id, offset in places:
        label = ""
        for turn in turns.get(transcript_id, ()):
            if turn.start <= offset < turn.end or (turn.start <= offset and offset == turn.end):
                label = (
                    "Interviewer"
                    if turn.is_interviewer
                    else (turn.participant.pseudonym if turn.participant_id else "")
                )
                break
        found[(transcript_id, offset)] = label
    return found


ORGANISATION_CHOICES = OrganisationType.choices
