"""An unreachable database answers 503 with Retry-After and a generic page, whichever
layer meets the fault first: the session, the user lookup, CSRF, axes, the view, the
template or the session save on the way out."""

from __future__ import annotations

import json

import pytest
from django.db import InterfaceError, OperationalError, connection

from aefront import middleware

pytestmark = pytest.mark.django_db

SECRET = 'could not connect to server: Connection refused at "10.0.0.5"'
LEAKS = ("OperationalError", "InterfaceError", "10.0.0.5", "Traceback", "connect to server")


def unreachable(*args, **kwargs):
    raise OperationalError(SECRET)


def assert_generic_503(response, *, json_body: bool = False) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    for leak in LEAKS:
        assert leak not in body
    if json_body:
        assert response["Content-Type"] == "application/json"
        assert "cannot reach its database" in json.loads(body)["error"]
    else:
        assert "Service briefly unavailable" in body
        assert 'href="/static/css/app.css"' in body  # the app's own page, not a bare one


@pytest.fixture
def quiet_client(client):
    """A client that hands back the answer instead of re-raising what Django logged."""
    client.raise_request_exception = False
    return client


def test_a_fault_in_the_view_becomes_a_generic_503(client, enabler, monkeypatch):
    monkeypatch.setattr("interviews.views.project_rows", unreachable)
    client.force_login(enabler)

    assert_generic_503(client.get("/"))


def test_a_fault_while_the_template_renders_becomes_a_503(quiet_client, enabler, monkeypatch):
    class Rows:
        def __iter__(self):
            raise InterfaceError("connection already closed")

        def __len__(self):
            raise InterfaceError("connection already closed")

        def __bool__(self):
            raise InterfaceError("connection already closed")

    monkeypatch.setattr("interviews.views.project_rows", lambda user: Rows())
    quiet_client.force_login(enabler)

    assert_generic_503(quiet_client.get("/"))


def test_a_fault_while_the_session_loads_becomes_a_503(quiet_client, enabler, monkeypatch):
    quiet_client.force_login(enabler)
    monkeypatch.setattr("django.contrib.sessions.backends.db.SessionStore.load", unreachable)

    assert_generic_503(quiet_client.get("/"))


def test_a_fault_in_the_user_lookup_becomes_a_503(quiet_client, enabler, monkeypatch):
    quiet_client.force_login(enabler)
    monkeypatch.setattr("django.contrib.auth.backends.ModelBackend.get_user", unreachable)

    assert_generic_503(quiet_client.get("/"))


def test_a_fault_in_the_csrf_layer_becomes_a_503(quiet_client, monkeypatch):
    monkeypatch.setattr("django.middleware.csrf.CsrfViewMiddleware._get_secret", unreachable)

    assert_generic_503(quiet_client.get("/accounts/login/"))


def test_a_fault_in_axes_becomes_a_503(quiet_client, enabler, monkeypatch):
    monkeypatch.setattr("axes.handlers.proxy.AxesProxyHandler.is_allowed", unreachable)

    response = quiet_client.post(
        "/accounts/login/", {"username": "enabler_a", "password": "wrong password here"}
    )

    assert_generic_503(response)


def test_a_fault_while_the_session_is_saved_becomes_a_503(
    quiet_client, enabler, monkeypatch, settings
):
    settings.SESSION_SAVE_EVERY_REQUEST = True
    quiet_client.force_login(enabler)
    monkeypatch.setattr("django.contrib.sessions.backends.db.SessionStore.save", unreachable)

    assert_generic_503(quiet_client.get("/"))


def test_json_requests_get_a_json_503(quiet_client, enabler, transcript, monkeypatch):
    quiet_client.force_login(enabler)
    monkeypatch.setattr("django.contrib.sessions.backends.db.SessionStore.load", unreachable)
    url = f"/p/alpha/transcripts/{transcript.pk}/quotes/"

    response = quiet_client.post(url, "{}", content_type="application/json")

    assert_generic_503(response, json_body=True)


def test_debug_shows_no_trace_of_a_database_fault(quiet_client, enabler, monkeypatch, settings):
    settings.DEBUG = True
    quiet_client.force_login(enabler)
    monkeypatch.setattr("django.contrib.sessions.backends.db.SessionStore.load", unreachable)

    assert_generic_503(quiet_client.get("/"))


