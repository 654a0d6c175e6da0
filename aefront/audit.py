"""Who made each change: the audit trail's actor and address for django-auditlog.

django-auditlog's own middleware trusts the first X-Forwarded-For entry, which any
client can write. This one takes the address from `client_ip` (the header only behind
TRUSTED_PROXY_COUNT proxies), like the login throttle.
"""

from __future__ import annotations

from auditlog.context import auditlog_value
from auditlog.middleware import AuditlogMiddleware

from aefront.client_ip import client_ip


class AuditActorMiddleware(AuditlogMiddleware):
    @staticmethod
    def _get_remote_addr(request):
        return client_ip(request)

    @staticmethod
    def _get_remote_port(request):
        return None


def record_actor(user) -> None:
    """Make `user` the actor of this request's audit entries.

    The middleware takes the actor from the session before the view runs; a request
    signed with an access token has its user only once the API has authenticated it, so
    the authenticator names it here. Outside a request (no audit context) nothing
    changes."""
    context = auditlog_value.get(None)
    if context is not None:
        context["actor"] = user
