"""Background jobs: started from a page, run by the queue, with progress, cancel, errors,
retry, and a file that only its owner downloads for 24 hours."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from aefront.jobs import services
from aefront.jobs.kinds import KINDS, Kind, Result, register
from aefront.jobs.models import Job
from aefront.jobs.runner import Progress, run_job
from coding.models import Quote
from interviews.access import ALL_ROLES, get_project_access
from interviews.models import Membership

ROOT = Path(__file__).resolve().parent.parent


def jobs_url(project, tail=""):
    return f"/p/{project.slug}/jobs/{tail}"


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run the jobs queued in the block, as the worker would once the request commits."""

    def run(action):
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    return run


@pytest.mark.django_db
def test_an_export_runs_in_the_background_and_only_its_owner_downloads_it(
    client, author, enabler, outsider, project_a, transcript, theme, run_on_commit
):
    Quote.objects.create(
        transcript=transcript, start=0, end=5, text=transcript.text[:5], coder=enabler
    ).themes.add(theme)
    client.force_login(author)
    started = run_on_commit(
        lambda: client.post(jobs_url(project_a, "start/"), {"kind": "qdpx", "positions": "utf16"})
    )
    assert started.status_code == 302 and started["Location"] == jobs_url(project_a)
    job = Job.objects.get()
    assert (job.state, job.user, job.percent, job.params) == (
        "done",
        author,
        100,
        {"positions": "utf16"},
    )
    assert job.summary.startswith("1 transcripts, 1 quotes")

    page = client.get(jobs_url(project_a)).content.decode()
    assert "Export as REFI-QDA (.qdpx)" in page and f"Download {project_a.slug}.qdpx" in page
    status = client.get(jobs_url(project_a, "status/")).json()["jobs"][0]
    assert status["state"] == "done" and status["download"].endswith(f"{job.pk}/download/")

    download = client.get(status["download"])
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert "project.qde" in archive.namelist()

    client.force_login(enabler)  # a member, but not the job's owner
    assert client.get(status["download"]).status_code == 404
    assert client.get(jobs_url(project_a, "status/")).json()["jobs"] == []
    client.force_login(outsider)
    assert client.get(status["download"]).status_code == 404
    client.logout()
    assert client.get(status["download"]).status_code == 302  # to the login page


@pytest.mark.django_db
def test_a_file_is_kept_24_hours_then_deleted(client, author, project_a, run_on_commit):
    client.force_login(author)
    run_on_commit(lambda: client.post(jobs_url(project_a, "start/"), {"kind": "qdpx"}))
    job = Job.objects.get()
    stored = Path(job.file.path)
    assert stored.exists()
    Job.objects.filter(pk=job.pk).update(finished_at=timezone.now() - timedelta(hours=25))
    url = jobs_url(project_a, f"{job.pk}/download/")
    gone = client.get(url)
    assert gone.status_code == 410 and b"24 hours" in gone.content
    client.get(jobs_url(project_a))  # the page prunes its owner's old files
    assert not stored.exists()
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_a_refused_job_says_why_and_a_retry_runs_it_again(
    client, enabler, make_user, project_a, transcript, theme, run_on_commit
):
    client.force_login(enabler)
    run_on_commit(lambda: client.post(jobs_url(project_a, "start/"), {"kind": "agreement"}))
    job = Job.objects.get()
    assert job.state == "failed"
    assert job.error == "Agreement needs two coders who coded the same transcripts."
    assert job.error in client.get(jobs_url(project_a)).content.decode()

    other = make_user("second")
    Membership.objects.create(user=other, project=project_a, role=Membership.Role.ENABLER)
    for coder in (enabler, other):
        Quote.objects.create(
            transcript=transcript, start=0, end=9, text=transcript.text[:9], coder=coder
        ).themes.add(theme)
    run_on_commit(lambda: client.post(jobs_url(project_a, f"{job.pk}/retry/")))
    job.refresh_from_db()
    assert (job.state, job.error, job.attempts) == ("done", "", 2)
    body = b"".join(client.get(jobs_url(project_a, f"{job.pk}/download/")).streaming_content)
    assert theme.name in body.decode("utf-8-sig")
    assert Job.objects.count() == 1  # the retry is the same job, not a second one


@pytest.mark.django_db
def test_a_job_stops_at_its_next_step_once_cancelled(enabler, project_a):
    steps = []

    def counting(job, access, progress):
        for n in range(5):
            steps.append(n)
            if n == 2:  # the member presses Cancel while it runs
                services.cancel_job(Job.objects.get(pk=job.pk))
            progress.step(n, 5, f"step {n}")
        return Result("never")

    register(Kind("counting", "Counting", ALL_ROLES, counting))
    try:
        access = get_project_access(enabler, project_a.slug)
        job = Job.objects.create(project=project_a, user=enabler, kind="counting")
        assert run_job.call(str(job.pk)) == "cancelled"
    finally:
        KINDS.pop("counting")
    job.refresh_from_db()
    assert steps == [0, 1, 2] and job.state == "cancelled" and job.done == 2
    assert access.role == "enabler"


