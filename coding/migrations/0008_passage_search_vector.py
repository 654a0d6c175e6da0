"""PostgreSQL: passages keep their English tsvector in a stored generated column with
its own GIN index, so that phrase queries (which GIN cannot settle alone) recheck a
stored vector instead of parsing each candidate's text again. Django does not know the
column: `coding.search` reads it by name. Nothing changes on SQLite."""

from django.db import migrations

FORWARD = [
    "ALTER TABLE coding_passage ADD COLUMN IF NOT EXISTS search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('english'::regconfig, COALESCE(text, ''))) STORED",
    "CREATE INDEX IF NOT EXISTS coding_passage_search_gin ON coding_passage "
    "USING gin (search_vector)",
    "DROP INDEX IF EXISTS coding_passage_text_fts",
]
BACKWARD = [
    "CREATE INDEX IF NOT EXISTS coding_passage_text_fts ON coding_passage USING gin "
    "(to_tsvector('english'::regconfig, COALESCE(text, '')))",
    "DROP INDEX IF EXISTS coding_passage_search_gin",
    "ALTER TABLE coding_passage DROP COLUMN IF EXISTS search_vector",
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("coding", "0007_search_indexes")]
    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
