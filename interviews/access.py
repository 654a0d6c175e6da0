"""The one place that answers "may this user see or change this object?".

Every view loads projects, transcripts, quotes and themes through these helpers.
Anything outside the user's projects answers 404, so that its existence is not
disclosed; a member whose role may not do something gets 403.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from interviews.models import Membership, Project, Transcript

Role = Membership.Role
CODING_ROLES = frozenset({Role.ENABLER, Role.ADMIN})
AUTHORING_ROLES = frozenset({Role.AUTHOR, Role.ADMIN})
IMPORT_ROLES = frozenset({Role.ENABLER, Role.ADMIN})
ALL_ROLES = frozenset(Role)

UserLike = AbstractBaseUser | AnonymousUser


@dataclass(frozen=True)
class ProjectAccess:
    """A project as seen by one member: the project and the member's role."""

    project: Project
    role: str

    @property
    def can_code(self) -> bool:
        return self.role in CODING_ROLES

    @property
    def can_author(self) -> bool:
        return self.role in AUTHORING_ROLES

    @property
    def can_import(self) -> bool:
        return self.role in IMPORT_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    def require(self, roles: frozenset[str]) -> None:
        if self.role not in roles:
            raise PermissionDenied("Your role in this project does not allow this.")


def projects_for(user: UserLike) -> QuerySet[Project]:
    """The projects this user is a member of."""
    if not user.is_authenticated or not user.is_active:
        return Project.objects.none()
    return Project.objects.filter(memberships__user=user)


def get_project_access(
    user: UserLike, project_slug: str, roles: frozenset[str] = ALL_ROLES
) -> ProjectAccess:
    """The project with this slug if the user is a member (404 otherwise).

    Raises PermissionDenied (403) if the member's role is not in `roles`.
    """
    if not user.is_authenticated or not user.is_active:
        raise Http404("No such project.")
    membership = (
        Membership.objects.select_related("project")
        .filter(user=user, project__slug=project_slug)
        .first()
    )
    if membership is None:
        raise Http404("No such project.")
    access = ProjectAccess(project=membership.project, role=membership.role)
    access.require(roles)
    return access


def transcripts_for(access: ProjectAccess) -> QuerySet[Transcript]:
    return Transcript.objects.filter(project=access.project)


def get_transcript(access: ProjectAccess, transcript_id: int) -> Transcript:
    """A transcript of the accessed project (404 for any other id)."""
    transcript = (
        transcripts_for(access)
        .select_related("project", "local_system", "enabler")
        .filter(pk=transcript_id)
        .first()
    )
    if transcript is None:
        raise Http404("No such transcript.")
    return transcript


def get_quote(access: ProjectAccess, quote_id: int, *, include_deleted: bool = False):
    """A live quote of the accessed project (404 for any other id).

    include_deleted=True also finds soft-deleted quotes (to undo a delete).
    """
    from coding.models import Quote

    manager = Quote.all_objects if include_deleted else Quote.objects
    quote = (
        manager.select_related("transcript", "coder")
        .filter(pk=quote_id, transcript__project=access.project)
        .first()
    )
    if quote is None:
        raise Http404("No such quote.")
    return quote


def get_theme(access: ProjectAccess, theme_id: int):
    """A theme of the accessed project's codebook (404 for any other id)."""
    from coding.models import Theme

    theme = Theme.objects.filter(pk=theme_id, project=access.project).first()
    if theme is None:
        raise Http404("No such theme.")
    return theme


def admin_project_ids(user: UserLike) -> QuerySet | None:
    """Projects whose objects this user may manage in Django admin (None: all)."""
    if user.is_superuser:
        return None
    return Membership.objects.filter(user=user, role=Role.ADMIN).values("project_id")
