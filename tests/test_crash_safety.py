"""A crash in the middle of loading seeds, proposing claims or the sweep leaves
no half-written claim, and a rerun ends where an uninterrupted run ends.

Each run is crashed at a chosen INSERT (tests/faults.py): by an exception
raised on our connection just before the statement runs, and on PostgreSQL
also by killing the connection's server process there, so the database itself
rolls the open transaction back. The state a crash is compared with is an
uninterrupted run of the same work, rolled back before the crash run.
"""

import datetime
import shutil

import pytest
from django.db import IntegrityError, OperationalError, connection, transaction
from django.test.utils import CaptureQueriesContext

from claims import services
from claims.integrity import audit_provenance
from claims.models import Claim, EventKind, SpanRole, Speaker, Status
from claims.seeding import SEEDS_DIR, load_seeds
from claims.services.proposals import propose_claims
from sources.models import Source
from sources.services import create_source

from .faults import SimulatedCrash, crash_on

pytestmark = pytest.mark.django_db

# A killed connection takes the test's transaction with it: such tests commit.
KILL_MARKS = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]
HOW = [
    pytest.param("raise", id="exception"),
    pytest.param("kill", id="killed-connection", marks=KILL_MARKS),
]
CRASHES = (SimulatedCrash, OperationalError)


def end_state():
    """Everything the runs write, without ids or timestamps, in a stable order."""
    claims = Claim.objects.select_related("speaker").prefetch_related(
        "spans__source", "ledger", "evidence__source", "events"
    )
    return {
        "sources": sorted(Source.objects.values_list("content_hash", "title")),
        "speakers": sorted(
            (name, tuple(aliases))
            for name, aliases in Speaker.objects.values_list("name", "aliases")
        ),
        "claims": sorted(
            (
                claim.text,
                claim.speaker.name if claim.speaker else "",
                claim.kind,
                claim.status,
                claim.review,
                claim.version,
                tuple(
                    sorted(
                        (s.source.content_hash, s.start, s.end, s.role)
                        for s in claim.spans.all()
                    )
                ),
                tuple(
                    (e.from_status, e.to_status, e.rationale, e.claim_version)
                    for e in sorted(claim.ledger.all(), key=lambda e: e.pk)
                ),
                tuple(
                    sorted(
                        (e.source.content_hash, e.start or 0, e.stance)
                        for e in claim.evidence.all()
                    )
                ),
                tuple(
                    (e.kind, e.version)
                    for e in sorted(claim.events.all(), key=lambda e: e.pk)
                ),
                tuple(
                    claim.history.order_by("history_id").values_list(
                        "history_type", "version", "status", "review"
                    )
                ),
            )
            for claim in claims
        ),
    }


def uninterrupted(work) -> dict:
    """The end state of ``work`` run without a fault, then rolled back."""
    with transaction.atomic():
        work()
        state = end_state()
        transaction.set_rollback(True)
    return state


def assert_every_claim_is_whole():
    """Each claim has its content span, its ledger from the first entry on
    (status = last entry), a history record and a change-feed event for its
    current version; the read-only audit finds nothing."""
    assert list(audit_provenance()) == []
    for claim in Claim.objects.all():
        assert claim.spans.filter(role=SpanRole.CONTENT).exists(), claim.pk
        ledger = list(claim.ledger.order_by("id"))
        assert ledger, claim.pk
        assert ledger[0].from_status == "", claim.pk
        assert ledger[-1].to_status == claim.status, claim.pk
        record = claim.history.order_by("-history_id").first()
        assert (record.version, record.status, record.review) == (
            claim.version,
            claim.status,
            claim.review,
        ), claim.pk
        events = list(claim.events.order_by("id"))
        assert events[0].kind == EventKind.CREATED, claim.pk
        assert events[-1].version == claim.version, claim.pk
        assert events[-1].state["status"] == claim.status, claim.pk


@pytest.fixture
def seed_root(tmp_path):
    """Two of the seed folders (three sources, eighteen claims, verdicts with
    evidence): the same code as loading all six, in a third of the time."""
    for name in ("harbourne-barrier-2025-11-04", "riverside-trees-2026-11-18"):
        shutil.copytree(SEEDS_DIR / name, tmp_path / name)
    return tmp_path


@pytest.mark.parametrize(
    ("table", "nth", "how"),
    [
        ("claims_evidence", 2, "raise"),
        ("sources_source", 3, "raise"),
        pytest.param(
            "claims_evidence",
            2,
            "kill",
            marks=KILL_MARKS,
        ),
    ],
    ids=["mid-claim", "mid-sources", "mid-claim-killed-connection"],
)
def test_an_interrupted_seed_load_leaves_whole_claims_and_a_rerun_completes_it(
    seed_root, table, nth, how
):
    expected = uninterrupted(lambda: load_seeds(seed_root))
    with crash_on(table, nth=nth, how=how), pytest.raises(CRASHES):
        load_seeds(seed_root)
    done = Claim.objects.count()
    assert 0 < done < len(expected["claims"])
    assert_every_claim_is_whole()
    report = load_seeds(seed_root)
    assert report.claims_created == len(expected["claims"]) - done
    assert report.claims_unchanged == done
    assert end_state() == expected
    assert_every_claim_is_whole()


