"""Quotes set inline in a narrative: the [[quote:N]] token, found and resolved.

An author inserts one of the theme's quotes into the narrative as a token. Every
export resolves the token the same way as a headline quote: the quote's text, redacted,
in curly quotes, and only if it is cleared for publication (or the download includes
all quotes) and inside the report's filters. A token that may not be published is
dropped from the text and counted as left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable

TOKEN = re.compile(r"\[\[quote:(\d{1,12})\]\]")


def token(quote_id: int) -> str:
    return f"[[quote:{quote_id}]]"


def quote_ids(text: str) -> list[int]:
    """The quotes a narrative sets inline, in order of appearance (no repeats)."""
    seen: dict[int, None] = {}
    for match in TOKEN.finditer(text or ""):
        seen.setdefault(int(match.group(1)), None)
    return list(seen)


def resolve(text: str, published: Callable[[int], str | None]) -> tuple[str, int]:
    """The text with each token replaced by “the published quote”, or dropped when
    `published` gives None. Returns the text and how many tokens were dropped."""
    dropped = 0

    def replace(match: re.Match) -> str:
        nonlocal dropped
        quote = published(int(match.group(1)))
        if quote is None:
            dropped += 1
            return ""
        return f"“{quote}”"

    resolved = TOKEN.sub(replace, text or "")
    # A dropped token can leave a doubled space or a space before punctuation.
    resolved = re.sub(r"[ \t]{2,}", " ", resolved)
    resolved = re.sub(r" ([,.;:])", r"\1", resolved)
    return resolved, dropped
