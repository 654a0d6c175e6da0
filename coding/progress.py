"""Where the team stands: each coder's status per transcript, and the project's progress.

A coder's status on a transcript is read, not stored, except for their own "done":
- *not started*: no quote of theirs there (live or deleted);
- *in progress*: they have coded there, and not marked it done since;
- *done*: they marked it done (`CoderStatus`, or their round's `Assignment`) and have
  not changed a quote there since; coding there again reopens it by itself.

The progress page costs the same few queries for 1 transcript or 1,000 (the quotes are
read as value rows, through the blind rule of `reading.visible_quotes`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Q
from django.db.models.functions import Length
from django.urls import reverse

from aefront import rows
from coding.models import Assignment, CoderStatus, CodingRound, Quote
from coding.reading import visible_quotes
from interviews.access import CODING_ROLES, Column, ProjectAccess, get_transcript_with
from interviews.models import LocalSystem, Membership, SpeakerTurn, Transcript

NOT_STARTED, IN_PROGRESS, DONE = "not started", "in progress", "done"
STATUSES = (NOT_STARTED, IN_PROGRESS, DONE)
SORTS = ("title", "system", "coverage", "quotes", "status", "review", "activity", "coders")
CODER_SORTS = ("name", "assigned", "in_progress", "done")


def status_of(last_change: datetime | None, done_at: datetime | None) -> str:
    """A coder's status from their last quote change there and when they said done."""
    if done_at is not None and (last_change is None or last_change <= done_at):
        return DONE
    return IN_PROGRESS if last_change is not None else NOT_STARTED


def merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def covered_share(text_spans: list[tuple[int, int]], quotes: list[tuple[int, int]]) -> float:
    """The share of `text_spans` (participants' words) that some quote covers."""
    total = sum(end - start for start, end in text_spans)
    if not total:
        return 0.0
    covered = 0
    for q_start, q_end in merged(quotes):
        for start, end in text_spans:
            covered += max(0, min(end, q_end) - max(start, q_start))
    return covered / total


@dataclass
class CoderCell:
    coder_id: int
    name: str
    quotes: int
    status: str


@dataclass
class TranscriptRow:
    pk: int
    title: str
    url: str
    system: str
    coverage: float
    quotes: int
    status: str
    awaiting_review: bool
    last_activity: datetime | None
    coders: list[CoderCell] = field(default_factory=list)

    @property
    def percent(self) -> int:
        return round(self.coverage * 100)


@dataclass
class CoderRow:
    name: str
    assigned: int = 0
    in_progress: int = 0
    done: int = 0


@dataclass
class Progress:
    transcripts: list[TranscriptRow]
    coders: list[CoderRow]
    coder_choices: list[tuple[int, str]]
    systems: list[tuple[int, str]]


@dataclass
class Filters:
    status: str = ""
    coder: int | None = None
    system: int | None = None
    sort: str = "title"
    descending: bool = False
    coder_sort: str = "name"
    coder_descending: bool = False

    @classmethod
    def from_query(cls, query) -> Filters:
        """?status=&coder=&system=&sort=[-]column&csort=[-]column (the coders' table);
        anything unknown is ignored."""
        status = query.get("status", "")
        sort, descending = _sort(query.get("sort", ""), SORTS)
        coder_sort, coder_descending = _sort(query.get("csort", ""), CODER_SORTS)

        def number(name: str) -> int | None:
            value = query.get(name, "")
            return int(value) if value.isascii() and value.isdigit() and len(value) < 12 else None

        return cls(
            status=status if status in STATUSES else "",
            coder=number("coder"),
            system=number("system"),
            sort=sort,
            descending=descending,
            coder_sort=coder_sort,
            coder_descending=coder_descending,
        )


def _sort(value: str, columns: tuple[str, ...]) -> tuple[str, bool]:
    """'-quotes' -> ('quotes', True); an unknown column is the first, ascending."""
    column = value.removeprefix("-")
    if column not in columns:
        return columns[0], False
    return column, value.startswith("-")


