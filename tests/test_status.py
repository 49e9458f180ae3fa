import datetime
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from claims import services
from claims.models import Claim, ClaimKind, Evidence, Stance, Status, StatusChange
from claims.models.claim import INITIAL_STATUS, STATUSES_BY_KIND
from claims.transitions import allowed_targets, move_problem
from sources.services import create_source

pytestmark = pytest.mark.django_db

VERDICTS = {Status.CONFIRMED, Status.PARTLY_CONFIRMED, Status.REFUTED}


@pytest.fixture
def evidence_source(reviewer):
    return create_source(
        text="Our reporter saw the bridge open to traffic on 2 June 2025.",
        title="Site visit note",
        by=reviewer,
    ).source


def move(claim, to_status, by, evidence=(), rationale="Checked.", **kwargs):
    claim.refresh_from_db()
    return services.change_status(
        claim=claim,
        to_status=to_status,
        rationale=rationale,
        by=by,
        expected_version=kwargs.pop("expected_version", claim.version),
        evidence=evidence,
        **kwargs,
    )


def supporting(source):
    return [services.EvidenceInput(source=source, stance=Stance.SUPPORTS)]


def fact_claim(propose):
    return propose(kind=ClaimKind.FACT, due_on=None, due_on_precision="", due_text="")


def test_design_examples_of_the_transition_table():
    # Spot checks written from DESIGN.md, independent of how the table is built.
    assert move_problem("prediction", "overdue", "confirmed", by_sweep=False) is None
    assert move_problem("fact", "confirmed", "refuted", by_sweep=False) is None
    assert move_problem("fact", "unverified", "retracted", by_sweep=False) is None
    assert (
        move_problem("promise", "pending", "partly_confirmed", by_sweep=False) is None
    )
    assert "sweep" in move_problem("prediction", "pending", "overdue", by_sweep=False)
    assert move_problem("prediction", "pending", "overdue", by_sweep=True) is None
    assert move_problem("prediction", "confirmed", "overdue", by_sweep=True)
    assert move_problem("opinion", "unverifiable", "confirmed", by_sweep=False)
    assert move_problem("fact", "unverified", "pending", by_sweep=False)
    assert move_problem("fact", "unverified", "overdue", by_sweep=False)
    assert move_problem("fact", "refuted", "refuted", by_sweep=False)
    assert move_problem("fact", "unverified", "bogus", by_sweep=False)
    assert allowed_targets("opinion", "unverifiable") == {Status.RETRACTED}
    assert Status.OVERDUE not in allowed_targets("prediction", "pending")


ALL_MOVES = [
    (kind, current, target)
    for kind in ClaimKind
    for current, target in itertools.product(STATUSES_BY_KIND[kind], Status)
]


@pytest.mark.parametrize(("kind", "current", "target"), ALL_MOVES)
def test_every_move_is_allowed_or_refused_as_the_table_says(
    propose, reviewer, evidence_source, kind, current, target
):
    claim = propose(
        kind=kind,
        **(
            {}
            if kind in (ClaimKind.PREDICTION, ClaimKind.PROMISE)
            else {"due_on": None, "due_on_precision": "", "due_text": ""}
        ),
        # A deadline in the future, so that pending is a fair target.
        **(
            {"due_on": datetime.date(2099, 1, 1), "due_on_precision": "day"}
            if kind in (ClaimKind.PREDICTION, ClaimKind.PROMISE)
            else {}
        ),
    )
    if current != claim.status:
        # Reach the starting status the way the product would.
        if current == Status.OVERDUE:
            # The sweep is the only way in, for an accepted claim: give it a
            # deadline long past.
            services.review_claim(
                claim=claim,
                decision="accept",
                by=services.get_system_user("status-reviewer"),
            )
            claim.refresh_from_db()
            services.edit_claim(
                claim=claim,
                expected_version=claim.version,
                by=reviewer,
                due_on=datetime.date(2000, 1, 31),
                due_on_precision="month",
            )
            services.mark_overdue(today=datetime.date(2000, 3, 1))
        else:
            move(claim, current, reviewer, evidence=supporting(evidence_source))
    claim.refresh_from_db()
    assert claim.status == current
    # Back to pending is refused once the deadline has passed, whatever the table.
    past_deadline = (
        claim.deadline is not None and claim.deadline < datetime.date.today()
    )
    expected_ok = target in allowed_targets(kind, current) and not (
        target == Status.PENDING and past_deadline
    )
    ledger_before = claim.ledger.count()
    evidence = supporting(evidence_source) if target in VERDICTS else ()
    if expected_ok:
        entry = move(claim, target, reviewer, evidence=evidence)
        claim.refresh_from_db()
        assert (entry.from_status, entry.to_status) == (current, target)
        assert claim.status == target
        assert claim.ledger.count() == ledger_before + 1
    else:
        with pytest.raises(ValidationError) as error:
            move(claim, target, reviewer, evidence=evidence)
        assert "status" in error.value.message_dict
        claim.refresh_from_db()
        assert claim.status == current
        assert claim.ledger.count() == ledger_before
    assert claim.ledger.last().to_status == claim.status


