import datetime

import pytest
from django.core.management import CommandError, call_command

from claims import services
from claims.models import Claim, ClaimKind, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def propose(propose, reviewer):
    """Claims the sweep can move: accepted ones (a proposal never moves)."""

    def make(**overrides):
        claim = propose(**overrides)
        return services.review_claim(claim=claim, decision="accept", by=reviewer)

    return make


def predict(propose, due_on, precision, due_text="", kind=ClaimKind.PREDICTION):
    return propose(
        kind=kind, due_on=due_on, due_on_precision=precision, due_text=due_text
    )


@pytest.mark.parametrize(
    ("due_on", "precision", "last_day"),
    [
        (datetime.date(2025, 6, 15), "day", datetime.date(2025, 6, 15)),
        (datetime.date(2025, 2, 1), "month", datetime.date(2025, 2, 28)),
        (datetime.date(2024, 2, 1), "month", datetime.date(2024, 2, 29)),
        (datetime.date(2025, 12, 1), "month", datetime.date(2025, 12, 31)),
        (datetime.date(2025, 3, 1), "year", datetime.date(2025, 12, 31)),
    ],
)
def test_the_sweep_respects_the_deadlines_precision(
    propose, due_on, precision, last_day
):
    claim = predict(propose, due_on, precision)
    assert claim.deadline == last_day
    # On the last day the claim can still come true: not overdue yet.
    assert services.mark_overdue(today=last_day) == []
    claim.refresh_from_db()
    assert claim.status == "pending"
    moves = services.mark_overdue(today=last_day + datetime.timedelta(days=1))
    assert [(m.claim_id, m.moved) for m in moves] == [(claim.pk, True)]
    claim.refresh_from_db()
    assert claim.status == "overdue"
    entry = claim.ledger.last()
    assert (entry.from_status, entry.to_status) == ("pending", "overdue")
    assert entry.changed_by.username == "claimtrack-system"
    assert f"last day {last_day.day} {last_day:%B %Y};" in entry.rationale


def test_the_rationale_names_the_deadline_in_the_sources_words(propose):
    claim = predict(
        propose, datetime.date(2025, 12, 1), "month", "by November or December"
    )
    services.mark_overdue(today=datetime.date(2026, 1, 5))
    rationale = claim.ledger.last().rationale
    assert "December 2025" in rationale
    assert '"by November or December"' in rationale
    assert "last day 31 December 2025" in rationale


def test_the_sweep_is_idempotent(propose):
    predict(propose, datetime.date(2025, 1, 1), "day")
    today = datetime.date(2025, 2, 1)
    assert len(services.mark_overdue(today=today)) == 1
    assert services.mark_overdue(today=today) == []
    claim = Claim.objects.get()
    assert claim.ledger.count() == 2


def test_the_sweep_leaves_facts_verdicts_and_future_deadlines_alone(
    propose, reviewer, source
):
    future = predict(propose, datetime.date(2030, 1, 1), "year")
    promise = predict(propose, datetime.date(2025, 1, 1), "day", kind=ClaimKind.PROMISE)
    resolved = predict(propose, datetime.date(2025, 1, 1), "day")
    services.change_status(
        claim=resolved,
        to_status=Status.CONFIRMED,
        rationale="It happened.",
        by=reviewer,
        expected_version=resolved.version,
        evidence=[services.EvidenceInput(source=source, stance="supports")],
    )
    propose(kind=ClaimKind.FACT, due_on=None, due_on_precision="", due_text="")
    moves = services.mark_overdue(today=datetime.date(2026, 1, 1))
    assert [m.claim_id for m in moves] == [promise.pk]
    future.refresh_from_db()
    resolved.refresh_from_db()
    assert (future.status, resolved.status) == ("pending", "confirmed")


def test_dry_run_lists_and_changes_nothing(propose, capsys):
    claim = predict(propose, datetime.date(2025, 1, 1), "day", "by New Year")
    call_command("mark_overdue", "--dry-run", "--today", "2025-06-01")
    out = capsys.readouterr().out
    assert f"claim {claim.pk}: would move to overdue, deadline 2025-01-01" in out
    assert "1 claim(s) would move to overdue." in out
    claim.refresh_from_db()
    assert (claim.status, claim.version, claim.ledger.count()) == ("pending", 2, 1)


