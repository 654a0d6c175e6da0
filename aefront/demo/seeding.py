"""Load the demo: idempotent, so running it again changes nothing.

Every object is looked up by its natural key (username, project slug, theme name,
transcript title, quote span and coder) before it is created, and nothing that
exists is overwritten: edits made while trying the demo survive a re-run.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction

from aefront.demo.content import (
    PROJECTS,
    USERS,
    DemoProject,
    DemoQuote,
    DemoSummary,
    DemoTranscript,
)
from coding.models import HeadlineQuote, Quote, QuoteTheme, RedactionTerm, Theme, ThemeSummary
from coding.report import inline
from interviews.models import (
    LocalSystem,
    Membership,
    Participant,
    Project,
    SpeakerTurn,
    Transcript,
)

TRANSCRIPT_DIR = Path(__file__).resolve().parent / "transcripts"


class DemoContentError(Exception):
    """The demo content itself is inconsistent (a quote not found, a duplicate...)."""


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)
    projects: list[tuple[str, int, int, int]] = field(default_factory=list)
    password_kept: list[str] = field(default_factory=list)

    def count(self, kind: str, was_created: bool) -> None:
        if was_created:
            self.created[kind] = self.created.get(kind, 0) + 1


@dataclass(frozen=True)
class Turn:
    index: int
    start: int
    end: int
    label: str


def read_transcript(key: str) -> str:
    """The demo text as the importer stores it: NFC, `\\n` line ends, no final newline."""
    raw = (TRANSCRIPT_DIR / f"{key}.txt").read_text(encoding="utf-8")
    return unicodedata.normalize("NFC", raw.replace("\r\n", "\n")).strip("\n")


def speaker_turns(text: str) -> list[Turn]:
    """One turn per paragraph `Label: body`, as the importer lays text out.

    Paragraphs are separated by one blank line; [start, end) covers the body only,
    so `text[start:end]` is exactly what was said, without the label.
    """
    turns: list[Turn] = []
    position = 0
    for paragraph in text.split("\n\n"):
        label, separator, body = paragraph.partition(": ")
        if not separator or not body.strip():
            raise DemoContentError(f"paragraph without a speaker label at {position}")
        start = position + len(label) + len(separator)
        turns.append(Turn(len(turns), start, start + len(body), label))
        position += len(paragraph) + 2
    return turns


def find_quote(text: str, quote: DemoQuote) -> tuple[int, int]:
    """The quote's [start, end) in the text; its wording must occur exactly once."""
    occurrences = text.count(quote.text)
    if occurrences != 1:
        raise DemoContentError(
            f"{quote.transcript}: quote found {occurrences} times (need exactly 1): "
            f"{quote.text[:60]!r}"
        )
    start = text.index(quote.text)
    return start, start + len(quote.text)


@transaction.atomic
def seed_demo() -> SeedReport:
    report = SeedReport()
    users = _users(report)
    for spec in PROJECTS:
        project = _project(spec, users, report)
        report.projects.append(
            (
                project.slug,
                project.transcripts.count(),
                project.themes.count(),
                Quote.objects.filter(transcript__project=project).count(),
            )
        )
    return report


def _users(report: SeedReport) -> dict:
    User = get_user_model()
    users = {}
    for spec in USERS:
        user, created = User.objects.get_or_create(
            username=spec.username,
            defaults={
                "first_name": spec.first_name,
                "is_staff": spec.is_superuser,
                "is_superuser": spec.is_superuser,
            },
        )
        if created:
            user.set_password(spec.password)
            user.save()
        elif not user.check_password(spec.password):
            report.password_kept.append(spec.username)
        report.count("users", created)
        users[spec.username] = user
    return users


def _project(spec: DemoProject, users: dict, report: SeedReport) -> Project:
    project, created = Project.objects.get_or_create(
        slug=spec.slug,
        defaults={
            "name": spec.name,
            "description": spec.description,
            "report_title": spec.report_title,
        },
    )
    report.count("projects", created)
    for username, role in spec.members:
        _, created = Membership.objects.get_or_create(
            user=users[username], project=project, defaults={"role": role}
        )
        report.count("memberships", created)

    systems = {}
    for name in spec.local_systems:
        systems[name], created = LocalSystem.objects.get_or_create(project=project, name=name)
        report.count("local systems", created)

    participants = {}
    for person in spec.participants:
        participants[person.pseudonym], created = Participant.objects.get_or_create(
            project=project,
            pseudonym=person.pseudonym,
            defaults={
                "role_title": person.role_title,
                "organisation_type": person.organisation_type,
                "local_system": systems[person.local_system],
            },
        )
        report.count("participants", created)

    transcripts = {
        item.key: _transcript(project, item, systems, participants, users, report)
        for item in spec.transcripts
    }
    themes = _themes(project, spec, report)
    quotes = {}
    for item in spec.quotes:
        quotes[(item.coder, item.transcript, item.text)] = _quote(
            item, transcripts[item.transcript], themes, users, report
        )
    for position, summary_spec in enumerate(spec.summaries, start=1):
        _summary(
            project, themes[summary_spec.theme], summary_spec, quotes, users, position, report
        )
    for term in spec.redaction_terms:
        _, created = RedactionTerm.objects.get_or_create(
            project=project, term=term, defaults={"replacement": "[name]"}
        )
        report.count("redaction terms", created)
    return project