def test_a_rationale_is_always_required(propose, reviewer):
    claim = fact_claim(propose)
    for rationale in ("", "   ", None):
        with pytest.raises(ValidationError) as error:
            move(claim, Status.UNVERIFIABLE, reviewer, rationale=rationale)
        assert "rationale" in error.value.message_dict
    assert claim.ledger.count() == 1


@pytest.mark.parametrize("verdict", sorted(VERDICTS))
def test_a_verdict_needs_evidence(propose, reviewer, verdict):
    claim = fact_claim(propose)
    with pytest.raises(ValidationError) as error:
        move(claim, verdict, reviewer, evidence=())
    assert "evidence" in error.value.message_dict
    claim.refresh_from_db()
    assert (claim.status, claim.version, claim.ledger.count()) == ("unverified", 1, 1)


def test_a_verdict_records_its_evidence_with_span_on_the_ledger_entry(
    propose, reviewer, evidence_source
):
    claim = propose(due_on=datetime.date(2025, 6, 30), due_on_precision="day")
    words = "saw the bridge open to traffic on 2 June 2025"
    start = evidence_source.text.index(words)
    entry = move(
        claim,
        Status.CONFIRMED,
        reviewer,
        evidence=[
            services.EvidenceInput(
                source=evidence_source,
                stance=Stance.SUPPORTS,
                start=start,
                end=start + len(words),
                exact=words,
                note="Seen on site.",
            )
        ],
        rationale="The bridge opened on 2 June.",
    )
    item = entry.evidence.get()
    assert (item.claim_id, item.stance, item.exact) == (claim.pk, "supports", words)
    assert item.prefix == "Our reporter "
    claim.refresh_from_db()
    assert claim.status == "confirmed"
    assert claim.version == 2
    assert entry.claim_version == 2
    assert entry.changed_by == reviewer


def test_bad_evidence_is_refused_naming_it_and_nothing_is_written(
    propose, reviewer, evidence_source
):
    claim = fact_claim(propose)
    cases = [
        (services.EvidenceInput(evidence_source, "agrees"), "evidence.0.stance"),
        (services.EvidenceInput(99999, "supports"), "evidence.0.source"),
        (
            services.EvidenceInput(evidence_source, "supports", 0, 3, exact="Her"),
            "evidence.0.exact",
        ),
        (
            services.EvidenceInput(evidence_source, "supports", 5, 500),
            "evidence.0.end",
        ),
    ]
    for item, field in cases:
        with pytest.raises(ValidationError) as error:
            move(claim, Status.REFUTED, reviewer, evidence=[item])
        assert field in error.value.message_dict
    claim.refresh_from_db()
    assert (claim.status, claim.version) == ("unverified", 1)
    assert not Evidence.objects.exists()
    assert StatusChange.objects.count() == 1


def test_evidence_can_cite_a_source_without_text(propose, reviewer):
    video = create_source(url="https://video.example.org/opening", by=reviewer).source
    claim = propose(due_on=datetime.date(2025, 6, 30), due_on_precision="day")
    entry = move(
        claim,
        Status.CONFIRMED,
        reviewer,
        evidence=[services.EvidenceInput(video, Stance.SUPPORTS)],
    )
    assert entry.evidence.get().start is None


def test_evidence_span_on_a_source_without_text_is_refused(propose, reviewer):
    video = create_source(url="https://video.example.org/opening", by=reviewer).source
    claim = fact_claim(propose)
    with pytest.raises(ValidationError) as error:
        services.add_evidence(
            claim=claim,
            evidence=services.EvidenceInput(video, Stance.CONTEXT, 0, 3),
            by=reviewer,
        )
    assert "evidence.source" in error.value.message_dict


