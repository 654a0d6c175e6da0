"""A REFI-QDA project (.qdpx), or any source read into `qde.RefiProject`, into aefront.

Reading and placing come first and touch no table: the archive gate, the XML, every
GUID reference, every text, and every selection's position (SPEC §5.3: the convention is
chosen from `origin` and checked against word boundaries). A refusal there stores
nothing. Then one transaction writes the codebook, participants, transcripts and quotes;
a preview rolls it back. The `Report` says what came in, what was skipped and why.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.text import slugify

from coding.models import MAX_MEMO_CHARS, Quote, QuoteTheme
from coding.refi import positions
from coding.refi.archive import open_archive
from coding.refi.codebook import apply_plan, plan_codebook
from coding.refi.coders import Coders
from coding.refi.qde import RefiError, RefiProject, Source, check_references, parse_xml
from coding.refi.qde import read_project as read_qde
from coding.services import parts_in_turns
from interviews.models import (
    LocalSystem,
    Membership,
    OrganisationType,
    Participant,
    Project,
    SpeakerTurn,
    Transcript,
)
from interviews.parsing.core import check_text_length
from interviews.uploads import display_name, limits_from_settings

LISTED = 10  # problems listed one by one in a report; the rest are counted


@dataclass
class Report:
    label: str
    project: Project | None = None
    created_project: bool = False
    preview: bool = False
    came_in: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    @property
    def headline(self) -> str:
        where = f"“{self.project.name}”" if self.project else "the project"
        verb = "would import" if self.preview else "imported"
        parts = [f"{self.counts.get(k, 0)} {k}" for k in ("transcripts", "quotes", "themes")]
        tail = " (preview: nothing was stored)" if self.preview else ""
        return f"{self.label}: {verb} {', '.join(parts)} into {where}{tail}"


@dataclass
class PlacedQuote:
    guid: str
    start: int
    end: int
    coder: str
    codes: list[str]
    memo: str


@dataclass
class PlacedSource:
    source: Source
    text: str
    digest: str
    quotes: list[PlacedQuote]


# --- reading and placing (no database) --------------------------------------------------


def decode(data: bytes, where: str) -> str:
    """UTF-8 text, one leading BOM dropped, no newline translation (SPEC §5.3 step 1)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise RefiError(f"{where} is not UTF-8 text (bad byte at {error.start})") from None
    return text[1:] if text.startswith("\ufeff") else text


def _memo_parts(refi: RefiProject, note_texts: dict[str, str]) -> dict[str, list[str]]:
    """Notes linked to selections (NVivo annotations: Link note -> selection)."""
    linked: dict[str, list[str]] = {}
    for link in refi.links:
        if link.origin in note_texts and link.target:
            linked.setdefault(link.target, []).append(note_texts[link.origin])
    return linked


