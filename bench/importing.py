"""Import speed: 50 Word transcripts of 15,000 words each, through import_transcript.

The files are generated with python-docx first (not timed). The import runs in a child
process so that its peak memory can be read on its own: the figure is the child's peak
resident set size (VmHWM, which it reports itself), i.e. Django, the parsers and the
imports together, as one worker process would hold them. `make bench-small`: 10 files of
the small dataset's words.
"""

from __future__ import annotations

import io
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

from bench.table import Row

FILES = 50  # make bench-small: SMALL_FILES; the words are the dataset's (options.words)
SMALL_FILES = 10
WORDS = 15_000
VOCABULARY = (
    "system leadership support culture blame target pressure patients discharge flow "
    "community acute trust board partners winter beds ambulance handover shared ownership "
    "tailored national regional improvement programme planning café naïve “quoted” £5 — 😊"
).split()


def make_docx(words: int, seed: int) -> bytes:
    """An interview of `words` words: bold speaker labels, 60–180-word turns."""
    import docx

    rng = random.Random(seed)
    document = docx.Document()
    document.add_paragraph(f"Interview {seed}")
    written = 0
    turn = 0
    while written < words:
        size = min(rng.randint(60, 180), words - written)
        paragraph = document.add_paragraph()
        label = "Interviewer" if turn % 2 == 0 else f"Participant {turn % 3 + 1}"
        paragraph.add_run(f"{label}:").bold = True
        paragraph.add_run(" " + " ".join(rng.choice(VOCABULARY) for _ in range(size)))
        written += size
        turn += 1
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def generate(folder: Path, count: int = FILES, words: int = WORDS) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(count):
        path = folder / f"interview-{number:02d}.docx"
        if not path.exists():
            path.write_bytes(make_docx(words, seed=number))
        paths.append(path)
    return paths


def peak_kib() -> int:
    """This process's peak resident set (VmHWM). Not the parent's ru_maxrss from wait4:
    Linux carries the forking process's peak over into its child's, across the exec."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def child(folder: str) -> int:
    """Runs in the child process: import every file, print the timing as JSON."""
    import django

    django.setup()
    from interviews.models import Project
    from interviews.services import import_transcript

    paths = sorted(Path(folder).glob("*.docx"))
    payloads = [(path.name, path.read_bytes()) for path in paths]
    project = Project.objects.create(name="Import bench", slug=f"import-bench-{os.getpid()}")
    started = time.perf_counter()
    for name, data in payloads:
        import_transcript(project=project, filename=name, data=data)
    elapsed = time.perf_counter() - started
    print(json.dumps({"files": len(payloads), "seconds": elapsed, "peak_kib": peak_kib()}))
    return 0


def measure(options) -> list[Row]:
    base = Path(os.environ.get("AEFRONT_BENCH_DIR", "bench/out"))
    files, words = (SMALL_FILES if options.small else FILES), options.words
    paths = generate(base / f"docx-{files}x{words}", files, words)
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.importing", "--child", str(paths[0].parent)],
        stdout=subprocess.PIPE,
        env=os.environ.copy(),
    )
    assert process.stdout is not None
    output = process.stdout.read()
    _pid, status, _usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"import bench child failed with exit code {process.returncode}")
    result = json.loads(output)
    files_per_second = result["files"] / result["seconds"]
    peak_mib = result["peak_kib"] / 1024
    return [
        Row(
            f"import {files} .docx × {words:,} words: files/s",
            files_per_second,
            "files/s",
            26,
            "min",
            # The process's first parse (lazy imports, caches) over 50 files, not 10.
            full_size=True,
        ),
        Row(f"import {files} .docx × {words:,} words: peak RSS", peak_mib, "MiB", 300),
    ]


if __name__ == "__main__" and sys.argv[1:2] == ["--child"]:
    sys.exit(child(sys.argv[2]))