def test_a_stale_version_is_refused_and_nothing_changes(propose, reviewer):
    claim = fact_claim(propose)
    move(claim, Status.UNVERIFIABLE, reviewer)  # now at version 2
    with pytest.raises(ValidationError) as error:
        move(claim, Status.RETRACTED, reviewer, expected_version=1)
    assert "stale" in error.value.message_dict["version"][0]
    assert "version 2" in error.value.message_dict["version"][0]
    claim.refresh_from_db()
    assert (claim.status, claim.version, claim.ledger.count()) == ("unverifiable", 2, 2)


def test_a_person_must_give_the_version_they_saw(propose, reviewer):
    claim = fact_claim(propose)
    with pytest.raises(ValidationError) as error:
        services.change_status(
            claim=claim,
            to_status=Status.UNVERIFIABLE,
            rationale="x",
            by=reviewer,
            expected_version=None,
        )
    assert "version" in error.value.message_dict


def test_pending_cannot_return_after_the_deadline(propose, reviewer, evidence_source):
    claim = propose(due_on=datetime.date(2025, 6, 1), due_on_precision="month")
    move(claim, Status.REFUTED, reviewer, evidence=supporting(evidence_source))
    with pytest.raises(ValidationError) as error:
        move(claim, Status.PENDING, reviewer, today=datetime.date(2025, 7, 1))
    assert "deadline" in error.value.message_dict["status"][0]
    # Before the deadline (30 June at month precision) it may be reopened.
    move(claim, Status.PENDING, reviewer, today=datetime.date(2025, 6, 30))
    claim.refresh_from_db()
    assert claim.status == "pending"


def test_status_always_equals_the_last_ledger_entry(propose, reviewer, evidence_source):
    claim = propose(due_on=datetime.date(2099, 1, 1), due_on_precision="day")
    for target in (
        Status.CONFIRMED,
        Status.REFUTED,
        Status.PENDING,
        Status.PARTLY_CONFIRMED,
        Status.RETRACTED,
        Status.UNVERIFIABLE,
    ):
        move(claim, target, reviewer, evidence=supporting(evidence_source))
        claim.refresh_from_db()
        assert claim.ledger.last().to_status == claim.status == target
    statuses = list(claim.ledger.values_list("from_status", "to_status"))
    assert all(a == b for (_, b), (a, _) in itertools.pairwise(statuses))
    assert claim.version == 7


def test_the_ledger_is_append_only(propose, reviewer):
    claim = fact_claim(propose)
    entry = claim.ledger.get()
    entry.rationale = "rewritten"
    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        entry.delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        StatusChange.objects.filter(pk=entry.pk).update(rationale="rewritten")
    entry.refresh_from_db()
    assert entry.rationale == "Proposed."


@pytest.mark.parametrize(
    ("update", "constraint"),
    [
        ({"to_status": "bogus"}, "statuschange_to_status_valid"),
        ({"to_status": "unverified"}, "statuschange_moves"),
        ({"rationale": ""}, "statuschange_rationale_required"),
        ({"from_status": "refuted"}, "from_status must be the last entry"),
        ({"from_status": ""}, "from_status must be the last entry"),
    ],
)
def test_the_database_refuses_a_bad_ledger_entry(propose, reviewer, update, constraint):
    claim = fact_claim(propose)
    fields = {
        "claim": claim,
        "from_status": "unverified",
        "to_status": "unverifiable",
        "rationale": "x",
        "claim_version": 2,  # the claim's next
        "changed_by": reviewer,
        **update,
    }
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        StatusChange.objects.create(**fields)
    assert constraint in str(error.value)


def ledger_rows(claim, by, *entries):
    """INSERT ledger entries (from, to, version) of ``claim`` in one statement
    (never ahead of the claim's next version: set the claim's version first)."""
    values = ", ".join(["(%s, %s, %s, 'x', %s, %s, %s)"] * len(entries))
    params = []
    now = timezone.now()
    for from_status, to_status, version in entries:
        params += [claim.pk, from_status, to_status, version, now, by.pk]
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO claims_statuschange (claim_id, from_status, to_status, "
            f"rationale, claim_version, changed_at, changed_by_id) VALUES {values}",
            params,
        )


def test_an_entry_follows_the_claims_last_entry(propose, reviewer):
    """The chain is in version order, and an entry is only ever appended: one
    below the last version is refused, even when its statuses would chain."""
    claim = fact_claim(propose)  # unverified, version 1
    Claim.objects.filter(pk=claim.pk).update(version=6)
    ledger_rows(claim, reviewer, ("unverified", "unverifiable", 5))
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        ledger_rows(claim, reviewer, ("unverified", "unverifiable", 3))
    assert "claim_version must be above the last entry" in str(error.value)
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        ledger_rows(claim, reviewer, ("unverified", "retracted", 6))
    assert "from_status must be the last entry" in str(error.value)
    assert list(claim.ledger.values_list("claim_version", flat=True)) == [1, 5]