def place_source(
    source: Source, raw: str, origin: str, where: str, memos: dict[str, list[str]],
    note_texts: dict[str, str], report: Report,
) -> PlacedSource:  # fmt: skip
    """Place each selection of one source in its normalised text, exactly, or report it."""
    spans = [(s.start, s.end) for s in source.selections]
    found = positions.detect(raw, spans, origin)
    has_crlf = "\r\n" in raw
    label = f"“{source.name or source.guid}”"
    if spans:
        report.notes.append(
            f"{label}: positions read as {found.convention.describe(has_crlf)}; "
            f"{found.score} of {len(spans)} selections start and end on word boundaries"
        )
        if found.switched:
            report.notes.append(
                f"{label}: {origin or 'the file'} normally counts "
                f"{found.preferred.describe(has_crlf)}, but that puts only "
                f"{found.preferred_score} selections on word boundaries"
            )
    clean = positions.normalise(raw)
    placed: dict[tuple[int, int, str], PlacedQuote] = {}
    off_word = mismatched = 0
    for selection, place in zip(source.selections, found.located, strict=True):
        if place.start is None and "out of range" in place.problem:
            raise RefiError(
                f"{where}: selection {selection.guid} ({selection.start}–{selection.end}) "
                f"{place.problem} of {label}; nothing was imported"
            )
        mapped = clean.place(place.start, place.end) if place.start is not None else None
        if mapped is None or mapped[0] >= mapped[1]:
            why = place.problem or (
                "is empty" if selection.start == selection.end or mapped else
                "cuts a character that normalisation combined"
            )  # fmt: skip
            report.skipped.append(f"{label}: selection {selection.guid} {why}; not imported")
            report.add("selections skipped")
            continue
        start, end = mapped
        named = " ".join(selection.name.split())
        if named and not named.endswith(("…", "...")):
            if named != " ".join(clean.text[start:end].split()):
                mismatched += 1
        if not positions.on_word_boundaries(clean.text, start, end):
            off_word += 1
            if off_word <= LISTED:
                report.notes.append(
                    f"{label}: selection {selection.guid} imported exactly as positioned "
                    f"({start}–{end}), though it does not start and end on word boundaries: "
                    f"“{_excerpt(clean.text, start, end)}”"
                )
        memo = [selection.description.strip()] + memos.get(selection.guid, [])
        memo += [note_texts.get(ref, "") for ref in selection.note_refs]
        by_coder: dict[str, list[str]] = {}
        for coding in selection.codings:
            by_coder.setdefault(coding.coder or selection.creator, []).append(coding.code)
            memo += [note_texts.get(ref, "") for ref in coding.note_refs]
        text = "\n\n".join(dict.fromkeys(part.strip() for part in memo if part.strip()))
        for coder, codes in (by_coder or {selection.creator: []}).items():
            key = (start, end, coder)
            if key in placed:
                quote = placed[key]
                quote.codes += [code for code in codes if code not in quote.codes]
                if text and text not in quote.memo:
                    quote.memo = "\n\n".join(filter(None, [quote.memo, text]))
            else:
                placed[key] = PlacedQuote(selection.guid, start, end, coder, codes, text)
    if mismatched:
        report.notes.append(
            f"{label}: {mismatched} selection name(s) differ from the text they mark "
            "(imported by position, as the standard says)"
        )
    if off_word > LISTED:
        report.notes.append(f"{label}: {off_word - LISTED} more selections off word boundaries")
    if source.codings:
        report.skipped.append(
            f"{label}: {len(source.codings)} code(s) applied to the whole document "
            "are not kept (aefront codes passages)"
        )
    digest = hashlib.sha256(clean.text.encode("utf-8")).hexdigest()
    return PlacedSource(source, clean.text, digest, list(placed.values()))


def _excerpt(text: str, start: int, end: int) -> str:
    inner = text[start:end]
    return inner if len(inner) <= 60 else inner[:28] + " … " + inner[-28:]


def read_qdpx(data: bytes, label: str, *, codebook_only: bool, report: Report):
    """(project data, placed sources) from .qdpx bytes; RefiError names what is wrong."""
    archive = open_archive(data, label)
    where = f"{label}: {archive.qde_name}"
    refi = read_qde(parse_xml(archive.qde, where), where)
    check_references(refi, where)
    report.skipped += refi.skipped
    texts: dict[str, tuple[str, str]] = {}
    missing = []
    for source in refi.sources:
        if source.content is not None:
            texts[source.guid] = (source.content, f"{where} (text of “{source.name}”)")
            continue
        entry, raw = archive.read_source(source.path)
        if raw is None:
            missing.append(f"sources/{entry} (“{source.name}”)")
        else:
            texts[source.guid] = (decode(raw, f"{label}: {entry}"), f"{label}: {entry}")
    if missing and not codebook_only:
        raise RefiError(
            f"{label}: the text of {len(missing)} source(s) is missing from the archive: "
            + ", ".join(missing[:LISTED])
            + (f" and {len(missing) - LISTED} more" if len(missing) > LISTED else "")
            + ". Nothing was imported; you may import only its codebook"
        )
    if codebook_only:
        return refi, []
    note_texts = {note.guid: note.text for note in refi.notes}
    for note in refi.notes:
        if note.path and not note.text:
            _entry, raw = archive.read_source(note.path)
            note_texts[note.guid] = decode(raw, f"{label}: note {note.guid}") if raw else ""
    return refi, place_all(refi, texts, note_texts, report)


def place_all(refi, texts, note_texts, report: Report) -> list[PlacedSource]:
    limits = limits_from_settings()
    memos = _memo_parts(refi, note_texts)
    placed = []
    for source in refi.sources:
        raw, where = texts[source.guid]
        check = positions.normalise(raw).text
        if not check.strip():
            report.skipped.append(f"“{source.name}”: its text is empty; not imported")
            continue
        try:
            check_text_length(check, limits)
        except Exception as error:
            raise RefiError(f"{where} {error}") from None
        placed.append(place_source(source, raw, refi.origin, where, memos, note_texts, report))
    return placed


