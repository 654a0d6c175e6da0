"""Writes that touch several models: importing a transcript and mapping its speakers.

Each function runs in one transaction. A refused or failed import leaves no Transcript,
SpeakerTurn or Participant row and no file in MEDIA_ROOT.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection, transaction

from aefront import errors
from interviews.models import (
    LocalSystem,
    Participant,
    Project,
    SpeakerTurn,
    Transcript,
)
from interviews.parsing import ImportRejected
from interviews.parsing.core import Limits, render, speaker_key
from interviews.parsing.turns import is_interviewer_label
from interviews.uploads import read_upload

INTERVIEWER = "Interviewer"
_PSEUDONYM_NUMBER = re.compile(r"^P(\d+)$", re.IGNORECASE)
# Labels that name no one ("Speaker 2", "P03", "R"): not kept as a real name.
_ANONYMOUS_LABEL = re.compile(
    r"^(?:p|r|a|participant|speaker|respondent|interviewee|person|voice|unknown)\s*\d*$",
    re.IGNORECASE,
)
PARTICIPANT_DETAILS = ("role_title", "organisation_type", "local_system")


@dataclass(frozen=True)
class SpeakerOutcome:
    """What one spoken label was mapped to."""

    label: str
    pseudonym: str  # "" for the interviewer
    is_interviewer: bool
    created: bool
    turns: int

    @property
    def target(self) -> str:
        if self.is_interviewer:
            return "interviewer"
        return f"{self.pseudonym} ({'new' if self.created else 'existing'} participant)"


@dataclass(frozen=True)
class ImportResult:
    transcript: Transcript
    display_name: str
    format: str
    turn_count: int
    speakers: tuple[SpeakerOutcome, ...]
    notes: tuple[str, ...] = ()

    @property
    def speaker_count(self) -> int:
        return len(self.speakers)

    @property
    def summary(self) -> str:
        return (
            f"imported {self.display_name} as transcript {self.transcript.pk} "
            f"({self.turn_count} turns, {self.speaker_count} speakers)"
        )


@dataclass(frozen=True)
class SpeakerChoice:
    """The review step's decision for one speaker.

    Exactly one of: `interviewer`, an existing `participant`, or a `new_pseudonym`.
    `details` (role_title, organisation_type, local_system) are written to the chosen
    participant; `remember_name` keeps the spoken name in Participant.real_name, which
    is only used to redact exports.
    """

    interviewer: bool = False
    participant: Participant | None = None
    new_pseudonym: str = ""
    details: Mapping[str, object] = field(default_factory=dict)
    remember_name: bool = True


@dataclass(frozen=True)
class RemapResult:
    transcript: Transcript
    speakers: tuple[SpeakerOutcome, ...]
    removed_participants: tuple[str, ...] = ()


@dataclass
class _Target:
    participant: Participant | None
    is_interviewer: bool
    created: bool = False

    @property
    def stored_label(self) -> str:
        if self.is_interviewer:
            return INTERVIEWER
        return self.participant.pseudonym if self.participant else ""


# --- pseudonyms ------------------------------------------------------------------------


def next_free_pseudonyms(
    project: Project, count: int = 1, taken: set[str] | None = None
) -> list[str]:
    """The next `count` pseudonyms after the highest P-number used in the project."""
    used = set(Participant.objects.filter(project=project).values_list("pseudonym", flat=True))
    return _next_pseudonyms(used | (taken or set()), count)


def _next_pseudonyms(used: set[str], count: int) -> list[str]:
    pseudonyms = _Pseudonyms(used)
    return [pseudonyms.next() for _ in range(count)]


class _Pseudonyms:
    """The pseudonyms of a project as an import hands them out: each new one follows the
    highest P-number taken so far. The taken names are read once (a project's hundreds of
    participants), not again for each new speaker."""

    def __init__(self, used: Iterable[str]) -> None:
        self.used: set[str] = set()
        self.highest = 0
        for name in used:
            self.take(name)

    def take(self, name: str) -> None:
        self.used.add(name.casefold())
        if match := _PSEUDONYM_NUMBER.match(name):
            self.highest = max(self.highest, int(match[1]))

    def next(self) -> str:
        number = self.highest
        while True:
            number += 1
            candidate = f"P{number:02d}"
            if candidate.casefold() not in self.used:
                self.take(candidate)
                return candidate


def spoken_name(label: str) -> str:
    """The name to keep for redaction from a spoken label: '' for 'Speaker 2' or 'P03'."""
    label = " ".join(label.split())
    if not label or _ANONYMOUS_LABEL.match(label) or is_interviewer_label(label):
        return ""
    return label[:200]


def _new_participant(
    project: Project,
    pseudonym: str,
    details: Mapping[str, object] | None = None,
    real_name: str = "",
) -> Participant:
    """A participant whose pseudonym the caller knows is free (it holds the project lock
    and has read every pseudonym), so only the fields are validated here; the database's
    unique constraint still stands behind it. `real_name` is the spoken name, kept only to
    redact it from exports. Not saved: the import writes its new participants together."""
    participant = Participant(project=project, pseudonym=pseudonym.strip(), real_name=real_name)
    for name, value in (details or {}).items():
        if name in PARTICIPANT_DETAILS:
            setattr(participant, name, value)
    # The project and local system are rows the caller loaded: no query to re-check them.
    participant.full_clean(
        exclude=["project", "local_system"], validate_unique=False, validate_constraints=False
    )
    return participant


# --- import ----------------------------------------------------------------------------


def import_transcript(
    *,
    project: Project,
    filename: str,
    data: bytes,
    user=None,
    local_system: LocalSystem | None = None,
    interview_date: datetime.date | None = None,
    title: str | None = None,
    speaker_map: Mapping[str, str] | None = None,
    limits: Limits | None = None,
) -> ImportResult:
    """Check, parse and store one file as a transcript, in one transaction.

    `speaker_map` maps spoken labels (case-insensitive) to a pseudonym or "interviewer".
    Unmapped speakers: labels like Interviewer/Facilitator/Enabler become the
    interviewer, every other speaker a new participant with the next free pseudonym.
    Raises ImportRejected (nothing stored) if the file cannot be imported.
    """
    upload = read_upload(filename, data, limits)
    parsed = upload.parsed
    if local_system is not None and local_system.project_id != project.pk:
        raise ImportRejected("local system belongs to another project", "invalid")
    digest = hashlib.sha256(data).hexdigest()
    wanted = {speaker_key(label): value.strip() for label, value in (speaker_map or {}).items()}
    notes = list(parsed.notes)
    known = {speaker_key(label) for label in parsed.speakers}
    for label in speaker_map or {}:
        if speaker_key(label) not in known:
            notes.append(f"speaker map: {label!r} does not speak in this file")

    saved_name = ""
    try:
        with transaction.atomic():
            # Serialises imports into one project, so two never take the same pseudonym.
            Project.objects.select_for_update().filter(pk=project.pk).values_list("pk").first()
            duplicate = (
                Transcript.objects.filter(project=project, original_sha256=digest)
                .values_list("pk", flat=True)
                .first()
            )
            if duplicate is not None:
                raise ImportRejected(
                    f"was already imported as transcript {duplicate} (same content)", "duplicate"
                )
            targets = _assign_speakers(project, parsed.speakers, wanted, local_system)
            turn_targets = [_target(targets, turn.speaker_label) for turn in parsed.turns]
            text, turns = render(
                (target.stored_label, parsed.body(turn), turn.started_at_ms)
                for target, turn in zip(turn_targets, parsed.turns, strict=True)
            )
            transcript = Transcript(
                project=project,
                title=(title or "").strip() or _title_from(upload.display_name),
                interview_date=interview_date,
                local_system=local_system,
                enabler=user,
                imported_by=user,
                text=text,
                original_name=upload.display_name[:255],
                original_format=upload.format,
                original_sha256=digest,
            )
            # Its uuid is new: no uniqueness query needed; its related rows were loaded
            # by the caller, so no query re-checks that they exist.
            transcript.full_clean(
                exclude=[
                    "original_file",
                    "participants",
                    "project",
                    "local_system",
                    "enabler",
                    "imported_by",
                ],
                validate_unique=False,
                validate_constraints=False,
            )
            # upload_to ignores this name: the file is stored as originals/<uuid>.
            transcript.original_file.save("original", ContentFile(data), save=False)
            saved_name = transcript.original_file.name
            transcript.save()
            _insert_turns(
                (
                    transcript.pk,
                    index,
                    turn.start,
                    turn.end,
                    parsed_turn.speaker_label[:200],
                    target.participant.pk if target.participant else None,
                    target.is_interviewer,
                    turn.started_at_ms,
                )
                for index, (turn, parsed_turn, target) in enumerate(
                    zip(turns, parsed.turns, turn_targets, strict=True)
                )
            )
            # A new transcript has no participants yet: add, without reading them first,
            # and remember them, so that nothing reads them back for the answer.
            speaking = {target.participant for target in targets.values() if target.participant}
            transcript.participants.add(*speaking)
            _remember_participants(transcript, speaking)
    except ValidationError as error:
        _delete_file(saved_name)
        raise ImportRejected(errors.sentence(error), "invalid") from None
    except BaseException:
        _delete_file(saved_name)
        raise
    return ImportResult(
        transcript=transcript,
        display_name=upload.display_name,
        format=upload.format,
        turn_count=len(turns),
        speakers=_outcomes(parsed.speakers, targets, parsed.turns),
        notes=tuple(notes),
    )


def _remember_participants(transcript: Transcript, participants: Iterable[Participant]) -> None:
    """`transcript.participants.all()` answers `participants` (in the model's order, by
    pseudonym) without a query, as `prefetch_related("participants")` would."""
    queryset = transcript.participants.all()
    queryset._result_cache = sorted(participants, key=lambda p: (p.pseudonym, p.pk))
    queryset._prefetch_done = True
    transcript._prefetched_objects_cache = {"participants": queryset}


_TURN_FIELDS = ("transcript", "index", "start", "end", "speaker_label", "participant",
                "is_interviewer", "started_at_ms")  # fmt: skip


def _insert_turns(rows: Iterable[tuple]) -> None:
    """A new transcript's speaker turns (values in `_TURN_FIELDS` order), in one
    statement. An interview has hundreds of turns; bulk_create built a model instance
    and the SQL of every value of every turn, which cost more than all the rest of the
    import's writes together. SQLite runs one prepared statement over all rows
    (executemany, in C). PostgreSQL takes them by COPY, which writes rows in batches: a
    third of the time of multi-row VALUES for an interview's 300 turns."""
    rows = list(rows)
    quote = connection.ops.quote_name
    table = quote(SpeakerTurn._meta.db_table)
    columns = ", ".join(quote(SpeakerTurn._meta.get_field(name).column) for name in _TURN_FIELDS)
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            row = f"({', '.join(['%s'] * len(_TURN_FIELDS))})"
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES {row}", rows)
            return
        lines = "".join([_copy_line(*values) for values in rows])
        with connection.wrap_database_errors:  # IntegrityError as Django's, as execute's
            cursor.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", io.StringIO(lines))


