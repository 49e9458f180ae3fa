"""Appearances with their own facts, and rejections with a reason (issue 22).

A content span (an appearance of its claim) may say when and by whom the
claim was said in its source; those columns are immutable like the rest of
the anchor, so the span guard's column list grows. A rejected claim names
why, and a duplicate which claim it repeats.

On SQLite, adding columns with defaults and constraints rebuilds the claim
and span tables, which a trigger naming either table would break and which
drops their own triggers: every trigger is set aside first and re-created
after, the span guard with its new columns.
"""

import importlib

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

FORGERY = importlib.import_module("claims.migrations.0018_forgery_guards")
APPEARANCE = ["stated_on", "stated_on_precision", "speaker_id", "speaker_title"]
IMMUTABLE = {"claims_span": [*FORGERY.IMMUTABLE["claims_span"], *APPEARANCE]}
BEFORE = {"claims_span": FORGERY.IMMUTABLE["claims_span"]}
SET_ASIDE: list[tuple[str, str]] = []


def set_triggers_aside(stash):
    """On SQLite: keep every trigger's SQL in ``stash``, and drop them all."""

    def operation(apps, schema_editor):
        if schema_editor.connection.vendor != "sqlite":
            return
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
            stash[:] = cursor.fetchall()
        for name, _ in stash:
            schema_editor.execute(f"DROP TRIGGER {name}", params=None)

    return operation


def restore_triggers(stash, span_columns=None):
    """On SQLite: re-create the triggers ``stash`` kept. With ``span_columns``,
    the span guard is re-created (on both databases) over those columns."""

    def operation(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        replaced = "claims_span_decisions_only" if span_columns else None
        if vendor == "sqlite":
            for name, sql in stash:
                if name != replaced:
                    schema_editor.execute(sql, params=None)
        if span_columns is None:
            return
        if vendor == "sqlite":
            statements = FORGERY.sqlite_decisions_only(span_columns)
        else:
            statements = FORGERY.postgresql_decisions_only(span_columns)
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return operation


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0019_speaker_public_name_index"),
        ("sources", "0005_source_publication_order_idx"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(
            set_triggers_aside(SET_ASIDE), restore_triggers(SET_ASIDE, BEFORE)
        ),
        migrations.AddField(
            model_name="claim",
            name="duplicate_of",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                editable=False,
                help_text="The claim a proposal rejected as a duplicate repeats.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="duplicates",
                to="claims.claim",
            ),
        ),
        migrations.AddField(
            model_name="claim",
            name="rejection_reason",
            field=models.CharField(
                blank=True,
                choices=[
                    ("duplicate", "Duplicate of another claim"),
                    ("not_checkable", "Not checkable"),
                    ("misattributed", "Misattributed"),
                    ("not_in_source", "Not in the source"),
                    ("out_of_scope", "Out of scope"),
                    ("other", "Other"),
                ],
                db_default="",
                default="",
                editable=False,
                help_text="Why a rejected claim was rejected.",
                max_length=16,
            ),
        ),
        migrations.AddField(
            model_name="historicalclaim",
            name="duplicate_of",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                editable=False,
                help_text="The claim a proposal rejected as a duplicate repeats.",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="claims.claim",
            ),
        ),
        migrations.AddField(
            model_name="historicalclaim",
            name="rejection_reason",
            field=models.CharField(
                blank=True,
                choices=[
                    ("duplicate", "Duplicate of another claim"),
                    ("not_checkable", "Not checkable"),
                    ("misattributed", "Misattributed"),
                    ("not_in_source", "Not in the source"),
                    ("out_of_scope", "Out of scope"),
                    ("other", "Other"),
                ],
                db_default="",
                default="",
                editable=False,
                help_text="Why a rejected claim was rejected.",
                max_length=16,
            ),
        ),
        migrations.AddField(
            model_name="span",
            name="speaker",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                help_text="Who said it in this source (content spans; empty: the claim's speaker).",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="appearances",
                to="claims.speaker",
            ),
        ),
        migrations.AddField(
            model_name="span",
            name="speaker_title",
            field=models.CharField(
                blank=True,
                db_default="",
                default="",
                help_text="The speaker's title as this source gives it.",
                max_length=300,
            ),
        ),
        migrations.AddField(
            model_name="span",
            name="stated_on",
            field=models.DateField(
                blank=True,
                help_text="When the claim was said in this source (content spans; empty: the claim's date).",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="span",
            name="stated_on_precision",
            field=models.CharField(
                blank=True,
                choices=[("day", "Day"), ("month", "Month"), ("year", "Year")],
                db_default="",
                default="",
                max_length=8,
            ),
        ),
        migrations.AddIndex(
            model_name="claim",
            index=models.Index(condition=models.Q(("rejection_reason", ""), _negated=True), fields=["rejection_reason"], name="claim_rejection_reason_idx"),
        ),
        migrations.AddIndex(
            model_name="claim",
            index=models.Index(
                condition=models.Q(("duplicate_of__isnull", False)),
                fields=["duplicate_of"],
                name="claim_duplicate_of_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="span",
            index=models.Index(
                condition=models.Q(("speaker__isnull", False)),
                fields=["speaker"],
                name="span_speaker_idx",
            ),
        ),
        migrations.AddConstraint(
            model_name="claim",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("rejection_reason", ""),
                    models.Q(
                        (
                            "rejection_reason__in",
                            [
                                "duplicate",
                                "not_checkable",
                                "misattributed",
                                "not_in_source",
                                "out_of_scope",
                                "other",
                            ],
                        ),
                        ("review", "rejected"),
                    ),
                    _connector="OR",
                ),
                name="claim_rejection_reason_when_rejected",
            ),
        ),
        migrations.AddConstraint(
            model_name="claim",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("duplicate_of__isnull", True),
                    models.Q(
                        ("rejection_reason", "duplicate"),
                        models.Q(("duplicate_of", models.F("id")), _negated=True),
                    ),
                    _connector="OR",
                ),
                name="claim_duplicate_of_when_duplicate",
            ),
        ),
        migrations.AddConstraint(
            model_name="span",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("stated_on__isnull", True), ("stated_on_precision", "")),
                    models.Q(
                        ("stated_on__isnull", False),
                        ("stated_on_precision__in", ["day", "month", "year"]),
                    ),
                    _connector="OR",
                ),
                name="span_stated_on_has_precision",
            ),
        ),
        migrations.AddConstraint(
            model_name="span",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("role", "content"),
                    models.Q(
                        ("speaker__isnull", True),
                        ("speaker_title", ""),
                        ("stated_on__isnull", True),
                    ),
                    _connector="OR",
                ),
                name="span_appearance_facts_on_content_only",
            ),
        ),
        migrations.RunPython(
            restore_triggers(SET_ASIDE, IMMUTABLE), set_triggers_aside(SET_ASIDE)
        ),
    ]