def test_one_statement_may_write_a_chain_and_each_link_is_checked(propose, reviewer):
    """Several entries of one claim in one INSERT (a restore, the corpus
    loader): checked in version order, against the entries of the same
    statement too (PostgreSQL checks once per statement, SQLite per row)."""
    claim, other = fact_claim(propose), fact_claim(propose)
    Claim.objects.filter(pk=claim.pk).update(version=3)
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        ledger_rows(
            claim,
            reviewer,
            ("unverified", "unverifiable", 2),
            ("unverified", "retracted", 3),  # does not follow version 2
        )
    assert "from_status must be the last entry" in str(error.value)
    ledger_rows(
        claim,
        reviewer,
        ("unverified", "unverifiable", 2),
        ("unverifiable", "retracted", 3),
    )
    assert claim.ledger.count() == 3
    # A bulk update is checked claim by claim: one status off refuses it all.
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        Claim.objects.filter(pk__in=[claim.pk, other.pk]).update(
            status=Status.RETRACTED
        )
    assert "status must equal its last status ledger entry" in str(error.value)
    Claim.objects.filter(pk=claim.pk).update(status=Status.RETRACTED)
    assert Claim.objects.get(pk=other.pk).status == Status.UNVERIFIED


def test_editing_the_kind_from_its_starting_status_moves_to_the_new_start(
    propose, reviewer
):
    claim = fact_claim(propose)
    services.edit_claim(
        claim=claim,
        expected_version=1,
        by=reviewer,
        kind=ClaimKind.PREDICTION,
        due_on=datetime.date(2026, 12, 1),
        due_on_precision="month",
        due_text="by December",
    )
    claim.refresh_from_db()
    assert claim.status == INITIAL_STATUS[ClaimKind.PREDICTION]
    assert claim.ledger.last().rationale == "Kind changed from fact to prediction."


def test_editing_the_kind_away_from_a_verdict_it_cannot_hold_is_refused(
    propose, reviewer, evidence_source
):
    claim = fact_claim(propose)
    move(claim, Status.CONFIRMED, reviewer, evidence=supporting(evidence_source))
    with pytest.raises(ValidationError) as error:
        services.edit_claim(
            claim=claim, expected_version=2, by=reviewer, kind=ClaimKind.OPINION
        )
    assert "kind" in error.value.message_dict
    claim.refresh_from_db()
    assert (claim.kind, claim.status, claim.version) == ("fact", "confirmed", 2)


def test_the_database_refuses_a_status_that_is_not_the_last_ledger_entry(propose):
    claim = fact_claim(propose)
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(status="unverifiable")
    assert "last status ledger entry" in str(error.value)


@pytest.mark.postgresql
def test_postgresql_refuses_a_verdict_without_evidence_at_commit(propose, reviewer):
    claim = fact_claim(propose)

    def verdict_without_evidence():
        with transaction.atomic():
            with connection.cursor() as cursor:
                # Check deferred constraints now, not at the (test's) commit.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            StatusChange.objects.create(
                claim=claim,
                from_status="unverified",
                to_status="confirmed",
                rationale="no evidence given",
                claim_version=2,
                changed_by=reviewer,
            )

    with pytest.raises(IntegrityError, match="a verdict needs evidence"):
        verdict_without_evidence()


def test_the_transition_table_written_out_by_hand():
    # Independent of how claims/transitions.py builds it: what DESIGN.md implies.
    verdicts_etc = {
        "confirmed",
        "partly_confirmed",
        "refuted",
        "unverifiable",
        "retracted",
    }
    fact = {"unverified"} | verdicts_etc
    with_deadline = {"pending"} | verdicts_etc  # overdue: only by the sweep
    expected = {
        "fact": {s: fact - {s} for s in fact},
        "prediction": {
            **{s: with_deadline - {s} for s in with_deadline},
            "overdue": set(with_deadline),
        },
        "opinion": {"unverifiable": {"retracted"}, "retracted": {"unverifiable"}},
    }
    expected["promise"] = expected["prediction"]
    for kind, table in expected.items():
        for current, targets in table.items():
            assert set(allowed_targets(kind, current)) == targets, (kind, current)
