"""HTML for the coding page, built in Python: escaped on the way in, fast to join.

A template loop (or `format_html`) over the ~2,000 pieces and ~1,000 panel rows of
a 20,000-word transcript with 500 quotes cost more than the whole page budget, so
the markup is joined here from f-strings in which every value is escaped text, an
int, or a colour checked by `safe_colour()`, and handed to templates as Django's
`SafeString`. tests/test_unsafe_sinks.py checks every such f-string.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from html import escape as html_escape
from typing import TYPE_CHECKING, Any

from django.utils.safestring import SafeString

from coding.colours import strong
from interviews.recordings import format_ms

if TYPE_CHECKING:
    from coding.layout import Block, Segment

COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
# The "P01: " that opens a turn in the stored text: hidden, because the block's margin
# shows the speaker already (kept in the DOM so that text offsets stay exact).
SPEAKER_LABEL_GAP = re.compile(r"\s*[^\s:][^\n:]{0,59}:\s*")
DEFAULT_COLOUR = "#ffd54f"
NO_THEME_COLOUR = "#bdbdbd"
EXCERPT_CHARS = 140


def safe_colour(colour: str | None) -> str:
    return colour if colour and COLOUR.fullmatch(colour) else DEFAULT_COLOUR


@lru_cache(maxsize=512)
def strong_colour(colour: str | None) -> str:
    """The colour's 3:1 variant for stripes and underlines (coding/colours.py)."""
    return strong(safe_colour(colour))


def esc(value: Any) -> str:
    return html_escape(str(value), quote=True)


def seconds(ms: int) -> str:
    """Milliseconds as seconds for a data-start attribute: 7000 -> "7", 7250 -> "7.25"."""
    whole, part = divmod(ms, 1000)
    return f"{whole}.{part:03}".rstrip("0").rstrip(".")


def transcript_html(
    pieces: list[Segment],
    blocks: list[Block],
    links: Mapping[int, list[int]],
    theme_by_id: Mapping[int, Any],
) -> SafeString:
    """The text of #transcript: blocks holding nested <mark>s, and nothing but the text.

    `pieces` come from reading.segments(), cut at every quote and block edge. Every
    character of the text appears exactly once, in order, as text; stripes and speaker
    labels are empty elements or CSS, so DOM text offsets equal text offsets.
    """
    look: dict[int, tuple[str, str]] = {}
    for piece in pieces:
        for quote_id in piece.quote_ids:
            if quote_id not in look:
                ids = links.get(quote_id) or ()
                first = theme_by_id[ids[0]] if ids else None
                colour = safe_colour(first.colour) if first else NO_THEME_COLOUR
                css = "q multi" if len(ids) > 1 else "q"
                look[quote_id] = (
                    css + (" proposed" if first and first.is_proposed else ""),
                    colour,
                )
    seen: set[int] = set()
    out: list[str] = []
    inside: list[str] = []
    stripes: dict[int, None] = {}
    gap: list[str] = []
    gap_text: list[str] = []
    block_iter = iter(blocks)
    block = next(block_iter, None)

    def close_block(current: Block) -> None:
        css = current.kind + (" interviewer" if current.is_interviewer else "")
        timed = current.started_at_ms is not None
        start = seconds(int(current.started_at_ms)) if timed else ""
        out.append(f'<div class="{css}" data-speaker="{esc(current.speaker)}"')
        if current.turn is not None:
            out.append(f' data-turn="{esc(current.turn)}"')
        out.append(f' data-start="{esc(start)}">' if timed else ">")
        out.append('<span class="turn-stripes" aria-hidden="true">')
        for theme_id in stripes:
            theme = theme_by_id[theme_id]
            colour = strong_colour(theme.colour)
            css = "stripe proposed" if theme.is_proposed else "stripe"
            out.append(f'<span class="{css}" style="--c:{colour}"></span>')
        out.append("</span>")
        if timed:
            # Empty: its time is CSS content, so the text of #transcript stays exact.
            time = format_ms(int(current.started_at_ms))
            out.append(
                f'<button type="button" class="turn-play" data-start="{esc(start)}" '
                f'data-time="{esc(time)}" aria-label="Play from {esc(time)}"></button>'
            )
        out.extend(inside)
        out.append("</div>")
        inside.clear()
        stripes.clear()

    def flush_gap() -> None:
        if not gap:
            return
        if "".join(gap_text).isspace():
            # Blank lines between blocks: collapsed by CSS, still counted as text.
            out.extend(gap)
        else:
            label = SPEAKER_LABEL_GAP.fullmatch("".join(gap_text)) is not None
            out.append('<div class="gap speaker-label">' if label else '<div class="gap">')
            out.extend(gap)
            out.append("</div>")
        gap.clear()
        gap_text.clear()

    for piece in pieces:
        while block is not None and piece.start >= block.end:
            close_block(block)
            block = next(block_iter, None)
        rendered = mark_piece(piece, look, seen)
        if block is not None and block.start <= piece.start:
            flush_gap()
            inside.append(rendered)
            for quote_id in piece.quote_ids:
                for theme_id in links.get(quote_id, ()):
                    stripes[theme_id] = None
        else:
            gap.append(rendered)
            gap_text.append(piece.text)
    if block is not None and inside:
        close_block(block)
    flush_gap()
    return SafeString("".join(out))


def mark_piece(piece: Segment, look: Mapping[int, tuple[str, str]], seen: set[int]) -> str:
    """The piece's escaped text inside one <mark> per covering quote, outermost first.

    The first piece of a quote (in text order) carries its #quote-ID anchor.
    """
    if not piece.quote_ids:
        return esc(piece.text)
    ids_attr = " ".join(map(str, piece.quote_ids))
    opening = []
    for quote_id in piece.quote_ids:
        css, colour = look[quote_id]
        anchor = "" if quote_id in seen else f' id="quote-{quote_id:d}"'
        opening.append(
            f'<mark class="{css}"{anchor} data-quote-id="{quote_id:d}" '
            f'data-quote-ids="{ids_attr}" style="--c:{colour};--u:{strong_colour(colour)}">'
        )
    seen.update(piece.quote_ids)
    return "".join(opening) + esc(piece.text) + "</mark>" * len(piece.quote_ids)


@dataclass
class QuoteGroup:
    theme: Any
    path: str
    colour: str
    quotes: list[Any]


def excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"


def panel_html(groups: list[QuoteGroup]) -> SafeString:
    if not groups:
        return SafeString('<p class="empty">No quotes to show.</p>')
    out = []
    excerpts: dict[int, str] = {}
    for n, group in enumerate(groups):
        out.append(
            f'<section class="group" aria-labelledby="group-{n:d}"><h3 id="group-{n:d}">'
            f'<span class="swatch" style="background:{safe_colour(group.colour)}"></span> '
            f'{esc(group.path)} <span class="count">({len(group.quotes):d})</span></h3><ul>'
        )
        for quote in group.quotes:
            if quote.pk not in excerpts:
                excerpts[quote.pk] = esc(excerpt(quote.text))
            out.append(
                f'<li><a href="#quote-{quote.pk:d}" data-quote-id="{quote.pk:d}">'
                f'{excerpts[quote.pk]}</a> <span class="by">{esc(quote.coder_name)}</span></li>'
            )
        out.append("</ul></section>")
    return SafeString("".join(out))
