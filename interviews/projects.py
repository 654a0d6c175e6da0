"""Writes on projects and their memberships: create a project, add, change and remove
members. Keyword-only, atomic, validated; the last admin of a project cannot go."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from aefront import one_statement
from aefront.errors import UserError
from aefront.one_statement import SENTINEL_PK
from interviews.models import Membership, Project

Role = Membership.Role


def create_project(*, user, name: str, slug: str, description: str = "") -> Project:
    """A new project, with its creator as the project admin (a superuser's write).

    Both rows in one statement on PostgreSQL (aefront/one_statement.py), or two INSERTs
    in one transaction: the slug's uniqueness is the database's (a taken slug writes
    nothing and is reported on the field), not a query first.
    """
    if not user.is_superuser:
        raise UserError("Only a site administrator can create projects.", status=403)
    project = Project(name=" ".join(str(name).split()), slug=slug, description=description)
    project.full_clean(validate_unique=False)
    if one_statement.available():
        if not _insert_project(project, user):
            raise ValidationError({"slug": "Another project uses this slug."})
        return project
    try:
        with transaction.atomic():
            project.save(force_insert=True)
            Membership.objects.create(user=user, project=project, role=Role.ADMIN)
    except IntegrityError:
        raise ValidationError({"slug": "Another project uses this slug."}) from None
    return project


def _insert_project(project: Project, user) -> bool:
    """The project and its admin's membership in one statement; False (nothing written)
    when the slug is taken."""
    membership = Membership(user=user, project_id=SENTINEL_PK, role=Role.ADMIN)
    one_statement.prepare(membership)
    admin = one_statement.insert(membership, refs={"project_id": "p.id"}, source="p")
    return one_statement.insert_new(project, "p", more=[("m", admin)], own_keys=("project",))


@transaction.atomic
def update_project(*, project: Project, changes: dict) -> Project:
    allowed = {
        "name",
        "description",
        "report_title",
        "enablers_can_propose_themes",
        "multi_turn_quotes",
    }
    for field, value in changes.items():
        if field not in allowed:
            raise ValidationError({field: "This field cannot be changed here."})
        setattr(project, field, value)
    project.full_clean()
    project.save()
    return project


@transaction.atomic
def add_member(*, project: Project, username: str, role: str) -> Membership:
    if role not in Role.values:
        raise ValidationError({"role": f"Choose one of {', '.join(Role.values)}."})
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise ValidationError({"username": "No active user has this username."})
    membership = Membership(user=user, project=project, role=role)
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError:
        raise ValidationError({"username": "This user is already a member."}) from None
    return membership


def _other_admins(membership: Membership) -> bool:
    return (
        Membership.objects.filter(project_id=membership.project_id, role=Role.ADMIN)
        .exclude(pk=membership.pk)
        .exists()
    )


@transaction.atomic
def change_role(*, membership: Membership, role: str) -> Membership:
    if role not in Role.values:
        raise ValidationError({"role": f"Choose one of {', '.join(Role.values)}."})
    if membership.role == Role.ADMIN and role != Role.ADMIN and not _other_admins(membership):
        raise ValidationError({"role": "A project needs at least one admin."})
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def remove_member(*, membership: Membership) -> None:
    if membership.role == Role.ADMIN and not _other_admins(membership):
        raise UserError("A project needs at least one admin: add another before leaving.")
    membership.delete()
