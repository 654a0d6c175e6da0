"""Login throttling on top of django-axes: a lockout nobody can impose on someone else.

Axes locks a username from one address after AXES_FAILURE_LIMIT failures, so an
attacker elsewhere cannot lock a colleague out. Against one address trying many
usernames (spraying), this handler adds a higher bound: past
AEFRONT_LOGIN_FAILURES_PER_IP failures from an address within an hour, that address
may not log in at all until the hour has passed. Failures are read from axes'
AccessFailureLog (AXES_ENABLE_ACCESS_FAILURE_LOG), which keeps one row per failure.
"""

from __future__ import annotations

from datetime import timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessFailureLog
from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from aefront.client_ip import client_ip

WINDOW = timedelta(hours=1)


def failures_from(ip: str | None) -> int:
    if ip is None:
        return 0
    since = timezone.now() - WINDOW
    return AccessFailureLog.objects.filter(ip_address=ip, attempt_time__gte=since).count()


def address_is_spraying(request: HttpRequest) -> bool:
    ip = getattr(request, "axes_ip_address", None) or client_ip(request)
    spraying = failures_from(ip) >= settings.AEFRONT_LOGIN_FAILURES_PER_IP
    if spraying:
        request.aefront_address_locked = True  # the lockout page says why
    return spraying


class LoginThrottleHandler(AxesDatabaseHandler):
    def is_locked(self, request, credentials=None) -> bool:
        return super().is_locked(request, credentials) or address_is_spraying(request)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is not None and address_is_spraying(request):
            request.axes_locked_out = True
