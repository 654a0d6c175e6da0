"""Correcting a coded transcript turn by turn, and re-anchoring its quotes.

`reanchor` is pure: the old text, the turns' stretches and their new bodies in; the new
text, the new stretches and where each quote goes out. Between the stretches nothing
changes (speaker labels, blank lines), so every unchanged stretch only shifts; a changed
one is diffed with difflib. A quote inside one run of unchanged characters moves with
its text. A quote an edit touches takes the edited text between its mapped edges and
is flagged with its old and new text; one whose whole passage went is put on the word
nearest where it was, and flagged too. No offset shifts silently, and
`quote.text == transcript.text[start:end]` holds for every quote, deleted ones included.

`correct_transcript` keeps the previous text as a `TranscriptVersion`, writes the new
text, turns and quotes in one transaction, flags what needs review (its coder sees it
on the coding page) and writes one audit entry for the whole correction.
"""

from __future__ import annotations

import bisect
import difflib
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from auditlog.context import disable_auditlog
from django.db import transaction
from django.utils import timezone

from coding import trail
from coding.models import AnchorFlag, Quote
from coding.services import CodingError
from interviews.access import CODING_ROLES, ProjectAccess
from interviews.models import SpeakerTurn, Transcript, TranscriptVersion

Span = tuple[int, int]
MOVED, CHANGED, LOST = "moved", "changed", "lost"


def normalise(body: str) -> str:
    """As every transcript text is: NFC with `\\n` line ends."""
    return unicodedata.normalize("NFC", body.replace("\r\n", "\n").replace("\r", "\n"))


def stretches(text: str, turns: Sequence[Span]) -> list[Span]:
    """The editable stretches: the turns' bodies, or the whole text without turns."""
    return list(turns) if turns else [(0, len(text))]


@dataclass(frozen=True)
class Block:
    """Old [start, end) appears unchanged at new [new_start, new_start + end - start)."""

    start: int
    end: int
    new_start: int


@dataclass(frozen=True)
class Placement:
    start: int
    end: int
    status: str  # MOVED, CHANGED or LOST


@dataclass
class Corrected:
    text: str
    stretches: list[Span]
    blocks: list[Block]

    def place(self, span: Span, old_text: str) -> Placement:
        start, end = span
        starts = [block.start for block in self.blocks]
        i = bisect.bisect_right(starts, start) - 1
        if i >= 0 and self.blocks[i].start <= start and end <= self.blocks[i].end:
            shift = self.blocks[i].new_start - self.blocks[i].start
            return Placement(start + shift, end + shift, MOVED)
        new_start, new_end = self._map_start(start), self._map_end(end)
        if new_start < new_end:
            same = self.text[new_start:new_end] == old_text
            return Placement(new_start, new_end, MOVED if same else CHANGED)
        return Placement(*nearest_word(self.text, new_start), LOST)

    def _map_start(self, position: int) -> int:
        """Where old `position` lands; inside an edit, where the edit's new text begins."""
        i = bisect.bisect_right([block.start for block in self.blocks], position) - 1
        if i < 0:
            return 0
        block = self.blocks[i]
        if position < block.end:
            return block.new_start + position - block.start
        return block.new_start + block.end - block.start

    def _map_end(self, position: int) -> int:
        """Where an old end lands; inside an edit, where the edit's new text ends."""
        i = bisect.bisect_left([block.end for block in self.blocks], position)
        if i == len(self.blocks):
            return len(self.text)
        block = self.blocks[i]
        if block.start < position:
            return block.new_start + position - block.start
        return block.new_start


def nearest_word(text: str, position: int) -> Span:
    """A non-empty span at `position`: the word there, or the character (text not empty)."""
    position = min(max(position, 0), len(text) - 1)
    start = end = position
    if text[position].isspace():
        while end < len(text) and text[end].isspace():
            end += 1
        if end == len(text):
            return (position, position + 1)
        start = end
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    return (start, max(end, start + 1))


def reanchor(text: str, spans: Sequence[Span], bodies: Sequence[str]) -> Corrected:
    """The text with each stretch's body replaced (bodies already normalised)."""
    if len(bodies) != len(spans):
        raise ValueError("one body per stretch")
    parts: list[str] = []
    blocks: list[Block] = []
    new_spans: list[Span] = []
    old_at = new_at = 0

    def keep(start: int, end: int) -> None:
        nonlocal new_at
        if end > start:
            blocks.append(Block(start, end, new_at))
            parts.append(text[start:end])
            new_at += end - start

    for (start, end), body in zip(spans, bodies, strict=True):
        keep(old_at, start)
        old = text[start:end]
        new_spans.append((new_at, new_at + len(body)))
        if old == body:
            keep(start, end)
        else:
            base = new_at
            matcher = difflib.SequenceMatcher(None, old, body, autojunk=False)
            for tag, i1, i2, j1, _j2 in matcher.get_opcodes():
                if tag == "equal":
                    blocks.append(Block(start + i1, start + i2, base + j1))
            parts.append(body)
            new_at += len(body)
        old_at = end
    keep(old_at, len(text))
    return Corrected("".join(parts), new_spans, _merged(blocks))


def _merged(blocks: list[Block]) -> list[Block]:
    """Adjacent blocks that are contiguous in both texts become one (a quote across a
    turn boundary that nothing touched still moves)."""
    merged: list[Block] = []
    for block in blocks:
        if merged:
            last = merged[-1]
            if (
                last.end == block.start
                and last.new_start + last.end - last.start == block.new_start
            ):
                merged[-1] = Block(last.start, block.end, last.new_start)
                continue
        merged.append(block)
    return merged


