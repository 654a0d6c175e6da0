"""`manage.py backup` and `manage.py restore`, end to end: a backup of this database and its
files, restored by another process into a fresh database, holds the same rows (per-table
counts and checksums) and files, and works: a member logs in, opens the transcript,
downloads its original and exports the report."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from aefront.backup import table_states
from coding.models import Quote
from interviews.models import Membership
from interviews.services import import_transcript

ROOT = Path(__file__).resolve().parent.parent

CHECK = """
import json, os
from django.test import Client
from aefront.backup import table_states
slug, transcript, quote_text = json.loads(os.environ["CHECK_ARGS"])
tables = {name: vars(state) for name, state in table_states().items()}  # before any login
client = Client()
login = client.post(
    "/accounts/login/", {"username": "restored-author", "password": "a long pass phrase"}
)
assert login.status_code == 302, login.status_code
page = client.get(f"/p/{slug}/transcripts/{transcript}/")
original = client.get(f"/p/{slug}/transcripts/{transcript}/original/")
export = client.get(f"/p/{slug}/report/export/", {"format": "csv"})
body = b"".join(export.streaming_content) if export.streaming else export.content
print(json.dumps({
    "page": page.status_code, "page_has_quote": quote_text in page.content.decode(),
    "original": original.status_code,
    "original_bytes": b"".join(original.streaming_content).decode()
    if original.status_code == 200 else "",
    "export": export.status_code, "export_has_quote": quote_text in body.decode("utf-8-sig"),
    "tables": tables,
}))
"""

TEXT = "Interviewer: What happened at the board?\n\nAli: Nobody wanted to own the delays.\n"


def manage(
    *args: str, database_url: str, media: Path, **extra: str
) -> subprocess.CompletedProcess:
    env = {
        **{k: v for k, v in os.environ.items() if k != "PYTEST_XDIST_WORKER"},  # MEDIA_ROOT as is
        **extra,
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(media),
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "ALLOWED_HOSTS": "testserver",
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_a_restored_backup_holds_the_same_rows_and_files_and_works(
    project_a, enabler, theme, make_user, tmp_path, fresh_database
):
    author = make_user("restored-author")
    author.set_password("a long pass phrase")
    author.save()
    Membership.objects.create(user=author, project=project_a, role=Membership.Role.ADMIN)
    transcript = import_transcript(
        project=project_a, filename="board.txt", data=TEXT.encode(), user=enabler
    ).transcript
    start = transcript.text.index("Nobody")
    quote = Quote.objects.create(
        transcript=transcript, start=start, end=start + 35, coder=enabler,
        text=transcript.text[start : start + 35], is_cleared=True,
    )  # fmt: skip
    quote.themes.add(theme)

    call_command("backup", str(tmp_path / "backups"))
    (folder,) = (tmp_path / "backups").iterdir()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["tables"] == {n: vars(s) for n, s in table_states().items()}
    assert manifest["tables"]["coding_quote"]["rows"] == 1
    assert any(name.startswith("media/originals/") for name in manifest["files"])

    media = tmp_path / "restored-media"
    restored = manage("restore", str(folder), database_url=fresh_database, media=media)
    assert restored.returncode == 0, restored.stderr
    assert "every checksum matches" in restored.stdout

    check = manage(
        "shell", "-c", CHECK, database_url=fresh_database, media=media,
        CHECK_ARGS=json.dumps([project_a.slug, transcript.pk, quote.text]),
    )  # fmt: skip
    assert check.returncode == 0, check.stderr
    seen = json.loads(check.stdout.strip().splitlines()[-1])
    assert seen["tables"] == manifest["tables"]  # counted again by another process
    assert (seen["page"], seen["original"], seen["export"]) == (200, 200, 200)
    assert seen["page_has_quote"] and seen["export_has_quote"]
    assert seen["original_bytes"] == TEXT

    again = manage("restore", str(folder), database_url=fresh_database, media=media)
    assert again.returncode == 1
    assert "already holds data" in again.stderr


@pytest.mark.django_db(transaction=True)
def test_a_damaged_backup_is_refused_before_anything_is_written(
    project_a, enabler, tmp_path, fresh_database
):
    import_transcript(project=project_a, filename="board.txt", data=TEXT.encode(), user=enabler)
    call_command("backup", str(tmp_path / "backups"))
    (folder,) = (tmp_path / "backups").iterdir()
    original = next((folder / "media" / "originals").iterdir())
    original.write_bytes(b"tampered")
    media = tmp_path / "restored-media"
    refused = manage("restore", str(folder), database_url=fresh_database, media=media)
    assert refused.returncode == 1
    assert f"{original}: its sha256 does not match the manifest" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert not media.exists()
    empty = manage("shell", "-c", "from aefront.backup import holds_data; print(holds_data())",
                   database_url=fresh_database, media=media)  # fmt: skip
    assert empty.stdout.strip().splitlines()[-1] == "False", empty.stderr


def test_a_folder_that_is_no_backup_is_refused_with_the_reason(tmp_path, capsys):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=r"no manifest: this is not an aefront backup"):
        call_command("restore", str(tmp_path))


@pytest.mark.django_db(transaction=True)
def test_without_a_folder_backup_uses_backup_dir_and_restore_its_newest(
    project_a, tmp_path, settings, capsys
):
    from django.core.management.base import CommandError

    settings.AEFRONT_BACKUP_DIR = str(tmp_path / "nightly")
    call_command("backup")
    (folder,) = (tmp_path / "nightly").iterdir()
    assert f"backed up to {folder}" in capsys.readouterr().out
    with pytest.raises(CommandError, match="already holds data"):
        call_command("restore")  # found the newest backup, refused this database
    settings.AEFRONT_BACKUP_DIR = str(tmp_path / "empty")
    with pytest.raises(CommandError, match="holds no backup"):
        call_command("restore")
