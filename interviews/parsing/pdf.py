"""PDF with a text layer. Extraction runs in a child process with a time and memory limit.

The child is a new Python that imports this module and runs `_pdf_worker` (`_WORKER`).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import unicodedata
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
    """Child process: read a PDF from stdin, print {"pages": [...]} or {"error": ...}.

    PDFium (pypdfium2) reads the text: it finds the spaces between words from the
    glyphs' positions, keeps columns in reading order and expands ligatures (see the
    extractor comparison in the README); `repair_text` joins spacing accents.
    """
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
        import pypdfium2

        try:
            document = pypdfium2.PdfDocument(data)
        except pypdfium2.PdfiumError as error:
            if "password" in str(error).lower():
                return answer(
                    {
                        "error": "is password-protected: remove the password first",
                        "code": "encrypted",
                    }
                )
            raise
        count = len(document)
        if count > max_pages:
            return answer(
                {
                    "error": f"has too many pages ({count:,}; the limit is {max_pages:,})",
                    "code": "too_large",
                }
            )
        pages = []
        for number in range(count):
            page = document[number]
            text_page = page.get_textpage()
            pages.append(repair_text(_page_text(page, text_page)))
            text_page.close()
            page.close()
        document.close()
    except MemoryError:
        return answer({"error": "needs too much memory to read", "code": "too_large"})
    except RecursionError:
        return answer({"error": "is too deeply nested to read", "code": "damaged"})
    except Exception:
        return answer({"error": "is damaged or is not a valid PDF", "code": "damaged"})
    return answer({"pages": pages})


# Spacing accents (as TeX and some PDF writers draw them, over or before a letter) and
# the combining mark each stands for.
_SPACING_ACCENTS = {
    "\u00b4": "\u0301",  # ´ acute
    "`": "\u0300",  # grave
    "\u00a8": "\u0308",  # ¨ diaeresis
    "\u02c6": "\u0302",  # ˆ circumflex
    "\u02dc": "\u0303",  # ˜ tilde
    "\u00b8": "\u0327",  # ¸ cedilla
    "\u02da": "\u030a",  # ˚ ring
    "\u02c7": "\u030c",  # ˇ caron
    "\u00af": "\u0304",  # ¯ macron
    "\u02d8": "\u0306",  # ˘ breve
    "\u02d9": "\u0307",  # ˙ dot above
    "\u02dd": "\u030b",  # ˝ double acute
    "\u02db": "\u0328",  # ˛ ogonek
}
_ACCENT_CLASS = "[" + re.escape("".join(_SPACING_ACCENTS)) + "]"
# A letter then its accent ("e´"), or an accent then its letter ("´e") when no letter
# comes before it; only where the pair composes to one character (NFC). A backtick
# after a letter is a grave only at a word's end ("voila`", not "don`t").
_AFTER = re.compile(r"([^\W\d_])(" + _ACCENT_CLASS + r")(?=([^\W\d_])?)")
_BEFORE = re.compile(r"(?<![^\W\d_])(" + _ACCENT_CLASS + r")([^\W\d_])")
_LIGATURES = re.compile("[\ufb00-\ufb06]")
# PDFium marks a hyphen at a line end that it may join as U+0002 or U+FFFE.
_SOFT_HYPHENS = re.compile("[\u0002\ufffe]")


def _page_text(page, text_page) -> str:
    """A page's text within its crop box (as pdftotext reads it: not what is drawn off
    the page); a spacing accent drawn over a letter is joined to the letter it sits
    over (by the glyphs' boxes), whichever side of it PDFium put it."""
    text = text_page.get_text_bounded()
    if not any(accent in text for accent in _SPACING_ACCENTS):
        return text
    page_left, page_bottom, page_right, page_top = page.get_cropbox()
    pieces: list[str] = []
    centres: list[float | None] = []
    spans: list[tuple[float, float] | None] = []
    index, count = 0, text_page.count_chars()
    while index < count:
        char = text_page.get_text_range(index, 1)
        step = 1
        if not char:  # half of a surrogate pair (an emoji)
            char, step = text_page.get_text_range(index, 2), 2
        left, bottom, right, top = text_page.get_charbox(index)
        index += step
        off_page = right < page_left or left > page_right or top < page_bottom
        if char.strip() and (off_page or bottom > page_top):
            continue
        pieces.append(char)
        centres.append((left + right) / 2 if char in _SPACING_ACCENTS else None)
        spans.append((left, right) if char.isalpha() else None)
    for position, centre in enumerate(centres):
        if centre is None:
            continue
        for neighbour in (position - 1, position + 1):
            span = spans[neighbour] if 0 <= neighbour < len(pieces) else None
            if span is None or not span[0] <= centre <= span[1]:
                continue
            joined = _composed(pieces[neighbour], pieces[position])
            if joined is not None:
                pieces[neighbour], pieces[position] = joined, ""
                break
    return "".join(pieces)


def _composed(letter: str, accent: str) -> str | None:
    joined = unicodedata.normalize("NFC", letter + _SPACING_ACCENTS[accent])
    return joined if len(joined) == 1 else None


def repair_text(text: str) -> str:
    """PDF text as written: ligatures expanded (NFKC of U+FB00–FB06), spacing accents
    joined to their letter ("e´" → "é"), PDFium's line-end hyphen marks as "-"."""
    text = _LIGATURES.sub(lambda match: unicodedata.normalize("NFKC", match[0]), text)
    text = _SOFT_HYPHENS.sub("-", text)
    text = _AFTER.sub(
        lambda m: (m[2] == "`" and m[3] is not None and m[0]) or _composed(m[1], m[2]) or m[0],
        text,
    )
    return _BEFORE.sub(lambda m: _composed(m[2], m[1]) or m[0], text)
