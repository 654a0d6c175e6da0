import csv
import io
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from docx import Document
from openpyxl import load_workbook

from tests.coding.export_setup import real_names_in, write_up
from tests.coding.report_data import build


@pytest.fixture
def data(project_a, enabler, project_admin, author):
    return write_up(build(project_a, enabler, project_admin), author)


def run(*args) -> str:
    out = io.StringIO()
    call_command("export_report", *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["docx", "md", "html", "csv", "xlsx"])
def test_every_format_is_written(data, tmp_path, fmt):
    target = tmp_path / f"report.{fmt}"
    message = run("alpha", "--format", fmt, "-o", str(target))
    assert message.startswith(f"Wrote {fmt} of alpha (") and str(target) in message
    assert target.stat().st_size > 0
    assert [p.name for p in tmp_path.iterdir()] == [f"report.{fmt}"]  # no temporary left


def test_docx_from_the_command(data, tmp_path):
    target = tmp_path / "report.docx"
    run("alpha", "--format", "docx", "-o", str(target))
    texts = [p.text for p in Document(str(target)).paragraphs]
    assert "Tailored support" in texts and "Blame culture" in texts
    assert real_names_in("\n".join(texts)) == []


def test_filters_and_options(data, tmp_path):
    target = tmp_path / "quotes.csv"
    run(
        "alpha", "--format", "csv", "-o", str(target), "--system", "eastmoor", "--all-quotes",
        "--with-pseudonyms", "--with-systems", "--organisation-type", "primary_care",
        "--from", "2018-01-01", "--to", "2018-12-31",
    )  # fmt: skip
    rows = list(csv.reader(target.open(encoding="utf-8-sig", newline="")))[1:]
    assert sorted(r[1] for r in rows) == [
        "Tailored support came late.",
        "[name]'s practice felt blamed.",
    ]
    assert {(r[3], r[6]) for r in rows} == {("P05", "Eastmoor")}
    target = tmp_path / "quotes.xlsx"
    run("alpha", "--format", "xlsx", "-o", str(target), "--coder", "admin_a", "--all-quotes")
    sheet = load_workbook(target)["Quotes"]
    assert [c.value for c in sheet["B"]][1:] == ["The four-hour target drives the blame."] * 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope", "--format", "md"], "No project with the slug 'nope'"),
        (["alpha", "--format", "md", "--system", "Atlantis"], "No local system 'Atlantis'"),
        (["alpha", "--format", "md", "--coder", "enabler_b"], "No member 'enabler_b'"),
        (["alpha", "--format", "md", "--from", "2018-02-30"], "is not a date"),
        (["alpha", "--format", "md", "--from", "2019-01-01", "--to", "2018-01-01"], "before"),
    ],
)
def test_clear_errors(data, tmp_path, outsider, args, message):
    target = tmp_path / "out.md"
    with pytest.raises(CommandError, match=message):
        run(*args, "-o", str(target))
    assert not target.exists()


def test_unwritable_target(data, tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        run("alpha", "--format", "md", "-o", str(tmp_path / "missing" / "out.md"))
    with pytest.raises(CommandError, match="is a directory"):
        run("alpha", "--format", "md", "-o", str(tmp_path))


def test_existing_file_survives_a_failed_export(data, tmp_path, monkeypatch):
    target = tmp_path / "report.md"
    target.write_text("previous report")

    def explode(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("coding.report.exports.markdown.render_markdown", explode)
    with pytest.raises(CommandError, match="No space left on device"):
        run("alpha", "--format", "md", "-o", str(target))
    assert target.read_text() == "previous report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.md"]


def test_help_and_exit_status(tmp_path):
    helped = subprocess.run(
        [sys.executable, "manage.py", "export_report", "--help"],
        capture_output=True, text=True, env={"DJANGO_SETTINGS_MODULE": "tests.settings",
                                             "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert helped.returncode == 0
    assert "--format {docx,md,html,pdf,csv,xlsx}" in helped.stdout
    assert "--all-quotes" in helped.stdout and "--with-pseudonyms" in helped.stdout
    failed = subprocess.run(
        [sys.executable, "manage.py", "export_report", "alpha", "--format", "odt", "-o", "x"],
        capture_output=True, text=True, env={"DJANGO_SETTINGS_MODULE": "tests.settings",
                                             "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert failed.returncode != 0
    assert "invalid choice: 'odt'" in failed.stderr
