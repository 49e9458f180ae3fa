"""Database guards for provenance rows, beyond what a CHECK constraint can say.

- a span's and an evidence anchor's selectors must match the source text at
  insert time: exact == text[start:end], prefix and suffix its 32-character
  context (substr counts code points on both databases);
- spans, evidence and status ledger entries are never updated (both databases)
  and never deleted (PostgreSQL; on SQLite a DELETE trigger would also refuse
  the test runner's flush, so the model and PROTECT foreign keys guard deletion);
- the status ledger is a chain: a new entry's from_status is the last entry's
  to_status (empty for the first), and a claim's status always equals its last
  entry's to_status (both databases);
- on PostgreSQL, a verdict entry (confirmed, partly_confirmed, refuted) has at
  least one piece of evidence by the end of its transaction (a deferred
  constraint trigger).

SQLite drops a table's triggers when a migration rebuilds the table: a later
migration that alters these tables must re-create them
(tests/test_database_guards.py fails if they are missing).
"""

from django.db import migrations

ANCHORED_TABLES = ["claims_span", "claims_evidence"]
APPEND_ONLY_TABLES = ["claims_span", "claims_evidence", "claims_statuschange"]


def sqlite_anchor_check(table):
    return f"""
    CREATE TRIGGER {table}_verify_anchor
    BEFORE INSERT ON {table}
    WHEN NEW.start IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM sources_source s
        WHERE s.id = NEW.source_id
          AND s.text <> ''
          AND NEW."end" <= length(s.text)
          AND substr(s.text, NEW.start + 1, NEW."end" - NEW.start) = NEW.exact
          AND substr(s.text, max(NEW.start - 32, 0) + 1,
                     NEW.start - max(NEW.start - 32, 0)) = NEW.prefix
          AND substr(s.text, NEW."end" + 1, 32) = NEW.suffix
    )
    BEGIN
        SELECT RAISE(ABORT, '{table}: the selectors do not match the source text');
    END
    """


def sqlite_no_update(table):
    return f"""
    CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
    BEGIN
        SELECT RAISE(ABORT, '{table} rows are immutable');
    END
    """


LAST_ENTRY = """
    (SELECT l.to_status FROM claims_statuschange l
     WHERE l.claim_id = {claim} ORDER BY l.id DESC LIMIT 1)
"""

SQLITE_LEDGER = [
    f"""
    CREATE TRIGGER claims_statuschange_follows_ledger
    BEFORE INSERT ON claims_statuschange
    WHEN NEW.from_status IS NOT COALESCE({LAST_ENTRY.format(claim="NEW.claim_id")}, '')
    BEGIN
        SELECT RAISE(ABORT, 'claims_statuschange: from_status must be the last entry''s to_status');
    END
    """,
    f"""
    CREATE TRIGGER claims_claim_status_is_ledger
    BEFORE UPDATE ON claims_claim
    WHEN NEW.status IS NOT {LAST_ENTRY.format(claim="NEW.id")}
    BEGIN
        SELECT RAISE(ABORT, 'claims_claim.status must equal its last status ledger entry');
    END
    """,
]

SQLITE_FORWARD = (
    [sqlite_anchor_check(t) for t in ANCHORED_TABLES]
    + [sqlite_no_update(t) for t in APPEND_ONLY_TABLES]
    + SQLITE_LEDGER
)
SQLITE_BACKWARD = (
    [f"DROP TRIGGER IF EXISTS {t}_verify_anchor" for t in ANCHORED_TABLES]
    + [f"DROP TRIGGER IF EXISTS {t}_no_update" for t in APPEND_ONLY_TABLES]
    + [
        "DROP TRIGGER IF EXISTS claims_statuschange_follows_ledger",
        "DROP TRIGGER IF EXISTS claims_claim_status_is_ledger",
    ]
)

