"""A project as a REFI-QDA project (.qdpx): users, codebook, participants as cases,
transcripts with their quotes and codings, memos as notes, local systems as sets.

Every GUID is the object's own `uuid` (users: `coders.user_guid`), or derived from one
with UUIDv5, so the same object has the same GUID in every export. Positions are code
points (the standard), or UTF-16 units for NVivo with `utf16=True`.
"""

from __future__ import annotations

import io
import uuid
import zipfile
from dataclasses import dataclass, field

from django.db.models import Prefetch

from coding import tree
from coding.models import Quote, QuoteTheme, Theme
from coding.refi import positions
from coding.refi.coders import display_name, user_guid
from coding.refi.qde import (
    Case,
    Code,
    Coding,
    Note,
    RefiProject,
    Selection,
    Set,
    Source,
    Variable,
    canonical,
    write_codebook,
    write_project,
)
from interviews.models import LocalSystem, Participant, Project, Transcript

VERSION = "aefront 0.1.0"
UTF16_ORIGIN = f"{VERSION} (positions in UTF-16 units)"
LOCAL_SYSTEM_SET = "Local system"
VARIABLES = (
    ("role", "Role", "Text"),
    ("organisation_type", "Organisation type", "Text"),
    ("local_system", "Local system", "Text"),
    ("interview_date", "Interview date", "Date"),
)


@dataclass
class Exported:
    data: bytes
    filename: str
    transcripts: int
    quotes: int
    themes: int
    warnings: list[str] = field(default_factory=list)


def _when(value) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else ""


def derived(base: uuid.UUID, what: str) -> str:
    return canonical(uuid.uuid5(base, what))


def codebook_codes(project: Project) -> list[Code]:
    """The project's themes as nested REFI codes, in tree order."""
    themes = list(Theme.objects.filter(project=project))
    by_id: dict[int, Code] = {}
    roots: list[Code] = []
    for place in tree.placed(themes):
        theme = place.item
        code = Code(
            guid=canonical(theme.uuid),
            name=theme.name,
            colour=theme.colour,
            description=theme.description,
        )
        by_id[theme.pk] = code
        parent = by_id.get(theme.parent_id) if place.depth else None
        (parent.children if parent is not None else roots).append(code)
    return roots


def export_codebook(*, project: Project) -> bytes:
    return write_codebook(codebook_codes(project), VERSION)


def build(project: Project, *, utf16: bool = False) -> tuple[RefiProject, dict[str, str]]:
    """The project as REFI data, and the text of each source by GUID. A fixed number of
    queries, whatever the size of the project."""
    refi = RefiProject(
        name=project.name,
        origin=UTF16_ORIGIN if utf16 else VERSION,
        description=project.description,
        created=_when(project.created_at),
        codes=codebook_codes(project),
    )
    variables = {
        key: Variable(derived(project.uuid, f"variable:{key}"), name, kind)
        for key, name, kind in VARIABLES
    }
    refi.variables = list(variables.values())
    users: dict[str, str] = {}

    def guid_of(user) -> str:
        if user is None:
            return ""
        guid = user_guid(user)
        users.setdefault(guid, display_name(user))
        return guid

    for membership in project.memberships.select_related("user").order_by("user__username"):
        guid_of(membership.user)
    transcripts = list(
        Transcript.objects.filter(project=project)
        .select_related("imported_by", "local_system")
        .prefetch_related(
            Prefetch(
                "quotes",
                Quote.objects.select_related("coder").prefetch_related(
                    Prefetch("codings", QuoteTheme.objects.select_related("tag"))
                ),
            )
        )
        .order_by("created_at", "pk")
    )
    texts: dict[str, str] = {}
    for number, transcript in enumerate(transcripts, start=1):
        source = Source(
            guid=canonical(transcript.uuid),
            name=transcript.title if transcript.title_is_safe else f"Interview {number}",
            creator=guid_of(transcript.imported_by),
            created=_when(transcript.created_at),
        )
        source.path = f"internal://{source.guid}.txt"
        if transcript.interview_date:
            source.values[variables["interview_date"].guid] = transcript.interview_date.isoformat()
        table = positions.utf16_offsets(transcript.text) if utf16 else None
        for quote in transcript.quotes.all():
            coder = guid_of(quote.coder)
            selection = Selection(
                guid=canonical(quote.uuid),
                start=table[quote.start] if table else quote.start,
                end=table[quote.end] if table else quote.end,
                creator=coder,
                created=_when(quote.created_at),
            )
            for coding in sorted(quote.codings.all(), key=lambda c: (c.tag.name.lower(), c.pk)):
                selection.codings.append(
                    Coding(
                        derived(quote.uuid, f"coding:{coding.tag.uuid}"),
                        canonical(coding.tag.uuid),
                        coder,
                    )  # fmt: skip
                )
            if quote.memo:
                note = Note(derived(quote.uuid, "memo"), "Memo", quote.memo, creator=coder)
                refi.notes.append(note)
                selection.note_refs.append(note.guid)
            source.selections.append(selection)
        refi.sources.append(source)
        texts[source.guid] = transcript.text
    _cases(project, refi, variables)
    _sets(project, refi, transcripts)
    refi.users = users
    return refi, texts


def _cases(project: Project, refi: RefiProject, variables: dict[str, Variable]) -> None:
    participants = (
        Participant.objects.filter(project=project)
        .select_related("local_system")
        .prefetch_related("transcripts")
        .order_by("pseudonym")
    )
    for participant in participants:
        case = Case(guid=canonical(participant.uuid), name=participant.pseudonym)
        values = {
            "role": participant.role_title,
            "organisation_type": participant.get_organisation_type_display(),
            "local_system": participant.local_system.name if participant.local_system else "",
        }
        for key, value in values.items():
            if value:
                case.values[variables[key].guid] = value
        case.sources = [canonical(t.uuid) for t in participant.transcripts.all()]
        refi.cases.append(case)


def _sets(project: Project, refi: RefiProject, transcripts: list[Transcript]) -> None:
    members: dict[int, list[str]] = {}
    for transcript in transcripts:
        if transcript.local_system_id:
            members.setdefault(transcript.local_system_id, []).append(canonical(transcript.uuid))
    for system in LocalSystem.objects.filter(project=project).order_by("name"):
        refi.sets.append(
            Set(
                canonical(system.uuid),
                system.name,
                LOCAL_SYSTEM_SET,
                sources=members.get(system.pk, []),
            )  # fmt: skip
        )


def export_project(*, project: Project, utf16: bool = False) -> Exported:
    """The .qdpx archive: project.qde and one UTF-8 (no BOM, LF) text per transcript."""
    refi, texts = build(project, utf16=utf16)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", write_project(refi))
        for guid, text in texts.items():
            archive.writestr(f"sources/{guid}.txt", text.encode("utf-8"))
    warnings = []
    if not utf16:
        astral = [s.name for s in refi.sources if any(ord(c) > 0xFFFF for c in texts[s.guid])]
        if astral:
            warnings.append(
                f"{len(astral)} transcript(s) hold emoji or other characters outside the "
                "Basic Multilingual Plane: for NVivo or QualCoder, export with UTF-16 positions"
            )
    return Exported(
        data=buffer.getvalue(),
        filename=f"{project.slug}.qdpx",
        transcripts=len(refi.sources),
        quotes=sum(len(s.selections) for s in refi.sources),
        themes=len(refi.all_codes()),
        warnings=warnings,
    )
