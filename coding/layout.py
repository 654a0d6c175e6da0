"""The sweep layer under the coding page: the text cut into segments and blocks.

`reading` (which queries) and `markup` (which writes HTML) both use these, and this
module uses neither, so they import it without a cycle.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from interviews.models import SpeakerTurn

PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n\s*")


@dataclass
class Segment:
    """A run of transcript text covered by the same set of quotes (outermost first)."""

    text: str
    quote_ids: tuple[int, ...]
    start: int = 0


def segments(
    text: str, spans: list[tuple[int, int, int]], cuts: Iterable[int] = ()
) -> list[Segment]:
    """Split text at every quote edge (and at `cuts`); each piece lists the quotes covering it.

    Sweep over sorted boundaries: O((n + q) log q), so 500 overlapping quotes cost
    the same per quote as 5. Quote ids in a piece are ordered outermost first
    (earlier start, then longer, then lower id), the order in which marks nest.
    """
    boundaries_set = {0, len(text)}
    boundaries_set.update(cut for cut in cuts if 0 <= cut <= len(text))
    opening: dict[int, list[int]] = {}
    closing: dict[int, list[int]] = {}
    for quote_id, start, end in spans:
        boundaries_set.add(start)
        boundaries_set.add(end)
        opening.setdefault(start, []).append(quote_id)
        closing.setdefault(end, []).append(quote_id)
    rank = {
        quote_id: n for n, (_, _, quote_id) in enumerate(sorted((s, -e, q) for q, s, e in spans))
    }
    boundaries = sorted(boundaries_set)
    active: set[int] = set()
    pieces: list[Segment] = []
    for left, right in zip(boundaries, boundaries[1:], strict=False):
        active.difference_update(closing.get(left, ()))
        active.update(opening.get(left, ()))
        if right > left:
            ordered = tuple(sorted(active, key=rank.__getitem__)) if active else ()
            pieces.append(Segment(text[left:right], ordered, left))
    return pieces


# --- blocks: speaker turns, or paragraphs when there are none -----------------------


@dataclass
class Block:
    start: int
    end: int
    speaker: str = ""
    is_interviewer: bool = False
    kind: str = "turn"
    started_at_ms: int | None = None
    turn: int | None = None  # the SpeakerTurn's index


def speaker_name(turn: SpeakerTurn) -> str:
    """What the page may show for a speaker: a pseudonym or 'Interviewer', never the raw label."""
    if turn.is_interviewer:
        return "Interviewer"
    if turn.participant_id:
        return turn.participant.pseudonym
    return ""


def blocks_for(text: str, turns: list[SpeakerTurn]) -> list[Block]:
    """Non-overlapping blocks, in order, with surrounding whitespace left between them."""
    return blocks_for_rows(
        text,
        (
            (turn.index, turn.start, turn.end, turn.is_interviewer, turn.started_at_ms, name)
            for turn in turns
            for name in (speaker_name(turn),)
        ),
    )


# (index, start, end, is_interviewer, started_at_ms, speaker name or pseudonym or None)
TurnRow = tuple[int, int, int, bool, int | None, str | None]


def blocks_for_rows(text: str, turns: Iterable[TurnRow]) -> list[Block]:
    """`blocks_for` over value rows (the coding page reads turns without model instances);
    an interviewer's turn is "Interviewer" whatever the row's name."""
    raw = [
        Block(
            start,
            end,
            "Interviewer" if interviewer else (name or ""),
            interviewer,
            "turn",
            ms,
            index,
        )
        for index, start, end, interviewer, ms, name in sorted(turns, key=lambda t: (t[1], t[0]))
    ]
    if not raw:
        position = 0
        for match in PARAGRAPH_BREAK.finditer(text):
            raw.append(Block(position, match.start(), kind="para"))
            position = match.end()
        raw.append(Block(position, len(text), kind="para"))
    blocks: list[Block] = []
    floor = 0
    for block in raw:
        start, end = max(block.start, floor), min(block.end, len(text))
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            block.start, block.end = start, end
            blocks.append(block)
            floor = end
    return blocks
