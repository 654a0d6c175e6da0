"""interviews.parsing.formats: one table of accepted formats, read by everything that names
one; and the package's public names. No DB."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import interviews.parsing
from interviews.imports.forms import UploadForm
from interviews.parsing import ImportRejected, parse
from interviews.parsing.formats import ACCEPT, FORMATS, format_for
from interviews.uploads import format_of
from tests.interviews import transcript_files as files

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_import_extensions() -> set[str]:
    """The extensions in the first column of the README's "Formats" table (Importing)."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Importing transcripts", 1)[1].split("\n## ", 1)[0]
    table = section.split("**Formats**", 1)[1].split("\n\n", 2)[1]
    first_cells = [row.split("|")[1] for row in table.splitlines() if row.startswith("|")]
    return {found for cell in first_cells for found in re.findall(r"`\.(\w+)`", cell)}


def test_the_readme_lists_exactly_the_accepted_formats():
    assert readme_import_extensions() == {item.extension for item in FORMATS}


def test_the_package_exposes_only_what_callers_outside_it_use():
    assert sorted(interviews.parsing.__all__) == ["ImportRejected", "ParsedTranscript", "parse"]


def test_extensions_and_aliases_are_unique():
    names = [name for item in FORMATS for name in (item.extension, *item.aliases)]
    assert len(names) == len(set(names))


def test_the_upload_form_accepts_the_table_and_its_aliases():
    widget = UploadForm.base_fields["files"].widget
    offered = widget.attrs["accept"].split(",")
    assert widget.attrs["accept"] == ACCEPT
    assert offered == [f".{name}" for f in FORMATS for name in (f.extension, *f.aliases)]
    assert {".htm", ".html", ".markdown", ".webvtt", ".text"} <= set(offered)
    help_text = str(UploadForm.base_fields["files"].help_text)
    assert all(item.label in help_text for item in FORMATS)


@pytest.mark.parametrize(
    ("name", "kind"), [("a.TXT", "txt"), ("a.markdown", "md"), ("a.webvtt", "vtt")]
)
def test_extensions_and_aliases_name_their_format(name, kind):
    assert format_of(name) == kind


def test_an_unsupported_format_is_refused_with_the_tables_extensions():
    with pytest.raises(ImportRejected) as refused:
        format_for("exe")
    supported = ", ".join(f".{item.extension}" for item in FORMATS)
    assert (
        refused.value.reason
        == f"is a .exe file, which cannot be imported (supported: {supported})"
    )
    assert refused.value.code == "unsupported"


def test_parse_dispatches_by_format():
    assert parse("md", files.txt_bytes()).text == files.EXPECTED_TEXT
    assert parse("vtt", files.teams_vtt_bytes()).text == files.EXPECTED_TEXT
    with pytest.raises(ImportRejected, match="cannot be imported"):
        parse("doc", b"x")
