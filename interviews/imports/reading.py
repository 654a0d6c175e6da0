"""Read side of the import pages: what awaits review, and each transcript's speakers."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from interviews import access
from interviews.imports.forms import SpeakerRow
from interviews.models import Transcript
from interviews.parsing.core import speaker_key

SAMPLE_CHARS = 160
FIRST_TURNS = 6


@dataclass(frozen=True)
class StoredTurn:
    """One turn as stored: the label spoken in the file, what it became, what was said."""

    spoken: str
    stored: str
    body: str


def first_turns(transcript: Transcript, count: int = FIRST_TURNS) -> list[StoredTurn]:
    """The transcript's first turns as they are stored (one query)."""
    turns = transcript.turns.select_related("participant").order_by("index")[:count]
    shown = []
    for turn in turns:
        if turn.is_interviewer:
            stored = "Interviewer"
        elif turn.participant is not None:
            stored = turn.participant.pseudonym
        else:
            stored = ""
        body = transcript.text[turn.start : turn.end]
        if len(body) > SAMPLE_CHARS:
            body = body[:SAMPLE_CHARS].rstrip() + "…"
        shown.append(StoredTurn(turn.speaker_label, stored, body))
    return shown


def awaiting_review(project_access: access.ProjectAccess) -> QuerySet[Transcript]:
    """The project's newest transcripts whose speakers nobody has confirmed yet."""
    return (
        access.transcripts_for(project_access)
        .filter(speakers_confirmed=False)
        .only("pk", "title", "original_name", "created_at", "project")
        .order_by("-created_at")[:50]
    )


def speaker_rows(transcript: Transcript) -> list[SpeakerRow]:
    """Detected speakers in order of first appearance, each with a sample line."""
    rows: dict[str, dict] = {}
    turns = transcript.turns.select_related("participant__local_system").order_by("index")
    for turn in turns:
        if not turn.speaker_label:
            continue
        key = speaker_key(turn.speaker_label)
        row = rows.get(key)
        if row is None:
            sample = transcript.text[turn.start : turn.end].split("\n", 1)[0]
            if len(sample) > SAMPLE_CHARS:
                sample = sample[: SAMPLE_CHARS - 1] + "…"
            rows[key] = {
                "label": turn.speaker_label,
                "sample": sample,
                "turns": 1,
                "participant": turn.participant,
                "is_interviewer": turn.is_interviewer,
            }
        else:
            row["turns"] += 1
    return [SpeakerRow(**row) for row in rows.values()]
