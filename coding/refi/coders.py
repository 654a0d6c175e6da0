"""Users as REFI-QDA `User`s: a stable GUID per account, and placeholders for the others.

An aefront user's GUID is a UUIDv5 of the username, so it is the same in every export
with no extra column. A coder from another tool becomes an inactive placeholder account
named `refi-<guid>` (no password, no membership), whose GUID is that GUID again, so a
re-export names the same person.
"""

from __future__ import annotations

import uuid

from django.contrib.auth import get_user_model

from coding.refi.qde import canonical, guid_key

USER_NAMESPACE = uuid.UUID("6b1f5d3e-9a43-4c2e-8f0c-2d7a4e9b1c55")
PLACEHOLDER_PREFIX = "refi-"


def user_guid(user) -> str:
    username = user.get_username()
    if username.startswith(PLACEHOLDER_PREFIX):
        key = guid_key(username[len(PLACEHOLDER_PREFIX) :])
        if key:
            return key
    return canonical(uuid.uuid5(USER_NAMESPACE, username))


def display_name(user) -> str:
    if user.get_username().startswith(PLACEHOLDER_PREFIX) and user.first_name:
        return user.first_name
    return user.get_username()


class Coders:
    """Resolves user GUIDs of one file to accounts, creating placeholders on demand."""

    def __init__(self, names: dict[str, str], fallback=None) -> None:
        self.names = names
        self.fallback = fallback
        self.created: list[str] = []
        self.matched: set[str] = set()
        self._cache: dict[str, object] = {}
        self._known: dict[str, object] | None = None

    def _accounts(self) -> dict[str, object]:
        if self._known is None:
            users = get_user_model().objects.all()
            self._known = {user_guid(user): user for user in users}
        return self._known

    def get(self, guid: str):
        """The account for a user GUID ('' for none: the fallback, or a placeholder)."""
        key = guid_key(guid) or "00000000-0000-0000-0000-000000000000"
        if not guid_key(guid) and self.fallback is not None:
            return self.fallback
        if key in self._cache:
            return self._cache[key]
        user = self._accounts().get(key)
        if user is not None:
            self.matched.add(user.get_username())
        else:
            name = self.names.get(key) or "unknown coder"
            user = get_user_model()(
                username=PLACEHOLDER_PREFIX + key.lower(),
                first_name=name[:150],
                is_active=False,
            )
            user.set_unusable_password()
            user.full_clean(exclude=["password"])
            user.save()
            self._known[key] = user
            self.created.append(name)
        self._cache[key] = user
        return user
