"""Who made each change: the audit trail's actor and address for django-auditlog.

django-auditlog's own middleware trusts the first X-Forwarded-For entry, which any
client can write. This one takes the address from `client_ip` (the header only behind
TRUSTED_PROXY_COUNT proxies), like the login throttle.
"""

from __future__ import annotations

from auditlog.middleware import AuditlogMiddleware

from aefront.client_ip import client_ip


class AuditActorMiddleware(AuditlogMiddleware):
    @staticmethod
    def _get_remote_addr(request):
        return client_ip(request)

    @staticmethod
    def _get_remote_port(request):
        return None
