"""Transcript files (bytes) to text plus speaker turns. Pure functions: no ORM, no Django.

`parse(kind, data, limits)` returns a `ParsedTranscript` or raises `ImportRejected` with
a reason that reads after the file name ("interview.pdf: has no text layer: run OCR
first"). Call it through `interviews.uploads.read_upload`, which checks size, content
type and ZIP packages (zip bombs, XML entities, macros) before any parser sees the bytes.

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

The package is split by format family. This module exposes only what callers outside
the package use; import anything else from the module where it lives:

* `core`: the result types, the text layout (`render`, `finish`), clean-up, limits
  (`Limits`, `check_text_length`) and decoding.
* `turns`: speaker labels and turn detection (speaker lines, bold labels, Otter-style
  headers), shared by every document format.
* `text` (txt, md, Otter exports), `office` (docx, odt, rtf; Teams and Otter .docx
  too), `pdf` (PDFium in its worker process), `captions` (vtt, srt), `webpage` (html).
* `formats`: the accepted formats, one table (`FORMATS`), and `parse`.
"""

from interviews.parsing.core import ImportRejected, ParsedTranscript
from interviews.parsing.formats import parse

__all__ = ["ImportRejected", "ParsedTranscript", "parse"]
