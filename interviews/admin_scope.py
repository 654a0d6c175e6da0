"""Django admin limited to a project admin's own projects.

A superuser sees everything. A staff user who is a project admin (Membership role
admin) sees, edits and picks in foreign-key menus only the objects of the projects
they administer, without needing Django model permissions. Everyone else sees
nothing. Objects outside the scope are absent from querysets, so their change URL
answers like a missing object; so does "view on site" (`view_on_site`, the admin's
/admin/r/<content type>/<id>/), which would otherwise send any staff user on to another
project's pages and so tell them the project's slug and its transcripts' ids.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import DataError, models
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse

from interviews import access
from interviews.models import Project

_CACHE_ATTRIBUTE = "_aefront_admin_project_ids"


def scoped_project_ids(request: HttpRequest) -> list[int] | None:
    """Ids of the projects this request's user administers; None means all (superuser).

    Cached on the request: the admin asks for permissions many times per page.
    """
    cached = getattr(request, _CACHE_ATTRIBUTE, False)
    if cached is not False:
        return cached
    user = request.user
    if not (user.is_authenticated and user.is_active and user.is_staff):
        ids: list[int] | None = []
    else:
        rows = access.admin_project_ids(user)
        ids = None if rows is None else sorted({row["project_id"] for row in rows})
    setattr(request, _CACHE_ATTRIBUTE, ids)
    return ids


def is_project_admin(request: HttpRequest) -> bool:
    ids = scoped_project_ids(request)
    return ids is None or bool(ids)


def _project_filter(path: str, ids: list[int]) -> Q:
    lookup = "pk__in" if path == "" else f"{path}__in"
    return Q(**{lookup: ids})


# For each model a foreign key may point at: the path from it to its project.
PROJECT_PATHS: dict[str, str] = {
    "interviews.project": "",
    "interviews.membership": "project",
    "interviews.localsystem": "project",
    "interviews.participant": "project",
    "interviews.transcript": "project",
    "interviews.speakerturn": "transcript__project",
    "coding.theme": "project",
    "coding.quote": "transcript__project",
    "coding.themesummary": "project",
    "coding.redactionterm": "project",
}


def scope_queryset(queryset: QuerySet, request: HttpRequest) -> QuerySet:
    """Limit any queryset of a project-owned model (or of users) to the admin's scope."""
    ids = scoped_project_ids(request)
    if ids is None:
        return queryset
    model = queryset.model
    if model is get_user_model():
        # Users are offered only if they already belong to one of the admin's projects,
        # plus the admin themself.
        return queryset.filter(
            Q(memberships__project_id__in=ids) | Q(pk=request.user.pk)
        ).distinct()
    path = PROJECT_PATHS.get(model._meta.label_lower)
    if path is None:
        return queryset.none()
    return queryset.filter(_project_filter(path, ids))


def scope_formfield(model_admin: Any, db_field: Any, formfield: Any, request: HttpRequest) -> Any:
    """Limit a foreign-key or many-to-many menu to the admin's projects.

    Fields named in the admin's `any_user_fields` offer every active user instead:
    adding a member means choosing someone who is not in the project yet.
    """
    if formfield is None or not hasattr(formfield, "queryset"):
        return formfield
    if db_field.name in getattr(model_admin, "any_user_fields", ()):
        formfield.queryset = get_user_model().objects.filter(is_active=True).order_by("username")
    else:
        formfield.queryset = scope_queryset(formfield.queryset, request)
    return formfield


