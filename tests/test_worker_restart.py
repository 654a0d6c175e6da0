"""A job survives its worker (issue 18): `manage.py db_worker` runs a slow job whose progress
the jobs page shows as it goes; the worker is killed mid-job (SIGKILL: no chance to tidy
up); the job then shows as interrupted, is retried, and a new worker finishes it without a
duplicated row. The slow kind is tests/slow_job_kind.py, loaded by EXTRA_JOB_KINDS."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.test import override_settings

import tests.slow_job_kind  # noqa: F401 (registers the kind in this process too)
from aefront.jobs import services
from aefront.jobs.models import Job
from coding.models import Theme
from interviews.access import get_project_access

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def start_worker() -> subprocess.Popen:
    from django.db import connection

    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "AEFRONT_TEST_DATABASE_TASKS": "1",
        "EXTRA_JOB_KINDS": "tests.slow_job_kind",
    }  # fmt: skip
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--no-reload"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip


def wait_until(check, seconds: float = 60.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(0.1)
    raise AssertionError("timed out")


@override_settings(TASKS=DATABASE_TASKS, AEFRONT_JOB_STALE_SECONDS=1)
def test_a_job_shows_progress_and_finishes_after_its_worker_is_killed(client, enabler, project_a):
    client.force_login(enabler)
    status_url = f"/p/{project_a.slug}/jobs/status/"
    job = services.start_job(access=get_project_access(enabler, project_a.slug), kind="slow-test")
    worker = start_worker()
    try:
        # Progress is visible while it runs: the page's poll sees steps done of six.
        seen = wait_until(
            lambda: [j for j in client.get(status_url).json()["jobs"] if 2 <= j["done"] < 6]
        )
        assert seen[0]["state"] == "running" and 0 < seen[0]["percent"] < 100
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    job.refresh_from_db()
    assert job.state == "running" and job.done < 6
    # Nobody reports on it any more: shown as interrupted, with a retry.
    interrupted = wait_until(
        lambda: client.get(status_url).json()["jobs"][0]["state"] == "interrupted", 10
    )
    assert interrupted
    assert client.post(f"/p/{project_a.slug}/jobs/{job.pk}/retry/").status_code == 302
    worker = start_worker()
    try:
        wait_until(lambda: Job.objects.get(pk=job.pk).state == "done", 60)
    finally:
        worker.terminate()
        worker.wait(timeout=20)
    job.refresh_from_db()
    assert (job.attempts, job.done, job.total, job.summary) == (2, 6, 6, "6 themes")
    names = list(Theme.objects.filter(project=project_a).values_list("name", flat=True))
    assert sorted(n for n in names if n.startswith("Slow step")) == [
        f"Slow step {n}" for n in range(6)
    ]
