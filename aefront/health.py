"""`GET /healthz`: whether this app server can serve, for a load balancer or a monitor.

It checks the database (one `SELECT 1`) and the file storage (MEDIA_ROOT is a folder the
process may write to; with an object store, that the bucket answers) and answers 200 with `{"database": "ok", "storage": "ok"}`, or 503
naming what failed. It needs no login and shows no data, so it may be probed often.
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


@login_not_required
@never_cache
@require_GET
def healthz(request):
    states = {"database": database_state(), "storage": storage_state()}
    healthy = all(state == "ok" for state in states.values())
    return JsonResponse(states, status=200 if healthy else 503)
