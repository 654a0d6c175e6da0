"""A hand-built project for the report tests: every count is known in advance.

3 local systems, 5 participants, 4 interviews (one a group interview with speaker
turns), 4 themes (one nested, one unused), 8 live quotes and 1 deleted quote.

    interview  date        system      speakers          quotes (themes)
    T1         2018-01-10  Northfield  P01               q1 (A, B), q2 (A), q9 deleted (A)
    T2         2018-02-10  Northfield  P02               q3 (B), q4 (A, C) by the admin
    T3         2018-03-10  Southvale   P03               q5 (A)
    T4         2018-04-10  Eastmoor    P04, P05 (turns)  q6 P04 (B, C), q7 P05 (A), q8 P05 (B)

Themes: A "Blame culture" > C "Four-hour target" (child), B "Tailored support",
D "Shared ownership" (no quotes).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from coding.models import Quote, QuoteTheme, Theme
from interviews.models import LocalSystem, OrganisationType, Participant, SpeakerTurn, Transcript


@dataclass
class Dataset:
    project: object
    systems: dict = field(default_factory=dict)
    participants: dict = field(default_factory=dict)
    transcripts: dict = field(default_factory=dict)
    themes: dict = field(default_factory=dict)
    quotes: dict = field(default_factory=dict)


def _text(parts: list[tuple[str | None, str]]) -> tuple[str, dict[str, tuple[int, int]]]:
    """Join (key, piece) parts; return the text and each keyed piece's [start, end)."""
    text, spans = "", {}
    for key, piece in parts:
        if key:
            spans[key] = (len(text), len(text) + len(piece))
        text += piece
    return text, spans