@pytest.mark.django_db
def test_a_waiting_job_cancelled_never_runs(client, author, project_a, run_on_commit):
    client.force_login(author)
    client.post(jobs_url(project_a, "start/"), {"kind": "qdpx"})  # not committed: waiting
    job = Job.objects.get()
    assert job.state == "queued"
    client.post(jobs_url(project_a, f"{job.pk}/cancel/"))
    job.refresh_from_db()
    assert job.state == "cancelled"
    assert run_job.call(str(job.pk)) == "skipped" and not job.file


@pytest.mark.django_db
def test_a_role_that_may_not_run_a_kind_is_refused(client, author, project_a, run_on_commit):
    client.force_login(author)  # authors do not code: the suggestion vectors are not theirs
    assert client.post(jobs_url(project_a, "start/"), {"kind": "embed"}).status_code == 403
    client.post(jobs_url(project_a, "start/"), {"kind": "no-such-job"})
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_an_unexpected_error_fails_the_job_without_a_traceback(enabler, project_a, caplog):
    def broken(job, access, progress):
        raise RuntimeError("disk on fire")

    register(Kind("broken", "Broken", ALL_ROLES, broken))
    try:
        job = Job.objects.create(project=project_a, user=enabler, kind="broken")
        run_job.call(str(job.pk))
    finally:
        KINDS.pop("broken")
    job.refresh_from_db()
    assert job.state == "failed" and "disk on fire" not in job.error
    assert "unexpected error" in job.error and "disk on fire" in caplog.text


@pytest.mark.django_db
def test_a_silent_running_job_shows_as_interrupted_and_may_be_retried(enabler, project_a):
    job = Job.objects.create(
        project=project_a, user=enabler, kind="qdpx", state="running",
        heartbeat_at=timezone.now() - timedelta(minutes=10),
    )  # fmt: skip
    assert job.is_interrupted and job.may_retry
    Progress(job).step(1, 4, "again")
    assert not job.is_interrupted


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_database_worker_runs_a_queued_job_in_another_process(author, project_a):
    """The production path: the page queues, `manage.py db_worker` (another process, the
    same database) runs it."""
    from django.db import connection
    from django.test import override_settings

    db = connection.settings_dict
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        access = get_project_access(author, project_a.slug)
        job = services.start_job(access=access, kind="qdpx")  # queued as the commit ends
    assert Job.objects.get(pk=job.pk).state == "queued"
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "AEFRONT_TEST_DATABASE_TASKS": "1",
    }  # fmt: skip
    worker = subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--no-reload"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert worker.returncode == 0, worker.stderr
    job.refresh_from_db()
    assert job.state == "done", (job.error, worker.stderr[-2000:])
    assert job.file_name == f"{project_a.slug}.qdpx"


@pytest.mark.django_db
def test_the_report_is_written_in_the_background_with_the_downloads_filters(
    client, author, enabler, project_a, transcript, theme, run_on_commit
):
    import openpyxl

    from coding.models import ExportRecord

    Quote.objects.create(
        transcript=transcript, start=5, end=20, text=transcript.text[5:20], coder=enabler,
        is_cleared=True,
    ).themes.add(theme)  # fmt: skip
    client.force_login(author)
    summary = client.get(f"/p/{project_a.slug}/report/")
    assert b"Write in the background" in summary.content

    def start(**fields):
        return run_on_commit(
            lambda: client.post(jobs_url(project_a, "start/"), {"kind": "report_export", **fields})
        )

    assert start(format="xlsx").status_code == 302
    job = Job.objects.get()
    assert (job.state, job.params["format"]) == ("done", "xlsx")
    with job.file.open("rb") as handle:
        book = openpyxl.load_workbook(io.BytesIO(handle.read()))
    assert transcript.text[5:20] in {c.value for row in book["Quotes"].iter_rows() for c in row}
    record = ExportRecord.objects.get()
    assert record.format == "xlsx" and len(record.sha256) == 64

    # The filters travel with it: another local system's report has none of these quotes.
    other = transcript.local_system.__class__.objects.create(project=project_a, name="Elsewhere")
    start(format="xlsx", system=other.pk)
    filtered = Job.objects.filter(state="done").order_by("-created_at").first()
    with filtered.file.open("rb") as handle:
        book = openpyxl.load_workbook(io.BytesIO(handle.read()))
    assert transcript.text[5:20] not in {c.value for r in book["Quotes"].iter_rows() for c in r}

    start(format="docx")
    docx = Job.objects.filter(params__format="docx").get()
    assert docx.state == "done" and docx.file_name.endswith(".docx")
    with docx.file.open("rb") as handle:
        assert zipfile.ZipFile(io.BytesIO(handle.read())).read("word/document.xml")

    answer = start(format="csv")  # streamed already: not a background format
    assert answer.status_code == 302
    assert Job.objects.count() == 3
    page = client.get(jobs_url(project_a))
    assert "format: choose one of docx" in page.content.decode()
