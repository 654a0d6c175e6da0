"""Run a document reader in a child process bounded in CPU time, memory and wall clock.

Word, OpenDocument and RTF files (`office`) and HTML pages (`webpage`) are read this way: a file inside every
preflight limit can still make python-docx, lxml, odfpy or striprtf build a very large
tree or loop for a long time, and one request must not hold a worker for a minute or
take a gigabyte from its neighbours. The child is forked from multiprocessing's fork
server, a small clean process started once per worker with the readers already
imported, so a read costs a fork (milliseconds), not a new interpreter. The child sets
RLIMIT_AS and RLIMIT_CPU on itself; the parent waits at most `Limits.office_timeout_s`
and kills it after that.

`run(reader, data, limits, kind=...)` returns what `reader(data, limits)` returned in
the child (it must be a module-level function, and its result picklable), or raises
the child's `ImportRejected`, or one naming the bound it hit. The child's peak resident
memory is left in `observed.peak_kib` for the calling thread (the bench reads it).
"""

from __future__ import annotations

import multiprocessing
import resource
import threading
from collections.abc import Callable
from typing import TypeVar

from interviews.parsing.core import ImportRejected, Limits

Result = TypeVar("Result")

# Imported once by the fork server, so that each child starts with them loaded.
# "__main__" too: multiprocessing imports the main script (guarded by `if __name__ ==
# "__main__"`, as manage.py, gunicorn's and pytest's are) in the server, not per child.
PRELOAD = ["__main__", "interviews.parsing.office", "interviews.parsing.webpage", "docx",
           "odf.opendocument", "striprtf.striprtf", "lxml.html"]  # fmt: skip

_context_lock = threading.Lock()
_context = None
observed = threading.local()


def _fork_server():
    global _context
    with _context_lock:
        if _context is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(PRELOAD)
            _context = context
        return _context


def _peak_kib(pid: int | None) -> int | None:
    """A live child's peak resident memory (Linux), read before it is killed."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def mebibytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f} MiB"


def _child(connection, reader, data: bytes, limits: Limits) -> None:
    """In the child: bound ourselves, read, send ("ok", result) or a refusal, and the peak
    resident memory in KiB last."""
    memory = limits.office_memory_bytes
    cpu = int(limits.office_timeout_s) + 1
    try:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    except (ValueError, OSError):  # pragma: no cover - a platform without the limits
        pass
    try:
        result = reader(data, limits)
    except ImportRejected as refusal:
        message: tuple = ("rejected", refusal.reason, refusal.code)
    except MemoryError:
        message = ("memory",)
    except RecursionError:
        message = ("rejected", "is nested too deeply to read", "too_complex")
    else:
        message = ("ok", result)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        connection.send((*message, peak))
    except MemoryError:
        connection.send(("memory", peak))
    connection.close()


def run(
    reader: Callable[[bytes, Limits], Result], data: bytes, limits: Limits, *, kind: str
) -> Result:
    """`reader(data, limits)` in a bounded child process; `kind` names the format in refusals."""
    observed.peak_kib = None
    context = _fork_server()
    receiving, sending = context.Pipe(duplex=False)
    process = context.Process(
        target=_child, args=(sending, reader, data, limits), name="aefront-reader", daemon=True
    )
    try:
        process.start()
        sending.close()
        if not receiving.poll(limits.office_timeout_s):
            observed.peak_kib = _peak_kib(process.pid)
            raise ImportRejected(
                f"took longer than {limits.office_timeout_s:g} s to read, the limit for {kind}",
                "timeout",
            )
        try:
            message = receiving.recv()
        except (EOFError, OSError):
            # Killed: the CPU limit, or memory ran out outside Python's own allocator.
            message = ("memory", limits.office_memory_bytes // 1024)
    finally:
        receiving.close()
        if process.is_alive():
            process.kill()
        process.join(timeout=2)
        if process.exitcode is not None:
            process.close()
    observed.peak_kib = message[-1]
    if message[0] == "ok":
        return message[1]
    if message[0] == "memory":
        raise ImportRejected(
            f"needs more than {mebibytes(limits.office_memory_bytes)} of memory to read, "
            f"the limit for {kind}",
            "too_complex",
        )
    raise ImportRejected(message[1], message[2])