POSTGRESQL_FORWARD = [
    """
    CREATE FUNCTION claimtrack_verify_anchor() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
        source_text text;
        context_start integer;
    BEGIN
        IF NEW.start IS NULL AND NEW."end" IS NULL THEN
            RETURN NEW;  -- evidence that cites a whole source
        END IF;
        -- Nested IFs: substr() raises on a negative length, so check order matters.
        IF NEW.start IS NULL OR NEW."end" IS NULL OR NEW.start < 0
           OR NEW."end" <= NEW.start THEN
            RAISE EXCEPTION '%: start and end must satisfy 0 <= start < end', TG_TABLE_NAME
                USING ERRCODE = 'check_violation';
        END IF;
        SELECT s.text INTO source_text FROM sources_source s WHERE s.id = NEW.source_id;
        IF source_text IS NULL OR source_text = ''
           OR NEW."end" > char_length(source_text) THEN
            RAISE EXCEPTION '%: the span lies outside the text of source %',
                TG_TABLE_NAME, NEW.source_id USING ERRCODE = 'check_violation';
        END IF;
        context_start := GREATEST(NEW.start - 32, 0);
        IF substr(source_text, NEW.start + 1, NEW."end" - NEW.start)
              IS DISTINCT FROM NEW.exact
           OR substr(source_text, context_start + 1, NEW.start - context_start)
              IS DISTINCT FROM NEW.prefix
           OR substr(source_text, NEW."end" + 1, 32) IS DISTINCT FROM NEW.suffix
        THEN
            RAISE EXCEPTION '%: the selectors do not match the text of source %',
                TG_TABLE_NAME, NEW.source_id
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END
    $$
    """,
    """
    CREATE FUNCTION claimtrack_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '% rows are append-only (% refused)', TG_TABLE_NAME, TG_OP
            USING ERRCODE = 'integrity_constraint_violation';
    END
    $$
    """,
    f"""
    CREATE FUNCTION claimtrack_ledger_follows() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.from_status IS DISTINCT FROM
           COALESCE({LAST_ENTRY.format(claim="NEW.claim_id")}, '') THEN
            RAISE EXCEPTION 'claims_statuschange: from_status must be the last entry''s to_status'
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END
    $$
    """,
    f"""
    CREATE FUNCTION claimtrack_status_is_ledger() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.status IS DISTINCT FROM {LAST_ENTRY.format(claim="NEW.id")} THEN
            RAISE EXCEPTION 'claims_claim.status must equal its last status ledger entry'
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END
    $$
    """,
    """
    CREATE FUNCTION claimtrack_verdict_has_evidence() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.to_status IN ('confirmed', 'partly_confirmed', 'refuted')
           AND NOT EXISTS (
               SELECT 1 FROM claims_evidence e WHERE e.status_change_id = NEW.id
           ) THEN
            RAISE EXCEPTION 'claims_statuschange %: a verdict needs evidence', NEW.id
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER claims_statuschange_follows_ledger BEFORE INSERT ON claims_statuschange
    FOR EACH ROW EXECUTE FUNCTION claimtrack_ledger_follows()
    """,
    """
    CREATE TRIGGER claims_claim_status_is_ledger BEFORE UPDATE ON claims_claim
    FOR EACH ROW EXECUTE FUNCTION claimtrack_status_is_ledger()
    """,
    """
    CREATE CONSTRAINT TRIGGER claims_statuschange_verdict_has_evidence
    AFTER INSERT ON claims_statuschange
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION claimtrack_verdict_has_evidence()
    """,
    *[
        f"""
        CREATE TRIGGER {t}_verify_anchor BEFORE INSERT ON {t}
        FOR EACH ROW EXECUTE FUNCTION claimtrack_verify_anchor()
        """
        for t in ANCHORED_TABLES
    ],
    *[
        f"""
        CREATE TRIGGER {t}_append_only BEFORE UPDATE OR DELETE ON {t}
        FOR EACH ROW EXECUTE FUNCTION claimtrack_refuse_change()
        """
        for t in APPEND_ONLY_TABLES
    ],
]
POSTGRESQL_BACKWARD = [
    *[f"DROP TRIGGER IF EXISTS {t}_verify_anchor ON {t}" for t in ANCHORED_TABLES],
    *[f"DROP TRIGGER IF EXISTS {t}_append_only ON {t}" for t in APPEND_ONLY_TABLES],
    "DROP TRIGGER IF EXISTS claims_statuschange_follows_ledger ON claims_statuschange",
    "DROP TRIGGER IF EXISTS claims_claim_status_is_ledger ON claims_claim",
    "DROP TRIGGER IF EXISTS claims_statuschange_verdict_has_evidence ON claims_statuschange",
    "DROP FUNCTION IF EXISTS claimtrack_ledger_follows()",
    "DROP FUNCTION IF EXISTS claimtrack_status_is_ledger()",
    "DROP FUNCTION IF EXISTS claimtrack_verdict_has_evidence()",
    "DROP FUNCTION IF EXISTS claimtrack_verify_anchor()",
    "DROP FUNCTION IF EXISTS claimtrack_refuse_change()",
]


def run(statements_by_vendor):
    def operation(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return operation


class Migration(migrations.Migration):
    dependencies = [("claims", "0001_initial"), ("sources", "0002_source_text_guards")]

    operations = [
        migrations.RunPython(
            run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRESQL_FORWARD}),
            run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRESQL_BACKWARD}),
        ),
    ]
