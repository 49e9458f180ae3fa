"""Drop the single-column indexes of claim.speaker and span.source: the
composite indexes claim_speaker_idx (speaker, id) and span_source_start_idx
(source, start) serve those keys.

Plain DROP INDEX, not AlterField's database operation: on SQLite AlterField
rebuilds the table, which would drop the provenance guard triggers that
migration 0002 put on it.
"""

import django.db.models.deletion
from django.db import migrations, models

INDEXES = (
    ("claims_claim_speaker_id_e031226b", "claims_claim", "speaker_id"),
    ("claims_span_source_id_44520704", "claims_span", "source_id"),
)


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0008_pending_deadline_index"),
        ("sources", "0003_title_url_trigram_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {name}",
                    reverse_sql=f"CREATE INDEX {name} ON {table} ({column})",
                )
                for name, table, column in INDEXES
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="claim",
                    name="speaker",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        help_text="Who made the claim; empty when the source asserts it in its own voice.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="claims",
                        to="claims.speaker",
                    ),
                ),
                migrations.AlterField(
                    model_name="span",
                    name="source",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="spans",
                        to="sources.source",
                    ),
                ),
            ],
        )
    ]
