"""Text positions at the exchange boundary, and the normalisation of imported text.

aefront counts code points over NFC text with `\\n` line ends (DESIGN.md). Other tools
count UTF-16 units (NVivo, QualCoder), count CRLF as one or two positions, or count UTF-8
bytes (Taguette). Everything here is pure: text in, positions out.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate

CODE_POINTS = "code points"
UTF16 = "UTF-16 units"

_LINE_BREAKS = frozenset("\r\x0b\x0c\x85\u2028\u2029")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")


# --- units ------------------------------------------------------------------------------


def utf16_offsets(text: str) -> list[int]:
    """For each code-point index i (0..len), the number of UTF-16 units before it."""
    return [0, *accumulate(2 if ord(char) > 0xFFFF else 1 for char in text)]


def to_utf16(text: str, positions: Iterable[int]) -> list[int]:
    table = utf16_offsets(text)
    return [table[position] for position in positions]


def from_units(table: Sequence[int], unit: int) -> int | None:
    """The code-point index whose unit offset is `unit`, or None (inside a character)."""
    index = bisect.bisect_left(table, unit)
    if index < len(table) and table[index] == unit:
        return index
    return None


def utf8_offsets(text: str) -> list[int]:
    """For each code-point index i (0..len), the number of UTF-8 bytes before it."""
    return [0, *accumulate(len(char.encode("utf-8", "surrogatepass")) for char in text)]


# --- word boundaries --------------------------------------------------------------------


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_" or unicodedata.category(char).startswith("M")


def on_boundary(text: str, index: int) -> bool:
    """True when `index` does not cut a word in two (start or end of a selection)."""
    if index <= 0 or index >= len(text):
        return True
    return not (_is_word(text[index - 1]) and _is_word(text[index]))


def on_word_boundaries(text: str, start: int, end: int) -> bool:
    return on_boundary(text, start) and on_boundary(text, end)


# --- conventions ------------------------------------------------------------------------


@dataclass(frozen=True)
class Convention:
    """How a tool counted positions in one file."""

    unit: str  # CODE_POINTS or UTF16
    crlf_units: int  # 1: CRLF is one position; 2: CR and LF are one each

    def describe(self, has_crlf: bool) -> str:
        words = self.unit
        if has_crlf:
            words += f", CRLF counted as {self.crlf_units}"
        return words


def preferred_convention(origin: str) -> Convention:
    """The convention the exporting tool is known to use (SPEC §5.2)."""
    lowered = (origin or "").lower()
    if "utf-16" in lowered or "nvivo" in lowered or "qualcoder" in lowered:
        return Convention(UTF16, 2)
    if "atlas" in lowered or "maxqda" in lowered:
        return Convention(CODE_POINTS, 1)
    return Convention(CODE_POINTS, 2)


ALL_CONVENTIONS = tuple(Convention(u, c) for u in (CODE_POINTS, UTF16) for c in (2, 1))


def view_of(raw: str, convention: Convention) -> str:
    """The text as the tool counted it: CRLF collapsed to one position, or not."""
    return raw.replace("\r\n", "\n") if convention.crlf_units == 1 else raw


def view_to_raw(raw: str) -> list[int]:
    """For a CRLF-collapsed view of `raw`, each view index (0..len) as a raw index."""
    table = []
    index = 0
    while index < len(raw):
        table.append(index)
        index += 2 if raw.startswith("\r\n", index) else 1
    table.append(len(raw))
    return table


@dataclass(frozen=True)
class Located:
    """A selection placed in the raw (decoded) text: code points, or why it cannot be."""

    start: int | None
    end: int | None
    problem: str = ""


def locate(raw: str, spans: Sequence[tuple[int, int]], convention: Convention) -> list[Located]:
    """Map (start, end) positions counted in `convention` to code points of `raw`."""
    view = view_of(raw, convention)
    collapse = view_to_raw(raw) if view is not raw else None
    table = utf16_offsets(view) if convention.unit == UTF16 else None
    limit = table[-1] if table is not None else len(view)
    placed = []
    for start, end in spans:
        if start < 0 or end < start or end > limit:
            placed.append(Located(None, None, f"is out of range (0–{limit})"))
            continue
        if table is not None:
            first, last = from_units(table, start), from_units(table, end)
            if first is None or last is None:
                placed.append(Located(None, None, "cuts an emoji or other character in half"))
                continue
        else:
            first, last = start, end
        if collapse is not None:
            first, last = collapse[first], collapse[last]
        placed.append(Located(first, last))
    return placed


def boundary_score(raw: str, located: Sequence[Located]) -> int:
    return sum(
        1
        for place in located
        if place.start is not None and on_word_boundaries(raw, place.start, place.end)
    )


@dataclass(frozen=True)
class Detection:
    convention: Convention
    located: list[Located]
    score: int
    preferred: Convention
    preferred_score: int

    @property
    def switched(self) -> bool:
        return self.convention != self.preferred


def detect(raw: str, spans: Sequence[tuple[int, int]], origin: str) -> Detection:
    """Choose the convention from `origin`, checked against word boundaries (SPEC §5.3).

    The origin's convention stands unless another one puts clearly more selections on
    word boundaries; then that one is used, and the caller reports the switch. aefront's
    own exports say exactly how they count, so theirs always stands: a quote of its
    coders need not start or end on a word boundary.
    """
    preferred = preferred_convention(origin)
    if (origin or "").lower().startswith("aefront"):
        located = locate(raw, spans, preferred)
        score = boundary_score(raw, located)
        return Detection(preferred, located, score, preferred, score)
    has_crlf = "\r\n" in raw
    has_astral = any(ord(char) > 0xFFFF for char in raw)
    results = {}
    for convention in ALL_CONVENTIONS:
        if convention.crlf_units == 1 and not has_crlf and convention != preferred:
            continue
        if convention.unit == UTF16 and not has_astral and convention != preferred:
            continue
        located = locate(raw, spans, convention)
        results[convention] = (located, boundary_score(raw, located))
    best = max(results, key=lambda c: (results[c][1], c == preferred))
    margin = max(2, len(spans) // 50)
    chosen = best if results[best][1] >= results[preferred][1] + margin else preferred
    return Detection(
        convention=chosen,
        located=results[chosen][0],
        score=results[chosen][1],
        preferred=preferred,
        preferred_score=results[preferred][1],
    )


# --- normalisation with an offset map ---------------------------------------------------


@dataclass(frozen=True)
class Normalised:
    """Clean text and, for every raw index 0..len(raw), its index in the clean text.

    `exact[i]` is False where raw index i falls inside a sequence that NFC changed, so
    no clean index corresponds to it exactly.
    """

    text: str
    index: list[int]
    exact: list[bool]

    def place(self, start: int, end: int) -> tuple[int, int] | None:
        if not (self.exact[start] and self.exact[end]):
            return None
        return self.index[start], self.index[end]


def _pre_clean(raw: str) -> tuple[str, list[int]]:
    """Line breaks to `\\n` and stray controls out, as `interviews.parsing.core.clean_text`."""
    out: list[str] = []
    index: list[int] = []
    position = 0
    for i, char in enumerate(raw):
        index.append(position)
        if char == "\r" and raw.startswith("\n", i + 1):
            continue
        if char in _LINE_BREAKS:
            out.append("\n")
        elif _CONTROL.match(char):
            continue
        else:
            out.append(char)
        position += 1
    index.append(position)
    return "".join(out), index


def normalise(raw: str) -> Normalised:
    """NFC and `\\n` line ends (DESIGN.md), keeping track of where each position goes."""
    pre, first = _pre_clean(raw)
    if unicodedata.is_normalized("NFC", pre):
        return Normalised(pre, first, [True] * len(first))
    # Split into segments NFC treats independently; within an unchanged segment positions
    # map one to one, inside a changed one they have no exact counterpart.
    segments: list[tuple[int, int]] = []
    begin = 0
    for i in range(1, len(pre) + 1):
        if i == len(pre) or (
            unicodedata.combining(pre[i]) == 0
            and unicodedata.normalize("NFC", pre[begin : i + 1])
            == unicodedata.normalize("NFC", pre[begin:i]) + unicodedata.normalize("NFC", pre[i])
        ):
            segments.append((begin, i))
            begin = i
    parts: list[str] = []
    second = [0] * (len(pre) + 1)
    exact = [True] * (len(pre) + 1)
    position = 0
    for begin, end in segments:
        piece = unicodedata.normalize("NFC", pre[begin:end])
        same = piece == pre[begin:end]
        for j in range(begin, end):
            second[j] = position + (j - begin if same else 0)
            exact[j] = same or j == begin
        parts.append(piece)
        position += len(piece)
    second[len(pre)] = position
    return Normalised(
        "".join(parts),
        [second[i] for i in first],
        [exact[i] for i in first],
    )
