"""PDF with a text layer. Extraction runs in a child process with a time and memory limit.

The child is a new Python that imports this module and runs `_pdf_worker` (`_WORKER`).
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from interviews.parsing.core import (
    DEFAULT_LIMITS,
    ImportRejected,
    Limits,
    ParsedTranscript,
    finish,
    text_lines,
)
from interviews.parsing.turns import blocks_from_paragraphs, paragraphs_from_lines

# What the child runs: `python -c _WORKER max_pages memory_bytes cpu_seconds`.
_WORKER = (
    "import sys; from interviews.parsing.pdf import _pdf_worker; "
    "sys.exit(_pdf_worker(*map(int, sys.argv[1:4])))"
)

_PAGE_NUMBER = re.compile(r"^(?:page\s+)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?$", re.IGNORECASE)


def parse_pdf(data: bytes, limits: Limits = DEFAULT_LIMITS) -> ParsedTranscript:
    """PDF with a text layer. Extraction runs in a child process under a timeout."""
    pages = extract_pdf_pages(data, limits)
    visible = sum(len("".join(page.split())) for page in pages)
    if visible < 20 * max(len(pages), 1):
        raise ImportRejected("has no text layer: run OCR first", "no_text")
    lines: list[str] = []
    for page in pages:
        for line in text_lines(page):
            if _PAGE_NUMBER.match(line.strip()):
                continue
            lines.append(line)
        lines.append("")
    return finish(
        blocks_from_paragraphs(paragraphs_from_lines(lines)), limits=limits, encoding="pdf"
    )


def extract_pdf_pages(data: bytes, limits: Limits) -> list[str]:
    root = str(Path(__file__).resolve().parents[2])
    environment = {
        **os.environ,
        "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", ""),
        "PYTHONIOENCODING": "utf-8",
    }
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    command = [
        sys.executable,
        "-c",
        _WORKER,
        str(limits.max_pdf_pages),
        str(limits.pdf_memory_bytes),
        str(int(limits.pdf_timeout_s) + 1),
    ]
    try:
        completed = subprocess.run(
            command,
            input=data,
            capture_output=True,
            timeout=limits.pdf_timeout_s,
            env=environment,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ImportRejected(
            f"took too long to read (more than {limits.pdf_timeout_s:g} s)", "timeout"
        ) from None
    try:
        answer = json.loads(completed.stdout.decode("utf-8"))
    except ValueError:
        raise ImportRejected("is damaged or too complex to read as a PDF", "damaged") from None
    if "error" in answer:
        raise ImportRejected(answer["error"], answer.get("code", "damaged"))
    return [str(page) for page in answer["pages"]]


def _pdf_worker(max_pages: int, memory_bytes: int, cpu_seconds: int) -> int:
    """Child process: read a PDF from stdin, print {"pages": [...]} or {"error": ...}."""
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
    except (ImportError, ValueError, OSError):
        pass
    data = sys.stdin.buffer.read()

    def answer(payload: dict) -> int:
        sys.stdout.write(json.dumps(payload))
        sys.stdout.flush()
        return 0

    try:
        import logging

        logging.disable(logging.CRITICAL)
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except Exception:
                opened = 0
            if not opened:
                return answer(
                    {
                        "error": "is password-protected: remove the password first",
                        "code": "encrypted",
                    }
                )
        count = len(reader.pages)
        if count > max_pages:
            return answer(
                {
                    "error": f"has too many pages ({count:,}; the limit is {max_pages:,})",
                    "code": "too_large",
                }
            )
        pages = [page.extract_text() or "" for page in reader.pages]
    except MemoryError:
        return answer({"error": "needs too much memory to read", "code": "too_large"})
    except RecursionError:
        return answer({"error": "is too deeply nested to read", "code": "damaged"})
    except Exception:
        return answer({"error": "is damaged or is not a valid PDF", "code": "damaged"})
    return answer({"pages": pages})
