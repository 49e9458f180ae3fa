"""Proposing many claims in one transaction (claims/services/drafts.py): each
draft is written whole or refused by name, in a constant number of
statements, and compared with the claims before it as if proposed alone."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims import services
from claims.integrity import audit_provenance
from claims.models import Claim, ClaimEvent, RepeatCandidate, SpanRole, StatusChange

from .conftest import span_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(source, speaker):
    def make(**overrides):
        fields = {
            "text": "The harbour bridge will reopen by June 2025.",
            "kind": "prediction",
            "attribution": "direct_quote",
            "speaker": speaker,
            "speaker_title": "Mayor",
            "stated_on": datetime.date(2025, 3, 10),
            "stated_on_precision": "day",
            "due_on": datetime.date(2025, 6, 1),
            "due_on_precision": "month",
            "due_text": "by June",
            "spans": [span_of(source, "will reopen by June")],
        }
        return services.ClaimDraft(**{**fields, **overrides})

    return make


def test_the_good_drafts_are_written_whole_and_the_bad_named(draft, source, proposer):
    results = services.propose_many(
        [
            draft(),
            draft(text="  "),
            draft(
                spans=[services.SpanInput(source=source, start=0, end=5, exact="Nope")]
            ),
            draft(
                spans=[
                    span_of(source, "is the city’s lifeline"),
                    span_of(source, "is the city’s lifeline"),
                ],
                text="The ferry service is the city's lifeline.",
                kind="opinion",
                due_on=None,
                due_on_precision="",
                due_text="",
            ),
            draft(
                text="The council spent €4 million on repairs.",
                kind="fact",
                due_on=None,
                due_on_precision="",
                due_text="",
                spans=[span_of(source, "spent €4 million on repairs")],
            ),
        ],
        by=proposer,
    )
    first, blank, wrong, twice, last = results
    assert isinstance(first, Claim)
    assert isinstance(last, Claim)
    assert blank.message_dict == {"text": ["is required and must not be blank."]}
    assert list(wrong.message_dict) == ["spans.0.exact"]
    assert twice.message_dict == {
        "spans.1.__all__": ["the claim has this span already."]
    }
    assert Claim.objects.count() == 2
    for claim in (first, last):
        assert claim.spans.filter(role=SpanRole.CONTENT).count() == 1
        assert StatusChange.objects.filter(claim=claim, from_status="").count() == 1
        assert ClaimEvent.objects.filter(claim=claim, version=1).count() == 1
        assert claim.history.count() == 1
    assert list(audit_provenance()) == []


def test_a_draft_the_database_refuses_is_named_and_the_rest_written(
    draft, source, proposer
):
    """A deadline on a fact passes the checks in Python and is the database's
    to refuse (claim_deadline_only_for_predictions_and_promises): the batch
    falls back to one draft at a time."""
    fact = {"kind": "fact", "due_on": None, "due_on_precision": ""}
    results = services.propose_many(
        [draft(), draft(**fact, due_text="soon"), draft(text="Repairs cost a lot.")],
        by=proposer,
    )
    assert isinstance(results[0], Claim)
    assert isinstance(results[2], Claim)
    assert isinstance(results[1], ValidationError)
    assert "only predictions and promises" in str(results[1].messages)
    assert Claim.objects.count() == 2
    with pytest.raises(ValidationError, match="only predictions and promises"):
        services.propose_claim(by=proposer, **vars(draft(**fact, due_text="soon")))
    assert Claim.objects.count() == 2


def statements(drafts, by) -> list[str]:
    """The statements proposing ``drafts`` ran, but the repeat candidates'
    INSERT (there only when some are found)."""
    with CaptureQueriesContext(connection) as queries:
        services.propose_many(drafts, by=by)
    return [
        "SAVEPOINT" if query["sql"].startswith("SAVEPOINT") else query["sql"][:60]
        for query in queries
        if "claims_repeatcandidate" not in query["sql"]
    ]


def test_a_batch_costs_the_same_statements_whatever_its_size(draft, proposer):
    texts = ["The bridge will reopen in spring {}.", "Tolls fall by {} percent."]
    sizes = [
        statements([draft(text=texts[n % 2].format(n)) for n in range(size)], proposer)
        for size in (1, 10, 40)
    ]
    assert len(sizes[0]) == len(sizes[1]) == len(sizes[2])
    # Two savepoints and their releases; the speakers' merges and families;
    # claims, history, spans, ledger, events (and on PostgreSQL the search
    # documents); the speaker's window of claims.
    assert len(sizes[0]) == (13 if connection.vendor == "postgresql" else 12)


def test_each_draft_is_compared_with_the_drafts_before_it(draft, proposer):
    first, second = services.propose_many([draft(), draft()], by=proposer)
    assert not RepeatCandidate.objects.filter(claim=first).exists()
    assert list(
        RepeatCandidate.objects.filter(claim=second).values_list("candidate", flat=True)
    ) == [first.pk]
