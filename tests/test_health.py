"""`/healthz`: 200 while the database and the storage work, 503 naming what does not."""

from __future__ import annotations

import pytest
from django.db import DatabaseError


@pytest.mark.django_db
def test_healthz_answers_without_a_login_and_shows_no_data(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "storage": "ok"}
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
    assert response.json() == {"database": "unavailable", "storage": "ok"}
