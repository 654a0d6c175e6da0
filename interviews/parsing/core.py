"""Shared core of transcript parsing: the result types, the text layout, clean-up, limits
and decoding.

Every format module (`text`, `office`, `pdf`, `captions`) builds on these, and `turns`
too; this module imports none of them, so there is no import cycle.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property, lru_cache


class ImportRejected(Exception):
    """A file that cannot be imported. `reason` is user-readable and names no internals."""

    def __init__(self, reason: str, code: str = "invalid") -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


@dataclass(frozen=True)
class Limits:
    """Limits applied while reading one file (README, *Importing transcripts*)."""

    max_upload_bytes: int = 20 * 1024 * 1024
    max_text_chars: int = 5 * 1024 * 1024
    max_cues: int = 20_000
    max_turns: int = 20_000
    max_pdf_pages: int = 300
    pdf_timeout_s: float = 30.0
    pdf_memory_bytes: int = 1024 * 1024 * 1024
    zip_max_entries: int = 2_000
    zip_max_total_bytes: int = 50 * 1024 * 1024
    zip_max_ratio: int = 100
    zip_ratio_min_member_bytes: int = 1024 * 1024
    # Word, OpenDocument and RTF are read in a child process (`isolated`) bounded by:
    office_timeout_s: float = 4.0  # with the gate's checks and a loaded box, within 5 s
    office_memory_bytes: int = 500 * 1024 * 1024
    # The XML parts a reader parses together (a .docx: the main part, its relationships,
    # notes, headers, footers and comments; an .odt: every XML part): python-docx costs
    # ~2.5 µs an element, odfpy ten times that, and each must stay within the time limit
    # with three files at once.
    max_docx_elements: int = 500_000
    max_odt_elements: int = 80_000
    max_rtf_bytes: int = 3 * 1024 * 1024  # an RTF once its pictures and data are cut out


# The default of every parser's `limits` (frozen, so one shared instance is safe).
DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class Turn:
    """One speaker's stretch: body offsets [start, end) in code points of the text."""

    speaker_label: str
    start: int
    end: int
    started_at_ms: int | None = None


@dataclass(frozen=True)
class ParsedTranscript:
    text: str
    turns: tuple[Turn, ...]
    encoding: str = ""
    notes: tuple[str, ...] = ()

    @cached_property  # read from every turn, and asked for several times by an import
    def speakers(self) -> list[str]:
        """Distinct speakers (first spelling seen, in order; unlabelled text excluded).

        Labels that differ only in case or spacing ("Jane", "JANE") are one speaker.
        """
        seen: dict[str, str] = {}
        for turn in self.turns:
            if turn.speaker_label:
                seen.setdefault(speaker_key(turn.speaker_label), turn.speaker_label)
        return list(seen.values())

    def body(self, turn: Turn) -> str:
        return self.text[turn.start : turn.end]


@lru_cache(maxsize=4096)
def speaker_key(label: str) -> str:
    """The identity of a speaker label: case and spacing do not matter. (Cached: an
    interview repeats a handful of labels over hundreds of turns, and an import asks
    for each label's key several times.)"""
    return " ".join(label.split()).casefold()


@dataclass
class Block:
    """A turn before rendering: who spoke, what they said, and when (captions only)."""

    label: str
    lines: list[str] = field(default_factory=list)
    started_at_ms: int | None = None


LABEL_SEPARATOR = ": "
TURN_SEPARATOR = "\n\n"


def render(blocks: Iterable[tuple[str, str, int | None]]) -> tuple[str, list[Turn]]:
    """Lay out (label, body, started_at_ms) triples as text and turns with exact offsets."""
    parts: list[str] = []
    turns: list[Turn] = []
    position = 0
    for label, body, started_at_ms in blocks:
        if parts:
            parts.append(TURN_SEPARATOR)
            position += len(TURN_SEPARATOR)
        if label:
            prefix = label + LABEL_SEPARATOR
            parts.append(prefix)
            position += len(prefix)
        parts.append(body)
        turns.append(Turn(label, position, position + len(body), started_at_ms))
        position += len(body)
    return "".join(parts), turns


# --- text clean-up -----------------------------------------------------------------

_LINE_BREAKS = re.compile(r"\r\n|\r|[\x0b\x0c\x85\u2028\u2029]")
# C0/C1 controls except tab and newline; DEL. (NUL is refused earlier for text files.)
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")
_LINE_BREAK_OR_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\r\x0e-\x1f\x7f-\x9f\u2028\u2029]")


def clean_text(text: str) -> str:
    """NFC, `\\n` line ends, no stray control characters, no lone surrogates."""
    try:
        # Combines UTF-16 surrogate pairs (RTF \\u escapes) and refuses lone ones.
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
    except UnicodeError:
        raise ImportRejected("contains invalid Unicode (a lone surrogate)", "encoding") from None
    if _LINE_BREAK_OR_CONTROL.search(text):  # one scan for the usual clean paragraph
        text = _LINE_BREAKS.sub("\n", text)
        text = _CONTROL.sub("", text)
    return unicodedata.normalize("NFC", text)


def _body(lines: Iterable[str]) -> str:
    return "\n".join(line for line in (raw.strip() for raw in lines) if line)


