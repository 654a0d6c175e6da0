"""`manage.py db_worker`: django-tasks' database worker, which outlives a database outage.

django-tasks-db's worker stops with a traceback when the database goes away (a restart,
a failover, a crash). This one logs a line, waits and carries on where it was, so an
outage never needs someone to restart the worker by hand; a job that was running when the
database went is shown interrupted on the jobs page and can be retried (aefront/jobs).
The options are django-tasks-db's own (this app comes before it in INSTALLED_APPS).
"""

from __future__ import annotations

import logging
import time

from django.db import InterfaceError, OperationalError, connections
from django_tasks_db.management.commands import db_worker as base

logger = logging.getLogger("aefront.jobs")
WAITS_S = (1, 2, 5)  # between attempts while the database does not answer


class OutageProofWorker(base.Worker):
    def run(self) -> None:
        failures = 0
        while True:
            try:
                super().run()
                return  # stopped by a signal, --batch or --max-tasks
            except (OperationalError, InterfaceError) as error:
                if not self.running:
                    return
                wait = WAITS_S[min(failures, len(WAITS_S) - 1)]
                first = str(error).strip().splitlines()[0] if str(error).strip() else "no answer"
                logger.warning(
                    "The database is unavailable (%s); trying again in %s s.", first, wait
                )
                connections.close_all()
                time.sleep(wait)
                failures += 1
                self.startup_delay = False


class Command(base.Command):
    help = base.Command.help + " (carrying on through database outages)"

    def handle(self, **options) -> None:
        base.Worker = OutageProofWorker  # the worker the base command builds, in this process
        super().handle(**options)
