"""`/healthz`: 200 while the database and the storage work, 503 naming what does not, and
"degraded" (still 200) when no worker takes the queue's jobs."""

from __future__ import annotations

import pytest
from django.db import DatabaseError


@pytest.mark.django_db
def test_healthz_answers_without_a_login_and_shows_no_data(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok", "database": "ok", "storage": "ok", "queue": "ok"
    }  # fmt: skip
    assert "no-cache" in response["Cache-Control"]
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_healthz_names_a_missing_storage(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "not-mounted"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["storage"] == "missing"


@pytest.mark.django_db
def test_healthz_names_a_database_that_does_not_answer(client, settings, tmp_path, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    settings.MEDIA_ROOT = tmp_path

    def refuse(self, sql, params=None):
        raise DatabaseError("server closed the connection unexpectedly")

    monkeypatch.setattr(CursorWrapper, "execute", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable", "database": "unavailable", "storage": "ok", "queue": "unavailable"
    }  # fmt: skip


@pytest.mark.django_db
def test_healthz_says_degraded_when_jobs_wait_with_no_worker(client, settings, tmp_path):
    import datetime

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    settings.MEDIA_ROOT = tmp_path
    settings.AEFRONT_QUEUE_STALL_SECONDS = 300
    fields = {"args_kwargs": {"args": [], "kwargs": {}}, "task_path": "x.y",
              "backend_name": "default", "run_after": timezone.now()}  # fmt: skip
    waiting = DBTaskResult.objects.create(**fields)
    assert client.get("/healthz").json()["queue"] == "ok"  # just queued: a worker has time
    DBTaskResult.objects.filter(pk=waiting.pk).update(
        enqueued_at=timezone.now() - datetime.timedelta(minutes=12)
    )
    DBTaskResult.objects.create(**fields)
    response = client.get("/healthz")
    assert response.status_code == 200  # the server still serves pages and coding
    body = response.json()
    assert body["status"] == "degraded"
    assert body["queue"].startswith("stalled: 2 job(s) waiting, the oldest for 7")
