"""`Authorization: Bearer aef_…`: a personal access token (aefront/api/tokens.py).

A missing header leaves the request to the next authenticator (the session, which
enforces CSRF); a header with a bad, revoked or expired token is refused outright, so
a script never falls back to someone's browser session.
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from aefront.api.tokens import find_token
from aefront.audit import record_actor

KEYWORDS = ("bearer", "token")


class AccessTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode("latin-1").lower() not in KEYWORDS:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Send one token: Authorization: Bearer <token>.")
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("That token is not valid.") from None
        # A project's endpoint: its membership is read with the token, in one statement.
        kwargs = (getattr(request, "parser_context", None) or {}).get("kwargs") or {}
        token = find_token(raw, kwargs.get("project_slug"))
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed("That token is not valid, or was revoked.")
        record_actor(token.user)
        return token.user, token

    def authenticate_header(self, request) -> str:
        # Makes unauthenticated requests 401 (with this challenge), not 403.
        return 'Bearer realm="api"'


class AccessTokenScheme(OpenApiAuthenticationExtension):
    """How the schema describes the token (drf-spectacular finds it by class path)."""

    target_class = "aefront.api.authentication.AccessTokenAuthentication"
    name = "personalAccessToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "aef_… from /api/tokens/"}
