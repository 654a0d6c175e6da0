"""`manage.py db_worker` is aefront's own: it waits out a database outage instead of
stopping with a traceback, and stops when it is told to."""

from __future__ import annotations

import logging

import pytest
from django.core.management import get_commands
from django.db import OperationalError
from django_tasks_db.management.commands import db_worker as base

from aefront.jobs.management.commands import db_worker


def make_worker():
    return db_worker.OutageProofWorker(
        queue_names=["default"], interval=1, batch=False, backend_name="default",
        startup_delay=True, max_tasks=None, worker_id="w", excluded_queue_names=[],
    )  # fmt: skip


def test_the_command_is_aefronts():
    assert get_commands()["db_worker"] == "aefront.jobs"


def test_the_worker_waits_out_an_outage_and_carries_on(monkeypatch, caplog):
    runs = []

    def run(self):
        runs.append(self.startup_delay)
        if len(runs) <= 3:
            raise OperationalError("connection to server failed: Connection refused\n\tmore")

    monkeypatch.setattr(base.Worker, "run", run)
    waits = []
    monkeypatch.setattr(db_worker.time, "sleep", waits.append)
    with caplog.at_level(logging.WARNING, logger="aefront.jobs"):
        make_worker().run()
    assert len(runs) == 4 and waits == [1, 2, 5]  # then it ran on, and returned when done
    assert runs[1:] == [False, False, False]  # no second start-up delay
    assert "The database is unavailable (connection to server failed: Connection refused)" in (
        caplog.text
    )


def test_a_stopped_worker_does_not_try_again(monkeypatch):
    def run(self):
        self.running = False  # a signal arrived, then the database went
        raise OperationalError("gone")

    monkeypatch.setattr(base.Worker, "run", run)
    monkeypatch.setattr(db_worker.time, "sleep", lambda s: pytest.fail("it waited"))
    make_worker().run()


def test_other_errors_still_stop_it(monkeypatch):
    monkeypatch.setattr(base.Worker, "run", lambda self: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        make_worker().run()
