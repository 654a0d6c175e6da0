"""Who may call an endpoint: membership and role through interviews/access.py only.

`ProjectMember` runs before every API view. Anonymous: 401. A project URL is loaded
with `access.get_project_access`, so a non-member gets 404 whatever the method; then
the view's roles for the method (403), then the token's scope (a read-only token may
only read: 403). The view gets the `ProjectAccess` as `self.access`.
"""

from __future__ import annotations

from rest_framework import exceptions, permissions

from aefront.api.models import AccessToken
from interviews import access


class ProjectMember(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        user = request.user
        if not user or not user.is_authenticated:
            raise exceptions.NotAuthenticated("Sign in, or send a personal access token.")
        slug = view.kwargs.get("project_slug")
        if slug is not None:
            read = getattr(request.auth, "read_membership", None)  # with the token
            view.access = access.get_project_access(user, slug, read=read)
            roles = roles_for(view, request.method)
            view.access.require(roles, getattr(view, "doing", "this"))
        if request.method not in permissions.SAFE_METHODS:
            token = request.auth
            if isinstance(token, AccessToken) and not token.can_write:
                raise exceptions.PermissionDenied("This token is read-only.")
        return True


def roles_for(view, method: str) -> frozenset[str]:
    """The roles a view allows for a method: `read_roles` for GET/HEAD/OPTIONS,
    `write_roles` for the rest (both default to every member)."""
    if method in permissions.SAFE_METHODS:
        return getattr(view, "read_roles", access.ALL_ROLES)
    return getattr(view, "write_roles", access.ALL_ROLES)
