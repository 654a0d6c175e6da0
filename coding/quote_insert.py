"""A new quote, its codings and its audit entry in one statement, on PostgreSQL.

`code_passage` writes a quote as three INSERTs in a transaction: the quote, its codings
and the audit trail's entry (django-auditlog's post_save receiver). That is five round
trips to the database with BEGIN and COMMIT, and most of a quote POST's time on
PostgreSQL (issue 19). Here the three are data-modifying parts of one WITH statement:

- the quote's INSERT ... ON CONFLICT DO NOTHING RETURNING id: when the span or the key is
  taken (the unique constraints), nothing at all is written and `insert_quote` says so,
  and the caller takes its slower path (adding to the earlier quote);
- its codings and its audit entry are INSERT ... SELECT from that one row.

Outside a transaction the statement is its own (autocommit: no BEGIN, no COMMIT to
wait for); inside one it runs in a savepoint, as the ORM path's atomic block would.
The rows are the ORM's: every column and its value come from the model instances as
Django would save them, and the audit entry is built as django-auditlog builds it (its diff, its actor and address from the request's context), with the
quote's id, known only to the database, put in by the statement. SQLite has no
data-modifying WITH: there `available()` is False.
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
from coding.models import Quote, QuoteTheme, Theme

SENTINEL_PK = 0  # the quote's id in the Python-built audit entry, replaced in SQL


def available() -> bool:
    return connection.vendor == "postgresql"


def insert_quote(quote: Quote, themes: Sequence[Theme]) -> bool:
    """Write `quote` coded with `themes`; False (nothing written) when its span or its
    uuid is taken. On True `quote` has its id and is saved, as after `quote.save()`."""
    for field in Quote._meta.concrete_fields:
        field.pre_save(quote, add=True)  # uuid and the auto_now times, as save() sets them
    quote_columns, quote_values, params = _columns(quote, {})
    parts = [
        f"q AS (INSERT INTO {table(Quote)} ({quote_columns}) VALUES ({quote_values}) "
        "ON CONFLICT DO NOTHING RETURNING id)"
    ]
    coding = QuoteTheme(content_object_id=SENTINEL_PK, tag_id=SENTINEL_PK)
    for field in QuoteTheme._meta.concrete_fields:
        field.pre_save(coding, add=True)
    columns, values, coding_params = _columns(
        coding, {"content_object_id": ("q.id", []), "tag_id": ("t.tag", [])}
    )
    parts.append(
        f"c AS (INSERT INTO {table(QuoteTheme)} ({columns}) SELECT {values} "
        "FROM q CROSS JOIN UNNEST(%s::bigint[]) AS t(tag))"
    )
    params += coding_params + [list(dict.fromkeys(theme.pk for theme in themes))]
    entry = _audit_entry(quote)
    if entry is not None:
        columns, values, entry_params = _columns(
            entry,
            {
                "object_pk": ("CAST(q.id AS varchar)", []),
                "object_id": ("q.id", []),
                "changes": (
                    "CAST(%s AS jsonb) || jsonb_build_object('id', jsonb_build_array(NULL, q.id))",
                    [_db_value(entry, "changes")],
                ),
                "additional_data": (
                    "CAST(%s AS jsonb) || jsonb_build_object('quote', q.id)",
                    [_db_value(entry, "additional_data")],
                ),
            },
        )
        parts.append(f"a AS (INSERT INTO {table(LogEntry)} ({columns}) SELECT {values} FROM q)")
        params += entry_params
    sql = "WITH " + ", ".join(parts) + " SELECT id FROM q"
    if connection.in_atomic_block:  # a savepoint: a failure leaves the caller's transaction
        with transaction.atomic():
            row = _run(sql, params)
    else:
        row = _run(sql, params)
    if row is None:
        return False
    quote.pk = row[0]
    quote._state.adding = False
    quote._state.db = connection.alias
    return True


def _run(sql: str, params: list):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def _audit_entry(quote: Quote) -> LogEntry | None:
    """The entry django-auditlog's post_save receiver would write for this new quote, with
    SENTINEL_PK for its id; None when the trail is off (as auditlog's check_disable)."""
    if auditlog_disabled.get() or not auditlog.contains(Quote):
        return None
    quote.pk = SENTINEL_PK
    try:
        changes = model_instance_diff(None, quote, use_json_for_changes=True)
        additional_data = quote.get_additional_data()
        repr_ = smart_str(quote)
    finally:
        quote.pk = None
    entry = LogEntry(
        content_type=ContentType.objects.get_for_model(Quote),
        object_pk=str(SENTINEL_PK),
        object_id=SENTINEL_PK,
        object_repr=repr_,
        action=LogEntry.Action.CREATE,
        changes=changes,
        additional_data=additional_data,
        cid=get_cid(),
    )
    # The request's actor and address, as auditlog's context sets them on every entry.
    pre_save.send(sender=LogEntry, instance=entry, raw=False, using=connection.alias)
    for field in LogEntry._meta.concrete_fields:
        field.pre_save(entry, add=True)
    return entry


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


def _db_value(obj: Model, attname: str):
    field = next(f for f, _, _ in _fields(type(obj)) if f.attname == attname)
    return field.get_db_prep_save(getattr(obj, attname), connection)
