from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Row:
    metric: str
    value: float
    unit: str
    target: float
    # "max": value must be <= target; "min": value must be >= target.
    sense: str = "max"

    @property
    def verdict(self) -> str:
        ok = self.value <= self.target if self.sense == "max" else self.value >= self.target
        return "ok" if ok else "MISS"


def median_ms(action: Callable[[], object], repeat: int = 7, warmup: int = 1) -> float:
    for _ in range(warmup):
        action()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def render(rows: list[Row]) -> str:
    header = ("metric", "value", "target", "verdict")
    lines = [
        (
            row.metric,
            f"{row.value:,.3f} {row.unit}"
            if abs(row.value) < 1
            else f"{row.value:,.1f} {row.unit}",
            f"{'≤' if row.sense == 'max' else '≥'} {row.target:,g} {row.unit}",
            row.verdict,
        )
        for row in rows
    ]
    widths = [
        max(len(str(cell)) for cell in column) for column in zip(header, *lines, strict=True)
    ]
    out = [
        "  ".join(cell.ljust(width) for cell, width in zip(header, widths, strict=True)),
        "  ".join("-" * width for width in widths),
    ]
    out += [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True))
        for line in lines
    ]
    return "\n".join(out)