def finish(
    blocks: Iterable[Block],
    *,
    limits: Limits = DEFAULT_LIMITS,
    encoding: str = "",
    notes: Sequence[str] = (),
) -> ParsedTranscript:
    """Render blocks (dropping empty ones) into a ParsedTranscript, within the limits."""
    triples = []
    for block in blocks:
        body = _body(block.lines)
        if body:
            triples.append((block.label, body, block.started_at_ms))
    if not triples:
        raise ImportRejected("contains no text", "empty")
    if len(triples) > limits.max_turns:
        raise ImportRejected(
            f"has too many speaker turns ({len(triples):,}; the limit is {limits.max_turns:,})",
            "too_large",
        )
    text, turns = render(triples)
    check_text_length(text, limits)
    return ParsedTranscript(text=text, turns=tuple(turns), encoding=encoding, notes=tuple(notes))


def merge_consecutive(blocks: Iterable[Block], joiner: str = " ") -> list[Block]:
    """Consecutive blocks by one speaker become one, keeping the first start time."""
    merged: list[Block] = []
    for block in blocks:
        if merged and speaker_key(merged[-1].label) == speaker_key(block.label):
            previous = merged[-1]
            previous.lines = [joiner.join(_nonempty(previous.lines + block.lines))]
        else:
            merged.append(
                Block(block.label, [joiner.join(_nonempty(block.lines))], block.started_at_ms)
            )
    return merged


def _nonempty(lines: Iterable[str]) -> list[str]:
    return [line.strip() for line in lines if line.strip()]


def skipped_note(counts: dict[str, int]) -> tuple[str, ...]:
    """What a document held that was deliberately not imported, in one line:
    {"comment": 3, "image": 1} → ("3 comments and 1 image were not imported",)."""
    items = [
        f"{count} {kind}{'' if count == 1 else ('es' if kind.endswith('x') else 's')}"
        for kind, count in counts.items()
        if count
    ]
    if not items:
        return ()
    listed = items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
    verb = "was" if len(items) == 1 and sum(counts.values()) == 1 else "were"
    return (f"{listed} {verb} not imported",)


# --- limits and reader failures ---------------------------------------------------


def check_text_length(text_or_count: str | int, limits: Limits) -> None:
    """Refuse text over `limits.max_text_chars`: a text, or a count of characters so far.

    The one check of the text limit: on decoded text before turns are looked for, on a
    document's running count while it is read, and on the finished text.
    """
    count = text_or_count if isinstance(text_or_count, int) else len(text_or_count)
    if count > limits.max_text_chars:
        raise ImportRejected(
            f"holds too much text (at least {count:,} characters; "
            f"the limit is {limits.max_text_chars:,})",
            "too_long",
        )


@contextmanager
def reading(kind: str) -> Iterator[None]:
    """Turn any failure inside a third-party reader into a clear refusal."""
    try:
        yield
    except ImportRejected:
        raise
    except (MemoryError, RecursionError):
        raise ImportRejected(f"is too complex to read as {kind}", "damaged") from None
    except Exception:
        raise ImportRejected(f"is damaged or is not a valid {kind}", "damaged") from None


# --- decoding ------------------------------------------------------------------------

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8", "UTF-8 with BOM"),
    (b"\xff\xfe\x00\x00", "utf-32-le", "UTF-32 LE"),
    (b"\x00\x00\xfe\xff", "utf-32-be", "UTF-32 BE"),
    (b"\xff\xfe", "utf-16-le", "UTF-16 LE"),
    (b"\xfe\xff", "utf-16-be", "UTF-16 BE"),
)


def has_unicode_bom(data: bytes) -> bool:
    return any(data.startswith(bom) for bom, _codec, _name in _BOMS)


CHARSET_SAMPLE_BYTES = 256 * 1024


def decode_text(data: bytes) -> tuple[str, str, list[str]]:
    """Bytes of a text file → (text, encoding name, notes). Never replaces a character.

    UTF-8 (BOM optional), UTF-16/32 with a BOM, or Windows-1252 when charset-normalizer
    finds it plausible; the caller is told (a note) when Windows-1252 was used.
    """
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(codec)
            except UnicodeDecodeError as error:
                raise ImportRejected(
                    f"is not valid {name} text (bad bytes at position {error.start})", "encoding"
                ) from None
            if "\x00" in text:
                raise ImportRejected("contains NUL characters, so it is not a text file", "nul")
            return text, name, []
    if b"\x00" in data:
        raise ImportRejected(
            "contains NUL bytes, so it is binary data, not text (if it is UTF-16 text "
            "without a byte-order mark, save it as UTF-8)",
            "nul",
        )
    try:
        return data.decode("utf-8"), "UTF-8", []
    except UnicodeDecodeError as error:
        utf8_error = error
    from charset_normalizer import from_bytes

    # Detection reads a sample; the whole file is then decoded strictly.
    sample = data[:CHARSET_SAMPLE_BYTES]
    western = from_bytes(sample, cp_isolation=["cp1252"]).best()
    if western is not None:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            pass
        else:
            return text, "Windows-1252", ["decoded as Windows-1252 (the file is not UTF-8)"]
    guess = from_bytes(sample).best()
    looks_like = f" (it looks like {guess.encoding})" if guess is not None else ""
    raise ImportRejected(
        f"is not UTF-8 text (invalid byte at position {utf8_error.start}) and not "
        f"Windows-1252 either{looks_like}: save it as UTF-8",
        "encoding",
    )


def text_lines(text: str) -> list[str]:
    return clean_text(text).split("\n")
