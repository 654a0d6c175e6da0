"""aefront/postgresql: a kept connection's health check costs no round trip unless the
server has spoken (a terminate, a restart), and then it is Django's own check."""

import select
import time

import pytest
from django.db import connection, connections

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


class CountingConnection:
    """The raw connection, counting the cursors (round trips) asked of it."""

    def __init__(self, raw):
        self.raw = raw
        self.cursors = 0

    def cursor(self, *args, **kwargs):
        self.cursors += 1
        return self.raw.cursor(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.raw, name)


@pytest.fixture
def checked():
    """The default connection open and due its health check, as at a request's start."""
    connection.ensure_connection()
    enabled = connection.health_check_enabled
    connection.health_check_enabled, connection.health_check_done = True, False
    yield connection
    connection.health_check_enabled = enabled
    if isinstance(connection.connection, CountingConnection):
        connection.connection = connection.connection.raw


def test_the_engine_is_aefronts():
    assert type(connections["default"]).__module__ == "aefront.postgresql.base"


def test_a_connection_that_heard_nothing_is_kept_without_a_query(checked):
    raw = checked.connection
    checked.connection = counting = CountingConnection(raw)

    checked.close_if_health_check_failed()

    assert checked.connection is counting and counting.cursors == 0
    assert checked.health_check_done
    checked.connection = raw
    with checked.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def test_a_connection_the_server_ended_is_closed_and_the_next_query_reconnects(
    checked, terminate_backend
):
    pid = terminate_backend()
    raw = checked.connection
    deadline = time.monotonic() + 5
    while not select.select([raw.fileno()], [], [], 0.05)[0]:
        assert time.monotonic() < deadline, "the server's goodbye never arrived"
    checked.connection = counting = CountingConnection(raw)
    checked.health_check_done = False  # the pid's query above had it done

    checked.close_if_health_check_failed()

    assert counting.cursors == 1  # Django's own check ran, and failed
    assert checked.connection is None
    with checked.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid
