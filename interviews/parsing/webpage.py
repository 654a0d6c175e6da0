"""HTML pages (.html, .htm): what Taguette imports, and what Google Docs, Otter and many
transcription services export. Read with lxml's HTML parser; scripts, styles, the head
and comments are dropped; block elements become paragraphs, then the usual speaker
lines (or Otter headers) are looked for.

The bytes are decoded as browsers do: a byte-order mark first, then the page's own
`<meta charset>` (or `http-equiv` Content-Type) in its first 1,024 bytes, then as any
text file (UTF-8, or Windows-1252 when plausible). A declared charset the bytes do not
match is refused, never patched with replacement characters."""

from __future__ import annotations

import codecs
import re

from interviews.parsing import isolated
from interviews.parsing.core import (
    DEFAULT_LIMITS,
    ImportRejected,
    Limits,
    ParsedTranscript,
    check_text_length,
    decode_text,
    finish,
    has_unicode_bom,
    reading,
    text_lines,
)
from interviews.parsing.turns import blocks_from_paragraphs, paragraphs_from_lines

_HIDDEN = ("script", "style", "head", "noscript", "template", "iframe", "object", "svg")
_BLOCKS = frozenset(
    "p div li h1 h2 h3 h4 h5 h6 tr blockquote pre section article header footer main "
    "aside dd dt table ul ol dl hr figure figcaption address nav details summary".split()
)
_CELLS = frozenset({"td", "th"})
_SPACE = re.compile(r"[ \t\r\n\f]+")
# <meta charset="x"> and <meta http-equiv="Content-Type" content="text/html; charset=x">
_META_CHARSET = re.compile(rb"<meta\s[^>]*?charset\s*=\s*[\"']?\s*([a-z0-9._:-]+)", re.IGNORECASE)
_PRESCAN_BYTES = 1024
# The WHATWG Encoding Standard reads these labels as Windows-1252, and a <meta> that
# names UTF-16 as UTF-8 (the bytes before it were read as ASCII, so it cannot be 16-bit).
_AS_DECLARED = {"iso8859-1": "cp1252", "ascii": "cp1252",
                "utf-16": "utf-8", "utf-16-le": "utf-8", "utf-16-be": "utf-8"}  # fmt: skip


def parse_html(data: bytes, limits: Limits = DEFAULT_LIMITS) -> ParsedTranscript:
    """An HTML page's visible text, paragraph by paragraph, read (like office files) in
    a child process bounded in time and memory (`isolated`)."""
    return isolated.run(_read_html, data, limits, kind="an HTML page")


def declared_charset(data: bytes) -> str | None:
    """The Python codec of the page's <meta charset>, if it names one Python knows."""
    found = _META_CHARSET.search(data[:_PRESCAN_BYTES])
    if found is None:
        return None
    try:
        codec = codecs.lookup(found[1].decode("ascii")).name
    except LookupError:
        return None
    return _AS_DECLARED.get(codec, codec)


def decode_page(data: bytes) -> tuple[str, str, list[str]]:
    """(text, encoding, notes) of a page's bytes, in the order browsers decide it."""
    codec = None if has_unicode_bom(data) else declared_charset(data)
    if codec is None or codec == "utf-8":
        return decode_text(data)
    label = codecs.lookup(codec).name
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as error:
        raise ImportRejected(
            f"is not valid {label} text, the charset its <meta> declares (bad bytes at "
            f"position {error.start})",
            "encoding",
        ) from None
    return text, label, []  # declared, not guessed: nothing to warn about


def _read_html(data: bytes, limits: Limits) -> ParsedTranscript:
    text, encoding, notes = decode_page(data)
    check_text_length(text, limits)
    with reading("HTML page"):
        import lxml.html
        from lxml import etree

        if not text.strip():
            raise ImportRejected("contains no text", "empty")
        root = lxml.html.document_fromstring(text)
        for element in list(root.iter(etree.Comment, etree.ProcessingInstruction, *_HIDDEN)):
            _drop(element)
        body = _page_text(root)
    paragraphs = paragraphs_from_lines(text_lines(body))
    return finish(
        blocks_from_paragraphs(paragraphs), limits=limits, encoding=encoding, notes=notes
    )


def _drop(element) -> None:
    """Remove an element and what it holds, keeping the text that follows it."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail or ""
    previous = element.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(element)


def _page_text(root) -> str:
    """Visible text with HTML's white space rules: runs of spaces are one space, block
    elements are paragraphs, <br> a line break, cells apart by " | "."""
    pieces: list[str] = []

    def walk(element, preformatted: bool) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        preformatted = preformatted or tag == "pre"
        if tag == "br":
            pieces.append("\n")
        elif tag in _BLOCKS:
            pieces.append("\n\n")
        elif tag in _CELLS:
            pieces.append(" | ")
        pieces.append(_spaced(element.text, preformatted))
        for child in element:
            walk(child, preformatted)
            pieces.append(_spaced(child.tail, preformatted))
        if tag in _BLOCKS:
            pieces.append("\n\n")

    walk(root, False)
    lines = []
    for line in "".join(pieces).split("\n"):
        line = line.strip(" ")
        lines.append(line[2:] if line.startswith("| ") else line)
    return "\n".join(lines)


def _spaced(text: str | None, preformatted: bool) -> str:
    if not text:
        return ""
    return text if preformatted else _SPACE.sub(" ", text)
