"""manage.py import_transcripts: one line per file, mappings shown, exit codes."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError

from interviews.models import LocalSystem, Participant, Transcript
from tests.interviews import transcript_files as files

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("import_transcripts", *map(str, args), stdout=out)
    return out.getvalue()


def run_refused(*args) -> tuple[str, CommandError]:
    out = io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("import_transcripts", *map(str, args), stdout=out)
    return out.getvalue(), failed.value


@pytest.fixture
def keep_connection(monkeypatch):
    """run_from_argv closes every connection when it ends, which would end the test's
    transaction on PostgreSQL."""
    from django.db import connections

    monkeypatch.setattr(connections, "close_all", lambda: None)


@pytest.fixture
def good(tmp_path):
    path = tmp_path / "interview one.docx"
    path.write_bytes(files.docx_bytes(extras=False))
    return path


@pytest.fixture
def bad(tmp_path):
    path = tmp_path / "photo.txt"
    path.write_bytes(files.PNG_BYTES)
    return path


def test_imports_and_prints_what_was_mapped(project_a, good):
    output = run("alpha", good)
    transcript = Transcript.objects.get()
    assert output.splitlines() == [
        f"imported interview one.docx as transcript {transcript.pk} (4 turns, 2 speakers)",
        "  Interviewer → interviewer",
        "  Jane Smith → P01 (new participant)",
        # The fixture has a header and a footer: they are left out, and said so.
        "  note: 1 header and 1 footer were not imported",
    ]


def test_a_refused_file_does_not_stop_the_others_and_exits_non_zero(
    project_a, good, bad, tmp_path
):
    vtt = tmp_path / "call.vtt"
    vtt.write_bytes(files.teams_vtt_bytes())
    output, error = run_refused("alpha", good, bad, vtt)
    lines = output.splitlines()
    assert lines[0].startswith("imported interview one.docx as transcript")
    assert "refused photo.txt: content does not match .txt: it is a PNG image" in lines
    assert any(line.startswith("imported call.vtt as transcript") for line in lines)
    assert str(error) == "1 of 3 files refused"
    assert error.returncode == 1
    assert Transcript.objects.count() == 2


def test_exit_status_from_the_command_line(project_a, bad, capsys, keep_connection):
    with pytest.raises(SystemExit) as exited:
        execute_from_command_line(["manage.py", "import_transcripts", "alpha", str(bad)])
    assert exited.value.code == 1
    captured = capsys.readouterr()
    assert "refused photo.txt: content does not match .txt" in captured.out
    assert "1 of 1 files refused" in captured.err
    assert "Traceback" not in captured.err


def test_unknown_project(good, capsys, keep_connection):
    with pytest.raises(SystemExit) as exited:
        execute_from_command_line(["manage.py", "import_transcripts", "nope", str(good)])
    assert exited.value.code == 1
    assert "unknown project 'nope'" in capsys.readouterr().err
    assert Transcript.objects.count() == 0


def test_missing_file_and_directory_are_refused(project_a, tmp_path):
    output, error = run_refused("alpha", tmp_path / "absent.txt", tmp_path)
    assert "refused absent.txt: no such file" in output
    assert f"refused {tmp_path.name}: is not a file" in output
    assert str(error) == "2 of 2 files refused"


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("speakers.json", lambda: json.dumps({"jane smith": "P07", "Interviewer": "interviewer"})),
        ("speakers.csv", lambda: "speaker,pseudonym\nJane Smith,P07\nInterviewer,interviewer\n"),
        ("speakers.csv", lambda: "Jane Smith,P07\n"),
    ],
)
def test_speaker_map(project_a, good, tmp_path, name, make):
    mapping = tmp_path / name
    mapping.write_text(make(), encoding="utf-8")
    output = run("alpha", good, "--speaker-map", mapping)
    assert "  Jane Smith → P07 (new participant)" in output
    assert "P07: We were told" in Transcript.objects.get().text


def test_speaker_map_to_an_existing_participant(project_a, participant, good, tmp_path):
    mapping = tmp_path / "map.json"
    mapping.write_text(json.dumps({"Jane Smith": "P01"}), encoding="utf-8")
    output = run("alpha", good, "--speaker-map", mapping)
    assert "  Jane Smith → P01 (existing participant)" in output
    assert Participant.objects.count() == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[1, 2]", "must be a JSON object"),
        ("{not json", "not valid JSON"),
        ("a,b,c\n", "expected two columns"),
    ],
)
def test_bad_speaker_map(project_a, good, tmp_path, content, message):
    mapping = tmp_path / ("map.json" if content.startswith(("[", "{")) else "map.csv")
    mapping.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        run("alpha", good, "--speaker-map", mapping)
    assert Transcript.objects.count() == 0


def test_system_date_and_user(project_a, enabler, good):
    output = run(
        "alpha", good, "--system", "Northfield", "--date", "2018-03-14", "--user", "enabler_a"
    )
    assert output.startswith("created local system Northfield\n")
    transcript = Transcript.objects.get()
    assert transcript.local_system == LocalSystem.objects.get(name="Northfield")
    assert str(transcript.interview_date) == "2018-03-14"
    assert transcript.imported_by == enabler
    # The same system is reused, whatever its case.
    second = good.with_name("second.txt")
    second.write_bytes(files.txt_bytes())
    assert "created local system" not in run("alpha", second, "--system", "northfield")
    assert LocalSystem.objects.count() == 1


def test_bad_date(project_a, good):
    with pytest.raises(CommandError, match="is not a date: use YYYY-MM-DD"):
        run("alpha", good, "--date", "14/03/2018")


def test_user_must_be_a_member_with_the_import_role(project_a, author, outsider, good):
    with pytest.raises(CommandError, match="may not import"):
        run("alpha", good, "--user", "author_a")
    with pytest.raises(CommandError, match="may not import"):
        run("alpha", good, "--user", "enabler_b")
    with pytest.raises(CommandError, match="unknown user"):
        run("alpha", good, "--user", "ghost")


def test_oversized_file_is_refused_without_reading_it(project_a, tmp_path, settings):
    settings.AEFRONT_MAX_UPLOAD_BYTES = 1024
    big = tmp_path / "big.txt"
    big.write_bytes(b"P01: " + b"x" * 4096)
    output, _error = run_refused("alpha", big)
    assert output.strip() == "refused big.txt: is too large (4.0 KiB; the limit is 1.0 KiB)"
