"""Issuing, finding and revoking personal access tokens (the page and the command call
these). A token is `aef_` and 40 random URL-safe characters; the database keeps its
SHA-256 digest, which is enough for a secret of 240 random bits (no salt or slow hash
needed: nothing to guess)."""

from __future__ import annotations

import hashlib
import secrets
from functools import cache

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from aefront import rows
from aefront.api.models import AccessToken
from aefront.errors import UserError
from interviews import access

PREFIX = "aef_"
MAX_LIVE_TOKENS = 20


def digest_of(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@transaction.atomic
def issue_token(*, user, name: str, scope: str) -> tuple[AccessToken, str]:
    """A new token for `user`; returns the row and the secret, which is never shown again."""
    name = " ".join(str(name).split())
    if not name:
        raise UserError("name: say what the token is for.")
    if scope not in AccessToken.Scope.values:
        raise UserError("scope: choose read or write.")
    live = AccessToken.objects.filter(user=user, revoked_at__isnull=True).count()
    if live >= MAX_LIVE_TOKENS:
        raise UserError(f"You have {live} tokens: revoke one before making another.")
    raw = PREFIX + secrets.token_urlsafe(30)
    token = AccessToken(user=user, name=name, scope=scope, prefix=raw[:10], digest=digest_of(raw))
    token.full_clean()
    token.save()
    return token, raw


def find_token(raw: str, project_slug: str | None = None) -> AccessToken | None:
    """The live token with this secret, with its user (one statement), or None.

    With `project_slug` (a project's endpoint) the same statement reads the user's
    membership of that project (interviews/access.py's `membership_join`), kept on the
    token as `read_membership` for the permission check."""
    if not raw.startswith(PREFIX) or len(raw) > 100:
        return None
    with connection.cursor() as cursor:
        if project_slug is None:
            cursor.execute(_token_sql(False), [digest_of(raw)])
        else:
            cursor.execute(_token_sql(True), [project_slug, digest_of(raw)])
        row = cursor.fetchone()
    if row is None:
        return None
    token, at = rows.instance(AccessToken, row, 0)
    user, at = rows.instance(get_user_model(), row, at)
    token._state.fields_cache["user"] = user
    if token.expires_at and token.expires_at <= timezone.now():
        return None
    if project_slug is not None:
        token.read_membership = access.ReadMembership(
            slug=project_slug, user_id=user.pk, access=access.access_from_row(user, row, at)
        )
    return token


@cache
def _token_sql(with_membership: bool) -> str:
    """Every request with a token runs it: a constant, not a query compiled each time."""
    q, user = connection.ops.quote_name, get_user_model()
    columns = rows.select_list(AccessToken, "t") + ", " + rows.select_list(user, "u")
    join = ""
    if with_membership:
        membership_columns, join = access.membership_join(f"u.{q('id')}")
        columns += ", " + membership_columns
        join = " " + join
    return (
        f"SELECT {columns} FROM {q(AccessToken._meta.db_table)} t "
        f"JOIN {q(user._meta.db_table)} u ON u.{q('id')} = t.{q('user_id')}{join} "
        f"WHERE t.{q('digest')} = %s AND t.{q('revoked_at')} IS NULL"
    )


def revoke_token(*, user, token_id: int) -> AccessToken:
    token = AccessToken.objects.filter(user=user, pk=token_id, revoked_at__isnull=True).first()
    if token is None:
        raise UserError("No such token.", status=404)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    return token
