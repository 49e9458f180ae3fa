import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from claims import services
from claims.integrity import audit_provenance
from claims.models import EventKind
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
