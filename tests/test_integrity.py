import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from claims.integrity import audit_provenance
from claims.seeding import load_seeds
from claims.services import mark_overdue

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
