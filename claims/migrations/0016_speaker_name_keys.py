"""Speakers' names by their look-alike key (SpeakerName), filled for every
existing speaker: find_or_create_speaker now matches a new name to the active
speaker whose name or alias has the same key (sources.text.name_key: the TR39
confusable skeleton, case-folded, spacing collapsed) in one indexed query, so
the UPPER(name) index that served its case-insensitive lookup is dropped.

A new table and a DROP INDEX: no guarded table is rebuilt, so SQLite's
triggers (0002_provenance_guards) stay.
"""

import django.db.models.deletion
from django.db import migrations, models

from sources.text import name_key

BATCH = 2000


def fill_name_keys(apps, schema_editor):
    Speaker = apps.get_model("claims", "Speaker")
    SpeakerName = apps.get_model("claims", "SpeakerName")
    rows = []
    speakers = Speaker.objects.order_by("id").values_list("id", "name", "aliases")
    for speaker_id, name, aliases in speakers.iterator(chunk_size=BATCH):
        keys = {}
        names = [name, *(aliases if isinstance(aliases, list) else [])]
        for each in names:
            if isinstance(each, str) and (key := name_key(each)):
                keys.setdefault(key, each)
        rows.extend(
            SpeakerName(speaker_id=speaker_id, key=key, name=each[:200])
            for key, each in keys.items()
        )
        if len(rows) >= BATCH:
            SpeakerName.objects.bulk_create(rows)
            rows = []
    SpeakerName.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0015_contribution_review"),
    ]

    operations = [
        migrations.CreateModel(
            name="SpeakerName",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        help_text="The name or alias as stored.", max_length=200
                    ),
                ),
                (
                    "key",
                    models.TextField(
                        help_text="The name's TR39 confusable skeleton, case-folded "
                        "(sources.text.name_key)."
                    ),
                ),
                (
                    "speaker",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="names",
                        to="claims.speaker",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("key", "speaker"), name="speakername_unique_key"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("key", ""), _negated=True),
                        name="speakername_key_not_empty",
                    ),
                ],
            },
        ),
        migrations.RunPython(fill_name_keys, migrations.RunPython.noop),
        migrations.RemoveIndex(
            model_name="speaker",
            name="speaker_active_name_idx",
        ),
    ]
