"""A small project with speaker turns, for search, auto-coding and suggestions."""

from __future__ import annotations

from interviews.models import OrganisationType, Participant, SpeakerTurn, Transcript

TURNS = (
    ("P01", "The four-hour target hangs over every decision we make. Nobody here ignores it."),
    ("Interviewer", "What does the target do to the way the board behaves?"),
    (
        "P01",
        "It turns managers into clock watchers. We were told support would arrive, "
        "and it never did. Targets matter, but patients matter more.",
    ),
    ("Interviewer", "Tell me about blame."),
    ("P01", "When figures slip, a chief executive is sacked and morale collapses."),
)


def turn_text(turns=TURNS) -> tuple[str, list[tuple[str, int, int]]]:
    parts, spans, position = [], [], 0
    for label, body in turns:
        prefix = f"{label}: "
        parts.append(prefix + body)
        spans.append((label, position + len(prefix), position + len(prefix) + len(body)))
        position += len(prefix) + len(body) + 2
    return "\n\n".join(parts) + "\n", spans


def make_turn_transcript(project, participant: Participant, title="Turns", turns=TURNS):
    text, spans = turn_text(turns)
    transcript = Transcript.objects.create(
        project=project, title=title, text=text, speakers_confirmed=True,
        local_system=participant.local_system,
    )  # fmt: skip
    transcript.participants.add(participant)
    SpeakerTurn.objects.bulk_create(
        SpeakerTurn(
            transcript=transcript,
            index=n,
            start=start,
            end=end,
            speaker_label=label,
            participant=None if label == "Interviewer" else participant,
            is_interviewer=label == "Interviewer",
        )
        for n, (label, start, end) in enumerate(spans)
    )
    return transcript


def other_participant(project, local_system=None) -> Participant:
    return Participant.objects.create(
        project=project,
        pseudonym="P02",
        role_title="director of social care",
        organisation_type=OrganisationType.LOCAL_AUTHORITY,
        local_system=local_system,
    )