def _coders(access: ProjectAccess) -> dict[int, str]:
    """The project's coders: its enablers and admins, and whoever has coded in it (a
    former member's quotes stay theirs). Two subqueries on ids, not an OR over joins to
    every quote of every member, which took 650 ms at 6,700 quotes."""
    coding_members = Membership.objects.filter(project=access.project, role__in=CODING_ROLES)
    have_coded = Quote.all_objects.filter(transcript__project=access.project)
    members = get_user_model().objects.filter(
        Q(pk__in=coding_members.values("user_id")) | Q(pk__in=have_coded.values("coder_id"))
    )
    return dict(members.order_by("username").values_list("pk", "username"))


def progress(access: ProjectAccess, filters: Filters) -> Progress:
    """Eight queries, whatever the size of the project."""
    project = access.project
    transcripts = list(
        Transcript.objects.filter(project=project)
        .annotate(length=Length("text"))
        .values_list("pk", "title", "local_system_id", "speakers_confirmed", "length")
        .order_by("interview_date", "title", "pk")
    )
    systems = dict(LocalSystem.objects.filter(project=project).values_list("pk", "name"))
    coders = _coders(access)
    words: dict[int, list[tuple[int, int]]] = {}
    for t_id, start, end in SpeakerTurn.objects.filter(
        transcript__project=project, is_interviewer=False
    ).values_list("transcript_id", "start", "end"):
        words.setdefault(t_id, []).append((start, end))
    revealed = dict(
        CodingRound.objects.filter(transcript__project=project).values_list(
            "transcript_id", "revealed_at"
        )
    )
    done: dict[tuple[int, int], datetime] = {}
    assigned: set[tuple[int, int]] = set()
    for t_id, coder_id, done_at in Assignment.objects.filter(
        coding_round__transcript__project=project
    ).values_list("coding_round__transcript_id", "coder_id", "done_at"):
        assigned.add((t_id, coder_id))
        if done_at:
            done[(t_id, coder_id)] = done_at
    for t_id, coder_id, done_at in CoderStatus.objects.filter(
        transcript__project=project, done_at__isnull=False
    ).values_list("transcript_id", "coder_id", "done_at"):
        done[(t_id, coder_id)] = max(done_at, done.get((t_id, coder_id), done_at))
    last: dict[tuple[int, int], datetime] = {}
    counts: dict[tuple[int, int], int] = {}
    spans: dict[tuple[int, int], list[tuple[int, int]]] = {}
    rows = visible_quotes(access, include_deleted=True).values_list(
        "transcript_id", "coder_id", "start", "end", "updated_at", "deleted_at"
    )
    for t_id, coder_id, start, end, updated_at, deleted_at in rows:
        key = (t_id, coder_id)
        # A round's reveal touches every quote at `revealed_at`: that is no one's coding.
        if updated_at != revealed.get(t_id):
            last[key] = max(updated_at, last.get(key, updated_at))
        if deleted_at is None:
            counts[key] = counts.get(key, 0) + 1
            spans.setdefault(key, []).append((start, end))
    per_coder = {pk: CoderRow(name) for pk, name in coders.items()}
    out = []
    for t_id, title, system_id, confirmed, length in transcripts:
        cells = []
        for coder_id, name in coders.items():
            key = (t_id, coder_id)
            status = status_of(last.get(key), done.get(key))
            if status == NOT_STARTED and key not in assigned and not counts.get(key):
                continue  # neither theirs nor started: not a coder of this transcript
            cells.append(CoderCell(coder_id, name, counts.get(key, 0), status))
            row = per_coder[coder_id]
            row.assigned += key in assigned
            row.in_progress += status == IN_PROGRESS
            row.done += status == DONE
        shown = [c for c in cells if filters.coder in (None, c.coder_id)]
        chosen = {c.coder_id for c in shown} if filters.coder else set(coders)
        quote_spans = [s for c in chosen for s in spans.get((t_id, c), [])]
        row = TranscriptRow(
            pk=t_id,
            title=title,
            url=reverse("coding:transcript", args=[project.slug, t_id]),
            system=systems.get(system_id, ""),
            coverage=covered_share(words.get(t_id) or [(0, length)], quote_spans),
            quotes=sum(c.quotes for c in shown),
            status=overall(shown),
            awaiting_review=not confirmed,
            last_activity=max(
                (last[(t_id, c)] for c in chosen if (t_id, c) in last), default=None
            ),
            coders=shown,
        )
        if filters.system not in (None, system_id):
            continue
        if filters.coder is not None and not shown:
            continue
        if filters.status and row.status != filters.status:
            continue
        out.append(row)
    out.sort(key=sort_key(filters.sort), reverse=filters.descending)
    return Progress(
        transcripts=out,
        coders=sorted(
            (per_coder[pk] for pk in coders),
            key=coder_sort_key(filters.coder_sort),
            reverse=filters.coder_descending,
        ),
        coder_choices=list(coders.items()),
        systems=sorted(systems.items(), key=lambda item: item[1].casefold()),
    )


