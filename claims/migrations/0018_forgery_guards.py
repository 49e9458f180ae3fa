"""Guards against raw-SQL forgeries the earlier ones let through (issue 19).

- A status ledger entry's ``claim_version`` is at most the claim's next
  version (its current one + 1: ``change_status`` bumps the claim first and
  writes the entry at the new version, the deadline sweep writes the entry at
  version + 1 and bumps the claim in the next statement; a restore or a bulk
  load writes old entries below the version). With 0011's rule (above every
  earlier entry) that refuses a version forged far ahead; one exactly one
  ahead that is never followed by the claim's bump is left to
  ``verify_provenance``.
- A ledger entry's ``changed_at`` is not before the previous entry's.
- Evidence given with a ledger entry belongs to that entry's claim.
- On PostgreSQL, ``TRUNCATE`` of an append-only table (spans, evidence, the
  ledger, the change feed) is refused: it fires no row trigger, so 0002's
  DELETE guard never saw it. A session that sets ``claimtrack.allow_truncate``
  to ``on`` is let through: the test suite's flush does (docs/SECURITY.md).
- Spans and evidence record the claim version they were added at, the version
  of the change-feed event that records them, so the audit can find that
  event; existing rows take it from the first event of their claim recorded
  with or after them. The column is immutable like the rest of the anchor.

On PostgreSQL the ledger checks join 0011's statement-level trigger (the sweep
writes 500 entries per statement); SQLite's triggers are per row.
"""

import importlib

from django.db import migrations, models

GUARDS = importlib.import_module("claims.migrations.0002_provenance_guards")
LEDGER = importlib.import_module("claims.migrations.0011_statement_level_ledger_checks")
REVIEW = importlib.import_module("claims.migrations.0015_contribution_review")

AHEAD = "claims_statuschange: claim_version must be at most the claim''s next version"
BACKWARDS = "claims_statuschange: changed_at must not be before the last entry''s"
OTHER_CLAIM = "claims_evidence: its ledger entry belongs to another claim"
APPEND_ONLY_TABLES = [*GUARDS.APPEND_ONLY_TABLES, "claims_claimevent"]

IMMUTABLE = {
    table: [*columns, "claim_version"] for table, columns in REVIEW.IMMUTABLE.items()
}


def refused(immutable, table, distinct):
    """0015's condition for refusing an UPDATE, over ``immutable`` columns."""
    row = REVIEW.row
    return f"""(
        {row("OLD", immutable[table])} {distinct} {row("NEW", immutable[table])}
        OR (OLD.review {distinct} NEW.review
            AND NOT (OLD.review = 'proposed' AND NEW.review IN ('accepted', 'rejected')))
        OR (OLD.review = NEW.review
            AND {row("OLD", REVIEW.REVIEW_FACTS)} {distinct} {row("NEW", REVIEW.REVIEW_FACTS)})
        OR (OLD.withdrawn_at IS NOT NULL
            AND {row("OLD", REVIEW.WITHDRAWAL)} {distinct} {row("NEW", REVIEW.WITHDRAWAL)})
    )"""


# The event that recorded an item's addition: of its kind, of its claim, the
# first recorded with or after the item (the services write it last).
FILL = """
    UPDATE {table} SET claim_version = (
        SELECT e.version FROM claims_claimevent e
        WHERE e.claim_id = {table}.claim_id AND e.kind IN {kinds}
          AND e.created_at >= {table}.created_at
        ORDER BY e.created_at, e.id LIMIT 1
    )
    WHERE claim_version IS NULL
"""
FILLS = [
    FILL.format(table="claims_span", kinds="('created', 'span_added')"),
    FILL.format(table="claims_evidence", kinds="('evidence_added', 'status_changed')"),
]


def sqlite_decisions_only(immutable):
    return [
        *[f"DROP TRIGGER IF EXISTS {t}_decisions_only" for t in immutable],
        *[
            f"""
            CREATE TRIGGER {t}_decisions_only BEFORE UPDATE ON {t}
            WHEN {refused(immutable, t, "IS NOT")}
            BEGIN
                SELECT RAISE(ABORT, '{REVIEW.MESSAGE.format(table=t)}');
            END
            """
            for t in immutable
        ],
    ]


def postgresql_decisions_only(immutable):
    return [
        f"""
        CREATE OR REPLACE FUNCTION {t}_decisions_only() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF {refused(immutable, t, "IS DISTINCT FROM")} THEN
                RAISE EXCEPTION '{REVIEW.MESSAGE.format(table=t)}'
                    USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            RETURN NEW;
        END
        $$
        """
        for t in immutable
    ]