def _summary(project, theme, spec: DemoSummary, quotes: dict, users, position, report) -> None:
    """A theme's write-up: narrative (with its inline quote), cleared headline quotes, in
    the report at `position` (the content's order)."""

    def quote_of(text: str) -> Quote:
        return next(q for (_, _, t), q in quotes.items() if t == text)

    narrative = spec.narrative
    if spec.inline:
        narrative = narrative.replace("{inline}", inline.token(quote_of(spec.inline).pk))
    summary, created = ThemeSummary.objects.get_or_create(
        project=project,
        theme=theme,
        defaults={
            "narrative": narrative,
            "updated_by": users["author"],
            "in_report": True,
            "position": position,
        },
    )
    report.count("theme summaries", created)
    if created:
        chosen = [quote_of(text) for text in spec.headlines]
        for number, quote in enumerate(chosen, start=1):
            HeadlineQuote.objects.create(summary=summary, quote=quote, position=number)
        cleared = [q.pk for q in chosen] + ([quote_of(spec.inline).pk] if spec.inline else [])
        Quote.objects.filter(pk__in=cleared).update(is_cleared=True)


def _transcript(
    project: Project,
    spec: DemoTranscript,
    systems: dict,
    participants: dict,
    users: dict,
    report: SeedReport,
) -> Transcript:
    transcript = Transcript.objects.filter(project=project, title=spec.title).first()
    if transcript is not None:
        return transcript
    text = read_transcript(spec.key)
    transcript = Transcript(
        project=project,
        title=spec.title,
        interview_date=spec.interview_date,
        local_system=systems[spec.local_system],
        enabler=users[spec.enabler],
        imported_by=users[spec.enabler],
        original_name=f"{spec.key}.txt",
        original_format="txt",
        text=text,
        speakers_confirmed=True,
    )
    transcript.full_clean()
    transcript.save()
    transcript.participants.set([participants[p] for p in spec.participants])
    SpeakerTurn.objects.bulk_create(
        SpeakerTurn(
            transcript=transcript,
            index=turn.index,
            start=turn.start,
            end=turn.end,
            speaker_label=turn.label,
            participant=participants.get(turn.label),
            is_interviewer=turn.label == "Interviewer",
        )
        for turn in speaker_turns(text)
    )
    report.count("transcripts", True)
    return transcript


def _themes(project: Project, spec: DemoProject, report: SeedReport) -> dict[str, Theme]:
    themes: dict[str, Theme] = {}
    for order, item in enumerate(spec.themes):
        theme = Theme.objects.filter(project=project, name__iexact=item.name).first()
        if theme is None:
            theme = Theme(
                project=project,
                name=item.name,
                colour=item.colour,
                description=item.description,
                parent=themes[item.parent] if item.parent else None,
                order=order,
            )
            theme.slug = theme.unique_slug()
            theme.full_clean()
            theme.save()
            report.count("themes", True)
        themes[item.name] = theme
    return themes


def _quote(
    spec: DemoQuote, transcript: Transcript, themes: dict, users: dict, report: SeedReport
) -> Quote:
    start, end = find_quote(transcript.text, spec)
    coder = users[spec.coder]
    quote = Quote.all_objects.filter(
        transcript=transcript, coder=coder, start=start, end=end
    ).first()
    if quote is None:
        quote = Quote(
            transcript=transcript,
            start=start,
            end=end,
            text=transcript.text[start:end],
            coder=coder,
            memo=spec.memo,
            is_cleared=spec.cleared,
        )
        quote.full_clean()
        quote.save()
        report.count("quotes", True)
    for name in spec.themes:
        _, created = QuoteTheme.objects.get_or_create(content_object=quote, tag=themes[name])
        report.count("codings", created)
    return quote
