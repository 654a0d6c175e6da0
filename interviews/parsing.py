"""Transcript files (bytes) to text plus speaker turns. Pure functions: no ORM, no Django.

Every parser returns a `ParsedTranscript` or raises `ImportRejected` with a reason that
reads after the file name ("interview.pdf: has no text layer: run OCR first").

Call them through `interviews.uploads.read_upload`, which checks size, content type and
ZIP packages (zip bombs, XML entities, macros) before any parser sees the bytes.

The text layout (one convention for every format):

* Each turn is one paragraph, `LABEL: body`, or just `body` when no speaker is known
  (a title page, a note before the first speaker).
* Turns are separated by exactly one blank line (`\\n\\n`); a body never contains a
  blank line, only single `\\n` line breaks. The text ends without a newline.
* `Turn.start`/`Turn.end` are code-point offsets of the *body* only, so
  `text[turn.start:turn.end]` is exactly what was said, without the label.
* At storage time (`interviews.services`) the spoken label is replaced by the
  participant's pseudonym or "Interviewer", and offsets are recomputed.

Text is NFC-normalised with `\\n` line ends; tabs are kept; other control characters
(form feeds, vertical tabs, stray C0 bytes) are removed or become line breaks.

The code is split by format family; import every name from this module:

* `interviews.parsing_core`: the result types, the text layout (`render`, `finish`),
  clean-up, limits and decoding.
* `interviews.parsing_turns`: speaker labels and turn detection (speaker lines, bold
  labels, Otter-style headers), shared by every document format.
* this module: plain text and Markdown, and `PARSERS`, the parser for each extension.
* `interviews.parsing_office` (docx, odt, rtf), `interviews.parsing_pdf` (pdf, with its
  worker process), `interviews.parsing_captions` (vtt, srt).
"""

from __future__ import annotations

# `subprocess` stays importable from here: tests patch `parsing.subprocess.run` (the PDF
# worker in `parsing_pdf` is started with it).
import subprocess  # noqa: F401
from collections.abc import Callable

from interviews.parsing_captions import parse_srt, parse_vtt
from interviews.parsing_core import (
    CHARSET_SAMPLE_BYTES,
    DEFAULT_LIMITS,
    LABEL_SEPARATOR,
    TURN_SEPARATOR,
    Block,
    ImportRejected,
    Limits,
    ParsedTranscript,
    Turn,
    check_length,
    clean_text,
    decode_text,
    finish,
    has_unicode_bom,
    merge_consecutive,
    reading,
    render,
    speaker_key,
    text_lines,
)
from interviews.parsing_office import parse_docx, parse_odt, parse_rtf
from interviews.parsing_pdf import extract_pdf_pages, parse_pdf
from interviews.parsing_turns import (
    INTERVIEWER_WORDS,
    NOT_SPEAKERS,
    Paragraph,
    blocks_from_paragraphs,
    clock_to_ms,
    is_interviewer_label,
    looks_like_label,
    paragraphs_from_lines,
    split_speaker_line,
)

__all__ = [
    "CHARSET_SAMPLE_BYTES",
    "DEFAULT_LIMITS",
    "INTERVIEWER_WORDS",
    "LABEL_SEPARATOR",
    "NOT_SPEAKERS",
    "PARSERS",
    "TURN_SEPARATOR",
    "Block",
    "ImportRejected",
    "Limits",
    "Paragraph",
    "ParsedTranscript",
    "Turn",
    "blocks_from_paragraphs",
    "clean_text",
    "clock_to_ms",
    "decode_text",
    "extract_pdf_pages",
    "finish",
    "has_unicode_bom",
    "is_interviewer_label",
    "looks_like_label",
    "merge_consecutive",
    "paragraphs_from_lines",
    "parse_docx",
    "parse_md",
    "parse_odt",
    "parse_pdf",
    "parse_rtf",
    "parse_srt",
    "parse_txt",
    "parse_vtt",
    "reading",
    "render",
    "speaker_key",
    "split_speaker_line",
]


def parse_txt(data: bytes, limits: Limits = DEFAULT_LIMITS) -> ParsedTranscript:
    """Plain text or Markdown: `Name: text` speaker lines, or Otter-style `Name  0:07` headers."""
    text, encoding, notes = decode_text(data)
    check_length(text, limits)
    paragraphs = paragraphs_from_lines(text_lines(text))
    return finish(
        blocks_from_paragraphs(paragraphs), limits=limits, encoding=encoding, notes=notes
    )


parse_md = parse_txt


PARSERS: dict[str, Callable[[bytes, Limits], ParsedTranscript]] = {
    "txt": parse_txt,
    "md": parse_md,
    "docx": parse_docx,
    "pdf": parse_pdf,
    "odt": parse_odt,
    "rtf": parse_rtf,
    "vtt": parse_vtt,
    "srt": parse_srt,
}
