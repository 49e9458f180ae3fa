"""The review state of a source's revises link (issue 19, item 2).

A link set by a non-reviewer is a proposal, shown to readers only once a
reviewer accepts it. Links already stored were set before review existed and
are marked accepted here (their reviewer and time stay blank).

Adding these columns and constraints rebuilds sources_source on SQLite. The
rebuild drops the table's own triggers (the text guard of
0002_source_text_guards) and fails on the triggers of other tables that read
it (claims' anchor checks): every such trigger is taken off first and put back,
as stored, at the end (tests/test_database_guards.py checks they are there).
PostgreSQL alters the table in place and keeps its triggers.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# The SQLite triggers taken off before the rebuild: (name, CREATE statement).
STASHED_TRIGGERS: list[tuple[str, str]] = []


def accept_existing_links(apps, schema_editor):
    Source = apps.get_model("sources", "Source")
    Source.objects.filter(revises__isnull=False).update(revises_review="accepted")


def stash_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
            "AND (tbl_name = 'sources_source' OR sql LIKE '%sources_source%') "
            "ORDER BY name"
        )
        STASHED_TRIGGERS[:] = cursor.fetchall()
    for name, _ in STASHED_TRIGGERS:
        schema_editor.execute(f'DROP TRIGGER "{name}"', params=None)


def restore_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for _, statement in STASHED_TRIGGERS:
        schema_editor.execute(statement, params=None)
    STASHED_TRIGGERS.clear()


class Migration(migrations.Migration):

    dependencies = [
        ('sources', '0003_title_url_trigram_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(stash_sqlite_triggers, restore_sqlite_triggers),
        migrations.AddField(
            model_name='historicalsource',
            name='revises_proposed_by',
            field=models.ForeignKey(blank=True, db_constraint=False, help_text='Who set the revises link; blank for links older than review.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalsource',
            name='revises_review',
            field=models.CharField(blank=True, db_default='', default='', choices=[('proposed', 'Proposed'), ('accepted', 'Accepted'), ('rejected', 'Rejected')], help_text='The review state of the revises link: proposed, accepted or rejected; blank when there is no link.', max_length=16),
        ),
        migrations.AddField(
            model_name='historicalsource',
            name='revises_review_note',
            field=models.TextField(blank=True, db_default='', default='', help_text="The reviewer's note on the link (required to reject)."),
        ),
        migrations.AddField(
            model_name='historicalsource',
            name='revises_reviewed_at',
            field=models.DateTimeField(blank=True, help_text='When the revises link was reviewed.', null=True),
        ),
        migrations.AddField(
            model_name='historicalsource',
            name='revises_reviewed_by',
            field=models.ForeignKey(blank=True, db_constraint=False, help_text='Who accepted or rejected the revises link.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='source',
            name='revises_proposed_by',
            field=models.ForeignKey(blank=True, help_text='Who set the revises link; blank for links older than review.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='source',
            name='revises_review',
            field=models.CharField(blank=True, db_default='', default='', choices=[('proposed', 'Proposed'), ('accepted', 'Accepted'), ('rejected', 'Rejected')], help_text='The review state of the revises link: proposed, accepted or rejected; blank when there is no link.', max_length=16),
        ),
        migrations.AddField(
            model_name='source',
            name='revises_review_note',
            field=models.TextField(blank=True, db_default='', default='', help_text="The reviewer's note on the link (required to reject)."),
        ),
        migrations.AddField(
            model_name='source',
            name='revises_reviewed_at',
            field=models.DateTimeField(blank=True, help_text='When the revises link was reviewed.', null=True),
        ),
        migrations.AddField(
            model_name='source',
            name='revises_reviewed_by',
            field=models.ForeignKey(blank=True, help_text='Who accepted or rejected the revises link.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='historicalsource',
            name='revises',
            field=models.ForeignKey(blank=True, db_constraint=False, help_text='The earlier version of this document, if this is a changed copy. Shown to readers once a reviewer accepts the link.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='sources.source'),
        ),
        migrations.AlterField(
            model_name='source',
            name='revises',
            field=models.ForeignKey(blank=True, help_text='The earlier version of this document, if this is a changed copy. Shown to readers once a reviewer accepts the link.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='revisions', to='sources.source'),
        ),
        migrations.RunPython(accept_existing_links, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='source',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('revises__isnull', True), ('revises_review', '')), models.Q(('revises__isnull', False), ('revises_review__in', ['proposed', 'accepted', 'rejected'])), _connector='OR'), name='source_revises_review_iff_link'),
        ),
        migrations.AddConstraint(
            model_name='source',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('revises_review', 'rejected'), _negated=True), models.Q(('revises_review_note', ''), _negated=True), _connector='OR'), name='source_revises_rejection_has_note'),
        ),
        migrations.RunPython(restore_sqlite_triggers, stash_sqlite_triggers),
    ]
