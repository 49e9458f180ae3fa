"""The triggers of the guard migrations are installed.

SQLite drops a table's triggers when a migration rebuilds the table, so a later
migration that alters one of these tables must re-create them: this test fails
if it does not.
"""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

SQLITE_TRIGGERS = {
    "sources_source_text_immutable",
    "claims_span_verify_anchor",
    "claims_evidence_verify_anchor",
    "claims_span_decisions_only",
    "claims_evidence_decisions_only",
    "claims_statuschange_no_update",
    "claims_claimevent_no_update",
    "claims_claim_status_is_ledger",
    "claims_statuschange_follows_ledger",
    "claims_statuschange_appends",
}
POSTGRESQL_TRIGGERS = {
    "sources_source_text_immutable",
    "sources_source_text_verified",
    "claims_span_verify_anchor",
    "claims_evidence_verify_anchor",
    "claims_span_append_only",
    "claims_evidence_append_only",
    "claims_span_decisions_only",
    "claims_evidence_decisions_only",
    "claims_statuschange_append_only",
    "claims_claimevent_append_only",
    "claims_claimevent_stamp_txid",
    "claims_claim_status_is_ledger",
    "claims_statuschange_follows_ledger",
    "claims_statuschange_verdict_has_evidence",
}


def installed_triggers():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        return {row[0] for row in cursor.fetchall()}


def test_every_guard_trigger_is_installed():
    expected = SQLITE_TRIGGERS if connection.vendor == "sqlite" else POSTGRESQL_TRIGGERS
    assert expected <= installed_triggers()
