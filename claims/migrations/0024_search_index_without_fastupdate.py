import django.contrib.postgres.indexes
from django.db import migrations

INDEX = "claimsearch_document_gin"


def fastupdate_off(apps, schema_editor):
    """Alter the index in place and move its pending entries into it: a
    rebuild would hold the table for the minute a million documents take."""
    if schema_editor.connection.vendor != "postgresql":
        return  # the table exists on PostgreSQL only
    schema_editor.execute(f"ALTER INDEX {INDEX} SET (fastupdate = off)")
    schema_editor.execute(f"SELECT gin_clean_pending_list('{INDEX}'::regclass)")


def fastupdate_on(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER INDEX {INDEX} SET (fastupdate = on)")


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0023_repeat_window_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(fastupdate_off, fastupdate_on)],
            state_operations=[
                migrations.RemoveIndex(model_name="claimsearch", name=INDEX),
                migrations.AddIndex(
                    model_name="claimsearch",
                    index=django.contrib.postgres.indexes.GinIndex(
                        fastupdate=False, fields=["document"], name=INDEX
                    ),
                ),
            ],
        ),
    ]
