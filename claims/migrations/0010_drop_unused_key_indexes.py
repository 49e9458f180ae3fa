"""Drop indexes that every claim write updates and no query needs:

- the single-column indexes of statuschange.claim and claimevent.claim, which
  the unique (claim, claim_version) and (claim, version) indexes serve;
- the indexes of the claim history's speaker, assigned_to, created_by and
  reviewed_by, which nothing filters on (the history is read by claim and by
  date; those indexes stay).

Each moved claim updates six indexes fewer (docs/PERFORMANCE.md, "Fixed for
scale"). Plain DROP INDEX, as in 0009: AlterField would rebuild the SQLite
tables and drop the guard triggers on them.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

INDEXES = (
    ("claims_statuschange_claim_id_16f7099c", "claims_statuschange", "claim_id"),
    ("claims_claimevent_claim_id_2de4ec01", "claims_claimevent", "claim_id"),
    (
        "claims_historicalclaim_assigned_to_id_b7f38442",
        "claims_historicalclaim",
        "assigned_to_id",
    ),
    (
        "claims_historicalclaim_created_by_id_f6ad6130",
        "claims_historicalclaim",
        "created_by_id",
    ),
    (
        "claims_historicalclaim_reviewed_by_id_7e34ec4e",
        "claims_historicalclaim",
        "reviewed_by_id",
    ),
    (
        "claims_historicalclaim_speaker_id_9ac7e88b",
        "claims_historicalclaim",
        "speaker_id",
    ),
)


def history_user(**help_text):
    return models.ForeignKey(
        blank=True,
        db_constraint=False,
        db_index=False,
        editable=False,
        **help_text,
        null=True,
        on_delete=django.db.models.deletion.DO_NOTHING,
        related_name="+",
        to=settings.AUTH_USER_MODEL,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0009_drop_duplicate_key_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
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
                    model_name="claimevent",
                    name="claim",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="events",
                        to="claims.claim",
                    ),
                ),
                migrations.AlterField(
                    model_name="statuschange",
                    name="claim",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="ledger",
                        to="claims.claim",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalclaim",
                    name="assigned_to",
                    field=history_user(
                        help_text="The reviewer this claim waits for in the review queue."
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalclaim",
                    name="created_by",
                    field=history_user(),
                ),
                migrations.AlterField(
                    model_name="historicalclaim",
                    name="reviewed_by",
                    field=history_user(),
                ),
                migrations.AlterField(
                    model_name="historicalclaim",
                    name="speaker",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        help_text="Who made the claim; empty when the source "
                        "asserts it in its own voice.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="claims.speaker",
                    ),
                ),
            ],
        )
    ]
