"""An index for find_or_create_speaker's lookup: the active speaker of a name,
in any case, first by id. Proposing claims looked every speaker's name up in
a scan of the table: 40 ms a proposal at 40,000 speakers (docs/PERFORMANCE.md,
"Fixed for scale"). CREATE INDEX, which keeps SQLite's triggers."""

import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0011_statement_level_ledger_checks"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="speaker",
            index=models.Index(
                django.db.models.functions.text.Upper("name"),
                models.F("id"),
                condition=models.Q(("merged_into__isnull", True)),
                name="speaker_active_name_idx",
            ),
        ),
    ]
