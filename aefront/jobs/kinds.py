"""What a job can be. Apps register their kinds when they load (coding/jobs.py); this
package knows none of them.

A kind's `run(job, access, progress)` does the work (`access` is the member's
ProjectAccess, read again when the job starts), reporting through `progress.step(done,
total, what)`, which also raises `Cancelled` once the member has asked to stop. It returns
a `Result` (a file for the downloads, and a line saying what was done). It must be safe to
run again after a failure or an interruption: a retry runs it from the start.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Result:
    summary: str
    data: bytes | None = None
    file_name: str = ""
    content_type: str = "application/octet-stream"


@dataclass(frozen=True)
class Kind:
    """`params(post)`, if set, reads the kind's options from the starting form's POST (a
    UserError names a bad one); without it a job takes none."""

    key: str
    label: str
    roles: frozenset[str]
    run: Callable
    params: Callable | None = None


KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> None:
    KINDS[kind.key] = kind
