"""Build a synthetic project of a chosen size, fast (bulk inserts)."""

from __future__ import annotations

import random

from django.contrib.auth import get_user_model
from django.db import transaction

from coding.models import Quote, QuoteTheme, Theme
from interviews.models import (
    LocalSystem,
    Membership,
    OrganisationType,
    Participant,
    Project,
    Transcript,
)

WORDS = (
    "system leadership support culture blame target pressure patients discharge flow "
    "community acute trust board partners winter beds ambulance handover trust shared "
    "ownership tailored national regional improvement programme planning café naïve "
    "“quoted” £5 — 😊"
).split()


def synthetic_text(words: int, rng: random.Random) -> str:
    lines = []
    written = 0
    turn = 0
    while written < words:
        size = min(rng.randint(40, 160), words - written)
        speaker = "Interviewer" if turn % 2 else f"P{turn % 7 + 1:02d}"
        lines.append(f"{speaker}: " + " ".join(rng.choice(WORDS) for _ in range(size)))
        written += size
        turn += 1
    return "\n\n".join(lines) + "\n"


@transaction.atomic
def build_project(
    *,
    slug: str,
    transcripts: int,
    words: int,
    quotes: int,
    themes: int,
    enablers: int = 1,
    seed: int = 7,
) -> Project:
    """A project with `transcripts` × `words`, `themes` (two levels) and `quotes` spread evenly
    over the transcripts, coded by `enablers` coders: the admin `<slug>-coder` and
    `<slug>-enabler-1` … as enablers. Transcript n is enabler n mod `enablers`'s; each quote's
    coder is drawn at random. The same arguments give the same project (seeded)."""
    rng = random.Random(seed)
    User = get_user_model()
    coder, _ = User.objects.get_or_create(username=f"{slug}-coder")
    project = Project.objects.create(name=f"Synthetic {slug}", slug=slug)
    Membership.objects.create(user=coder, project=project, role=Membership.Role.ADMIN)
    coders = [coder]
    for n in range(1, max(enablers, 1)):
        enabler, _ = User.objects.get_or_create(username=f"{slug}-enabler-{n}")
        Membership.objects.create(user=enabler, project=project, role=Membership.Role.ENABLER)
        coders.append(enabler)
    systems = LocalSystem.objects.bulk_create(
        LocalSystem(project=project, name=f"System {n}") for n in range(12)
    )
    org_types = list(OrganisationType.values)
    participants = Participant.objects.bulk_create(
        Participant(
            project=project,
            pseudonym=f"P{n:03d}",
            role_title=rng.choice(["chief executive", "director of operations", "GP lead"]),
            organisation_type=rng.choice(org_types),
            local_system=systems[n % len(systems)],
        )
        for n in range(max(transcripts, 1))
    )
    parents = [
        Theme(project=project, name=f"Theme {n}", slug=f"theme-{n}", order=n)
        for n in range(max(themes // 4, 1))
    ]
    Theme.objects.bulk_create(parents)
    children = [
        Theme(
            project=project,
            name=f"Theme {n}",
            slug=f"theme-{n}",
            parent=parents[n % len(parents)],
            order=n,
        )
        for n in range(len(parents), themes)
    ]
    Theme.objects.bulk_create(children)
    all_themes = parents + children
    made = Transcript.objects.bulk_create(
        Transcript(
            project=project,
            title=f"Interview {n:04d}",
            text=synthetic_text(words, rng),
            local_system=systems[n % len(systems)],
            enabler=coders[n % len(coders)],
            speakers_confirmed=True,
        )
        for n in range(transcripts)
    )
    Transcript.participants.through.objects.bulk_create(
        Transcript.participants.through(transcript_id=t.pk, participant_id=participants[n].pk)
        for n, t in enumerate(made)
    )
    per_transcript = quotes // max(transcripts, 1)
    quote_rows = []
    for transcript in made:
        length = len(transcript.text)
        taken = set()
        for _ in range(per_transcript):
            start = rng.randrange(0, max(length - 400, 1))
            end = min(start + rng.randint(40, 380), length)
            if (start, end) in taken:
                continue
            taken.add((start, end))
            quote_rows.append(
                Quote(
                    transcript=transcript,
                    start=start,
                    end=end,
                    text=transcript.text[start:end],
                    coder=rng.choice(coders) if len(coders) > 1 else coder,
                )
            )
    Quote.objects.bulk_create(quote_rows, batch_size=2000)
    QuoteTheme.objects.bulk_create(
        (
            QuoteTheme(content_object=quote, tag=theme)
            for quote in quote_rows
            for theme in rng.sample(all_themes, k=min(2, len(all_themes)))
        ),
        batch_size=2000,
    )
    return project