def overall(cells: list[CoderCell]) -> str:
    """Done when every coder of it is done; in progress once anyone has started."""
    if cells and all(cell.status == DONE for cell in cells):
        return DONE
    if any(cell.status != NOT_STARTED for cell in cells):
        return IN_PROGRESS
    return NOT_STARTED


def sort_key(column: str):
    keys = {
        "title": lambda row: row.title.casefold(),
        "system": lambda row: (row.system.casefold(), row.title.casefold()),
        "coverage": lambda row: (row.coverage, row.title.casefold()),
        "quotes": lambda row: (row.quotes, row.title.casefold()),
        "status": lambda row: (STATUSES.index(row.status), row.title.casefold()),
        "review": lambda row: (row.awaiting_review, row.title.casefold()),
        "activity": lambda row: (row.last_activity is not None, row.last_activity or 0),
        # By how far its coders have got: how many are done, then how many have started.
        "coders": lambda row: (
            sum(cell.status == DONE for cell in row.coders),
            sum(cell.status != NOT_STARTED for cell in row.coders),
            row.title.casefold(),
        ),
    }
    return keys[column]


def coder_sort_key(column: str):
    if column == "name":
        return lambda row: row.name.casefold()
    return lambda row: (getattr(row, column), row.name.casefold())


def status_columns(user) -> list[Column]:
    """What `status_from` reads, as columns of the transcript's own read: the coding
    page loads them with the transcript (`access.get_transcript_with`)."""
    q = connection.ops.quote_name
    quotes, statuses = rows.table(Quote), rows.table(CoderStatus)
    assignments, rounds = rows.table(Assignment), rows.table(CodingRound)
    of_t = f"{q('transcript_id')} = t.{q('id')}"
    # Binned quotes too (Quote.all_objects): binning one is the coder's latest change.
    return [
        Column(
            "my_last",
            f"SELECT qu.{q('updated_at')} FROM {quotes} qu WHERE qu.{of_t} "
            f"AND qu.{q('coder_id')} = %s ORDER BY qu.{q('updated_at')} DESC LIMIT 1",
            Quote._meta.get_field("updated_at"),
            (user.pk,),
        ),
        Column(
            "my_said",
            f"SELECT s.{q('done_at')} FROM {statuses} s WHERE s.{of_t} "
            f"AND s.{q('coder_id')} = %s LIMIT 1",
            CoderStatus._meta.get_field("done_at"),
            (user.pk,),
        ),
        Column(
            "my_round_done",
            f"SELECT a.{q('done_at')} FROM {assignments} a JOIN {rounds} r "
            f"ON r.{q('id')} = a.{q('coding_round_id')} WHERE r.{of_t} AND a.{q('coder_id')} = %s "
            f"ORDER BY a.{q('coding_round_id')}, a.{q('id')} LIMIT 1",
            Assignment._meta.get_field("done_at"),
            (user.pk,),
        ),
        Column(
            "my_revealed",
            f"SELECT r.{q('revealed_at')} FROM {rounds} r WHERE r.{of_t}",
            CodingRound._meta.get_field("revealed_at"),
        ),
    ]


STATUS_COLUMNS = ("my_last", "my_said", "my_round_done", "my_revealed")


def status_from(row: Mapping[str, Any]) -> str:
    """The caller's status from the values `STATUS_COLUMNS` names."""
    said = max((d for d in (row["my_said"], row["my_round_done"]) if d), default=None)
    last = row["my_last"] if row["my_last"] != row["my_revealed"] else said
    return status_of(last, said)


def my_status(access: ProjectAccess, transcript: Transcript) -> str:
    """The caller's status on one transcript (one query; none when the transcript was
    loaded with `status_columns`)."""
    if not all(hasattr(transcript, name) for name in STATUS_COLUMNS):
        transcript = get_transcript_with(access, transcript.pk, status_columns(access.user))
    return status_from({name: getattr(transcript, name) for name in STATUS_COLUMNS})
