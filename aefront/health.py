"""`GET /healthz`: whether this app server can serve, for a load balancer or a monitor.

It checks the database (one `SELECT 1`) and the file storage (MEDIA_ROOT is a folder the
process may write to) and answers 200 with `{"database": "ok", "storage": "ok"}`, or 503
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
