"""A snapshot read from a WARC file that does not say which address answered
keeps no address (issue 24's bulk backfill). SQLite rebuilds the table for the
change and drops its trigger: 0006's guard is made again."""

import importlib

from django.db import migrations, models

SNAPSHOT = importlib.import_module("sources.migrations.0006_snapshot")
GUARDS = importlib.import_module("sources.migrations.0002_source_text_guards")


class Migration(migrations.Migration):
    dependencies = [("sources", "0006_snapshot")]

    operations = [
        migrations.AlterField(
            model_name="snapshot",
            name="address",
            field=models.GenericIPAddressField(
                blank=True,
                help_text="The address connected to; empty when an archive did not say.",
                null=True,
            ),
        ),
        migrations.RunPython(
            GUARDS.run({"sqlite": SNAPSHOT.SQLITE_BACKWARD + SNAPSHOT.SQLITE_FORWARD}),
            migrations.RunPython.noop,
        ),
    ]
