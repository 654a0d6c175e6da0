"""New rows and their audit entries written in one SQL statement, on PostgreSQL.

A write through the ORM in a transaction costs a round trip to the database for BEGIN,
one per INSERT (and one per django-auditlog entry its post_save receiver adds) and one
for COMMIT. On PostgreSQL the INSERTs can be data-modifying parts of one WITH statement
instead, which outside a transaction is its own (autocommit: one round trip in all).
`coding/quote_insert.py` writes a quote so, `coding/taxonomy.py` a theme and
`interviews/projects.py` a project with its first member (issue 19).

The pieces here build such a statement from model instances:

- `insert(obj, ...)`: one row's INSERT, every column and its value as Django would save
  them (`prepare` runs the fields' pre_save first: uuids, auto_now times), each value
  cast to its column's type; `refs` put SQL (another part's id) in place of a value;
- `audit(obj, source, own_keys)`: the entry django-auditlog's post_save receiver would
  write for `obj` once it has the id of `source`'s row: its diff, its actor and address
  from the request's context, its correlation id; the id, known only to the database,
  is put in by the statement;
- `insert_new(obj, name, more)`: all of these for one new row and the rows that refer to it;
- `run(parts, final)`: the WITH statement, in a savepoint when the caller is inside a
  transaction (a failure leaves the caller's transaction as an atomic block would);
- `saved(obj, pk)`: the instance as after `obj.save()`.

SQLite has no data-modifying WITH: there `available()` is False and the callers save
through the ORM.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from auditlog.cid import get_cid
from auditlog.context import auditlog_disabled
from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Field, Model
from django.db.models.signals import pre_save
from django.utils.encoding import smart_str

from aefront.rows import table

SENTINEL_PK = 0  # a new row's id in what Python builds before the database gives it


def available() -> bool:
    return connection.vendor == "postgresql"


def prepare(obj: Model) -> None:
    """The values `save()` would set on a new row (uuids, auto_now times)."""
    for field in type(obj)._meta.concrete_fields:
        field.pre_save(obj, add=True)


def insert(
    obj: Model,
    *,
    refs: dict[str, str] | None = None,
    source: str = "",
    skip_taken: bool = False,
    returning: str = "",
) -> tuple[str, list]:
    """`obj`'s INSERT and its parameters: VALUES, or SELECT ... FROM `source` when its
    values refer to another part (`refs`: attname -> SQL). `skip_taken`: ON CONFLICT DO
    NOTHING, so that a row a unique constraint refuses writes nothing."""
    columns, values, params = _columns(
        obj, {name: (sql, []) for name, sql in (refs or {}).items()}
    )
    sql = f"INSERT INTO {table(type(obj))} ({columns}) "
    sql += f"SELECT {values} FROM {source}" if source else f"VALUES ({values})"
    if skip_taken:
        sql += " ON CONFLICT DO NOTHING"
    if returning:
        sql += f" RETURNING {returning}"
    return sql, params


def audit(obj: Model, source: str, own_keys: Sequence[str] = ()) -> tuple[str, list] | None:
    """The INSERT of the audit entry for new `obj` whose id is `source`'s column `id`;
    `own_keys` are the keys of its additional data that hold its own id. None when the
    trail is off for it (as auditlog's receiver checks)."""
    model = type(obj)
    if auditlog_disabled.get() or not auditlog.contains(model):
        return None
    obj.pk = SENTINEL_PK
    try:
        changes = model_instance_diff(None, obj, use_json_for_changes=True)
        additional = obj.get_additional_data() if hasattr(obj, "get_additional_data") else None
        text = smart_str(obj)
    finally:
        obj.pk = None
    entry = LogEntry(
        content_type=ContentType.objects.get_for_model(model),
        object_pk=str(SENTINEL_PK),
        object_id=SENTINEL_PK,
        object_repr=text,
        action=LogEntry.Action.CREATE,
        changes=changes,
        additional_data=additional,
        cid=get_cid(),
    )
    # The request's actor and address, as auditlog's context sets them on every entry.
    pre_save.send(sender=LogEntry, instance=entry, raw=False, using=connection.alias)
    prepare(entry)
    own = ", ".join(f"'{key}', {source}.id" for key in own_keys if key in (additional or {}))
    additional_sql = "CAST(%s AS jsonb)" + (f" || jsonb_build_object({own})" if own else "")
    changes_sql = (
        f"CAST(%s AS jsonb) || jsonb_build_object('id', jsonb_build_array(NULL, {source}.id))"
    )
    columns, values, params = _columns(
        entry,
        {
            "object_pk": (f"CAST({source}.id AS varchar)", []),
            "object_id": (f"{source}.id", []),
            "changes": (changes_sql, [_value(entry, "changes")]),
            "additional_data": (additional_sql, [_value(entry, "additional_data")]),
        },
    )
    return f"INSERT INTO {table(LogEntry)} ({columns}) SELECT {values} FROM {source}", params


def insert_new(
    obj: Model, name: str, *, more: Sequence[tuple[str, tuple[str, list]]] = (), own_keys=()
) -> bool:
    """Write new `obj` (part `name`), the parts in `more` that take its id from `name`,
    and its audit entry; False (nothing written) when a unique constraint refuses `obj`.
    On True `obj` has its id and is saved, as after `obj.save()`."""
    prepare(obj)
    parts = [(name, insert(obj, skip_taken=True, returning="id")), *more]
    entry = audit(obj, name, own_keys)
    if entry is not None:
        parts.append((f"{name}_audit", entry))
    row = run(parts, f"SELECT id FROM {name}")
    if row is None:
        return False
    saved(obj, row[0])
    return True


def run(parts: Sequence[tuple[str, tuple[str, list]]], final: str):
    """WITH name AS (sql), ... `final`: its first row, or None."""
    sql = "WITH " + ", ".join(f"{name} AS ({part})" for name, (part, _) in parts) + " " + final
    params = [value for _, (_, values) in parts for value in values]
    if connection.in_atomic_block:
        with transaction.atomic():
            return _fetch(sql, params)
    return _fetch(sql, params)


def saved(obj: Model, pk: int) -> None:
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = connection.alias


def _fetch(sql: str, params: list):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def _columns(obj: Model, overrides: dict[str, tuple[str, list]]) -> tuple[str, str, list]:
    """The column list, the values (each cast to its column's type, or the override's
    SQL) and their parameters of `obj`'s INSERT; the primary key is the database's."""
    columns, values, params = [], [], []
    for field, column, cast in _fields(type(obj)):
        columns.append(column)
        if field.attname in overrides:
            sql, more = overrides[field.attname]
            values.append(sql)
            params += more
        else:
            values.append(cast)
            params.append(field.get_db_prep_save(getattr(obj, field.attname), connection))
    return ", ".join(columns), ", ".join(values), params


@cache
def _fields(model: type[Model]) -> tuple[tuple[Field, str, str], ...]:
    """Each field but the primary key, its quoted column and its parameter's CAST: the
    column's type, but varchar without its length (a cast would cut a longer value
    short where the INSERT refuses it)."""
    found = []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        db_type = field.db_type(connection)
        db_type = "varchar" if db_type.startswith("varchar(") else db_type
        found.append((field, connection.ops.quote_name(field.column), f"CAST(%s AS {db_type})"))
    return tuple(found)


def _value(obj: Model, attname: str):
    field = next(f for f, _, _ in _fields(type(obj)) if f.attname == attname)
    return field.get_db_prep_save(getattr(obj, attname), connection)
