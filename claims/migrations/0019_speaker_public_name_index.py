"""An index for the public list of speakers, A–Z by keyset (/speakers/):
read in name order a page at a time, never sorted. CREATE INDEX, which keeps
SQLite's triggers."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('claims', '0018_forgery_guards'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='speaker',
            index=models.Index(condition=models.Q(('merged_into__isnull', True)), fields=['name', 'id'], name='speaker_public_name_idx'),
        ),
    ]