_NULL = "\\N"  # COPY's text format: NULL, and text with \\, tab and line breaks escaped
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_line(transcript, index, start, end, label, participant, interviewer, ms) -> str:
    """One turn (`_TURN_FIELDS`) as a line of COPY's text format."""
    participant = _NULL if participant is None else participant
    ms = _NULL if ms is None else ms
    return (
        f"{transcript}\t{index}\t{start}\t{end}\t{_copy_text(label)}\t{participant}\t"
        f"{'t' if interviewer else 'f'}\t{ms}\n"
    )


@lru_cache(maxsize=1024)  # an interview repeats its few labels over hundreds of turns
def _copy_text(text: str) -> str:
    """A speaker label (the file's own text) escaped for COPY."""
    return text.translate(_COPY_ESCAPES)


def _title_from(display_name: str) -> str:
    stem = PurePosixPath(display_name).stem or display_name
    return stem[:300]


def _target(targets: Mapping[str, _Target], label: str) -> _Target:
    if not label:
        return _Target(participant=None, is_interviewer=False)
    return targets[speaker_key(label)]


def _assign_speakers(
    project: Project,
    speakers: list[str],
    wanted: Mapping[str, str],
    local_system: LocalSystem | None,
) -> dict[str, _Target]:
    # Every pseudonym of the project (new ones follow the highest), but the rows only of
    # those the map names: a project's hundreds of participants are not loaded each time.
    taken = {
        name.casefold(): name
        for name in Participant.objects.filter(project=project).values_list("pseudonym", flat=True)
    }
    named = [taken[choice.casefold()] for choice in wanted.values() if choice.casefold() in taken]
    rows = Participant.objects.filter(project=project, pseudonym__in=named) if named else ()
    existing = {participant.pseudonym.casefold(): participant for participant in rows}
    pseudonyms = _Pseudonyms(taken.values())
    targets: dict[str, _Target] = {}
    new: list[Participant] = []
    for label in speakers:
        key = speaker_key(label)
        choice = wanted.get(key)
        if choice is not None and choice.casefold() == "interviewer":
            targets[key] = _Target(None, True)
        elif choice:
            participant = existing.get(choice.casefold())
            created = participant is None
            if created:
                participant = _new_participant(
                    project, choice, {"local_system": local_system}, spoken_name(label)
                )
                new.append(participant)
                existing[participant.pseudonym.casefold()] = participant
                pseudonyms.take(participant.pseudonym)
            targets[key] = _Target(participant, False, created)
        elif is_interviewer_label(label):
            targets[key] = _Target(None, True)
        else:
            participant = _new_participant(
                project, pseudonyms.next(), {"local_system": local_system}, spoken_name(label)
            )
            new.append(participant)
            targets[key] = _Target(participant, False, True)
    Participant.objects.bulk_create(new)  # one statement; each gets its primary key
    return targets


