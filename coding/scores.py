"""Agreement between coders, pure: spans of characters in, scores out (no ORM).

Character level, as NVivo computes it: every character of a transcript is one unit,
coded or not coded with the theme by each coder.

- percentage agreement: the share of characters on which two coders agree (both coded
  or both not), as a percentage;
- Cohen's kappa: (po - pe) / (1 - pe), with pe from each coder's share of coded
  characters; when pe is 1 (both coded everything, or nothing) the coders agree
  completely and kappa is 1, as NVivo reports it;
- Krippendorff's alpha (nominal, the `krippendorff` package) for any number of coders,
  over the same units; 1.0 when every unit has the same value for everyone.

Pooling across transcripts adds the characters of every transcript to one table
(so a long transcript weighs more than a short one), which is NVivo's weighted
average for kappa's terms and the natural reading of alpha's units.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import krippendorff
import numpy as np

Span = tuple[int, int]

# The conventional bands (Landis & Koch, as NVivo and most textbooks colour them).
BANDS: tuple[tuple[str, str], ...] = (
    ("poor", "below 0.4: poor"),
    ("fair", "0.4 to 0.6: fair to moderate"),
    ("good", "0.6 to 0.8: good"),
    ("excellent", "above 0.8: very good"),
)


def band(score: float | None) -> str:
    """The band's key for a score ("poor", "fair", "good", "excellent"; "" for none).

    Read at four decimals, so 0.8 computed as 0.8000000000000002 is still "good".
    """
    if score is None:
        return ""
    score = round(score, 4)
    if score < 0.4:
        return "poor"
    if score < 0.6:
        return "fair"
    if score <= 0.8:
        return "good"
    return "excellent"


def mask(spans: Iterable[Span], length: int) -> np.ndarray:
    """The characters of a text of `length` that the spans cover (overlaps count once)."""
    covered = np.zeros(length, dtype=bool)
    for start, end in spans:
        covered[max(start, 0) : min(end, length)] = True
    return covered


@dataclass(frozen=True)
class Counts:
    """The 2 x 2 table of two coders over characters."""

    both: int = 0
    only_a: int = 0
    only_b: int = 0
    neither: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.both + other.both,
            self.only_a + other.only_a,
            self.only_b + other.only_b,
            self.neither + other.neither,
        )

    @property
    def total(self) -> int:
        return self.both + self.only_a + self.only_b + self.neither

    @property
    def percent(self) -> float:
        """Percentage agreement (100.0 for no characters at all)."""
        if not self.total:
            return 100.0
        return 100.0 * (self.both + self.neither) / self.total

    @property
    def kappa(self) -> float:
        n = self.total
        if not n:
            return 1.0
        observed = (self.both + self.neither) / n
        a_yes, b_yes = (self.both + self.only_a) / n, (self.both + self.only_b) / n
        expected = a_yes * b_yes + (1 - a_yes) * (1 - b_yes)
        if expected >= 1.0:
            return 1.0
        return (observed - expected) / (1 - expected)


def counts(a: np.ndarray, b: np.ndarray) -> Counts:
    both = int(np.count_nonzero(a & b))
    only_a = int(np.count_nonzero(a & ~b))
    only_b = int(np.count_nonzero(~a & b))
    return Counts(both, only_a, only_b, len(a) - both - only_a - only_b)


def pair_scores(a: Sequence[Span], b: Sequence[Span], length: int) -> Counts:
    """Two coders' spans of one theme on one text of `length` characters."""
    return counts(mask(a, length), mask(b, length))


def alpha(masks: Sequence[np.ndarray]) -> float | None:
    """Krippendorff's alpha (nominal) of coders x characters; None without two coders."""
    if len(masks) < 2 or not len(masks[0]):
        return None
    data = np.vstack([m.astype(np.int8) for m in masks])
    if data.min() == data.max():  # one value everywhere: complete agreement
        return 1.0
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


def overlaps(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]


@dataclass(frozen=True)
class Unit:
    """A passage one coder coded with the theme, and who else coded an overlapping span."""

    coder: object
    span: Span
    matched: dict


def units(spans_by_coder: Mapping[object, Sequence[Span]]) -> list[Unit]:
    """The unit-level view: for each coder's passage, whether each other coder overlaps it."""
    found = []
    for coder, spans in spans_by_coder.items():
        for span in sorted(spans):
            matched = {
                other: any(overlaps(span, theirs) for theirs in others)
                for other, others in spans_by_coder.items()
                if other != coder
            }
            found.append(Unit(coder, span, matched))
    return sorted(found, key=lambda unit: (unit.span, str(unit.coder)))


def disagreements(masks: Sequence[np.ndarray]) -> list[Span]:
    """Maximal runs of characters on which the coders do not all agree."""
    if len(masks) < 2 or not len(masks[0]):
        return []
    stacked = np.vstack(masks)
    differ = stacked.any(axis=0) & ~stacked.all(axis=0)
    edges = np.flatnonzero(np.diff(np.concatenate(([0], differ.astype(np.int8), [0]))))
    return [(int(start), int(end)) for start, end in zip(edges[::2], edges[1::2], strict=True)]
