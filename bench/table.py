"""A benchmark's rows, their timing helpers (in this process or a fresh one), the printed
table and bench.json."""

from __future__ import annotations

import json
import math
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Row:
    metric: str
    value: float  # the median where the row has samples
    unit: str
    target: float
    # "max": value must be <= target; "min": value must be >= target.
    sense: str = "max"
    p95: float | None = None  # of the same samples as the median, when there are some
    queries: int | None = None  # SQL statements of one such action, where that applies
    # The target is stated for the full-size dataset: in `make bench-small` a miss is
    # reported ("info") but does not fail the run.
    full_size: bool = False
    # A miss the README already reports (the target is not reached yet, whatever the
    # size): in `make bench-small` it reads "MISS (known)" and does not fail the run; the
    # full-size `make bench` fails on it like on any other.
    known_miss: bool = False
    small: bool = False  # set by `python -m bench --small` on every row

    @property
    def met(self) -> bool:
        return self.value <= self.target if self.sense == "max" else self.value >= self.target

    @property
    def verdict(self) -> str:
        if self.met:
            return "ok"
        if self.small and self.full_size:
            return "info"
        return "MISS (known)" if self.small and self.known_miss else "MISS"

    @property
    def fails(self) -> bool:
        return self.verdict == "MISS"

    def as_json(self) -> dict:
        return {
            "metric": self.metric,
            "median": self.value,
            "p95": self.p95,
            "unit": self.unit,
            "target": self.target,
            "sense": self.sense,
            "verdict": self.verdict,
            "queries": self.queries,
            "full_size_target": self.full_size,
            "known_miss": self.known_miss,
        }


def percentile(samples: list[float], fraction: float) -> float:
    """The nearest-rank percentile: the smallest sample with `fraction` of them at or below."""
    ordered = sorted(samples)
    rank = min(max(math.ceil(len(ordered) * fraction), 1), len(ordered))
    return ordered[rank - 1]


def samples_ms(action: Callable[[], object], repeat: int = 7, warmup: int = 1) -> list[float]:
    """`repeat` timings of `action` in milliseconds, after `warmup` untimed runs."""
    for _ in range(warmup):
        action()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def timed_ms(
    action: Callable[[], object], repeat: int = 7, warmup: int = 1
) -> tuple[float, float]:
    """(median, p95) in milliseconds of `repeat` runs of `action` after `warmup`."""
    samples = samples_ms(action, repeat, warmup)
    return statistics.median(samples), percentile(samples, 0.95)


def median_ms(action: Callable[[], object], repeat: int = 7, warmup: int = 1) -> float:
    return timed_ms(action, repeat, warmup)[0]


def in_a_fresh_process(
    code: str, *args: str, what: str, stdin: str | None = None, env: dict | None = None
):
    """What `python -c code args…` prints as JSON on its last line: a measurement made in
    a process of its own, as an app server's worker is (this one holds what the bench
    built). RuntimeError naming `what`, with the end of its stderr, if it fails."""
    done = subprocess.run(
        [sys.executable, "-c", code, *args], input=stdin, env=env, capture_output=True,
        text=True, timeout=900, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed: {done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _number(value: float, unit: str) -> str:
    text = f"{value:,.3f}" if abs(value) < 1 else f"{value:,.1f}"
    return f"{text} {unit}".rstrip()


def render(rows: list[Row]) -> str:
    header = ("metric", "median", "p95", "target", "verdict", "queries")
    lines = [
        (
            row.metric,
            _number(row.value, row.unit),
            "" if row.p95 is None else _number(row.p95, row.unit),
            f"{'≤' if row.sense == 'max' else '≥'} {row.target:,g} {row.unit}".rstrip()
            + (" (full size)" if row.small and row.full_size else ""),
            row.verdict,
            "" if row.queries is None else str(row.queries),
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
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in lines
    ]
    return "\n".join(out)


def write_json(rows: list[Row], path: Path, run: dict) -> None:
    """bench.json: how the run was made (`run`) and every row."""
    document = {**run, "rows": [row.as_json() for row in rows]}
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
