"""An index of accepted claims by status, for the tracker's counts: each of its
eight capped COUNT(*)s read up to 10,001 accepted claims of one status through
claim_status_idx and the table (172 ms for the statement at a million claims,
mostly reading the table); from this index alone it takes 13 ms
(docs/PERFORMANCE.md, "Fixed for scale", 19). Proposals are not in it, so
proposing writes no more than before. CREATE INDEX, which keeps SQLite's
triggers."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0012_speaker_active_name_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="claim",
            index=models.Index(
                fields=["status", "id"],
                condition=models.Q(("review", "accepted")),
                name="claim_accepted_status_idx",
            ),
        ),
    ]
