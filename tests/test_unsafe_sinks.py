"""Static ban on output sinks that bypass escaping (SECURITY.md X5)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BANNED = re.compile(
    r"\|\s*safe\b|mark_safe\(|autoescape\s+off|\.innerHTML\s*=|\.outerHTML\s*=|"
    r"insertAdjacentHTML|document\.write\(|\beval\(|new Function\("
)
SOURCES = [
    *(ROOT / "templates").rglob("*.html"),
    *(ROOT / "static").rglob("*.js"),
    *(path for app in ("aefront", "interviews", "coding") for path in (ROOT / app).rglob("*.py")),
]


def test_sources_were_found():
    assert any(path.suffix == ".html" for path in SOURCES)
    assert any(path.suffix == ".py" for path in SOURCES)


def test_no_unsafe_output_sinks():
    hits = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in SOURCES
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if BANNED.search(line)
    ]
    assert hits == []


def test_no_inline_scripts_in_templates():
    inline = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>")
    hits = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in (ROOT / "templates").rglob("*.html")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if inline.search(line)
    ]
    assert hits == []
