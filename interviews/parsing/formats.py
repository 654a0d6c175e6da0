"""The accepted import formats, in one table: `FORMATS`.

Everything that names or handles a format reads it: the parser dispatch (`parse`), the
upload gate's content checks (`interviews.uploads`, by each format's `container`), the
upload form's `accept` attribute and help text, the import command's help, and the
refusal of an unsupported file. The README's "Formats" table lists the same extensions
(`tests/interviews/test_formats.py` checks it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from interviews.parsing.captions import parse_srt, parse_vtt
from interviews.parsing.core import DEFAULT_LIMITS, ImportRejected, Limits, ParsedTranscript
from interviews.parsing.office import parse_docx, parse_odt, parse_rtf
from interviews.parsing.pdf import parse_pdf
from interviews.parsing.text import parse_md, parse_txt
from interviews.parsing.webpage import parse_html

Parser = Callable[[bytes, Limits], ParsedTranscript]

# What the bytes of a format must be before its parser sees them (`uploads.check_content`).
CONTAINERS = frozenset(
    {
        "text",  # plain text: no known binary signature, no NUL bytes unless a BOM says UTF-16/32
        "rtf",  # text that starts with {\rtf
        "zip",  # a ZIP package: entries, sizes, macros and XML entities are checked first
        "pdf",  # a %PDF- header in the first KiB
    }
)


@dataclass(frozen=True)
class Format:
    """One accepted format: its extension, what people call it, and how it is read."""

    extension: str
    label: str
    parser: Parser
    container: str = "text"
    aliases: tuple[str, ...] = ()  # other extensions read as this format (.markdown)

    def __post_init__(self) -> None:
        if self.container not in CONTAINERS:
            raise ValueError(f"unknown container {self.container!r} for .{self.extension}")


FORMATS: tuple[Format, ...] = (
    Format("txt", "Plain text", parse_txt, aliases=("text",)),
    Format("md", "Markdown", parse_md, aliases=("markdown",)),
    Format("docx", "Word", parse_docx, container="zip"),
    Format("pdf", "PDF", parse_pdf, container="pdf"),
    Format("odt", "OpenDocument", parse_odt, container="zip"),
    Format("rtf", "RTF", parse_rtf, container="rtf"),
    Format("vtt", "WebVTT", parse_vtt, aliases=("webvtt",)),
    Format("srt", "SRT", parse_srt),
    Format("html", "HTML", parse_html, aliases=("htm",)),
)

_BY_EXTENSION = {name: item for item in FORMATS for name in (item.extension, *item.aliases)}

ACCEPT = ",".join(f".{name}" for name in _BY_EXTENSION)
"""The upload input's `accept` attribute, aliases too: ".txt,.text,.md,.markdown,…,.htm"."""

SUPPORTED = ", ".join(f".{item.extension}" for item in FORMATS)
"""The extensions as a refusal lists them: ".txt, .md, .docx, …"."""

DESCRIPTION = ", ".join(item.label for item in FORMATS[:-1]) + f" or {FORMATS[-1].label}"
"""The formats in words, for help texts: "Plain text, Markdown, Word, … or SRT"."""

# Advice for files that are refused for their extension.
ADVICE = {
    "doc": "save it as .docx",
    "docm": "macros are not allowed: save it as .docx without macros",
    "dotx": "save it as a .docx document",
    "pages": "export it as .docx or .pdf",
    "wpd": "save it as .docx",
    "ott": "save it as .odt",
    "sbv": "convert it to .vtt or .srt",
}


def format_for(extension: str) -> Format:
    """The format of a file extension (any case, no dot; aliases too), or refuse it."""
    extension = extension.lower()
    found = _BY_EXTENSION.get(extension)
    if found is not None:
        return found
    if not extension:
        raise ImportRejected(
            f"has no file extension: name it .txt, .docx, .pdf… (supported: {SUPPORTED})",
            "unsupported",
        )
    advice = ADVICE.get(extension)
    hint = f": {advice}" if advice else f" (supported: {SUPPORTED})"
    raise ImportRejected(f"is a .{extension} file, which cannot be imported{hint}", "unsupported")


def parse(kind: str, data: bytes, limits: Limits = DEFAULT_LIMITS) -> ParsedTranscript:
    """Parse `data` as the format `kind` (an extension such as "docx").

    This only parses: call it through `interviews.uploads.read_upload`, which first
    checks the size, that the content matches the extension, and ZIP packages.
    """
    return format_for(kind).parser(data, limits)
