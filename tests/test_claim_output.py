"""A claim's output is declared once: the claim's STATE_FIELDS, read by the
change feed, the edit verb and the API's ClaimSerializer, from which both
payload builders (SQL on PostgreSQL, Python elsewhere) are derived."""

import pytest

from claims.api.payloads import claim_fields, payload_for, python_payloads
from claims.api.serializers import ClaimSerializer
from claims.models import Claim
from claims.models.claim import EDITABLE_FIELDS, STATE_FIELDS, claim_state


def test_the_api_shows_the_state_fields_and_a_few_more():
    names = list(ClaimSerializer().fields)
    assert names[1 : 1 + len(STATE_FIELDS)] == list(STATE_FIELDS)
    assert set(names) - set(STATE_FIELDS) == {
        "id",
        "extraction",
        "spans",
        "evidence",
        "related",
        "ledger_length",
        "created_at",
        "updated_at",
    }


def test_an_edit_changes_the_editable_state_fields_only():
    assert set(STATE_FIELDS) - set(EDITABLE_FIELDS) == {
        "status",
        "review",
        "rejection_reason",
        "duplicate_of",
        "version",
    }


@pytest.mark.django_db
def test_the_feed_records_every_state_field(propose):
    claim = propose()
    state = claim.events.order_by("-id").first().state
    assert set(state) == set(STATE_FIELDS)  # jsonb keeps no key order
    assert state == claim_state(claim)


@pytest.mark.django_db
def test_both_payload_builders_give_the_declared_fields_with_the_same_values(
    propose, reviewer
):
    claim = propose()
    payload = payload_for(claim.pk, reviewer)  # SQL on PostgreSQL
    (python,) = python_payloads(Claim.objects.all(), [claim.pk], reviewer)
    assert list(python) == list(claim_fields())
    assert set(payload) == set(claim_fields())
    for name in STATE_FIELDS:
        assert payload[name] == python[name], name
    assert payload["spans"]
    assert [s["exact"] for s in payload["spans"]] == [
        s["exact"] for s in python["spans"]
    ]
    assert set(payload["spans"][0]) == set(claim_fields()["spans"].child.fields)


def test_what_a_client_may_send_is_the_editable_fields():
    from claims.api.inputs import EditClaimSerializer, ProposeClaimSerializer

    assert list(ProposeClaimSerializer().fields) == [*EDITABLE_FIELDS, "spans"]
    edit = EditClaimSerializer().fields
    assert list(edit) == [*EDITABLE_FIELDS, "reason"]
    assert not any(field.required for field in edit.values())


@pytest.mark.django_db
@pytest.mark.parametrize("microsecond", [116650, 0])
def test_both_payload_builders_write_times_alike(propose, reviewer, microsecond):
    # PostgreSQL's own JSON would write .11665 and drop a zero fraction.
    claim = propose()
    at = claim.created_at.replace(microsecond=microsecond)
    Claim.objects.filter(pk=claim.pk).update(created_at=at)
    payload = payload_for(claim.pk, reviewer)
    (python,) = python_payloads(Claim.objects.all(), [claim.pk], reviewer)
    assert payload["created_at"] == python["created_at"]
    assert payload["created_at"].endswith(f".{microsecond:06d}+00:00")