def test_the_next_request_after_the_fault_succeeds(quiet_client, enabler, monkeypatch):
    quiet_client.force_login(enabler)
    with monkeypatch.context() as patch:
        patch.setattr("django.contrib.sessions.backends.db.SessionStore.load", unreachable)
        assert quiet_client.get("/").status_code == 503

    assert quiet_client.get("/").status_code == 200


def test_a_broken_connection_is_closed_and_a_working_one_kept(monkeypatch):
    class Connection:
        def __init__(self, usable):
            self.connection = object()
            self.usable = usable
            self.closed = False

        def is_usable(self):
            if self.usable is None:
                raise OSError("socket gone")
            return self.usable

        def close(self):
            self.closed = True

    broken, gone, working = Connection(False), Connection(None), Connection(True)
    monkeypatch.setattr(
        middleware.connections, "all", lambda initialized_only: [broken, gone, working]
    )

    middleware.close_broken_connections()

    assert broken.closed and gone.closed
    assert not working.closed


def test_other_errors_are_not_turned_into_503(quiet_client, enabler, monkeypatch):
    def broken(user):
        raise ValueError("a bug")

    monkeypatch.setattr("interviews.views.project_rows", broken)
    quiet_client.force_login(enabler)

    response = quiet_client.get("/")

    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()
    assert "Retry-After" not in response


def test_other_errors_in_a_middleware_layer_stay_500(quiet_client, enabler, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("a bug")

    quiet_client.force_login(enabler)
    monkeypatch.setattr("django.contrib.sessions.backends.db.SessionStore.load", broken)

    assert quiet_client.get("/").status_code == 500


def test_raw_driver_errors_count_as_faults():
    import sqlite3

    assert middleware.is_database_fault(sqlite3.OperationalError("disk I/O error"))
    assert not middleware.is_database_fault(sqlite3.IntegrityError("UNIQUE"))
    assert not middleware.is_database_fault(ValueError("x"))


# --- PostgreSQL: a connection really cut -----------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_terminated_postgres_connection_answers_503_then_recovers(
    quiet_client, enabler, terminate_backend
):
    quiet_client.force_login(enabler)
    assert quiet_client.get("/").status_code == 200
    terminate_backend()

    assert_generic_503(quiet_client.get("/"))
    assert connection.connection is None  # the broken connection was dropped

    assert quiet_client.get("/").status_code == 200


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_unreachable_postgres_server_answers_503_then_recovers(quiet_client, enabler):
    quiet_client.force_login(enabler)
    real_port = connection.settings_dict["PORT"]
    connection.close()
    # A port nothing listens on: every connect is refused, as with the server down.
    connection.settings_dict["PORT"] = "1"
    try:
        assert_generic_503(quiet_client.get("/"))
        assert_generic_503(quiet_client.get("/", HTTP_ACCEPT="application/json"), json_body=True)
    finally:
        connection.settings_dict["PORT"] = real_port

    assert quiet_client.get("/").status_code == 200


def test_handler500_alone_answers_503_for_a_fault(rf):
    request = rf.get("/")
    try:
        raise OperationalError(SECRET)
    except OperationalError:
        response = middleware.server_error(request)

    assert_generic_503(response)


def test_the_503_does_not_depend_on_the_exception_signal(quiet_client, enabler, monkeypatch):
    from django.core.signals import got_request_exception

    quiet_client.force_login(enabler)
    monkeypatch.setattr("django.contrib.sessions.backends.db.SessionStore.load", unreachable)
    got_request_exception.disconnect(dispatch_uid="aefront-database-fault")
    try:
        assert_generic_503(quiet_client.get("/"))
    finally:
        got_request_exception.connect(
            middleware._mark_fault, dispatch_uid="aefront-database-fault"
        )


def test_fast_gzip_keeps_the_content_and_pads_against_breach():
    import gzip

    from aefront.compression import compress

    data = ("P01: We were told support would come. " * 500).encode()
    sizes = set()
    for _ in range(8):
        packed = compress(data, level=1, max_random_bytes=100)
        assert gzip.decompress(packed) == data
        sizes.add(len(packed))
    assert len(sizes) > 1  # a random-length name in the header, as Django's own