# --- storing ----------------------------------------------------------------------------


def resolve_project(name: str, user) -> tuple[Project, bool]:
    """The project with this slug or name, or a new one (its importer as admin)."""
    name = " ".join((name or "").split())[:200]
    if not name:
        raise RefiError("Name the project to import into.")
    found = (
        Project.objects.filter(slug=name).first()
        or Project.objects.filter(name__iexact=name).order_by("pk").first()
    )
    if found is not None:
        return found, False
    base = slugify(name)[:70] or "imported"
    slug, n = base, 1
    while Project.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    project = Project(name=name, slug=slug)
    project.full_clean()
    project.save()
    if user is not None and user.is_authenticated:
        Membership.objects.create(user=user, project=project, role=Membership.Role.ADMIN)
    return project, True


def _free(model, guids: list[str]) -> set[str]:
    """Which of these GUIDs no row of `model` uses as its uuid yet."""
    wanted = {g: _as_uuid(g) for g in guids}
    taken = {
        str(value).upper()
        for value in model._base_manager.filter(
            uuid__in=[v for v in wanted.values() if v]
        ).values_list("uuid", flat=True)
    }
    return {g for g, value in wanted.items() if value and g not in taken}


def _as_uuid(guid: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(guid)
    except ValueError:
        return None


ORGANISATION_TYPES = {
    **{label.lower(): value for value, label in OrganisationType.choices},
    **{value: value for value in OrganisationType.values},
}
ROLE_NAMES = {"role", "role title", "job title"}
ORGANISATION_NAMES = {"organisation type", "organization type", "organisation"}
SYSTEM_NAMES = {"local system", "local health system", "a&e delivery board"}
DATE_NAMES = {"interview date", "date of interview"}


def _variable_names(refi: RefiProject) -> dict[str, str]:
    # NVivo prefixes the classification ("Cases:Age group").
    return {v.guid: v.name.rsplit(":", 1)[-1].strip().lower() for v in refi.variables}


def _systems(project: Project) -> dict[str, LocalSystem]:
    return {s.name.lower(): s for s in LocalSystem.objects.filter(project=project)}


def _system(project: Project, systems: dict[str, LocalSystem], name: str) -> LocalSystem:
    name = " ".join(name.split())[:200]
    if name.lower() not in systems:
        system = LocalSystem(project=project, name=name)
        system.full_clean(validate_constraints=False, validate_unique=False)
        system.save()
        systems[name.lower()] = system
    return systems[name.lower()]


def _participants(project: Project, refi: RefiProject, report: Report) -> dict[str, object]:
    names = _variable_names(refi)
    systems = _systems(project)
    existing = {p.pseudonym.lower(): p for p in Participant.objects.filter(project=project)}
    by_uuid = {str(p.uuid).upper(): p for p in existing.values()}
    free = _free(Participant, [case.guid for case in refi.cases])
    cases: dict[str, object] = {}
    dropped: set[str] = set()
    for case in refi.cases:
        pseudonym = " ".join(case.name.split())[:40]
        if not pseudonym:
            report.skipped.append(f"an unnamed case ({case.guid}): document attributes not kept")
            continue
        participant = by_uuid.get(case.guid) or existing.get(pseudonym.lower())
        if participant is not None:
            cases[case.guid] = participant
            report.add("participants matched")
            continue
        participant = Participant(project=project, pseudonym=pseudonym)
        if case.guid in free:
            participant.uuid = _as_uuid(case.guid)
        for guid, value in case.values.items():
            name = names.get(guid, "")
            if not value:
                continue
            if name in ROLE_NAMES:
                participant.role_title = value[:200]
            elif name in ORGANISATION_NAMES:
                participant.organisation_type = ORGANISATION_TYPES.get(
                    value.lower(), OrganisationType.OTHER
                )
            elif name in SYSTEM_NAMES:
                participant.local_system = _system(project, systems, value)
            else:
                dropped.add(name)
        participant.full_clean(validate_constraints=False, validate_unique=False)
        participant.save()
        existing[pseudonym.lower()] = participant
        cases[case.guid] = participant
        report.add("participants")
    for name in sorted(dropped):
        report.skipped.append(f"variable “{name}”: aefront has no such participant detail")
    return cases


def _interview_date(refi: RefiProject, source: Source):
    import datetime

    names = _variable_names(refi)
    for guid, value in source.values.items():
        if names.get(guid) in DATE_NAMES and value:
            try:
                return datetime.date.fromisoformat(value[:10])
            except ValueError:
                return None
    return None


_LABEL = re.compile(r"([^:\n]{1,60}): ")


def turns_of(text: str, pseudonyms: dict[str, Participant]) -> list[SpeakerTurn]:
    """Speaker turns of a text laid out by aefront ("P01: …" paragraphs); other
    paragraphs are unlabelled turns."""
    turns = []
    position = 0
    for index, paragraph in enumerate(text.split("\n\n")):
        match = _LABEL.match(paragraph)
        label = match[1].strip() if match else ""
        participant = pseudonyms.get(label.lower())
        interviewer = label.lower() == "interviewer"
        offset = match.end() if match and (participant or interviewer) else 0
        turns.append(
            SpeakerTurn(
                index=index,
                start=position + offset,
                end=position + len(paragraph),
                speaker_label=label if offset else "",
                participant=participant,
                is_interviewer=interviewer,
            )
        )
        position += len(paragraph) + 2
    return turns


@transaction.atomic
def store(
    *, refi: RefiProject, placed: list[PlacedSource], project: Project, user,
    codebook_only: bool, report: Report,
) -> None:  # fmt: skip
    """Write what was read into the project (inside one transaction)."""
    Project.objects.select_for_update().filter(pk=project.pk).first()
    plan = plan_codebook(project, refi.codes)
    themes = apply_plan(plan)
    for step in plan.steps:
        if step.action != "unchanged":
            report.came_in.append(f"theme {step.describe()}")
    report.add("themes", plan.count("added"))
    if any(not code.codable for code in refi.all_codes()):
        report.notes.append("codes marked not codable (folders) came in as themes")
    if codebook_only:
        return
    cases = _participants(project, refi, report)
    coders = Coders(refi.users, fallback=user)
    existing = {
        **{
            str(u).upper(): pk
            for pk, u in Transcript.objects.filter(project=project).values_list("pk", "uuid")
        },  # fmt: skip
        **dict(Transcript.objects.filter(project=project).values_list("original_sha256", "pk")),
    }
    free = _free(Transcript, [p.source.guid for p in placed])
    free_quotes = _free(Quote, [q.guid for p in placed for q in p.quotes])
    pseudonyms = {p.pseudonym.lower(): p for p in Participant.objects.filter(project=project)}
    transcripts: dict[str, Transcript] = {}
    for number, item in enumerate(placed, start=1):
        source = item.source
        if source.guid in existing or item.digest in existing:
            report.skipped.append(
                f"“{source.name}”: already in the project (transcript "
                f"{existing.get(source.guid) or existing.get(item.digest)}); its "
                f"{len(item.quotes)} quote(s) not imported again"
            )
            continue
        transcript = Transcript(
            project=project,
            title=(" ".join(source.name.split()) or f"Source {number}")[:300],
            text=item.text,
            interview_date=_interview_date(refi, source),
            original_name=display_name(source.name or "source")[:255],
            original_format="qdpx",
            original_sha256=item.digest,
            imported_by=user if user is not None and user.is_authenticated else None,
            title_is_safe=refi.origin.startswith("aefront"),
            speakers_confirmed=True,
        )
        if source.guid in free:
            transcript.uuid = _as_uuid(source.guid)
        transcript.full_clean(
            exclude=["original_file", "participants"],
            validate_unique=False,
            validate_constraints=False,
        )
        transcript.save()
        transcripts[source.guid] = transcript
        report.add("transcripts")
        members = [
            cases[c.guid] for c in refi.cases if source.guid in c.sources and c.guid in cases
        ]
        transcript.participants.set(members)
        turns = turns_of(item.text, pseudonyms)
        for turn in turns:
            turn.transcript = transcript
        SpeakerTurn.objects.bulk_create(turns)
        before = report.counts.get("quotes", 0)
        spans = sorted((turn.start, turn.end) for turn in turns)
        _quotes(transcript, item, spans, themes, coders, free_quotes, report)
        report.came_in.append(
            f"transcript “{transcript.title}”: {report.counts.get('quotes', 0) - before} "
            f"quote(s), {len(members)} participant(s)"
        )
    _sets(project, refi, transcripts, report)
    for name in coders.created:
        report.came_in.append(f"coder “{name}”: a placeholder account (no login)")
    for note in refi.notes:
        if not _note_used(refi, note.guid):
            report.skipped.append(f"note “{note.name or note.guid}”: not attached to a passage")


def _note_used(refi: RefiProject, guid: str) -> bool:
    for source in refi.sources:
        for selection in source.selections:
            if guid in selection.note_refs or any(guid in c.note_refs for c in selection.codings):
                return True
    return any(link.origin == guid for link in refi.links)


def _quotes(transcript, item: PlacedSource, spans, themes, coders, free, report: Report) -> None:
    """Each selection as a quote, under the one-turn rule: one across speaker turns becomes
    one quote per turn (the first keeps its GUID), as the coding page's default split."""
    made: dict[tuple[int, int, int], Quote] = {}
    multi = transcript.project.multi_turn_quotes
    for placed in item.quotes:
        coder = coders.get(placed.coder)
        memo = placed.memo
        if len(memo) > MAX_MEMO_CHARS:
            memo = memo[: MAX_MEMO_CHARS - 1] + "…"
            report.notes.append(f"selection {placed.guid}: memo shortened to {MAX_MEMO_CHARS:,}")
        parts = parts_in_turns(spans, placed.start, placed.end, multi_turn=multi)
        if len(parts) > 1:  # a turn's part of nothing but spaces is not a quote
            parts = [(s, e) for s, e in parts if transcript.text[s:e].strip()] or parts[:1]
        if not parts:
            report.skipped.append(
                f"selection {placed.guid}: holds no speaker's words, only a label"
            )
            continue
        if len(parts) > 1:
            report.notes.append(
                f"selection {placed.guid}: crossed {len(parts)} speaker turns, stored as "
                f"{len(parts)} quotes, one per turn"
            )
        elif parts[0] != (placed.start, placed.end):
            report.notes.append(
                f"selection {placed.guid}: trimmed to the speaker's words (a label left out)"
            )
        for start, end in parts:
            same = made.get((start, end, coder.pk))
            if same is not None:  # two GUIDs of one account: one quote, as the model wants
                _link(same, placed.codes, themes)
                continue
            quote = Quote(
                transcript=transcript,
                start=start,
                end=end,
                text=transcript.text[start:end],
                coder=coder,
                memo=memo,
            )
            if placed.guid in free:
                quote.uuid = _as_uuid(placed.guid)
                free.discard(placed.guid)
            quote.full_clean(exclude=["transcript", "coder", "uuid"], validate_constraints=False)
            quote.save()
            made[(start, end, coder.pk)] = quote
            _link(quote, placed.codes, themes)
            report.add("quotes")


def _link(quote: Quote, codes: list[str], themes) -> None:
    have = set(QuoteTheme.objects.filter(content_object=quote).values_list("tag_id", flat=True))
    QuoteTheme.objects.bulk_create(
        QuoteTheme(content_object=quote, tag=themes[code])
        for code in dict.fromkeys(codes)
        if themes[code].pk not in have
    )


def _sets(project: Project, refi: RefiProject, transcripts, report: Report) -> None:
    systems = _systems(project)
    for element in refi.sets:
        if element.description.strip().lower() != "local system" or not element.name.strip():
            report.skipped.append(f"set “{element.name}”: only local systems are kept as sets")
            continue
        system = _system(project, systems, element.name)
        for guid in element.sources:
            if guid in transcripts:
                transcripts[guid].local_system = system
                transcripts[guid].save(update_fields=["local_system"])


def import_qdpx(
    *, data: bytes, label: str, project: Project | None = None, project_name: str = "",
    user=None, codebook_only: bool = False, preview: bool = False,
) -> Report:  # fmt: skip
    """Read, check and store a .qdpx. Refuses (RefiError) before storing anything."""
    report = Report(label=label, preview=preview)
    refi, placed = read_qdpx(data, label, codebook_only=codebook_only, report=report)
    return store_read(refi, placed, report, project=project, project_name=project_name or
                      refi.name, user=user, codebook_only=codebook_only)  # fmt: skip


def store_read(refi, placed, report: Report, *, project, project_name, user, codebook_only):
    with transaction.atomic():
        if project is None:
            project, report.created_project = resolve_project(project_name, user)
        report.project = project
        store(refi=refi, placed=placed, project=project, user=user,
              codebook_only=codebook_only, report=report)  # fmt: skip
        if report.created_project and refi.description and not project.description:
            project.description = refi.description
            project.save(update_fields=["description"])
        if report.preview:
            transaction.set_rollback(True)
    if codebook_only:
        report.notes.append("only the codebook was imported, as asked")
    return report