class ProjectFixedForm(forms.ModelForm):
    """A form for an object whose project is shown read-only.

    Django skips a constraint when one of its fields is not in the form, so
    "unique within the project" would go unchecked (and end in an IntegrityError).
    Check the model's constraints again with the instance's project included.

    `same_project_fields` maps each related field (a foreign key or many-to-many) to
    the message shown when a chosen object belongs to another project.
    """

    same_project_fields: dict[str, str] = {}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        project = cleaned.get("project") or (
            self.instance.project if self.instance.project_id else None
        )
        if project is None:
            return cleaned
        for name, message in self.same_project_fields.items():
            chosen = cleaned.get(name)
            objects = chosen if isinstance(chosen, Iterable) else [chosen] if chosen else []
            if any(item.project_id != project.pk for item in objects):
                self.add_error(name, message)
        return cleaned

    def validate_unique(self) -> None:
        super().validate_unique()
        if "project" in self.fields or not getattr(self.instance, "project_id", None):
            return
        exclude = {
            field.name
            for field in self.instance._meta.fields
            if field.name != "project"
            and (field.name not in self.fields or field.name in self.errors)
        }
        try:
            self.instance.validate_constraints(exclude=exclude)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                self.add_error(name if name in self.fields else None, messages)


class ProjectScopedAdmin(admin.ModelAdmin):
    """ModelAdmin whose rows, permissions and menus stop at the admin's projects.

    `project_path` is the lookup from the model to its Project ("" for Project).
    `superuser_only_add_delete` keeps creating and deleting to superusers.
    """

    project_path = "project"
    superuser_only_add_delete = False
    any_user_fields: tuple[str, ...] = ()

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        ids = scoped_project_ids(request)
        if ids is None:
            return queryset
        return queryset.filter(_project_filter(self.project_path, ids))

    def _in_scope(self, request: HttpRequest, obj: models.Model | None) -> bool:
        ids = scoped_project_ids(request)
        if ids is None:
            return True
        if not ids:
            return False
        if obj is None:
            return True
        return self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_project_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._in_scope(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._in_scope(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        if self.superuser_only_add_delete:
            return scoped_project_ids(request) is None
        return self._in_scope(request, None)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if self.superuser_only_add_delete:
            return scoped_project_ids(request) is None
        return self._in_scope(request, obj)

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs: Any):
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        return scope_formfield(self, db_field, formfield, request)

    def formfield_for_manytomany(self, db_field, request: HttpRequest, **kwargs: Any):
        formfield = super().formfield_for_manytomany(db_field, request, **kwargs)
        return scope_formfield(self, db_field, formfield, request)


class ProjectFixedAdmin(ProjectScopedAdmin):
    """The project is chosen when the object is created and never changes after."""

    form = ProjectFixedForm

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        readonly = list(super().get_readonly_fields(request, obj))
        return [*readonly, "project"] if obj is not None else readonly


class ProjectScopedInline(admin.TabularInline):
    """An inline whose permissions and menus follow its parent's project scope."""

    any_user_fields: tuple[str, ...] = ()

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_project_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_project_admin(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_project_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_project_admin(request)

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs: Any):
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        return scope_formfield(self, db_field, formfield, request)


def count_of(related: QuerySet, field: str) -> Coalesce:
    """A correlated COUNT of `related` rows whose `field` is the outer row.

    Subqueries rather than joins: three counted relations joined together would
    multiply their rows.
    """
    counted = (
        related.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def project_choices(request: HttpRequest) -> QuerySet[Project]:
    return scope_queryset(Project.objects.all(), request)


def view_on_site(request: HttpRequest, content_type_id: int, object_id: str) -> HttpResponse:
    """The admin's "view on site" redirect, for objects in the admin's scope only (else 404)."""
    from django.contrib.contenttypes.models import ContentType
    from django.contrib.contenttypes.views import shortcut

    try:
        model = ContentType.objects.get_for_id(content_type_id).model_class()
    except ContentType.DoesNotExist:
        raise Http404("No such object.") from None
    if model is None:
        raise Http404("No such object.")
    try:
        in_scope = scope_queryset(model._default_manager.all(), request).filter(pk=object_id)
        found = in_scope.exists()
    except (ValueError, TypeError, OverflowError, ValidationError, DataError):
        found = False  # an id no row can have
    if not found:
        raise Http404("No such object.")
    return shortcut(request, content_type_id, object_id)
