"""An unreachable database answers 503 with Retry-After and a generic page."""

from __future__ import annotations

import pytest
from django.db import OperationalError

pytestmark = pytest.mark.django_db


def test_operational_error_becomes_a_generic_503(client, enabler, monkeypatch):
    def unreachable(user):
        raise OperationalError('could not connect to server: Connection refused at "10.0.0.5"')

    monkeypatch.setattr("interviews.views.project_rows", unreachable)
    client.force_login(enabler)

    response = client.get("/")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    body = response.content.decode()
    assert "Service briefly unavailable" in body
    for leak in ("OperationalError", "10.0.0.5", "Traceback", "connect to server"):
        assert leak not in body


def test_other_errors_are_not_turned_into_503(client, enabler, monkeypatch):
    def broken(user):
        raise ValueError("a bug")

    monkeypatch.setattr("interviews.views.project_rows", broken)
    client.raise_request_exception = False
    client.force_login(enabler)

    assert client.get("/").status_code == 500
