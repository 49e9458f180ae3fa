import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from claims import services
from claims.integrity import audit_provenance
from claims.models import EventKind, Evidence
from claims.seeding import load_seeds
from claims.services import mark_overdue

from .conftest import span_of

pytestmark = pytest.mark.django_db


def test_the_seed_data_passes_the_audit(capsys):
    load_seeds()
    mark_overdue()
    call_command("verify_provenance")
    assert "Provenance verified: no problems." in capsys.readouterr().out


def test_the_audit_reports_a_status_that_is_not_the_last_ledger_entry(propose):
    claim = propose()
    # Bypass every guard the way a careless superuser SQL session could; the
    # test's transaction rolls the dropped trigger back.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending events
            cursor.execute(
                "ALTER TABLE claims_claim DISABLE TRIGGER claims_claim_status_is_ledger"
            )
        else:
            cursor.execute("DROP TRIGGER claims_claim_status_is_ledger")
        cursor.execute(
            "UPDATE claims_claim SET status = 'confirmed' WHERE id = %s", [claim.pk]
        )
    assert list(audit_provenance()) == [
        f"claim {claim.pk}: status 'confirmed' but the last ledger entry says 'pending'"
    ]
    with pytest.raises(CommandError, match="1 provenance problem"):
        call_command("verify_provenance")


def test_the_audit_reports_a_ledger_entry_out_of_version_order(propose, reviewer):
    claim = propose()  # pending, version 1
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                "ALTER TABLE claims_statuschange "
                "DISABLE TRIGGER claims_statuschange_follows_ledger"
            )
        else:
            cursor.execute("DROP TRIGGER claims_statuschange_appends")
        # Version 0, after version 1: the chain of statuses still follows.
        cursor.execute(
            "INSERT INTO claims_statuschange (claim_id, from_status, to_status, "
            "rationale, claim_version, changed_at, changed_by_id) "
            "VALUES (%s, 'pending', 'retracted', 'x', 0, %s, %s)",
            [claim.pk, timezone.now(), reviewer.pk],
        )
    problems = list(audit_provenance())
    entry = claim.ledger.order_by("-id").first()
    assert (
        f"status change {entry.pk} of claim {claim.pk}: its claim_version is not "
        "above the entries before it"
    ) in problems


