"""Theme colours, pure: the colour-blind-safe palette new themes take in turn, and the
strong variant of any colour that margin stripes and underlines use.

The palette is Paul Tol's "light" qualitative scheme (https://personal.sron.nl/~pault/),
made to stay distinct for the common colour-vision deficiencies and to sit behind
black text. A highlight's fill is the theme's colour; its stripe and underline are
the same hue darkened until they reach 3:1 against the page (WCAG 1.4.11), so a pale
yellow theme still draws a visible stripe.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

PALETTE = (
    "#77aadd",  # light blue
    "#ee8866",  # orange
    "#44bb99",  # mint
    "#eedd88",  # light yellow
    "#ffaabb",  # pink
    "#99ddff",  # light cyan
    "#bbcc33",  # pear
    "#aaaa00",  # olive
)
# What a theme made without a colour holds until it is saved (Theme.save picks one then).
UNCHOSEN = "#ffd54f"
PAGE = "#ffffff"
NON_TEXT_CONTRAST = 3.0


def next_colour(used: Iterable[str]) -> str:
    """The first palette colour no theme uses yet; else the least used one."""
    return least_used_colour(Counter(colour.lower() for colour in used))


def least_used_colour(counts: Mapping[str, int]) -> str:
    """`next_colour` from how many themes use each colour (lower case)."""
    return min(PALETTE, key=lambda colour: (counts.get(colour, 0), PALETTE.index(colour)))


def _channels(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def luminance(colour: str) -> float:
    """WCAG relative luminance of #rrggbb."""

    def linear(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(v) for v in _channels(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def strong(colour: str, against: str = PAGE, ratio: float = NON_TEXT_CONTRAST) -> str:
    """`colour` darkened (same hue) until it reaches `ratio` against the page."""
    r, g, b = _channels(colour)
    for step in range(0, 101):
        scale = 1 - step / 100
        candidate = f"#{round(r * scale):02x}{round(g * scale):02x}{round(b * scale):02x}"
        if contrast(candidate, against) >= ratio:
            return candidate
    return "#000000"