def _outcomes(speakers, targets, turns) -> tuple[SpeakerOutcome, ...]:
    counts: dict[str, int] = {}
    for turn in turns:
        if turn.speaker_label:
            key = speaker_key(turn.speaker_label)
            counts[key] = counts.get(key, 0) + 1
    outcomes = []
    for label in speakers:
        target = targets[speaker_key(label)]
        outcomes.append(
            SpeakerOutcome(
                label=label,
                pseudonym=target.participant.pseudonym if target.participant else "",
                is_interviewer=target.is_interviewer,
                created=target.created,
                turns=counts.get(speaker_key(label), 0),
            )
        )
    return tuple(outcomes)


def _delete_file(name: str) -> None:
    if name:
        from django.core.files.storage import default_storage

        default_storage.delete(name)


# --- review step -----------------------------------------------------------------------

LOCKED_MESSAGE = (
    "The speakers of this transcript can no longer change: it already has quotes, "
    "and quote offsets into its text are final."
)


def speakers_locked(transcript: Transcript) -> bool:
    """True once any quote (even a deleted one) points into the transcript's text.

    Quotes are the coding app's; they are reached through the reverse relation
    `Transcript.quotes`, so this app does not import the one built on it. The relation's
    manager hides deleted quotes, hence the model's `all_objects`.
    """
    Quote = Transcript._meta.get_field("quotes").related_model
    return Quote.all_objects.filter(transcript=transcript).exists()


