"""Database guards for source text, beyond what a CHECK constraint can say.

- the text and its hash never change once stored (both databases);
- on PostgreSQL, a new row's content_hash must be the SHA-256 of its text and the
  text must be in Unicode NFC.

SQLite drops a table's triggers when a migration rebuilds the table: a later
migration that alters sources_source must re-create them (tests/test_database_guards.py
fails if they are missing).
"""

from django.db import migrations

SQLITE_FORWARD = [
    """
    CREATE TRIGGER sources_source_text_immutable
    BEFORE UPDATE OF text, content_hash ON sources_source
    WHEN NEW.text IS NOT OLD.text OR NEW.content_hash IS NOT OLD.content_hash
    BEGIN
        SELECT RAISE(ABORT, 'sources_source.text is immutable once stored');
    END
    """,
]
SQLITE_BACKWARD = ["DROP TRIGGER IF EXISTS sources_source_text_immutable"]

POSTGRESQL_FORWARD = [
    """
    CREATE FUNCTION sources_source_text_immutable() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.text IS DISTINCT FROM OLD.text
           OR NEW.content_hash IS DISTINCT FROM OLD.content_hash THEN
            RAISE EXCEPTION 'sources_source.text is immutable once stored'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END
    $$
    """,
    """
    CREATE TRIGGER sources_source_text_immutable
    BEFORE UPDATE ON sources_source
    FOR EACH ROW EXECUTE FUNCTION sources_source_text_immutable()
    """,
    """
    CREATE FUNCTION sources_source_text_verified() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.text <> '' AND (
            NEW.content_hash IS DISTINCT FROM
                encode(sha256(convert_to(NEW.text, 'UTF8')), 'hex')
            OR NEW.text IS NOT NFC NORMALIZED
        ) THEN
            RAISE EXCEPTION 'sources_source: text must be NFC and content_hash its SHA-256'
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END
    $$
    """,
    """
    CREATE TRIGGER sources_source_text_verified
    BEFORE INSERT ON sources_source
    FOR EACH ROW EXECUTE FUNCTION sources_source_text_verified()
    """,
]
POSTGRESQL_BACKWARD = [
    "DROP TRIGGER IF EXISTS sources_source_text_verified ON sources_source",
    "DROP FUNCTION IF EXISTS sources_source_text_verified()",
    "DROP TRIGGER IF EXISTS sources_source_text_immutable ON sources_source",
    "DROP FUNCTION IF EXISTS sources_source_text_immutable()",
]


def run(statements_by_vendor):
    def operation(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return operation


class Migration(migrations.Migration):
    dependencies = [("sources", "0001_initial")]

    operations = [
        migrations.RunPython(
            run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRESQL_FORWARD}),
            run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRESQL_BACKWARD}),
        ),
    ]
