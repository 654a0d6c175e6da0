"""A .zip of transcripts imported in the background: the request checks and stores the
archive, the job imports each file with progress, and its CSV says what became of each;
a retry stores nothing twice, and a bad archive is refused by name with the reason."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from aefront.jobs import services
from aefront.jobs.models import Job
from interviews.imports import background
from interviews.models import LocalSystem, Transcript

pytestmark = pytest.mark.django_db

ONE = b"Interviewer: How was winter?\n\nP01: Hard, and nobody owned the flow.\n"
TWO = b"Interviewer: And the board?\n\nP02: They listened, in the end.\n"


def zipped(files: dict[str, bytes], password_flag: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def upload(client, project, data: bytes, name="interviews.zip", **extra):
    file = io.BytesIO(data)
    file.name = name
    return client.post(f"/p/{project.slug}/import/archive/", {"zip-archive": file, **extra})


def report(job) -> list[list[str]]:
    with job.file.open("rb") as handle:
        return list(csv.reader(io.StringIO(handle.read().decode("utf-8-sig"))))


def test_an_archive_is_imported_in_the_background_with_a_report(
    client, enabler, project_a, django_capture_on_commit_callbacks
):
    north = LocalSystem.objects.create(project=project_a, name="North")
    data = zipped({
        "batch/one.txt": ONE, "batch/two.txt": TWO, "=cmd.txt": b"",
        "__MACOSX/batch/._one.txt": b"junk", "batch/.DS_Store": b"junk",
    })  # fmt: skip
    client.force_login(enabler)
    with django_capture_on_commit_callbacks(execute=True):
        answer = upload(client, project_a, data, **{"zip-local_system": north.pk})
    assert answer.status_code == 302 and answer["Location"] == f"/p/{project_a.slug}/jobs/"
    job = Job.objects.get()
    assert (job.state, job.kind, job.done, job.total) == ("done", "import_archive", 3, 3)
    assert job.summary == "interviews.zip: 2 imported, 1 refused"
    imported = Transcript.objects.filter(project=project_a)
    assert imported.count() == 2 and {t.local_system for t in imported} == {north}
    rows = report(job)
    assert rows[0] == ["file", "outcome", "message", "speaker review"]
    outcomes = {row[0]: row[1] for row in rows[1:]}
    assert outcomes == {"batch/one.txt": "imported", "batch/two.txt": "imported",
                        "'=cmd.txt": "refused"}  # fmt: skip
    assert all(row[3].startswith(f"/p/{project_a.slug}/import/") for row in rows[1:3])
    assert not default_storage.exists(job.params["key"])  # the archive is gone once done

    # The jobs page shows it, with its download.
    page = client.get(f"/p/{project_a.slug}/jobs/")
    assert b"Import a .zip of transcripts" in page.content


def test_a_retry_stores_nothing_twice(
    client, enabler, project_a, django_capture_on_commit_callbacks
):
    client.force_login(enabler)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, project_a, zipped({"one.txt": ONE}))
    job = Job.objects.get()
    # As if the worker had stopped before the end: the archive is stored again, and retried.
    default_storage.save(job.params["key"], io.BytesIO(zipped({"one.txt": ONE, "two.txt": TWO})))
    Job.objects.filter(pk=job.pk).update(state=Job.State.FAILED)
    job.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.retry_job(job)
    job.refresh_from_db()
    assert job.state == "done"
    assert job.summary == "interviews.zip: 1 imported, 1 already in the project"
    assert Transcript.objects.filter(project=project_a).count() == 2


def test_a_failed_imports_archive_is_kept_for_a_retry_for_24_hours_only(
    client, enabler, project_a, django_capture_on_commit_callbacks
):
    client.force_login(enabler)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, project_a, zipped({"one.txt": ONE}))
    done = Job.objects.get()
    failed = Job.objects.create(
        project=project_a, user=enabler, kind=background.KIND, state=Job.State.FAILED,
        finished_at=timezone.now() - timedelta(hours=23),
    )  # fmt: skip
    key = default_storage.save(f"{services.INPUTS}/{failed.pk}", io.BytesIO(zipped({"a": ONE})))
    failed.params = {"key": key, "archive": "interviews.zip", "files": 1}
    failed.save()
    assert services.prune_expired() == 0 and default_storage.exists(key)  # may be retried
    Job.objects.update(finished_at=timezone.now() - timedelta(hours=25))
    # The done job's report, and the failed one's archive (the done one's went at its end).
    assert services.prune_expired() == 2
    assert not default_storage.exists(key) and not done.file.storage.exists(done.file.name)
    failed.refresh_from_db()
    done.refresh_from_db()
    assert "key" not in failed.params and "key" not in done.params
    with django_capture_on_commit_callbacks(execute=True):
        services.retry_job(failed)
    failed.refresh_from_db()
    assert failed.state == "failed"
    assert failed.error == "interviews.zip: no longer stored; upload it again."


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"not a zip at all", "bad.zip: not a .zip archive, or a damaged one."),
        (zipped({"folder/": b""}), "bad.zip: holds no files to import."),
    ],
)
def test_a_bad_archive_is_refused_by_name_and_nothing_is_queued(
    client, enabler, project_a, data, reason
):
    client.force_login(enabler)
    answer = upload(client, project_a, data, name="bad.zip")
    assert answer.status_code == 400
    assert reason in answer.content.decode()
    assert not Job.objects.exists()


def test_too_many_files_and_password_protection_are_refused(monkeypatch):
    monkeypatch.setattr(background, "MAX_FILES", 2)
    with pytest.raises(background.UserError, match="holds 3 files; at most 2"):
        background.archive_files(zipped({"a": b"1", "b": b"2", "c": b"3"}), "x.zip")
    data = bytearray(zipped({"a.txt": b"secret"}))
    # Set the "encrypted" bit in both headers, as a password-protecting zip tool does.
    data[6] |= 1
    central = data.rfind(b"PK\x01\x02")
    data[central + 8] |= 1
    with pytest.raises(background.UserError, match="password-protected"):
        background.archive_files(bytes(data), "x.zip")


def test_a_member_larger_than_the_upload_limit_is_refused_without_reading_it_whole(
    settings, enabler, project_a
):
    from interviews.access import get_project_access

    settings.AEFRONT_MAX_UPLOAD_BYTES = 1000
    data = zipped({"big.txt": b"P01: " + b"word " * 5000, "one.txt": ONE})
    archive, entries = background.archive_files(data, "x.zip")
    job = Job.objects.create(project=project_a, user=enabler, kind=background.KIND)
    rows = [background._import_entry(job, archive, e, None, 1000) for e in entries]
    assert rows[0][:2] == ("big.txt", "refused") and "larger than" in rows[0][2]
    assert rows[1][1] == "imported"
    assert get_project_access(enabler, project_a.slug)  # the member could import
