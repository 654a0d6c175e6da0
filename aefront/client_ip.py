"""The client's address: REMOTE_ADDR, or X-Forwarded-For only behind trusted proxies.

Behind a reverse proxy every request comes from the proxy's address, so a lockout by
address would lock everyone out together. With TRUSTED_PROXY_COUNT=n (the proxies in
front of the app, each appending the address it received from), the client is the
n-th address from the right of X-Forwarded-For: the entries left of it are whatever
the client sent and are never believed. Without the setting the header is ignored.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def valid_ip(text: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((text or "").strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    remote = valid_ip(request.META.get("REMOTE_ADDR"))
    proxies = settings.AEFRONT_TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if len(hops) < proxies:
        return remote  # not through all our proxies: the header is not theirs
    return valid_ip(hops[-proxies]) or remote
