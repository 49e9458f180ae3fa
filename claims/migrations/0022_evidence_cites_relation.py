"""Evidence may cite a relation between claims (issue 22): a status move
that cites "#41 contradicts this claim" records the relation's words as its
evidence, each row pointing at the relation. The column is immutable like
the rest of the evidence row, so the evidence guard's column list grows.

On SQLite a nullable column is added in place (no table rebuild), so only
the evidence guard is re-created.
"""

import importlib

import django.db.models.deletion
from django.db import migrations, models

GUARDS = importlib.import_module("claims.migrations.0002_provenance_guards")
FORGERY = importlib.import_module("claims.migrations.0018_forgery_guards")
BEFORE = {"claims_evidence": FORGERY.IMMUTABLE["claims_evidence"]}
AFTER = {"claims_evidence": [*BEFORE["claims_evidence"], "relation_id"]}


def guard(immutable):
    return GUARDS.run(
        {
            "sqlite": FORGERY.sqlite_decisions_only(immutable),
            "postgresql": FORGERY.postgresql_decisions_only(immutable),
        }
    )


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0021_repeats_and_relations"),
    ]

    operations = [
        migrations.AddField(
            model_name="evidence",
            name="relation",
            field=models.ForeignKey(
                blank=True,
                help_text="The relation whose words this evidence cites, if a "
                'status move cited one ("#41 contradicts this claim").',
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="cited_as",
                to="claims.claimrelation",
            ),
        ),
        migrations.RunPython(guard(AFTER), guard(BEFORE)),
    ]
