"""`GET /healthz`: whether this app server can serve, for a load balancer or a monitor.

It checks the database (one `SELECT 1`), the file storage (MEDIA_ROOT is a folder the
process may write to; with an object store, that the bucket answers) and the task queue
(django-tasks' table: a job ready to run for longer than QUEUE_STALL_SECONDS means no
worker is taking jobs). The answer is JSON naming each part, e.g.
`{"status": "ok", "database": "ok", "storage": "ok", "queue": "ok"}`.

- 503 when the database or the storage fails: this server cannot serve, and a load
  balancer should send its requests elsewhere.
- 200 with `"status": "degraded"` when only the queue stalls: pages and coding still
  work, but exports and imports on the queue wait. A monitor alerts on `status`.

It needs no login and shows no data, so it may be probed often.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return "unavailable"
    return "ok"


def storage_state() -> str:
    if settings.STORAGES["default"]["BACKEND"] != "django.core.files.storage.FileSystemStorage":
        from django.core.files.storage import default_storage

        try:
            default_storage.exists("healthz")  # one HEAD request to the bucket
        except Exception:  # noqa: BLE001 (any failure of the store's client: not reachable)
            return "unavailable"
        return "ok"
    media = Path(settings.MEDIA_ROOT)
    if not media.is_dir():
        return "missing"
    return "ok" if os.access(media, os.W_OK | os.X_OK) else "read-only"


def queue_backlog() -> tuple[int, float]:
    """How many tasks are ready to run and not yet taken, and how long the oldest has
    waited (s); DatabaseError when the queue cannot be read. /metrics reads it too."""
    from django.db.models import Count, Min
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.ready().aggregate(count=Count("id"), oldest=Min("enqueued_at"))
    if not waiting["count"]:
        return 0, 0.0
    return waiting["count"], max((timezone.now() - waiting["oldest"]).total_seconds(), 0.0)


def queue_state() -> str:
    """ "ok", "stalled: N jobs waiting, the oldest for S s", or "unavailable"."""
    try:
        count, age = queue_backlog()
    except DatabaseError:
        return "unavailable"
    if not count or age <= settings.AEFRONT_QUEUE_STALL_SECONDS:
        return "ok"
    return f"stalled: {count} job(s) waiting, the oldest for {age:.0f} s"


@login_not_required
@never_cache
@require_GET
def healthz(request):
    states = {"database": database_state(), "storage": storage_state()}
    serving = all(state == "ok" for state in states.values())
    states["queue"] = queue_state() if states["database"] == "ok" else "unavailable"
    if not serving:
        status = "unavailable"
    else:
        status = "ok" if states["queue"] == "ok" else "degraded"
    return JsonResponse({"status": status, **states}, status=200 if serving else 503)
