"""Full-text indexes: GIN over the English tsvector on PostgreSQL, FTS5 tables on SQLite.

On SQLite the FTS5 tables are external-content tables kept in step by triggers. A
later migration that makes Django rebuild coding_quote or coding_passage on SQLite
(an altered column) drops those triggers: re-run `create_sqlite` after it.
"""

from django.db import migrations

TOKENIZE = "porter unicode61 remove_diacritics 2"

POSTGRES = [
    "CREATE INDEX IF NOT EXISTS coding_passage_text_fts ON coding_passage USING gin "
    "(to_tsvector('english'::regconfig, COALESCE(text, '')))",
    "CREATE INDEX IF NOT EXISTS coding_quote_text_fts ON coding_quote USING gin "
    "(to_tsvector('english'::regconfig, COALESCE(text, '')))",
    "CREATE INDEX IF NOT EXISTS coding_quote_memo_fts ON coding_quote USING gin "
    "(to_tsvector('english'::regconfig, COALESCE(memo, '')))",
]
POSTGRES_DROP = [
    "DROP INDEX IF EXISTS coding_passage_text_fts",
    "DROP INDEX IF EXISTS coding_quote_text_fts",
    "DROP INDEX IF EXISTS coding_quote_memo_fts",
]


def sqlite_statements(table: str, columns: list[str]) -> list[str]:
    fts = f"{table}_fts"
    cols = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    delete = f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old});"
    insert = f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new});"
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5({cols}, content='{table}', "
        f"content_rowid='id', tokenize='{TOKENIZE}')",
        f"DROP TRIGGER IF EXISTS {fts}_ai",
        f"DROP TRIGGER IF EXISTS {fts}_ad",
        f"DROP TRIGGER IF EXISTS {fts}_au",
        f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN {insert} END",
        f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN {delete} END",
        f"CREATE TRIGGER {fts}_au AFTER UPDATE ON {table} BEGIN {delete} {insert} END",
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
    ]


SQLITE_TABLES = [("coding_passage", ["text"]), ("coding_quote", ["text", "memo"])]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        statements = POSTGRES
    elif vendor == "sqlite":
        statements = create_sqlite()
    else:
        return
    with schema_editor.connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def create_sqlite() -> list[str]:
    return [s for table, cols in SQLITE_TABLES for s in sqlite_statements(table, cols)]


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = POSTGRES_DROP if vendor == "postgresql" else []
    if vendor == "sqlite":
        for table, _ in SQLITE_TABLES:
            statements += [f"DROP TABLE IF EXISTS {table}_fts"] + [
                f"DROP TRIGGER IF EXISTS {table}_fts_{s}" for s in ("ai", "ad", "au")
            ]
    with schema_editor.connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("coding", "0006_search_suggest")]
    operations = [migrations.RunPython(create, drop)]
