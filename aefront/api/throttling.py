"""Rate limit per token (or per signed-in user): a fixed one-minute window in the cache.

One counter per token and minute (an `add` and an `incr`), instead of DRF's list of
timestamps, so a request costs the same at any rate. The default cache is per server
process: each gunicorn worker counts on its own (configure a shared CACHES to count
across workers).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

from aefront.api.models import AccessToken

WINDOW = 60


class PerTokenThrottle(BaseThrottle):
    def allow_request(self, request, view) -> bool:
        if isinstance(request.auth, AccessToken):
            who = f"token:{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            who = f"user:{request.user.pk}"
        else:
            who = f"ip:{self.get_ident(request)}"
        window = int(time.time() // WINDOW)
        key = f"api-rate:{who}:{window}"
        self.left = WINDOW - time.time() % WINDOW
        if cache.add(key, 1, timeout=WINDOW + 5):
            return True
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=WINDOW + 5)
            return True
        return count <= settings.AEFRONT_API_RATE_PER_MINUTE

    def wait(self) -> float:
        return self.left
