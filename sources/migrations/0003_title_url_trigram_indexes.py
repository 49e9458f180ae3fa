"""PostgreSQL: trigram indexes for the sources list's `q` filter.

`title__icontains` compiles to UPPER("title"::text) LIKE UPPER(…), which a plain
B-tree cannot serve; a GIN trigram index on the same expression can. SQLite
(zero-setup, small data) scans.
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    'CREATE INDEX IF NOT EXISTS source_title_trgm ON sources_source '
    'USING gin (UPPER("title"::text) gin_trgm_ops)',
    'CREATE INDEX IF NOT EXISTS source_url_trgm ON sources_source '
    'USING gin (UPPER("url"::text) gin_trgm_ops)',
]
BACKWARD = [
    "DROP INDEX IF EXISTS source_url_trgm",
    "DROP INDEX IF EXISTS source_title_trgm",
]


def run(statements):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement, params=None)

    return operation


class Migration(migrations.Migration):
    dependencies = [("sources", "0002_source_text_guards")]

    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