def test_the_command_moves_and_reports(propose, capsys):
    claim = predict(propose, datetime.date(2025, 1, 1), "day")
    call_command("mark_overdue", "--today", "2025-06-01")
    assert "1 claim(s) moved to overdue." in capsys.readouterr().out
    claim.refresh_from_db()
    assert claim.status == "overdue"
    call_command("mark_overdue", "--today", "2025-06-01")
    assert "0 claim(s) moved to overdue." in capsys.readouterr().out


def test_inside_a_transaction_the_sweep_keeps_to_its_connection(propose):
    """Worker threads open connections of their own, which could not see rows
    of a transaction still open: there, the batches run on the caller's."""
    claims = [
        predict(propose, datetime.date(2025, 1, day), "day") for day in range(1, 6)
    ]
    moves = services.mark_overdue(
        today=datetime.date(2025, 6, 1), batch_size=2, workers=4
    )
    assert [m.claim_id for m in moves if m.moved] == [c.pk for c in claims]


def test_the_command_refuses_a_worker_count_below_one(db):
    with pytest.raises(CommandError, match="--workers must be 1 or more"):
        call_command("mark_overdue", "--workers", "0")


def test_the_command_refuses_a_bad_date(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--today must be a date"):
        call_command("mark_overdue", "--today", "June")


def test_on_the_seed_data_today_the_starlink_claim_becomes_overdue(db):
    call_command("load_seeds")
    moves = services.mark_overdue()
    starlink = Claim.objects.get(text__startswith="Starlink")
    # And the minister's 2 May update of it (seeds/khunjerab-follow-ups).
    on_track = Claim.objects.get(text__contains="on track for December")
    assert [m.claim_id for m in moves] == [starlink.pk, on_track.pk]
    starlink.refresh_from_db()
    assert starlink.status == "overdue"
    assert "by November or December" in starlink.ledger.last().rationale


def test_a_late_resolution_moves_overdue_to_confirmed(propose, reviewer, source):
    claim = predict(propose, datetime.date(2025, 1, 1), "day")
    services.mark_overdue(today=datetime.date(2025, 3, 1))
    claim.refresh_from_db()
    services.change_status(
        claim=claim,
        to_status=Status.CONFIRMED,
        rationale="It happened late.",
        by=reviewer,
        expected_version=claim.version,
        evidence=[services.EvidenceInput(source=source, stance="supports")],
    )
    claim.refresh_from_db()
    assert [e.to_status for e in claim.ledger.all()] == [
        "pending",
        "overdue",
        "confirmed",
    ]


def _trail(claim):
    """What a move leaves behind: the claim, its last ledger entry, history
    record and change-feed event."""
    claim.refresh_from_db()
    entry = claim.ledger.last()
    record = claim.history.order_by("-history_id").first()
    event = claim.events.order_by("-id").first()
    return {
        "claim": (claim.status, claim.version),
        "ledger": (
            entry.from_status,
            entry.to_status,
            entry.claim_version,
            entry.changed_by.username,
        ),
        "history": (
            record.history_type,
            record.status,
            record.version,
            record.history_change_reason,
            record.history_user.username,
        ),
        "event": (event.kind, event.version, event.state["status"], event.detail),
        "counts": (claim.ledger.count(), claim.history.count(), claim.events.count()),
    }


def test_a_batched_move_leaves_the_same_trail_as_a_single_move(propose):
    """The sweep writes batches in bulk; each claim must end up exactly as
    change_status leaves it (ledger, version, history, change feed)."""
    from claims.models.claim import claim_state
    from claims.services.status import _move_one, _overdue_rationale

    today = datetime.date(2025, 6, 1)
    single = predict(propose, datetime.date(2025, 1, 1), "day")
    by = services.get_system_user()
    assert _move_one(single.pk, today, by).moved
    batched = [
        predict(propose, datetime.date(2025, 1, day), "day") for day in range(2, 9)
    ]
    moves = services.mark_overdue(today=today, batch_size=3)
    assert [m.claim_id for m in moves] == [c.pk for c in batched]
    assert all(m.moved for m in moves)
    expected = _trail(single)
    assert expected["claim"] == ("overdue", 3)
    assert expected["counts"] == (2, 3, 3)
    for claim in [single, *batched]:
        trail = _trail(claim)
        assert trail == expected
        assert claim.ledger.last().rationale == _overdue_rationale(claim, today)
        # The feed's state and the history record are the claim as it now is.
        assert claim.events.order_by("-id").first().state == claim_state(claim)
        record = claim.history.order_by("-history_id").first()
        for field in Claim._meta.concrete_fields:
            assert getattr(record, field.attname) == getattr(claim, field.attname), (
                field.name
            )
