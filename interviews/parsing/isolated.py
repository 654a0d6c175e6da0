"""Run a document reader in a child process bounded in CPU time, memory and wall clock.

Word, OpenDocument and RTF files (`office`) and HTML pages (`webpage`) are read this way: a file inside every
preflight limit can still make python-docx, lxml, odfpy or striprtf build a very large
tree or loop for a long time, and one request must not hold a worker for a minute or
take a gigabyte from its neighbours.

The children are warm: each is forked once from multiprocessing's fork server (a small
clean process started once per worker with the readers already imported) and then reads
file after file sent to it over a pipe, so a read costs a pickle each way, not a fork and
the readers' first-use set-up. Before each file the child sets RLIMIT_AS (its whole
address space) and RLIMIT_CPU (its CPU seconds so far plus the allowance) on itself and
resets its peak-memory counter; the parent waits at most `Limits.office_timeout_s` for
the answer and kills the child after that. A child is never reused after it was killed,
crashed, ran out of memory, grew by more than `MAX_GROWTH_BYTES` since it started, or
read `MAX_READS` files: the next file gets a fresh one, so a hostile file costs only its
own read. Idle children (at most `MAX_IDLE` per worker process) wait for the next file.

`run(reader, data, limits, kind=...)` returns what `reader(data, limits)` returned in
the child (it must be a module-level function, and its result picklable), or raises
the child's `ImportRejected`, or one naming the bound it hit. The child's peak resident
memory during that read is left in `observed.peak_kib` for the calling thread (the
bench reads it).
"""

from __future__ import annotations

import math
import multiprocessing
import os
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

MAX_READS = 100  # files one child reads before it is replaced (growth is bounded apart)
MAX_GROWTH_BYTES = 96 * 1024 * 1024  # address space a child may keep from earlier files
MAX_IDLE = 2  # warm children kept waiting per worker process
START_TIMEOUT_S = 60  # for a new child to be ready (not counted in a file's limits)

_context_lock = threading.Lock()
_context = None
_idle_lock = threading.Lock()
_idle: list[_Child] = []
_idle_owner = os.getpid()
observed = threading.local()


def _fork_server():
    global _context
    with _context_lock:
        if _context is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(PRELOAD)
            _context = context
        return _context


def _status_kib(field: str, pid: int | str | None = "self") -> int | None:
    """One memory figure of /proc/<pid>/status (Linux), in KiB."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def _peak_kib(pid: int | None) -> int | None:
    """A live child's peak resident memory, read before it is killed."""
    return _status_kib("VmHWM", pid)


def mebibytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f} MiB"


# --- in the child ---------------------------------------------------------------------


def _bound(limits: Limits) -> None:
    """This read's limits: the whole address space, and CPU seconds from now on."""
    used = resource.getrusage(resource.RUSAGE_SELF)
    cpu = math.ceil(used.ru_utime + used.ru_stime) + int(limits.office_timeout_s) + 1
    for which, soft in ((resource.RLIMIT_AS, limits.office_memory_bytes),
                        (resource.RLIMIT_CPU, cpu)):  # fmt: skip
        try:
            hard = resource.getrlimit(which)[1]
            if hard != resource.RLIM_INFINITY:
                soft = min(soft, hard)
            resource.setrlimit(which, (soft, hard))
        except (ValueError, OSError):  # pragma: no cover - a platform without the limits
            pass
    try:  # "5" resets VmHWM, so that the peak read afterwards is this read's
        with open("/proc/self/clear_refs", "w", encoding="ascii") as clear:
            clear.write("5")
    except OSError:  # pragma: no cover - not Linux
        pass


def _read(reader, data: bytes, limits: Limits) -> tuple:
    try:
        return ("ok", reader(data, limits))
    except ImportRejected as refusal:
        return ("rejected", refusal.reason, refusal.code)
    except MemoryError:
        return ("memory",)
    except RecursionError:
        return ("rejected", "is nested too deeply to read", "too_complex")