def without_guard(table, trigger, sqlite_trigger=None):
    """Take a guard away for this test's transaction, as a superuser's SQL
    session could (PostgreSQL disables the trigger, SQLite drops it; both are
    rolled back with the test)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending events
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
        elif sqlite_trigger:
            cursor.execute(f"DROP TRIGGER {sqlite_trigger}")


def forge_entry(claim, by, *, version, changed_at):
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO claims_statuschange (claim_id, from_status, to_status, "
            "rationale, claim_version, changed_at, changed_by_id) "
            "VALUES (%s, %s, 'retracted', 'forged', %s, %s, %s)",
            [claim.pk, claim.status, version, changed_at, by.pk],
        )
        cursor.execute("SELECT max(id) FROM claims_statuschange")
        return cursor.fetchone()[0]


def delete_events(claim, kind):
    without_guard("claims_claimevent", "claims_claimevent_append_only")
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM claims_claimevent WHERE claim_id = %s AND kind = %s",
            [claim.pk, kind],
        )


def test_the_audit_reports_a_ledger_entry_ahead_of_its_claims_version(
    propose, reviewer
):
    claim = propose()  # version 1
    without_guard(
        "claims_statuschange",
        "claims_statuschange_follows_ledger",
        "claims_statuschange_next_version",
    )
    entry = forge_entry(claim, reviewer, version=5, changed_at=timezone.now())
    assert (
        f"status change {entry} of claim {claim.pk}: claim_version 5 is ahead of "
        "the claim's version 1"
    ) in list(audit_provenance())


def test_the_audit_reports_a_ledger_entry_whose_time_goes_back(propose, reviewer):
    claim = propose()
    earlier = claim.ledger.get().changed_at - datetime.timedelta(minutes=1)
    without_guard(
        "claims_statuschange",
        "claims_statuschange_follows_ledger",
        "claims_statuschange_in_time",
    )
    entry = forge_entry(claim, reviewer, version=2, changed_at=earlier)
    assert (
        f"status change {entry} of claim {claim.pk}: changed_at is before an "
        "earlier entry's"
    ) in list(audit_provenance())


def test_the_audit_reports_evidence_for_another_claims_ledger_entry(
    propose, reviewer, source
):
    claim = propose()
    other = propose(text="The ferry service is the city's lifeline.", kind="fact")
    entry = other.ledger.get()
    without_guard(
        "claims_evidence", "claims_evidence_same_claim", "claims_evidence_same_claim"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO claims_evidence (claim_id, status_change_id, source_id, "
            "stance, exact, prefix, suffix, note, created_at, created_by_id) "
            "VALUES (%s, %s, %s, 'supports', '', '', '', '', %s, %s)",
            [claim.pk, entry.pk, source.pk, timezone.now(), reviewer.pk],
        )
    evidence = Evidence.objects.get(claim=claim)
    assert (
        f"evidence {evidence.pk} of claim {claim.pk}: its status change {entry.pk} "
        "belongs to another claim"
    ) in list(audit_provenance())


def test_the_audit_reports_a_deleted_creation_event(propose):
    claim = propose()
    delete_events(claim, EventKind.CREATED)
    entry = claim.ledger.get()
    span = claim.spans.get()
    assert sorted(audit_provenance()) == sorted(
        [
            f"status change {entry.pk} of claim {claim.pk}: no change-feed event "
            "at version 1",
            f"claim {claim.pk}: no created event in the change feed",
            f"span {span.pk} of claim {claim.pk}: no change-feed event of its addition",
        ]
    )


@pytest.mark.postgresql
def test_the_audit_reports_a_truncated_change_feed(propose, reviewer):
    claim = propose()
    services.change_status(
        claim=claim,
        to_status="retracted",
        rationale="Withdrawn by the mayor.",
        by=reviewer,
        expected_version=claim.version,
    )
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL claimtrack.allow_truncate = on")
        cursor.execute("TRUNCATE claims_claimevent CASCADE")  # and webhook logs
    problems = list(audit_provenance())
    assert f"claim {claim.pk}: no created event in the change feed" in problems
    for entry in claim.ledger.all():
        assert (
            f"status change {entry.pk} of claim {claim.pk}: no change-feed event "
            f"at version {entry.claim_version}"
        ) in problems


def test_the_audit_reports_a_review_without_its_event(propose, reviewer):
    claim = propose()
    services.review_claim(claim=claim, decision="accept", by=reviewer)
    assert list(audit_provenance()) == []
    delete_events(claim, EventKind.REVIEWED)
    assert list(audit_provenance()) == [
        f"claim {claim.pk}: no reviewed event in the change feed"
    ]


def test_the_audit_reports_contribution_decisions_without_their_events(
    propose, reviewer, source, api_user
):
    claim = propose()
    services.review_claim(claim=claim, decision="accept", by=reviewer)
    contributor = api_user("contributor")
    span = services.add_span(
        claim=claim, span=span_of(source, "harbour bridge"), by=contributor
    )
    evidence = services.add_evidence(
        claim=claim,
        evidence=services.EvidenceInput(source=source, stance="context"),
        by=contributor,
    )
    services.review_contribution(item=span, decision="accept", by=reviewer)
    services.review_contribution(item=evidence, decision="accept", by=reviewer)
    services.withdraw_contribution(item=span, reason="Not the claim.", by=reviewer)
    assert list(audit_provenance()) == []
    delete_events(claim, EventKind.SPAN_WITHDRAWN)
    delete_events(claim, EventKind.EVIDENCE_REVIEWED)
    assert sorted(audit_provenance()) == [
        f"evidence {evidence.pk} of claim {claim.pk}: no change-feed event of its "
        "review",
        f"span {span.pk} of claim {claim.pk}: no change-feed event of its withdrawal",
    ]


def test_spans_and_evidence_record_the_version_of_their_event(
    propose, reviewer, source
):
    claim = propose()
    assert list(claim.spans.values_list("claim_version", flat=True)) == [1]
    span = services.add_span(
        claim=claim, span=span_of(source, "harbour bridge"), by=reviewer
    )
    entry = services.change_status(
        claim=claim,
        to_status="confirmed",
        rationale="It reopened.",
        by=reviewer,
        expected_version=2,
        evidence=[services.EvidenceInput(source=source, stance="supports")],
    )
    evidence = entry.evidence.get()
    assert (span.claim_version, entry.claim_version, evidence.claim_version) == (
        2,
        3,
        3,
    )
    assert set(claim.events.values_list("kind", "version")) == {
        (EventKind.CREATED, 1),
        (EventKind.SPAN_ADDED, 2),
        (EventKind.STATUS_CHANGED, 3),
    }