def remap_speakers(
    *, transcript: Transcript, mapping: Mapping[str, SpeakerChoice], user
) -> RemapResult:
    """Map spoken labels to participants or the interviewer, and rebuild text and turns.

    Labels missing from `mapping` keep their current mapping. Refused (ValidationError)
    once the transcript has quotes. Participants left without any turn or transcript
    by the change (usually ones created by the import) are removed.
    """
    del user  # kept for the audit trail to come
    with transaction.atomic():
        transcript = Transcript.objects.select_for_update().get(pk=transcript.pk)
        if speakers_locked(transcript):
            raise ValidationError(LOCKED_MESSAGE, code="locked")
        project = transcript.project
        turns = list(transcript.turns.select_related("participant").order_by("index"))
        previous = {turn.participant for turn in turns if turn.participant}
        previous |= set(transcript.participants.all())
        chosen = {speaker_key(label): choice for label, choice in mapping.items()}
        targets: dict[str, _Target] = {}
        spellings: dict[str, str] = {}
        for turn in turns:
            if not turn.speaker_label:
                continue
            key = speaker_key(turn.speaker_label)
            spellings.setdefault(key, turn.speaker_label)
            if key in targets:
                continue
            choice = chosen.get(key)
            if choice is None:
                targets[key] = _Target(turn.participant, turn.is_interviewer)
            else:
                targets[key] = _resolve(project, choice, spellings[key])
        old_text = transcript.text
        text, rendered = render(
            (
                _target(targets, turn.speaker_label).stored_label,
                old_text[turn.start : turn.end],
                turn.started_at_ms,
            )
            for turn in turns
        )
        for turn, new in zip(turns, rendered, strict=True):
            target = _target(targets, turn.speaker_label)
            turn.start, turn.end = new.start, new.end
            turn.participant = target.participant
            turn.is_interviewer = target.is_interviewer
        SpeakerTurn.objects.bulk_update(
            turns, ["start", "end", "participant", "is_interviewer"], batch_size=500
        )
        transcript.text = text
        transcript.speakers_confirmed = True
        transcript.full_clean(exclude=["original_file", "participants"])
        transcript.save(update_fields=["text", "speakers_confirmed", "updated_at"])
        current = {target.participant for target in targets.values() if target.participant}
        transcript.participants.set(current)
        removed = []
        for participant in sorted(previous - current, key=lambda p: p.pseudonym):
            if not participant.turns.exists() and not participant.transcripts.exists():
                removed.append(participant.pseudonym)
                participant.delete()
    counts: dict[str, int] = {}
    for turn in turns:
        if turn.speaker_label:
            counts[speaker_key(turn.speaker_label)] = (
                counts.get(speaker_key(turn.speaker_label), 0) + 1
            )
    outcomes = tuple(
        SpeakerOutcome(
            label=spellings[key],
            pseudonym=target.participant.pseudonym if target.participant else "",
            is_interviewer=target.is_interviewer,
            created=target.created,
            turns=counts.get(key, 0),
        )
        for key, target in targets.items()
    )
    return RemapResult(
        transcript=transcript, speakers=outcomes, removed_participants=tuple(removed)
    )