def _serve(connection, max_reads: int, max_growth: int) -> None:
    """The child: read what the parent sends until it has read `max_reads` files, or must
    not go on. Each answer is (outcome…, peak KiB, whether the child reads another)."""
    start_kib = _status_kib("VmSize") or 0
    connection.send(("ready",))  # started: the parent's clock for a read starts now
    for count in range(1, max_reads + 1):
        try:
            reader, data, limits = connection.recv()
        except (EOFError, OSError):  # the parent has gone
            return
        _bound(limits)
        message = _read(reader, data, limits)
        del data
        peak = _status_kib("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        grown = ((_status_kib("VmSize") or 0) - start_kib) * 1024
        go_on = message[0] != "memory" and grown <= max_growth and count < max_reads
        try:
            connection.send((*message, peak, go_on))
        except MemoryError:
            connection.send(("memory", peak, False))
            return
        del message
        if not go_on:
            return


# --- in the parent --------------------------------------------------------------------


class _Child:
    """One warm reader process and the parent's end of its pipe."""

    def __init__(self) -> None:
        context = _fork_server()
        self.connection, theirs = context.Pipe(duplex=True)
        self.process = context.Process(
            target=_serve,
            args=(theirs, MAX_READS, MAX_GROWTH_BYTES),
            name="aefront-reader",
            daemon=True,
        )
        self.process.start()
        theirs.close()
        # A new child's start (the fork server's own, the first time in a process) is not
        # part of any file's time limit: a loaded machine must not refuse a file for it.
        try:
            ready = self.connection.poll(START_TIMEOUT_S) and self.connection.recv() == ("ready",)
        except (EOFError, OSError):  # it died while starting
            ready = False
        if not ready:
            self.stop()
            raise ImportRejected("could not be read: the reader process did not start", "busy")

    def stop(self) -> None:
        self.connection.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=2)
        if self.process.exitcode is not None:
            self.process.close()


def _take() -> _Child:
    """An idle warm child of this process, or a new one."""
    global _idle_owner
    with _idle_lock:
        if _idle_owner != os.getpid():  # forked: those children are the parent's
            _idle.clear()
            _idle_owner = os.getpid()
        while _idle:
            child = _idle.pop()
            if child.process.is_alive():
                return child
            child.stop()
    return _Child()


def _give_back(child: _Child) -> None:
    with _idle_lock:
        if _idle_owner == os.getpid() and len(_idle) < MAX_IDLE:
            _idle.append(child)
            return
    child.stop()


def stop_idle() -> None:
    """End the waiting children (tests; a worker shutting down needs nothing: they are
    daemons, and end when their parent's pipe closes)."""
    with _idle_lock:
        children = list(_idle) if _idle_owner == os.getpid() else []
        _idle.clear()
    for child in children:
        child.stop()


def _send(task: tuple) -> _Child:
    """Hand the task to a warm child; a child that died while idle is replaced once."""
    child = _take()
    try:
        child.connection.send(task)
    except OSError:
        child.stop()
        child = _Child()
        child.connection.send(task)
    return child


def run(
    reader: Callable[[bytes, Limits], Result], data: bytes, limits: Limits, *, kind: str
) -> Result:
    """`reader(data, limits)` in a bounded child process; `kind` names the format in refusals."""
    observed.peak_kib = None
    child = _send((reader, data, limits))
    go_on = False
    try:
        if not child.connection.poll(limits.office_timeout_s):
            observed.peak_kib = _peak_kib(child.process.pid)
            raise ImportRejected(
                f"took longer than {limits.office_timeout_s:g} s to read, the limit for {kind}",
                "timeout",
            )
        try:
            *message, go_on = child.connection.recv()
        except (EOFError, OSError):
            # Killed: the CPU limit, or memory ran out outside Python's own allocator.
            message = ["memory", limits.office_memory_bytes // 1024]
    finally:
        if go_on:
            _give_back(child)
        else:
            child.stop()
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