SQLITE_FORWARD = [
    *sqlite_decisions_only(IMMUTABLE),
    f"""
    CREATE TRIGGER claims_statuschange_next_version
    BEFORE INSERT ON claims_statuschange
    WHEN NEW.claim_version >
         (SELECT c.version + 1 FROM claims_claim c WHERE c.id = NEW.claim_id)
    BEGIN
        SELECT RAISE(ABORT, '{AHEAD}');
    END
    """,
    f"""
    CREATE TRIGGER claims_statuschange_in_time
    BEFORE INSERT ON claims_statuschange
    WHEN NEW.changed_at < (
        SELECT l.changed_at FROM claims_statuschange l
        WHERE l.claim_id = NEW.claim_id ORDER BY l.claim_version DESC LIMIT 1
    )
    BEGIN
        SELECT RAISE(ABORT, '{BACKWARDS}');
    END
    """,
    f"""
    CREATE TRIGGER claims_evidence_same_claim
    BEFORE INSERT ON claims_evidence
    WHEN NEW.status_change_id IS NOT NULL AND NEW.claim_id <>
         (SELECT l.claim_id FROM claims_statuschange l WHERE l.id = NEW.status_change_id)
    BEGIN
        SELECT RAISE(ABORT, '{OTHER_CLAIM}');
    END
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS claims_statuschange_next_version",
    "DROP TRIGGER IF EXISTS claims_statuschange_in_time",
    "DROP TRIGGER IF EXISTS claims_evidence_same_claim",
    *sqlite_decisions_only(REVIEW.IMMUTABLE),
]

# 0011's statement-level function, with two more checks over the same rows.
LEDGER_FUNCTION = LEDGER.POSTGRESQL_FORWARD[0].replace(
    "CREATE FUNCTION", "CREATE OR REPLACE FUNCTION"
)
LEDGER_CHECKS = f"""
        -- Never ahead of the claim's next version (one lookup per claim).
        IF EXISTS (
            SELECT 1 FROM (
                SELECT claim_id, max(claim_version) AS high
                FROM added GROUP BY claim_id
            ) a
            JOIN claims_claim c ON c.id = a.claim_id
            WHERE a.high > c.version + 1
        ) THEN
            RAISE EXCEPTION '{AHEAD}' USING ERRCODE = 'check_violation';
        END IF;
        -- Never before the entry it follows (read off the version index).
        IF EXISTS (
            SELECT 1 FROM added n
            WHERE n.changed_at < (
                SELECT l.changed_at FROM claims_statuschange l
                WHERE l.claim_id = n.claim_id AND l.claim_version < n.claim_version
                ORDER BY l.claim_version DESC LIMIT 1
            )
        ) THEN
            RAISE EXCEPTION '{BACKWARDS}' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
    END
"""
assert LEDGER_FUNCTION.count("RETURN NULL;\n    END\n") == 1
LEDGER_FUNCTION_CHECKED = LEDGER_FUNCTION.replace(
    "        RETURN NULL;\n    END\n", LEDGER_CHECKS
)

POSTGRESQL_FORWARD = [
    *postgresql_decisions_only(IMMUTABLE),
    LEDGER_FUNCTION_CHECKED,
    f"""
    CREATE FUNCTION claimtrack_evidence_same_claim() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF EXISTS (
            SELECT 1 FROM added e
            JOIN claims_statuschange l ON l.id = e.status_change_id
            WHERE l.claim_id <> e.claim_id
        ) THEN
            RAISE EXCEPTION '{OTHER_CLAIM}' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER claims_evidence_same_claim
    AFTER INSERT ON claims_evidence REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION claimtrack_evidence_same_claim()
    """,
    """
    CREATE FUNCTION claimtrack_refuse_truncate() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        -- The test suite's flush sets this (tests/conftest.py); see
        -- docs/SECURITY.md for what it is and is not.
        IF current_setting('claimtrack.allow_truncate', true) IS DISTINCT FROM 'on'
        THEN
            RAISE EXCEPTION '% rows are append-only (TRUNCATE refused)', TG_TABLE_NAME
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NULL;
    END
    $$
    """,
    *[
        f"""
        CREATE TRIGGER {t}_no_truncate BEFORE TRUNCATE ON {t}
        FOR EACH STATEMENT EXECUTE FUNCTION claimtrack_refuse_truncate()
        """
        for t in APPEND_ONLY_TABLES
    ],
]
POSTGRESQL_BACKWARD = [
    *[f"DROP TRIGGER IF EXISTS {t}_no_truncate ON {t}" for t in APPEND_ONLY_TABLES],
    "DROP FUNCTION IF EXISTS claimtrack_refuse_truncate()",
    "DROP TRIGGER IF EXISTS claims_evidence_same_claim ON claims_evidence",
    "DROP FUNCTION IF EXISTS claimtrack_evidence_same_claim()",
    LEDGER_FUNCTION,
    *postgresql_decisions_only(REVIEW.IMMUTABLE),
]


class Migration(migrations.Migration):

    dependencies = [
        ('claims', '0017_addition_queues'),
    ]

    operations = [
        migrations.AddField(
            model_name='evidence',
            name='claim_version',
            field=models.PositiveIntegerField(blank=True, editable=False, help_text="The claim's version once the item was added: the version of the change-feed event that records its addition.", null=True),
        ),
        migrations.AddField(
            model_name='span',
            name='claim_version',
            field=models.PositiveIntegerField(blank=True, editable=False, help_text="The claim's version once the item was added: the version of the change-feed event that records its addition.", null=True),
        ),
        # Before the guards: the column is not immutable yet.
        migrations.RunPython(
            GUARDS.run({"sqlite": FILLS, "postgresql": FILLS}),
            migrations.RunPython.noop,
        ),
        migrations.RunPython(
            GUARDS.run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRESQL_FORWARD}),
            GUARDS.run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRESQL_BACKWARD}),
        ),
    ]
