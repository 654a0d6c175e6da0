"""Transcripts cut into passages: a few sentences of one turn, the unit of search,
similar-passage lists and theme discovery. Sentences are also the unit that
auto-coding by keyword offers. `split` is pure; `index_transcript` writes."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef

from coding.layout import blocks_for
from coding.models import Passage
from interviews.models import SpeakerTurn, Transcript

# A sentence ends at . ! ? … (and any closing quote or bracket) followed by space.
SENTENCE_END = re.compile(r"(?<=[.!?…])([”’\"')\]]*)\s+")
MAX_WORDS = 60


@dataclass(frozen=True)
class Span:
    start: int
    end: int


def sentences(text: str, start: int, end: int) -> list[Span]:
    """The sentences of text[start:end], as spans with no surrounding whitespace."""
    found: list[Span] = []
    position = start
    for match in SENTENCE_END.finditer(text, start, end):
        found.append(Span(position, match.end(1)))
        position = match.end()
    found.append(Span(position, end))
    trimmed = []
    for span in found:
        s, e = span.start, span.end
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            trimmed.append(Span(s, e))
    return trimmed


def chunks(text: str, start: int, end: int, max_words: int = MAX_WORDS) -> list[Span]:
    """Consecutive sentences grouped up to about `max_words` words."""
    grouped: list[Span] = []
    first: Span | None = None
    last: Span | None = None
    words = 0
    for sentence in sentences(text, start, end):
        n = len(text[sentence.start : sentence.end].split())
        if first is not None and words + n > max_words:
            grouped.append(Span(first.start, last.end))
            first, words = None, 0
        if first is None:
            first = sentence
        last = sentence
        words += n
    if first is not None:
        grouped.append(Span(first.start, last.end))
    return grouped


@dataclass(frozen=True)
class PassageSpan:
    start: int
    end: int
    turn_start: int
    turn_end: int
    participant_id: int | None
    is_interviewer: bool


def split(text: str, turns: Iterable[SpeakerTurn]) -> list[PassageSpan]:
    """Every passage of a transcript, in order (turns, or paragraphs without turns)."""
    turns = list(turns)
    by_start = {turn.start: turn for turn in turns}
    found = []
    for block in blocks_for(text, turns):
        turn = by_start.get(block.start)
        if turn is None:  # a trimmed turn start, or a paragraph
            turn = next((t for t in turns if t.start <= block.start < t.end), None)
        for span in chunks(text, block.start, block.end):
            found.append(
                PassageSpan(
                    span.start,
                    span.end,
                    block.start,
                    block.end,
                    turn.participant_id if turn else None,
                    bool(turn and turn.is_interviewer),
                )
            )
    return found


@transaction.atomic
def index_transcript(*, transcript: Transcript) -> int:
    """(Re)build the transcript's passages; returns how many there are."""
    turns = (
        SpeakerTurn.objects.filter(transcript=transcript)
        .select_related("participant")
        .order_by("start", "index")
    )
    text = transcript.text
    Passage.objects.filter(transcript=transcript).delete()
    rows = [
        Passage(
            transcript=transcript,
            start=span.start,
            end=span.end,
            text=text[span.start : span.end],
            turn_start=span.turn_start,
            turn_end=span.turn_end,
            participant_id=span.participant_id,
            is_interviewer=span.is_interviewer,
        )
        for span in split(text, turns)
    ]
    Passage.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


@transaction.atomic
def index_if_missing(transcript_id: int) -> int:
    """Cut the passages of a transcript that has none yet. The transcript row is locked
    first, so the task worker and a reader that both find it without passages cut them
    once (PostgreSQL; SQLite has one writer at a time anyway)."""
    transcript = (
        Transcript.objects.select_for_update()
        .annotate(indexed=Exists(Passage.objects.filter(transcript=OuterRef("pk"))))
        .filter(pk=transcript_id)
        .first()
    )
    if transcript is None or transcript.indexed:
        return 0
    return index_transcript(transcript=transcript)


def index_missing(project_id: int | None = None) -> int:
    """Index every transcript that has no passages yet: search and suggestions call it
    before they read, in case the task worker has not cut a new transcript's yet."""
    transcripts = Transcript.objects.filter(passages__isnull=True)
    if project_id is not None:
        transcripts = transcripts.filter(project_id=project_id)
    pks = transcripts.distinct().values_list("pk", flat=True)
    return sum(index_if_missing(pk) for pk in list(pks))
