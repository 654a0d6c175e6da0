"""Speaker labels and turn detection: which text names a speaker, and how paragraphs
become speaker turns (`Name: text` lines, bold labels, or Otter-style `Name  0:07` headers).

Shared by every document format (a Word or PDF file can hold an Otter export too).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from interviews.parsing.core import Block, merge_consecutive, speaker_key

# --- speaker labels ----------------------------------------------------------------

_INTERVIEWER_LABEL = re.compile(
    r"^(?:the\s+)?(?:interviewer|facilitator|enabler|moderator|researcher|q|question|int)"
    r"(?:\s*\d+)?(?:\s*\(.*\))?$",
    re.IGNORECASE,
)
# Words that end in a colon at the start of a line but do not name a speaker.
NOT_SPEAKERS = frozenset(
    {
        "note", "notes", "nb", "n.b", "date", "time", "location", "venue", "place", "title",
        "subject", "re", "attendees", "present", "apologies", "duration", "transcript",
        "summary", "action", "actions", "agenda", "comment", "comments", "file", "recording",
        "audio", "source", "tel", "telephone", "phone", "email", "e-mail", "web", "website",
        "http", "https", "ftp", "mailto", "www", "ps", "update", "example", "e.g", "i.e", "eg",
        "ie", "step", "warning", "tip", "important", "edit", "meeting", "project", "interview",
        "participants", "keywords", "tags", "minutes", "speaker", "speakers", "name", "text",
        "timestamp", "page", "section", "chapter", "part", "appendix", "table", "figure",
        "reference", "references", "topic", "theme", "themes", "objective", "objectives",
        "purpose", "background", "context", "aim", "aims", "outcome", "outcomes", "total",
        "answer", "response", "yes", "no", "ok", "okay", "so", "and", "but", "well", "then",
    }
)  # fmt: skip
_LOWERCASE_PARTICLES = frozenset(
    {"de", "van", "von", "der", "den", "da", "di", "du", "le", "la", "of", "the", "and", "al"}
)
_WORD = re.compile(r"^(?:[^\W\d_][\w'’.\-]*|\d+)$")
_PARENTHETICAL = re.compile(r"\s*\(([^()]{1,40})\)$")


def is_interviewer_label(label: str) -> bool:
    """Interviewer, Facilitator 2, Enabler (AB), Q… all mean the interviewer."""
    return bool(_INTERVIEWER_LABEL.match(" ".join(label.split())))


def looks_like_label(label: str, *, lenient: bool = False) -> bool:
    """Whether `label` (the text before a colon) plausibly names a speaker.

    Names, roles and codes: "Jane Smith", "INTERVIEWER", "P03", "Speaker 2",
    "Dr O'Neill", "Interviewer (AB)". Not sentences, times or headings ("Note", "10").
    `lenient` (bold labels in Word documents) drops the capitalisation rule.
    """
    label = " ".join(label.split())
    if not label or len(label) > 60:
        return False
    if is_interviewer_label(label):
        return True
    core = _PARENTHETICAL.sub("", label)
    words = core.split(" ")
    if not words or len(words) > (6 if lenient else 5) or not core:
        return False
    first = words[0].casefold()
    if core.casefold().rstrip(".") in NOT_SPEAKERS or (
        first in NOT_SPEAKERS and first != "speaker"
    ):
        return False
    if not all(_WORD.match(word) for word in words):
        return False
    if words[0].isdigit():
        return False
    if lenient:
        return True
    for position, word in enumerate(words):
        first = word[0]
        if first.isupper() or first.isdigit():
            continue
        if position > 0 and word in _LOWERCASE_PARTICLES:
            continue
        return False
    return True


_SPEAKER_LINE = re.compile(
    r"^[ \t]*(?:\*\*|__)?(?P<label>[^:\n*_]{1,60}?)[ \t]*(?:\*\*|__)?[ \t]*:"
    r"(?:\*\*|__)?(?:[ \t]+(?P<rest>.*)|[ \t]*)$"
)


def split_speaker_line(line: str) -> tuple[str, str] | None:
    """`Name: text` → ("Name", "text"); also `INTERVIEWER:`, `P03:`, `**Jane:** text`."""
    match = _SPEAKER_LINE.match(line)
    if match is None:
        return None
    label = " ".join(match["label"].split())
    if not looks_like_label(label):
        return None
    return label, (match["rest"] or "").strip()


_OTTER_HEADER = re.compile(
    r"^(?P<name>[^\t]{1,60}?)(?:[ \t]{2,}|\t|[ ](?=\d))(?P<time>(?:\d{1,2}:)?\d{1,2}:\d{2})[ \t]*$"
)
_OTTER_TRAILER = re.compile(r"^transcribed by\s+https?://otter\.ai\S*$", re.IGNORECASE)


_BOLD = re.compile(r"^(?:\*\*|__)(?P<name>[^*_\n]{1,60})(?:\*\*|__)(?=\s)")


def _otter_header(line: str) -> tuple[str, int] | None:
    # Markdown exports write the name in bold: "**Ali**  0:00".
    stripped = _BOLD.sub(lambda match: match["name"], line.strip())
    match = _OTTER_HEADER.match(stripped)
    if match is None:
        return None
    name = " ".join(match["name"].split())
    # "Started at 10:30" is a sentence: one space before the time needs a capitalised name.
    spaced = stripped[len(match["name"]) : stripped.index(match["time"], len(match["name"]))]
    if not looks_like_label(name, lenient=len(spaced) >= 2 or "\t" in spaced):
        return None
    return name, clock_to_ms(match["time"])


def clock_to_ms(clock: str) -> int:
    """'1:02:03' or '0:07' (hours optional) or '00:01:02.500' → milliseconds."""
    seconds_part, _, fraction = clock.replace(",", ".").partition(".")
    total = 0
    for piece in seconds_part.split(":"):
        total = total * 60 + int(piece)
    millis = int((fraction + "000")[:3]) if fraction else 0
    return total * 1000 + millis


# --- plain text turn detection ------------------------------------------------------


@dataclass
class Paragraph:
    """A paragraph of a document: its lines, and a label known from formatting (bold, a
    table's first cell); `written` is the first line as written, label and all (kept
    when the label turns out not to name a speaker)."""

    lines: list[str]
    label: str | None = None
    written: str | None = None
    cell: bool = False  # a table row whose first cell gave the label


def paragraphs_from_lines(lines: Iterable[str]) -> list[Paragraph]:
    """Group lines into paragraphs separated by blank lines."""
    paragraphs: list[Paragraph] = []
    current: list[str] = []
    for line in lines:
        if line.strip():
            current.append(line)
        elif current:
            paragraphs.append(Paragraph(current))
            current = []
    if current:
        paragraphs.append(Paragraph(current))
    return paragraphs


def blocks_from_paragraphs(paragraphs: Sequence[Paragraph]) -> list[Block]:
    """Turns from paragraphs: Otter-style headers if the file has them, Teams-style
    name and time lines if it has those, else speaker lines.

    Before the first speaker, each paragraph is its own unlabelled turn. After it, a
    paragraph without a label continues the current speaker's turn. A label is a
    speaker only if it recurs or follows the file's pattern of turns (`_speakers`): a
    one-off "Background:" or "ВСТАНОВИВ:" heading stays text.
    """
    if _is_otter(paragraphs):
        return _otter_blocks(paragraphs)
    if _is_teams(paragraphs):
        return _teams_blocks(paragraphs)
    candidates: list[list[tuple[str, str] | None]] = []
    for paragraph in paragraphs:
        candidates.append(
            [
                (paragraph.label, line) if number == 0 and paragraph.label
                else split_speaker_line(line)
                for number, line in enumerate(paragraph.lines)
            ]
        )  # fmt: skip
    speakers = _speakers(
        (*found, paragraph.cell and number == 0)
        for paragraph, row in zip(paragraphs, candidates, strict=True)
        for number, found in enumerate(row)
        if found is not None
    )
    blocks: list[Block] = []
    current: Block | None = None
    for paragraph, found_lines in zip(paragraphs, candidates, strict=True):
        for number, (line, found) in enumerate(zip(paragraph.lines, found_lines, strict=True)):
            if found is not None and speaker_key(found[0]) in speakers:
                current = Block(found[0], [found[1]])
                blocks.append(current)
                continue
            if number == 0 and paragraph.label and paragraph.written is not None:
                line = paragraph.written
            if current is None or (not current.label and number == 0):
                current = Block("", [line])
                blocks.append(current)
            else:
                current.lines.append(line)
    return blocks


@lru_cache(maxsize=4096)
def label_shape(label: str) -> str:
    """How a label is written, word by word: "Speaker 2" → "Aa 9", "P03" → "A9",
    "JANE" → "A", "Dr O'Neill" → "Aa Aa"."""
    shapes = []
    for word in _PARENTHETICAL.sub("", " ".join(label.split())).split(" "):
        if not word:
            continue
        if word.isdigit():
            shapes.append("9")
        elif re.fullmatch(r"[^\W\d_]+\d+", word):
            shapes.append("A9" if word[0].isupper() else "a9")
        elif word[0].isupper() and word.isupper() and len(word) > 1:
            shapes.append("A")
        else:
            shapes.append("Aa" if word[0].isupper() else "a")
    return " ".join(shapes)


def _speakers(found: Iterable[tuple[str, str, bool]]) -> set[str]:
    """The keys of the labels that name speakers, from (label, text after it, from a
    table cell) triples: a label that recurs; an interviewer label; one written like
    those ("Speaker 3" beside "Speaker 1"); and a one-off label with words after it on
    its line, unless it is a table's first cell. A one-off label alone on its line
    ("Background:", "ВСТАНОВИВ:") is a heading, and so is a one-off first cell."""
    found = list(found)
    counts: dict[str, int] = {}
    for label, _rest, _cell in found:
        counts[speaker_key(label)] = counts.get(speaker_key(label), 0) + 1
    accepted = {
        speaker_key(label)
        for label, _rest, _cell in found
        if counts[speaker_key(label)] > 1 or is_interviewer_label(label)
    }
    shapes = {label_shape(label) for label, _rest, _cell in found
              if speaker_key(label) in accepted}  # fmt: skip
    for label, rest, cell in found:
        if not cell and (rest or label_shape(label) in shapes):
            accepted.add(speaker_key(label))
    return accepted


def _is_otter(paragraphs: Sequence[Paragraph]) -> bool:
    """Otter-style exports open with a `Name  0:07` header, or have several of them."""
    headers = 0
    for number, paragraph in enumerate(paragraphs):
        for line_number, line in enumerate(paragraph.lines):
            if _otter_header(line) is None:
                continue
            if number == 0 and line_number == 0:
                return True
            headers += 1
            if headers >= 2:
                return True
    return False


def _otter_blocks(paragraphs: Sequence[Paragraph]) -> list[Block]:
    preamble: list[Block] = []
    labelled: list[Block] = []
    for paragraph in paragraphs:
        for line in paragraph.lines:
            header = _otter_header(line)
            if header is not None:
                labelled.append(Block(header[0], [], header[1]))
            elif _OTTER_TRAILER.match(line.strip()):
                continue
            elif labelled:
                labelled[-1].lines.append(line)
            else:
                preamble.append(Block("", [line]))
    return preamble + merge_consecutive(labelled, joiner="\n")


# --- Teams transcripts: a time line and a name line, then what was said ------------

_TIME_LINE = re.compile(
    r"^(?P<start>(?:\d{1,2}:)?\d{1,2}:\d{1,2}(?:[.,]\d{1,3})?)"
    r"(?:\s*-->\s*(?:\d{1,2}:)?\d{1,2}:\d{1,2}(?:[.,]\d{1,3})?)?$"
)


def _time_line(line: str) -> int | None:
    match = _TIME_LINE.match(line.strip())
    return clock_to_ms(match["start"]) if match else None


def _name_line(line: str) -> str | None:
    name = " ".join(line.split())
    if (
        ":" in name
        or name.endswith((".", "?", "!", ",", ";"))  # a sentence, not a name
        or _time_line(name) is not None
        or not looks_like_label(name, lenient=True)
    ):
        return None
    return name


def _teams_headers(lines: Sequence[str]) -> list[tuple[int, str, int]]:
    """(line index, name, start ms) of each header: a time line next to a name line
    (Teams' .docx download: "0:03" then "Ali Khan", or the reverse). The order that
    the file uses more often wins, so a title before the first time is not a name."""
    times = [_time_line(line) if len(line) <= 40 else None for line in lines]
    found: list[list[tuple[int, str, int]]] = []
    for time_first in (True, False):
        headers = []
        index = 0
        while index + 1 < len(lines):
            at, other = (index, index + 1) if time_first else (index + 1, index)
            start = times[at] if times[other] is None else None
            name = _name_line(lines[other]) if start is not None else None
            if start is not None and name is not None:
                headers.append((index, name, start))
                index += 2
            else:
                index += 1
        found.append(headers)
    return max(found, key=len)


def _flat_lines(paragraphs: Sequence[Paragraph]) -> list[str]:
    return [line for paragraph in paragraphs for line in paragraph.lines if line.strip()]


def _is_teams(paragraphs: Sequence[Paragraph]) -> bool:
    return len(_teams_headers(_flat_lines(paragraphs))) >= 2


def _teams_blocks(paragraphs: Sequence[Paragraph]) -> list[Block]:
    lines = _flat_lines(paragraphs)
    headers = {index: (name, start) for index, name, start in _teams_headers(lines)}
    preamble: list[Block] = []
    labelled: list[Block] = []
    skip = False
    for index, line in enumerate(lines):
        if skip:
            skip = False
        elif index in headers:
            name, start = headers[index]
            labelled.append(Block(name, [], start))
            skip = True
        elif labelled:
            labelled[-1].lines.append(line)
        else:
            preamble.append(Block("", [line]))
    return preamble + merge_consecutive(labelled, joiner="\n")
