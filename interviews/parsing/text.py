"""Plain text and Markdown: `Name: text` speaker lines, or Otter-style `Name  0:07` headers."""

from __future__ import annotations

import html

from interviews.parsing.core import (
    DEFAULT_LIMITS,
    Limits,
    ParsedTranscript,
    check_text_length,
    decode_text,
    finish,
    text_lines,
)
from interviews.parsing.turns import blocks_from_paragraphs, paragraphs_from_lines


def parse_txt(data: bytes, limits: Limits = DEFAULT_LIMITS) -> ParsedTranscript:
    """Plain text or Markdown: `Name: text` speaker lines, or Otter-style `Name  0:07` headers."""
    text, encoding, notes = decode_text(data)
    check_text_length(text, limits)
    paragraphs = paragraphs_from_lines(text_lines(text))
    return finish(
        blocks_from_paragraphs(paragraphs), limits=limits, encoding=encoding, notes=notes
    )


def parse_md(data: bytes, limits: Limits = DEFAULT_LIMITS) -> ParsedTranscript:
    """Markdown: as plain text, with HTML entities (`&#39;`, `&amp;`) read as characters."""
    text, encoding, notes = decode_text(data)
    check_text_length(text, limits)
    paragraphs = paragraphs_from_lines(text_lines(html.unescape(text)))
    return finish(
        blocks_from_paragraphs(paragraphs), limits=limits, encoding=encoding, notes=notes
    )
