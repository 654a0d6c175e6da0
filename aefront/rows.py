"""Model instances from hand-written SQL, for the few reads every write request makes.

An API quote POST reads the token with its user, the membership with its project, the
transcript's turns and the themes. Through the ORM each of those reads costs about a
millisecond of Python (compiling the query, select_related) for a fraction of that in
the database. Here the SQL is a constant built once from the models' fields, and each
row becomes instances as the ORM makes them: the same database converters (SQLite's
dates, booleans and UUIDs), `Model.from_db`, and the related instance cached as
`select_related` would.

    columns = rows.select_list(Token, "t") + ", " + rows.select_list(User, "u")
    token, at = rows.instance(Token, row, 0)
    user, _ = rows.instance(User, row, at)
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache, lru_cache
from typing import Any

from django.db import connection, connections
from django.db.models import Field, Model, QuerySet


@cache
def _fields(model: type[Model], exclude: frozenset[str]) -> tuple:
    return tuple(f for f in model._meta.concrete_fields if f.attname not in exclude)


def table(model: type[Model]) -> str:
    """The model's table name, quoted for this database."""
    return connection.ops.quote_name(model._meta.db_table)


@cache
def select_list(model: type[Model], alias: str, exclude: frozenset[str] = frozenset()) -> str:
    """`alias."col", …` of the model's columns in field order (without `exclude`)."""
    quote = connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(f.column)}" for f in _fields(model, exclude))


def instance(
    model: type[Model], row: Sequence[Any], at: int, exclude: frozenset[str] = frozenset()
) -> tuple[Model, int]:
    """The instance whose columns (as `select_list` lists them) start at `row[at]`, and
    the index after them. Excluded fields are deferred, as with `.defer()`."""
    db = connections[connection.alias]  # this thread's connection, not the proxy
    fields = _fields(model, exclude)
    values = list(row[at : at + len(fields)])
    for i, converters, col in _converters(model, exclude, db):
        for convert in converters:
            values[i] = convert(values[i], col, db)
    names = [f.attname for f in fields] if exclude else None
    return model.from_db(db.alias, names, values), at + len(fields)


@lru_cache(maxsize=256)
def _converters(model: type[Model], exclude: frozenset[str], db) -> tuple:
    """(position, converters, column) of each field that has converters on this
    connection, worked out once per connection rather than on every row."""
    found = []
    for i, field in enumerate(_fields(model, exclude)):
        col = field.get_col(model._meta.db_table)
        converters = tuple(db.ops.get_db_converters(col) + col.get_db_converters(db))
        if converters:
            found.append((i, converters, col))
    return tuple(found)


def converted(value: Any, field: Field) -> Any:
    """A value that hand-written SQL read for `field`'s type (an annotation's: a subquery
    of that column, an EXISTS read as a BooleanField), converted as the ORM converts the
    field's own column (SQLite's datetime strings and 0/1 booleans)."""
    db = connections[connection.alias]
    for convert, col in _field_converters(field, db):
        value = convert(value, col, db)
    return value


def convert_rows(found: Sequence[Sequence[Any]], fields: Sequence[Field | None]) -> list:
    """Rows that hand-written SQL read, each value converted as the ORM converts its
    field's column (None: kept as read). The rows as read when nothing needs converting
    (PostgreSQL's usual case)."""
    db = connections[connection.alias]
    plan = [
        (i, convert, col)
        for i, field in enumerate(fields)
        if field is not None
        for convert, col in _field_converters(field, db)
    ]
    if not plan:
        return list(found)
    converted_rows = []
    for row in found:
        values = list(row)
        for i, convert, col in plan:
            values[i] = convert(values[i], col, db)
        converted_rows.append(tuple(values))
    return converted_rows


@lru_cache(maxsize=256)
def _field_converters(field: Field, db) -> tuple:
    col = field.get_col(field.model._meta.db_table)
    return tuple((c, col) for c in db.ops.get_db_converters(col) + col.get_db_converters(db))


def distinct_by_parent(
    model: type[Model], parent: str, column: str, parents: QuerySet, above
) -> list[Any]:
    """The distinct values of `model.column` greater than `above` over the rows whose
    `parent` (a column) is the id of one of `parents`, in no order, by stepping through
    an index on (parent, column): a probe for each parent's next value, so a few hundred
    for a project's coders or speaker labels where DISTINCT reads every quote or turn.
    Needs that index (which both databases then read alone)."""
    ctes, found, params = distinct_by_parent_sql(model, parent, column, parents, above)
    with connection.cursor() as cursor:
        cursor.execute(f"WITH RECURSIVE {ctes} SELECT DISTINCT value FROM {found}", params)
        return [value for (value,) in cursor.fetchall()]


def distinct_by_parent_sql(
    model: type[Model], parent: str, column: str, parents: QuerySet, above
) -> tuple[str, str, list[Any]]:
    """`distinct_by_parent` as parts of a larger statement: the common table expressions
    (for after WITH RECURSIVE), the relation whose `value` column holds the values (with
    repeats) and the parameters."""
    # The parents' ids in no order: their model's ordering would sort them for nothing.
    parents_sql, params = parents.order_by().values("pk").query.sql_with_params()
    q = connection.ops.quote_name
    table, parent, column = q(model._meta.db_table), q(parent), q(column)

    def after(of: str, bound: str) -> str:  # the parent's least value above the bound
        where = f"x.{parent} = {of} AND x.{column} > {bound}"
        return f"(SELECT MIN(x.{column}) FROM {table} x WHERE {where})"

    ctes = (
        f"parents(id) AS ({parents_sql}), found(parent, value) AS ("
        f"SELECT p.id, {after('p.id', '%s')} FROM parents p UNION ALL "
        f"SELECT f.parent, {after('f.parent', 'f.value')} FROM found f WHERE f.value IS NOT NULL)"
    )
    return ctes, "found WHERE value IS NOT NULL", [*params, above]
