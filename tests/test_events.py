import datetime

import pytest
from django.db import IntegrityError, transaction

from claims import services
from claims.models import ClaimEvent

pytestmark = pytest.mark.django_db


def test_every_change_records_one_event_with_the_new_state(
    propose, proposer, reviewer, source
):
    claim = propose()
    services.review_claim(claim=claim, decision="accept", by=reviewer)
    services.edit_claim(
        claim=claim, expected_version=2, by=reviewer, speaker_title="Ms"
    )
    services.add_evidence(
        claim=claim,
        evidence=services.EvidenceInput(source=source, stance="context"),
        by=reviewer,
    )
    words = "Okafor added"
    start = source.text.index(words)
    services.add_span(
        claim=claim,
        span=services.SpanInput(source, start, start + len(words), role="cue"),
        by=reviewer,
    )
    services.change_status(
        claim=claim,
        to_status="retracted",
        rationale="Withdrawn.",
        by=reviewer,
        expected_version=5,
    )
    services.mark_overdue(today=datetime.date(2099, 1, 1))  # retracted: no move
    events = list(ClaimEvent.objects.filter(claim=claim))
    assert [(e.kind, e.version) for e in events] == [
        ("created", 1),
        ("reviewed", 2),
        ("edited", 3),
        ("evidence_added", 4),
        ("span_added", 5),
        ("status_changed", 6),
    ]
    last = events[-1].state
    assert (last["status"], last["review"], last["version"]) == (
        "retracted",
        "accepted",
        6,
    )
    assert last["speaker_title"] == "Ms"
    assert events[0].actor == proposer
    assert {e.actor for e in events[1:]} == {reviewer}


def test_events_are_append_only(propose):
    event = ClaimEvent.objects.get(claim=propose())
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimEvent.objects.filter(pk=event.pk).update(kind="edited")
