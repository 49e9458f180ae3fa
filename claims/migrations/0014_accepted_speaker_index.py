"""An index of accepted claims by speaker and status, for a speaker's public
page: its track record was one grouped count over up to 10,001 of their
accepted claims, found by reading the table (17 ms for the statement for the
top speaker at a million claims); it is now eight capped counts, one per
status, each read from this index alone (docs/PERFORMANCE.md, "Fixed for
scale", 20). Proposals are not in it, so proposing writes no more than
before. CREATE INDEX, which keeps SQLite's triggers."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0013_accepted_status_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="claim",
            index=models.Index(
                fields=["speaker", "status"],
                condition=models.Q(("review", "accepted")),
                name="claim_accepted_speaker_idx",
            ),
        ),
    ]
