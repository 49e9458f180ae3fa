"""The triggers of the guard migrations are installed, and refuse forgeries.

SQLite drops a table's triggers when a migration rebuilds the table, so a later
migration that alters one of these tables must re-create them: the first test
fails if it does not. The others forge a fault in raw SQL, as a careless SQL
session could, and see the database refuse it.
"""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction

pytestmark = pytest.mark.django_db

SQLITE_TRIGGERS = {
    "sources_source_text_immutable",
    "sources_snapshot_immutable",
    "claims_reanchoring_no_update",
    "claims_span_verify_anchor",
    "claims_evidence_verify_anchor",
    "claims_span_decisions_only",
    "claims_evidence_decisions_only",
    "claims_statuschange_no_update",
    "claims_claimevent_no_update",
    "claims_claim_status_is_ledger",
    "claims_statuschange_follows_ledger",
    "claims_statuschange_appends",
    "claims_statuschange_next_version",
    "claims_statuschange_in_time",
    "claims_evidence_same_claim",
    "claims_claimrelation_withdrawal_only",
    "claims_claimrelation_spans_no_update",
}
POSTGRESQL_TRIGGERS = {
    "sources_source_text_immutable",
    "sources_snapshot_immutable",
    "claims_reanchoring_append_only",
    "claims_reanchoring_no_truncate",
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
    "claims_evidence_same_claim",
    "claims_span_no_truncate",
    "claims_evidence_no_truncate",
    "claims_statuschange_no_truncate",
    "claims_claimevent_no_truncate",
    "claims_claimrelation_withdrawal_only",
    "claims_claimrelation_append_only",
    "claims_claimrelation_spans_append_only",
    "claims_claimrelation_no_truncate",
    "claims_claimrelation_spans_no_truncate",
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


def insert_entry(claim, by, *, version, changed_at, to_status="retracted"):
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO claims_statuschange (claim_id, from_status, to_status, "
            "rationale, claim_version, changed_at, changed_by_id) "
            "VALUES (%s, %s, %s, 'forged', %s, %s, %s)",
            [claim.pk, claim.status, to_status, version, changed_at, by.pk],
        )


def test_a_ledger_entry_ahead_of_the_claims_next_version_is_refused(propose, reviewer):
    claim = propose()  # version 1, its first entry at version 1
    entry = claim.ledger.get()
    with (
        pytest.raises(IntegrityError, match="at most the claim's next version"),
        transaction.atomic(),
    ):
        insert_entry(claim, reviewer, version=5, changed_at=entry.changed_at)
    # The next version is let through: the sweep writes the entry before it
    # bumps the claim, in the same transaction.
    insert_entry(claim, reviewer, version=2, changed_at=entry.changed_at)


def test_a_ledger_entry_dated_before_the_last_is_refused(propose, reviewer):
    claim = propose()
    earlier = claim.ledger.get().changed_at - datetime.timedelta(seconds=1)
    with (
        pytest.raises(IntegrityError, match="changed_at must not be before"),
        transaction.atomic(),
    ):
        insert_entry(claim, reviewer, version=2, changed_at=earlier)


def test_evidence_for_another_claims_ledger_entry_is_refused(propose, reviewer, source):
    claim = propose()
    other = propose(text="The ferry service is the city's lifeline.", kind="fact")
    entry = other.ledger.get()
    with (
        pytest.raises(IntegrityError, match="belongs to another claim"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "INSERT INTO claims_evidence (claim_id, status_change_id, "
            "source_id, stance, exact, prefix, suffix, note, created_at, "
            "created_by_id) VALUES (%s, %s, %s, 'supports', '', '', '', '', "
            "%s, %s)",
            [claim.pk, entry.pk, source.pk, entry.changed_at, reviewer.pk],
        )


def test_the_claim_version_of_a_span_is_immutable(propose):
    claim = propose()
    with (
        pytest.raises(IntegrityError, match="only a review"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE claims_span SET claim_version = 7 WHERE claim_id = %s",
            [claim.pk],
        )


@pytest.mark.parametrize(
    "column",
    ["stated_on = '2020-01-01'", "stated_on_precision = 'year'", "speaker_title = 'x'"],
)
def test_an_appearances_own_facts_are_immutable(propose, column):
    claim = propose()
    with (
        pytest.raises(IntegrityError, match="only a review"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            f"UPDATE claims_span SET {column} WHERE claim_id = %s", [claim.pk]
        )


@pytest.fixture
def relation(propose, reviewer, other_reviewer):
    from claims import services

    one = services.review_claim(claim=propose(), decision="accept", by=other_reviewer)
    two = services.review_claim(
        claim=propose(text="The ferry runs daily.", kind="fact"),
        decision="accept",
        by=other_reviewer,
    )
    return services.relate_claims(
        claim=one,
        other=two,
        kind="contradicts",
        rationale="They disagree.",
        spans=[one.spans.get().pk],
        by=reviewer,
    )


def test_a_relation_changes_only_by_one_withdrawal(relation, reviewer):
    with (
        pytest.raises(IntegrityError, match="only one withdrawal"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE claims_claimrelation SET rationale = 'forged' WHERE id = %s",
            [relation.pk],
        )
    with (
        pytest.raises(IntegrityError),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE claims_claimrelation_spans SET span_id = span_id WHERE "
            "claimrelation_id = %s",
            [relation.pk],
        )


@pytest.mark.postgresql
def test_a_relation_is_never_deleted(relation):
    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM claims_claimrelation WHERE id = %s", [relation.pk])


def truncate(table):
    with transaction.atomic(), connection.cursor() as cursor:
        # What tests/conftest.py turns on for the test runner's flush.
        cursor.execute("SET LOCAL claimtrack.allow_truncate = off")
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # none pending
        cursor.execute(f"TRUNCATE {table} CASCADE")


@pytest.mark.postgresql
@pytest.mark.parametrize(
    "table",
    [
        "claims_span",
        "claims_evidence",
        "claims_statuschange",
        "claims_claimevent",
        "claims_claimrelation",
    ],
)
def test_truncate_of_an_append_only_table_is_refused(table, propose):
    propose()
    with pytest.raises(IntegrityError, match=r"TRUNCATE refused"):
        truncate(table)
    assert installed_triggers() >= {f"{table}_no_truncate"}