def widen_until_free(text: str, span: Span, taken: set[Span]) -> Span | None:
    """`span` widened a word at a time (end first, then start) until no quote of the same
    coder has it; None if the whole text is taken."""
    start, end = span
    while (start, end) in taken:
        if end < len(text):
            end += 1
            while end < len(text) and not text[end - 1].isspace() and not text[end].isspace():
                end += 1
        elif start > 0:
            start -= 1
        else:
            return None
    return (start, end)


# --- the service -------------------------------------------------------------------------


def may_correct(access: ProjectAccess, transcript: Transcript) -> bool:
    """Project admins, and the enabler who held or imported the interview."""
    if access.is_admin:
        return True
    me = getattr(access.user, "pk", None)
    return access.can_code and me in (transcript.enabler_id, transcript.imported_by_id)


@dataclass
class CorrectionResult:
    version: int
    moved: int
    flagged: int


@transaction.atomic
def correct_transcript(
    *,
    access: ProjectAccess,
    transcript: Transcript,
    bodies: Mapping[int, str],
    expected_version: int,
    note: str = "",
) -> CorrectionResult:
    """Replace turn bodies (by position among the stretches) and re-anchor every quote."""
    access.require(CODING_ROLES, "correcting transcripts")
    if not may_correct(access, transcript):
        raise CodingError(
            "Only a project admin or the interview's enabler may correct it.", status=403
        )
    transcript = Transcript.objects.select_for_update().get(pk=transcript.pk)
    if transcript.text_version != expected_version:
        raise CodingError(
            "Someone corrected this transcript while you were editing: reload the editor.",
            status=409,
        )
    turns = list(SpeakerTurn.objects.filter(transcript=transcript).order_by("index"))
    spans = stretches(transcript.text, [(t.start, t.end) for t in turns])
    old_bodies = [transcript.text[s:e] for s, e in spans]
    new_bodies = [normalise(bodies.get(i, old)) for i, old in enumerate(old_bodies)]
    if new_bodies == old_bodies:
        raise CodingError("Nothing was changed.")
    corrected = reanchor(transcript.text, spans, new_bodies)
    if not corrected.text.strip():
        raise CodingError("A transcript cannot be corrected to nothing.")
    old_text, now = transcript.text, timezone.now()
    TranscriptVersion.objects.create(
        transcript=transcript,
        number=transcript.text_version,
        text=old_text,
        turns=[[t.index, t.start, t.end] for t in turns],
        replaced_by=access.user,
        note=note[:300],
    )
    quotes = list(Quote.all_objects.filter(transcript=transcript).order_by("pk"))
    flags = _place_quotes(quotes, corrected, transcript.text_version, now)
    offset = len(old_text) + len(corrected.text) + 1
    final = [(q.start, q.end, q.text) for q in quotes]
    with disable_auditlog():
        for quote in quotes:  # out of the way first: no two rows ever hold one span
            quote.start, quote.end = quote.start + offset, quote.end + offset
        Quote.all_objects.bulk_update(quotes, ["start", "end"])
        for quote, (start, end, text) in zip(quotes, final, strict=True):
            quote.start, quote.end, quote.text, quote.updated_at = start, end, text, now
        Quote.all_objects.bulk_update(quotes, ["start", "end", "text", "updated_at"])
        for turn, (start, end) in zip(turns, corrected.stretches, strict=False):
            turn.start, turn.end = start, end
        SpeakerTurn.objects.bulk_update(turns, ["start", "end"])
        AnchorFlag.objects.bulk_create(flags)
        transcript.text = corrected.text
        transcript.text_version += 1
        transcript.save(update_fields=["text", "text_version", "updated_at"])
    trail.record(
        transcript,
        actor=access.user,
        changes={
            "text_version": [transcript.text_version - 1, transcript.text_version],
            "note": note or "corrected",
            "quotes_moved": len(quotes) - len(flags),
            "quotes_flagged": len(flags),
        },
    )
    return CorrectionResult(transcript.text_version, len(quotes) - len(flags), len(flags))


def _place_quotes(quotes: list[Quote], corrected: Corrected, version: int, now):
    """Set each quote's new span and text; return the flags of those to review."""
    taken: dict[int, set[Span]] = {}
    flags = []
    for quote in sorted(quotes, key=lambda q: (q.deleted_at is not None, q.pk)):
        placed = corrected.place((quote.start, quote.end), quote.text)
        span = (placed.start, placed.end)
        if quote.deleted_at is None:
            mine = taken.setdefault(quote.coder_id, set())
            free = widen_until_free(corrected.text, span, mine)
            if free is None:
                raise CodingError("The corrected text is too short for the quotes on it.")
            if free != span and placed.status == MOVED:
                placed = Placement(*free, CHANGED)
            span = free
            mine.add(span)
        new_text = corrected.text[span[0] : span[1]]
        if placed.status != MOVED or new_text != quote.text:
            reason = (
                "its passage was removed: placed on the nearest word"
                if placed.status == LOST
                else "its text changed"
            )
            flags.append(
                AnchorFlag(
                    quote=quote, version=version, old_start=quote.start, old_end=quote.end,
                    old_text=quote.text, new_text=new_text, reason=reason,
                )
            )  # fmt: skip
        quote.start, quote.end, quote.text = span[0], span[1], new_text
    return flags
