"""Concurrent writers on PostgreSQL: nothing lost, nothing done twice.

Each thread has its own database connection; a barrier makes them write at once.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError

from claims import services
from claims.models import Claim, StatusChange
from sources.models import Source
from sources.services import create_source

from .threads import run_at_once

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]


def test_two_edits_of_the_same_version_one_wins_one_is_stale(propose, reviewer):
    claim = propose()

    def edit(title):
        return lambda: services.edit_claim(
            claim=Claim.objects.get(pk=claim.pk),
            expected_version=1,
            by=reviewer,
            speaker_title=title,
        )

    results = run_at_once(edit("Prof"), edit("Ms"), edit("Dr"))
    stale = [r for r in results if isinstance(r, ValidationError)]
    won = [r for r in results if isinstance(r, Claim)]
    assert len(won) == 1, results
    assert len(stale) == 2, results
    assert all("version" in e.message_dict for e in stale)
    claim.refresh_from_db()
    assert claim.version == 2
    assert claim.speaker_title == won[0].speaker_title
    assert claim.history.count() == 2


def test_two_sweeps_at_once_move_each_claim_once(propose_accepted):
    claims = [
        propose_accepted(due_on=datetime.date(2025, 1, day), due_on_precision="day")
        for day in range(1, 6)
    ]
    today = datetime.date(2025, 6, 1)
    results = run_at_once(
        lambda: services.mark_overdue(today=today),
        lambda: services.mark_overdue(today=today),
    )
    assert not any(isinstance(r, Exception) for r in results), results
    moved = [m.claim_id for r in results for m in r if m.moved]
    assert sorted(moved) == sorted(c.pk for c in claims)
    assert StatusChange.objects.filter(to_status="overdue").count() == 5


def test_the_sweep_in_worker_threads_moves_each_claim_once_in_order(propose_accepted):
    """Batches on several connections at once: every claim moved once, with the
    trail a single move leaves, and the moves reported in claim order."""
    from django.db import connections

    claims = [
        propose_accepted(
            due_on=datetime.date(2025, 1, 1 + n % 28), due_on_precision="day"
        )
        for n in range(23)
    ]
    before = len(connections.all(initialized_only=True))
    moves = services.mark_overdue(
        today=datetime.date(2025, 6, 1), batch_size=3, workers=3
    )
    assert [m.claim_id for m in moves] == [c.pk for c in claims]
    assert all(m.moved for m in moves)
    for claim in claims:
        claim.refresh_from_db()
        # Proposed (version 1), accepted (2), moved (3).
        assert (claim.status, claim.version) == ("overdue", 3)
        assert claim.ledger.count() == 2
        assert claim.events.count() == 3
        assert claim.history.count() == 3
    assert len(connections.all(initialized_only=True)) == before  # this thread's
    assert services.mark_overdue(today=datetime.date(2025, 6, 1), workers=3) == []


def test_an_error_in_a_sweep_worker_reaches_the_caller_and_stops_the_rest(
    propose_accepted, monkeypatch
):
    from claims.services import status

    claims = [
        propose_accepted(due_on=datetime.date(2025, 1, day), due_on_precision="day")
        for day in range(1, 10)
    ]
    batches = []
    move_batch = status._move_batch

    def failing(ids, today, by):
        batches.append(ids)
        if len(batches) == 1:
            raise RuntimeError("disk full")
        return move_batch(ids, today, by)

    monkeypatch.setattr(status, "_move_batch", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        services.mark_overdue(today=datetime.date(2025, 6, 1), batch_size=1, workers=2)
    # The other worker stopped after at most the batch it had begun.
    assert len(batches) <= 2
    moved = Claim.objects.filter(status="overdue").count()
    assert moved <= 1
    assert moved < len(claims)


def test_the_same_text_submitted_at_once_is_stored_once(reviewer):
    text = "Two scrapers found this article at the same moment."
    results = run_at_once(
        lambda: create_source(text=text, by=reviewer),
        lambda: create_source(text=text, by=reviewer),
    )
    assert not any(isinstance(r, Exception) for r in results), results
    assert sorted(r.created for r in results) == [False, True]
    assert results[0].source.pk == results[1].source.pk
    assert Source.objects.count() == 1


def test_crossing_merges_neither_deadlock_nor_lose_a_merge(reviewer):
    from claims.models import Speaker

    a, b, c = (Speaker.objects.create(name=name) for name in ("A", "B", "C"))
    results = run_at_once(
        lambda: services.merge_speakers(merged=a, into=b, by=reviewer),
        lambda: services.merge_speakers(merged=b, into=c, by=reviewer),
    )
    errors = [r for r in results if isinstance(r, Exception)]
    # Whichever ran second saw the first one's result: either both merges hold
    # (A→B then B→C) or the second was refused with a clear field error.
    assert all(isinstance(e, ValidationError) for e in errors), errors
    a.refresh_from_db()
    b.refresh_from_db()
    if not errors:
        assert (a.merged_into_id, b.merged_into_id) == (b.pk, c.pk)
    else:
        assert len(errors) == 1
        assert (a.merged_into_id is None) != (b.merged_into_id is None)
