"""The status ledger's chain checks, once per statement instead of once per row.

0002 checks the chain with row-level triggers: a plpgsql call per row, each
finding the claim's last entry by sorting its entries by id. For the deadline
sweep, which moves 500 claims per statement, those calls were about 40 µs of
every claim moved (docs/PERFORMANCE.md, "Fixed for scale"). On PostgreSQL they
now run once per statement over its transition table (every row it inserted or
updated), each row's last entry read straight off the unique (claim,
claim_version) index, newest first.

Ordering by version instead of by id is the same order because of a rule the
ledger now states: an entry follows the claim's last entry, its claim_version
above every earlier one's (the services always write version + 1; a check of
the 1M-claim benchmark corpus found no entry out of order). Both databases
refuse an entry that does not.

The verdict trigger (a verdict needs evidence by the end of its transaction)
now queues only verdict entries: a WHEN clause, instead of a deferred call per
ledger entry that returned at once for every other status.

The rules, and the error messages, are those of 0002; SQLite keeps row-level
triggers (its triggers are always per row) with the same lookups.
"""

from django.db import migrations

VERDICTS = "('confirmed', 'partly_confirmed', 'refuted')"

FOLLOWS = "claims_statuschange: from_status must be the last entry''s to_status"
APPENDS = "claims_statuschange: claim_version must be above the last entry''s"
STATUS = "claims_claim.status must equal its last status ledger entry"


def last_entry(claim, below=None):
    """The to_status of the claim's newest entry (below a version if given)."""
    where = f" AND l.claim_version < {below}" if below else ""
    return f"""(SELECT l.to_status FROM claims_statuschange l
        WHERE l.claim_id = {claim}{where} ORDER BY l.claim_version DESC LIMIT 1)"""


POSTGRESQL_FORWARD = [
    f"""
    CREATE FUNCTION claimtrack_ledger_follows_statement() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        -- Each new entry follows the one before it, whether that one was
        -- there already or came in the same statement.
        IF EXISTS (
            SELECT 1 FROM added n
            WHERE n.from_status IS DISTINCT FROM
                  COALESCE({last_entry("n.claim_id", below="n.claim_version")}, '')
        ) THEN
            RAISE EXCEPTION '{FOLLOWS}' USING ERRCODE = 'check_violation';
        END IF;
        -- And comes after every entry that was there before the statement:
        -- a claim's new entries are its newest, so as many of its entries
        -- reach the lowest new version as the statement added (one index
        -- range per claim, whatever the size of the statement).
        IF EXISTS (
            SELECT 1 FROM (
                SELECT claim_id, min(claim_version) AS low, count(*) AS new
                FROM added GROUP BY claim_id
            ) a
            WHERE (SELECT count(*) FROM claims_statuschange l
                   WHERE l.claim_id = a.claim_id AND l.claim_version >= a.low)
                  <> a.new
        ) THEN
            RAISE EXCEPTION '{APPENDS}' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
    END
    $$
    """,
    f"""
    CREATE FUNCTION claimtrack_status_is_ledger_statement() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF EXISTS (
            SELECT 1 FROM changed c
            WHERE c.status IS DISTINCT FROM {last_entry("c.id")}
        ) THEN
            RAISE EXCEPTION '{STATUS}' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
    END
    $$
    """,
    "DROP TRIGGER claims_statuschange_follows_ledger ON claims_statuschange",
    "DROP TRIGGER claims_claim_status_is_ledger ON claims_claim",
    "DROP TRIGGER claims_statuschange_verdict_has_evidence ON claims_statuschange",
    "DROP FUNCTION claimtrack_ledger_follows()",
    "DROP FUNCTION claimtrack_status_is_ledger()",
    """
    CREATE TRIGGER claims_statuschange_follows_ledger
    AFTER INSERT ON claims_statuschange REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION claimtrack_ledger_follows_statement()
    """,
    """
    CREATE TRIGGER claims_claim_status_is_ledger
    AFTER UPDATE ON claims_claim REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION claimtrack_status_is_ledger_statement()
    """,
    f"""
    CREATE CONSTRAINT TRIGGER claims_statuschange_verdict_has_evidence
    AFTER INSERT ON claims_statuschange
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (NEW.to_status IN {VERDICTS})
    EXECUTE FUNCTION claimtrack_verdict_has_evidence()
    """,
]

# 0002's row-level triggers, as they were.
OLD_LAST_ENTRY = """(SELECT l.to_status FROM claims_statuschange l
    WHERE l.claim_id = {claim} ORDER BY l.id DESC LIMIT 1)"""
POSTGRESQL_BACKWARD = [
    "DROP TRIGGER claims_statuschange_follows_ledger ON claims_statuschange",
    "DROP TRIGGER claims_claim_status_is_ledger ON claims_claim",
    "DROP TRIGGER claims_statuschange_verdict_has_evidence ON claims_statuschange",
    "DROP FUNCTION claimtrack_ledger_follows_statement()",
    "DROP FUNCTION claimtrack_status_is_ledger_statement()",
    f"""
    CREATE FUNCTION claimtrack_ledger_follows() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.from_status IS DISTINCT FROM
           COALESCE({OLD_LAST_ENTRY.format(claim="NEW.claim_id")}, '') THEN
            RAISE EXCEPTION '{FOLLOWS}' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END
    $$
    """,
    f"""
    CREATE FUNCTION claimtrack_status_is_ledger() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.status IS DISTINCT FROM {OLD_LAST_ENTRY.format(claim="NEW.id")} THEN
            RAISE EXCEPTION '{STATUS}' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
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
]


def sqlite_ledger(last):
    return [
        f"""
        CREATE TRIGGER claims_statuschange_follows_ledger
        BEFORE INSERT ON claims_statuschange
        WHEN NEW.from_status IS NOT COALESCE({last.format(claim="NEW.claim_id")}, '')
        BEGIN
            SELECT RAISE(ABORT, '{FOLLOWS}');
        END
        """,
        f"""
        CREATE TRIGGER claims_claim_status_is_ledger
        BEFORE UPDATE ON claims_claim
        WHEN NEW.status IS NOT {last.format(claim="NEW.id")}
        BEGIN
            SELECT RAISE(ABORT, '{STATUS}');
        END
        """,
    ]


SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS claims_statuschange_follows_ledger",
    "DROP TRIGGER IF EXISTS claims_claim_status_is_ledger",
]
SQLITE_FORWARD = [
    *SQLITE_DROP,
    *sqlite_ledger(last_entry("{claim}")),
    f"""
    CREATE TRIGGER claims_statuschange_appends
    BEFORE INSERT ON claims_statuschange
    WHEN EXISTS (
        SELECT 1 FROM claims_statuschange l
        WHERE l.claim_id = NEW.claim_id AND l.claim_version >= NEW.claim_version
    )
    BEGIN
        SELECT RAISE(ABORT, '{APPENDS}');
    END
    """,
]
SQLITE_BACKWARD = [
    *SQLITE_DROP,
    "DROP TRIGGER IF EXISTS claims_statuschange_appends",
    *sqlite_ledger(OLD_LAST_ENTRY),
]


def run(statements_by_vendor):
    def operation(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return operation


class Migration(migrations.Migration):
    dependencies = [("claims", "0010_drop_unused_key_indexes")]

    operations = [
        migrations.RunPython(
            run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRESQL_FORWARD}),
            run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRESQL_BACKWARD}),
        ),
    ]
