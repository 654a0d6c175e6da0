"""aefront/one_statement.py through its callers: a new theme with its audit entry, and a
new project with its admin's membership, each written in one statement on PostgreSQL
as the ORM and django-auditlog would write them."""

from __future__ import annotations

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from coding.models import Theme
from coding.taxonomy import create_theme
from interviews.models import Membership, Project
from interviews.projects import create_project

# transaction=True: autocommit, as in a request (inside a transaction it adds a savepoint)
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

OWN_FIELDS = {"id", "uuid", "name", "slug", "colour", "created_at"}


def entry_of(theme: Theme) -> dict:
    """The theme's audit entry, with what differs from one theme to the next left out."""
    entry = LogEntry.objects.get_for_object(theme).get()
    assert (entry.object_pk, entry.object_id) == (str(theme.pk), theme.pk)
    assert entry.changes["id"] == [None, theme.pk]
    assert entry.additional_data == {"project": theme.project_id, "theme": theme.pk}
    assert entry.changes["name"] == [None, theme.name]
    assert entry.changes["uuid"] == [None, str(theme.uuid)]
    assert entry.changes["created_at"][1].startswith(str(theme.created_at)[:26])
    assert entry.object_repr == theme.name
    return {
        "content_type": entry.content_type_id,
        "action": entry.action,
        "actor": entry.actor_id,
        "remote_addr": entry.remote_addr,
        "changes": {k: v for k, v in entry.changes.items() if k not in OWN_FIELDS},
        "changed": sorted(entry.changes),
    }


def test_a_theme_is_one_statement_with_the_entry_the_orm_writes(project_a, project_admin):
    with set_actor(project_admin, remote_addr="10.0.0.7"):
        by_orm = Theme(project=project_a, name="Blame culture", description="d")
        by_orm.save()
        with CaptureQueriesContext(connection) as queries:
            at_once = create_theme(project=project_a, name="Tailored  support", description="d")
    writes = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith("SELECT")]
    assert len(writes) == 1 and writes[0].startswith("WITH ")
    assert len(queries.captured_queries) == 2  # the slugs and colours, then the write
    stored = Theme.objects.get(pk=at_once.pk)
    assert (stored.name, stored.slug, stored.description) == (
        "Tailored support",
        "tailored-support",
        "d",
    )
    assert stored.colour == at_once.colour != by_orm.colour  # the palette's next colour
    assert not at_once._state.adding
    assert entry_of(at_once) == entry_of(by_orm)
    assert entry_of(at_once)["actor"] == project_admin.pk


def test_a_taken_theme_name_writes_nothing(project_a, theme):
    before = (Theme.objects.count(), LogEntry.objects.count())
    with pytest.raises(ValidationError) as refused:
        create_theme(project=project_a, name=theme.name.upper())
    assert "already has" in str(refused.value.message_dict["name"])
    assert (Theme.objects.count(), LogEntry.objects.count()) == before


def test_a_theme_inside_a_transaction_takes_a_savepoint(project_a, theme):
    with transaction.atomic():
        with pytest.raises(ValidationError):
            create_theme(project=project_a, name=theme.name)
        made = create_theme(project=project_a, name="Second theme")  # the transaction goes on
    assert Theme.objects.filter(pk=made.pk).exists()
    assert LogEntry.objects.get_for_object(made).count() == 1


def test_a_project_and_its_admin_are_one_statement(make_user):
    root = make_user("root", is_superuser=True, is_staff=True)
    with CaptureQueriesContext(connection) as queries:
        project = create_project(user=root, name="Winter  study", slug="winter")
    assert [q["sql"][:5] for q in queries.captured_queries] == ["WITH "]
    stored = Project.objects.get(pk=project.pk)
    assert (stored.name, stored.slug) == ("Winter study", "winter")
    assert stored.created_at == project.created_at
    member = Membership.objects.get(project=project)
    assert (member.user, member.role) == (root, Membership.Role.ADMIN)
    assert member.created_at is not None


def test_a_taken_project_slug_writes_nothing(make_user, project_a):
    root = make_user("root", is_superuser=True, is_staff=True)
    before = (Project.objects.count(), Membership.objects.count())
    with pytest.raises(ValidationError) as refused:
        create_project(user=root, name="Another", slug=project_a.slug)
    assert "slug" in refused.value.message_dict
    assert (Project.objects.count(), Membership.objects.count()) == before