def _resolve(project: Project, choice: SpeakerChoice, spoken: str) -> _Target:
    if choice.interviewer:
        return _Target(None, True)
    details = {
        name: value for name, value in choice.details.items() if name in PARTICIPANT_DETAILS
    }
    if choice.participant is not None:
        participant = choice.participant
        if participant.project_id != project.pk:
            raise ValidationError("That participant belongs to another project.", code="invalid")
        changed = False
        for name, value in details.items():
            if getattr(participant, name) != value:
                setattr(participant, name, value)
                changed = True
        if choice.remember_name and spoken_name(spoken) and participant.real_name != spoken:
            participant.real_name = spoken_name(spoken)
            changed = True
        if changed:
            participant.full_clean()
            participant.save()
        return _Target(participant, False)
    if not choice.new_pseudonym.strip():
        raise ValidationError("Choose a participant, a new pseudonym or the interviewer.")
    if choice.remember_name:
        details["real_name"] = spoken_name(spoken)
    participant = Participant(project=project, pseudonym=choice.new_pseudonym.strip())
    for name, value in details.items():
        setattr(participant, name, value)
    participant.full_clean()
    participant.save()
    return _Target(participant, False, created=True)


def save_review(
    *,
    transcript: Transcript,
    title: str,
    interview_date: datetime.date | None,
    local_system: LocalSystem | None,
    mapping: Mapping[str, SpeakerChoice] | None,
    user,
    title_is_safe: bool = False,
) -> RemapResult | None:
    """The review step: transcript details, and the speaker mapping unless it is locked."""
    if local_system is not None and local_system.project_id != transcript.project_id:
        raise ValidationError("That local system belongs to another project.")
    with transaction.atomic():
        transcript = Transcript.objects.select_for_update().get(pk=transcript.pk)
        transcript.title = title.strip()
        transcript.title_is_safe = title_is_safe
        transcript.interview_date = interview_date
        transcript.local_system = local_system
        transcript.full_clean(exclude=["original_file", "participants"])
        transcript.save(
            update_fields=[
                "title",
                "title_is_safe",
                "interview_date",
                "local_system",
                "updated_at",
            ]
        )
        if mapping is None:
            return None
        return remap_speakers(transcript=transcript, mapping=mapping, user=user)