def build(project, coder, other_coder) -> Dataset:
    data = Dataset(project=project)
    for name in ("Northfield", "Southvale", "Eastmoor"):
        data.systems[name] = LocalSystem.objects.create(project=project, name=name)
    people = [
        ("P01", "chief executive", OrganisationType.ACUTE_TRUST, "Northfield", "Jane Smith"),
        ("P02", "director of operations", OrganisationType.CCG, "Northfield", "Omar Khan"),
        ("P03", "chief executive", OrganisationType.ACUTE_TRUST, "Southvale", "Mary-Jane O'Neill"),
        ("P04", "director of nursing", OrganisationType.COMMUNITY_TRUST, "Eastmoor", ""),
        ("P05", "GP lead", OrganisationType.PRIMARY_CARE, "Eastmoor", "Dr Peter Brown"),
    ]
    for pseudonym, role, org, system, real_name in people:
        data.participants[pseudonym] = Participant.objects.create(
            project=project,
            pseudonym=pseudonym,
            role_title=role,
            organisation_type=org,
            local_system=data.systems[system],
            real_name=real_name,
        )

    order = {"A": 1, "B": 2, "D": 3}
    names = {"A": "Blame culture", "B": "Tailored support", "D": "Shared ownership"}
    for key in ("A", "B", "D"):
        data.themes[key] = Theme.objects.create(project=project, name=names[key], order=order[key])
    data.themes["C"] = Theme.objects.create(
        project=project, name="Four-hour target", parent=data.themes["A"], order=1
    )

    texts = {
        "T1": [
            ("q1", "We were blamed, and Jane Smith's team needed tailored support."),
            (None, "\n\n"),
            ("q2", "The region named SMITH in every call; Smithson was fine."),
            (None, "\n\n"),
            ("q9", "A deleted passage about blame."),
            (None, "\n"),
        ],
        "T2": [
            ("q3", "Support was planned with us, Omar said, not parachuted in."),
            (None, "\n\n"),
            ("q4", "The four-hour target drives the blame."),
            (None, "\n"),
        ],
        "T3": [
            ("q5", "Mary-Jane O'Neill told us blame is everywhere."),
            (None, "\n"),
        ],
        "T4": [
            ("i1", "Interviewer: What helps?\n\n"),
            ("t4", "P04: "),
            ("q6", "Tailored support on the four-hour target helped."),
            (None, "\n\n"),
            ("t5", "P05: "),
            ("q7", "Peter Brown's practice felt blamed."),
            (None, " "),
            ("q8", "Tailored support came late."),
            (None, "\n"),
        ],
    }
    meta = {
        "T1": (datetime.date(2018, 1, 10), "Northfield", ["P01"]),
        "T2": (datetime.date(2018, 2, 10), "Northfield", ["P02"]),
        "T3": (datetime.date(2018, 3, 10), "Southvale", ["P03"]),
        "T4": (datetime.date(2018, 4, 10), "Eastmoor", ["P04", "P05"]),
    }
    spans = {}
    for key, parts in texts.items():
        text, found = _text(parts)
        date, system, pseudonyms = meta[key]
        transcript = Transcript.objects.create(
            project=project,
            title=f"Interview {key}",
            interview_date=date,
            local_system=data.systems[system],
            enabler=coder,
            text=text,
            speakers_confirmed=True,
        )
        transcript.participants.set([data.participants[p] for p in pseudonyms])
        data.transcripts[key] = transcript
        spans[key] = found

    t4, s4 = data.transcripts["T4"], spans["T4"]
    p04_end = s4["t5"][0]
    SpeakerTurn.objects.create(
        transcript=t4, index=0, start=0, end=s4["i1"][1], speaker_label="Interviewer",
        is_interviewer=True,
    )  # fmt: skip
    SpeakerTurn.objects.create(
        transcript=t4, index=1, start=s4["t4"][0], end=p04_end, speaker_label="P04",
        participant=data.participants["P04"],
    )  # fmt: skip
    SpeakerTurn.objects.create(
        transcript=t4, index=2, start=p04_end, end=len(t4.text), speaker_label="P05",
        participant=data.participants["P05"],
    )  # fmt: skip

    codes = {
        "q1": ("T1", "AB", coder),
        "q2": ("T1", "A", coder),
        "q9": ("T1", "A", coder),
        "q3": ("T2", "B", coder),
        "q4": ("T2", "AC", other_coder),
        "q5": ("T3", "A", coder),
        "q6": ("T4", "BC", coder),
        "q7": ("T4", "A", coder),
        "q8": ("T4", "B", coder),
    }
    for key, (transcript_key, theme_keys, who) in codes.items():
        transcript = data.transcripts[transcript_key]
        start, end = spans[transcript_key][key]
        quote = Quote.objects.create(
            transcript=transcript, start=start, end=end, text=transcript.text[start:end], coder=who
        )
        for theme_key in theme_keys:
            QuoteTheme.objects.create(content_object=quote, tag=data.themes[theme_key])
        data.quotes[key] = quote
    data.quotes["q9"].deleted_at = timezone.now()
    data.quotes["q9"].save(update_fields=["deleted_at"])
    return data


def add_bulk_quotes(transcript: Transcript, coder, themes: list[Theme], count: int) -> None:
    """`count` more quotes on one transcript (bulk inserts), each coded with `themes`."""
    needed = count + 20
    if len(transcript.text) < needed:
        transcript.text = transcript.text + " filler" * (needed // 7 + 1)
        transcript.save(update_fields=["text"])
    taken = set(
        Quote.all_objects.filter(transcript=transcript, coder=coder).values_list("start", "end")
    )
    rows = []
    start = 0
    while len(rows) < count:
        span = (start, start + 5)
        start += 1
        if span in taken:
            continue
        rows.append(
            Quote(
                transcript=transcript,
                start=span[0],
                end=span[1],
                text=transcript.text[span[0] : span[1]],
                coder=coder,
                is_cleared=True,
            )
        )
    made = Quote.objects.bulk_create(rows)
    QuoteTheme.objects.bulk_create(
        QuoteTheme(content_object=quote, tag=theme) for quote in made for theme in themes
    )
