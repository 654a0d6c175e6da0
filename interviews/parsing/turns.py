"""Speaker labels and turn detection: which text names a speaker, and how paragraphs
become speaker turns (`Name: text` lines, bold labels, or Otter-style `Name  0:07` headers).

Shared by every document format (a Word or PDF file can hold an Otter export too).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from interviews.parsing.core import Block, merge_consecutive

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


def _otter_header(line: str) -> tuple[str, int] | None:
    stripped = line.strip()
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
    """A paragraph of a document: its lines, and a label known from formatting (bold)."""

    lines: list[str]
    label: str | None = None


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
    """Turns from paragraphs: Otter-style headers if the file has them, else speaker lines.

    Before the first speaker, each paragraph is its own unlabelled turn. After it, a
    paragraph without a label continues the current speaker's turn.
    """
    if _is_otter(paragraphs):
        return _otter_blocks(paragraphs)
    blocks: list[Block] = []
    current: Block | None = None
    for paragraph in paragraphs:
        for number, line in enumerate(paragraph.lines):
            found: tuple[str, str] | None = None
            if number == 0 and paragraph.label:
                found = (paragraph.label, line)
            else:
                found = split_speaker_line(line)
            if found is not None:
                current = Block(found[0], [found[1]])
                blocks.append(current)
            elif current is None or (not current.label and number == 0):
                current = Block("", [line])
                blocks.append(current)
            else:
                current.lines.append(line)
    return blocks


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