@pytest.fixture
def seed_article(reviewer):
    """A long article of our own (the seed folder's), loaded as a plain source."""
    text = (SEEDS_DIR / "khunjerab-2025-04-22" / "article.txt").read_text("utf-8")
    return create_source(
        text=text,
        title="Khunjerab",
        kind="news_article",
        language="en",
        published_on=datetime.date(2025, 4, 22),
        by=reviewer,
    ).source


@pytest.mark.parametrize(
    ("table", "nth", "how"),
    [
        ("claims_span", 1, "raise"),
        ("claims_claimextraction", 1, "raise"),
        pytest.param("claims_span", 1, "kill", marks=KILL_MARKS),
    ],
    ids=["mid-spans", "last-write", "mid-spans-killed-connection"],
)
def test_interrupted_proposals_leave_nothing_and_a_rerun_adds_them_all(
    seed_article, table, nth, how
):
    """A source's proposals are one transaction (claims/services/drafts.py)."""
    expected = uninterrupted(lambda: propose_claims(source=seed_article))
    assert len(expected["claims"]) > 5
    with crash_on(table, nth=nth, how=how), pytest.raises(CRASHES):
        propose_claims(source=seed_article)
    assert Claim.objects.count() == 0
    rerun = propose_claims(source=seed_article)
    assert len(rerun.created) == len(expected["claims"])
    assert end_state() == expected
    assert_every_claim_is_whole()


def test_proposals_the_database_refuses_as_a_batch_are_written_one_by_one(
    seed_article,
):
    """When the batch's INSERT fails, each draft is tried alone: those the
    database takes are written whole, as the uninterrupted run writes them."""
    expected = uninterrupted(lambda: propose_claims(source=seed_article))
    with (
        crash_on("claims_span", nth=1, error=IntegrityError),
        CaptureQueriesContext(connection) as queries,
    ):
        run = propose_claims(source=seed_article)
    assert len(run.created) == len(expected["claims"]) > 1
    span_inserts = [
        q for q in queries if q["sql"].startswith('INSERT INTO "claims_span"')
    ]
    # One INSERT a draft, not one for the batch (nor the refused batch's
    # statement, which SQLite's log keeps and PostgreSQL's does not).
    assert len(span_inserts) - len(run.created) in (0, 1)
    assert end_state() == expected
    assert_every_claim_is_whole()


def overdue_predictions(propose, count: int) -> list[Claim]:
    """Accepted predictions past their deadline (the sweep moves no proposal)."""
    reviewer = services.get_system_user("crash-reviewer")
    return [
        services.review_claim(
            claim=propose(due_on=datetime.date(2025, 1, day), due_on_precision="day"),
            decision="accept",
            by=reviewer,
        )
        for day in range(1, count + 1)
    ]


TODAY = datetime.date(2025, 6, 1)


@pytest.mark.parametrize("how", HOW)
def test_an_interrupted_sweep_leaves_whole_batches_and_a_rerun_completes_it(
    propose, how
):
    claims = overdue_predictions(propose, 7)
    sweep = lambda: services.mark_overdue(today=TODAY, batch_size=3)  # noqa: E731
    expected = uninterrupted(sweep)
    # The second batch dies at its last write (its change-feed events).
    with crash_on("claims_claimevent", nth=2, how=how), pytest.raises(CRASHES):
        sweep()
    statuses = dict(Claim.objects.values_list("pk", "status"))
    assert [statuses[c.pk] for c in claims] == [Status.OVERDUE] * 3 + [
        Status.PENDING
    ] * 4
    assert_every_claim_is_whole()
    assert len(sweep()) == 4
    assert end_state() == expected
    assert_every_claim_is_whole()


def test_a_sweep_interrupted_in_its_claim_by_claim_fallback(propose):
    """A batch that meets a conflict falls back to one transaction per claim;
    a crash there leaves whole claims too."""
    claims = overdue_predictions(propose, 4)
    sweep = lambda: services.mark_overdue(today=TODAY, batch_size=4)  # noqa: E731
    expected = uninterrupted(sweep)
    with (
        # The batch's history insert conflicts: the batch is rolled back...
        crash_on("claims_historicalclaim", nth=1, error=IntegrityError),
        # ...and the fallback dies at the second claim's change-feed event.
        crash_on("claims_claimevent", nth=2),
        pytest.raises(SimulatedCrash),
    ):
        sweep()
    statuses = dict(Claim.objects.values_list("pk", "status"))
    assert [statuses[c.pk] for c in claims] == [Status.OVERDUE] + [Status.PENDING] * 3
    assert_every_claim_is_whole()
    assert len(sweep()) == 3
    assert end_state() == expected
