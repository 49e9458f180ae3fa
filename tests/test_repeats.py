"""Repeats: appearances with their own facts, candidates found at proposing,
the desk's "Repeat of" and "Not a repeat", and rejections with a reason."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from claims import services
from claims.models import (
    CandidateDecision,
    Claim,
    EventKind,
    RejectionReason,
    RepeatCandidate,
    Review,
    Span,
)
from tests.conftest import span_of
from tests.factories import SpeakerFactory

pytestmark = pytest.mark.django_db


def test_a_repeat_by_the_same_speaker_is_found_with_its_reasons(
    propose_accepted, repeat
):
    original = propose_accepted()
    proposal = repeat()
    (candidate,) = RepeatCandidate.objects.filter(claim=proposal)
    assert candidate.candidate_id == original.pk
    assert candidate.score >= 0.7
    assert {"same speaker", "same deadline"} <= set(candidate.reasons)


def test_another_deadline_is_not_a_repeat(propose_accepted, repeat):
    propose_accepted()
    proposal = repeat(
        text="The harbour bridge will reopen by September.",
        due_on=datetime.date(2025, 9, 1),
        due_text="by September",
    )
    assert not RepeatCandidate.objects.filter(claim=proposal).exists()


def test_another_named_speaker_is_not_a_candidate(propose_accepted, repeat):
    propose_accepted()
    proposal = repeat(speaker=SpeakerFactory(name="A spokesman"))
    assert not RepeatCandidate.objects.filter(claim=proposal).exists()


def test_repeat_of_moves_the_words_over_as_dated_appearances(
    propose_accepted, repeat, reviewer, follow_up
):
    original = propose_accepted()
    proposal = repeat()
    services.mark_repeat(claim=proposal, of=original, by=reviewer)
    proposal.refresh_from_db()
    assert (proposal.review, proposal.rejection_reason, proposal.duplicate_of_id) == (
        Review.REJECTED,
        RejectionReason.DUPLICATE,
        original.pk,
    )
    moved = Span.objects.get(claim=original, source=follow_up)
    assert moved.exact == "the harbour bridge would reopen by June"
    assert (moved.stated_on, moved.stated_on_precision) == (
        datetime.date(2025, 4, 2),
        "day",
    )
    assert (moved.speaker_id, moved.speaker_title) == (
        proposal.speaker_id,
        "the mayor",
    )
    assert moved.review == Review.ACCEPTED  # a reviewer's act
    original.refresh_from_db()
    assert original.stated_on == datetime.date(2025, 3, 10)  # still the first
    assert original.events.latest("id").kind == EventKind.SPAN_ADDED
    assert proposal.events.latest("id").kind == EventKind.REVIEWED
    assert "repeat of" in proposal.history.first().history_change_reason
    decided = RepeatCandidate.objects.get(claim=proposal, candidate=original)
    assert (decided.decision, decided.decided_by) == (
        CandidateDecision.REPEAT,
        reviewer,
    )


def test_an_earlier_appearance_moves_the_claims_date(
    propose_accepted, repeat, reviewer
):
    original = propose_accepted()
    proposal = repeat(stated_on=datetime.date(2025, 2, 1), stated_on_precision="month")
    services.mark_repeat(claim=proposal, of=original, by=reviewer)
    original.refresh_from_db()
    assert (original.stated_on, original.stated_on_precision) == (
        datetime.date(2025, 2, 1),
        "month",
    )


def test_a_month_that_holds_the_claims_day_does_not_move_it(
    propose_accepted, repeat, reviewer
):
    original = propose_accepted()  # said on 10 March 2025
    proposal = repeat(stated_on=datetime.date(2025, 3, 1), stated_on_precision="month")
    services.mark_repeat(claim=proposal, of=original, by=reviewer)
    original.refresh_from_db()
    assert (original.stated_on, original.stated_on_precision) == (
        datetime.date(2025, 3, 10),
        "day",
    )


def test_repeat_of_is_refused_as_its_own_proposer_or_onto_a_rejected_claim(
    propose, propose_accepted, repeat, reviewer, proposer, other_reviewer
):
    original = propose_accepted()
    proposal = repeat()
    with pytest.raises(PermissionDenied):
        services.mark_repeat(claim=proposal, of=original, by=proposer)
    rejected = propose()
    services.review_claim(
        claim=rejected, decision="reject", note="Not said.", by=other_reviewer
    )
    with pytest.raises(ValidationError) as error:
        services.mark_repeat(claim=proposal, of=rejected, by=reviewer)
    assert "of" in error.value.message_dict
    proposal.refresh_from_db()
    assert (proposal.review, proposal.version) == (Review.PROPOSED, 1)


def test_not_a_repeat_is_remembered(propose_accepted, repeat, reviewer):
    original = propose_accepted()
    proposal = repeat()
    services.dismiss_repeat(claim=proposal, candidate=original, by=reviewer)
    assert services.find_repeats(proposal) == []
    pair = RepeatCandidate.objects.get(claim=proposal, candidate=original)
    assert pair.decision == CandidateDecision.NOT_REPEAT
    with pytest.raises(ValidationError):
        services.dismiss_repeat(claim=proposal, candidate=original, by=reviewer)


def test_a_rejection_names_its_reason(propose, reviewer):
    claim = propose()
    services.review_claim(
        claim=claim,
        decision="reject",
        reason="not_checkable",
        note="An opinion.",
        by=reviewer,
    )
    claim.refresh_from_db()
    assert claim.rejection_reason == RejectionReason.NOT_CHECKABLE
    assert claim.events.latest("id").state["rejection_reason"] == "not_checkable"
    services.review_claim(claim=claim, decision="accept", by=reviewer)
    claim.refresh_from_db()
    assert (claim.review, claim.rejection_reason) == (Review.ACCEPTED, "")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"decision": "reject", "reason": "boring", "note": "x"}, "reason"),
        ({"decision": "reject", "reason": "duplicate", "note": "x"}, "reason"),
        ({"decision": "accept", "reason": "other"}, "reason"),
    ],
)
def test_a_wrong_reason_is_refused_and_changes_nothing(
    propose, reviewer, kwargs, field
):
    claim = propose()
    with pytest.raises(ValidationError) as error:
        services.review_claim(claim=claim, by=reviewer, **kwargs)
    assert field in error.value.message_dict
    claim.refresh_from_db()
    assert (claim.review, claim.version) == (Review.PROPOSED, 1)


def test_a_rejection_without_a_reason_is_other(propose, reviewer):
    claim = propose()
    services.review_claim(claim=claim, decision="reject", note="No.", by=reviewer)
    claim.refresh_from_db()
    assert claim.rejection_reason == RejectionReason.OTHER


def test_a_duplicate_stays_closed(propose_accepted, repeat, reviewer):
    original = propose_accepted()
    proposal = repeat()
    services.mark_repeat(claim=proposal, of=original, by=reviewer)
    with pytest.raises(ValidationError) as error:
        services.review_claim(claim=proposal, decision="accept", by=reviewer)
    assert "repeat of" in error.value.message_dict["decision"][0]


def test_an_appearance_carries_its_own_date_and_speaker(
    propose_accepted, follow_up, reviewer
):
    claim = propose_accepted()
    spokesman = SpeakerFactory(name="Harbour spokesman")
    words = "the bridge would now reopen by September"
    span = services.add_span(
        claim=claim, span=_appearance(follow_up, words, spokesman), by=reviewer
    )
    assert (span.stated_on, span.stated_on_precision) == (
        datetime.date(2025, 4, 1),
        "month",
    )
    assert (span.speaker, span.speaker_title) == (spokesman, "spokesman")
    assert span.said_on(claim) == (datetime.date(2025, 4, 1), "month")


def _appearance(source, words, speaker):
    base = span_of(source, words)
    return services.SpanInput(
        source=base.source,
        start=base.start,
        end=base.end,
        exact=base.exact,
        stated_on=datetime.date(2025, 4, 17),
        stated_on_precision="month",
        speaker=speaker.pk,
        speaker_title="spokesman",
    )


@pytest.mark.parametrize(
    ("facts", "field"),
    [
        ({"role": "cue", "stated_on": datetime.date(2025, 4, 2)}, "span.role"),
        ({"stated_on": datetime.date(2025, 4, 2)}, "span.stated_on_precision"),
        ({"stated_on": "2 April"}, "span.stated_on"),
        ({"speaker": 999999}, "span.speaker"),
        ({"speaker_title": 5}, "span.speaker_title"),
    ],
)
def test_wrong_appearance_facts_are_refused(
    propose_accepted, follow_up, reviewer, facts, field
):
    claim = propose_accepted()
    base = span_of(follow_up, "the harbour bridge would reopen by June")
    with pytest.raises(ValidationError) as error:
        services.add_span(
            claim=claim,
            span=services.SpanInput(
                source=follow_up, start=base.start, end=base.end, **facts
            ),
            by=reviewer,
        )
    assert field in error.value.message_dict
    assert Claim.objects.get(pk=claim.pk).version == claim.version


def test_a_relation_is_sourced_and_recorded_on_both_claims(
    propose_accepted, repeat, reviewer, follow_up
):
    original = propose_accepted()
    later = repeat(
        text="The harbour bridge will reopen by September.",
        due_on=datetime.date(2025, 9, 1),
        due_text="by September",
        spans=[span_of(follow_up, "the bridge would now reopen by September")],
    )
    services.review_claim(claim=later, decision="accept", by=reviewer)
    shown_by = [later.spans.get().pk, original.spans.get().pk]
    relation = services.relate_claims(
        claim=later,
        other=original,
        kind="updates",
        rationale="A new deadline for the same promise.",
        spans=shown_by,
        by=reviewer,
    )
    assert sorted(relation.spans.values_list("pk", flat=True)) == sorted(shown_by)
    for claim in (later, original):
        assert claim.events.latest("id").kind == EventKind.RELATION_ADDED
    with pytest.raises(ValidationError) as error:
        services.relate_claims(
            claim=later,
            other=original,
            kind="updates",
            rationale="Again.",
            spans=shown_by,
            by=reviewer,
        )
    assert "kind" in error.value.message_dict
    services.withdraw_relation(relation=relation, reason="Misread.", by=reviewer)
    relation.refresh_from_db()
    assert relation.withdrawn_by == reviewer
    assert original.events.latest("id").kind == EventKind.RELATION_WITHDRAWN


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "rhymes"}, "kind"),
        ({"rationale": " "}, "rationale"),
        ({"spans": []}, "spans"),
        ({"spans": [999999]}, "spans"),
    ],
)
def test_a_wrong_relation_is_refused_and_writes_nothing(
    propose_accepted, reviewer, overrides, field
):
    one, two = propose_accepted(), propose_accepted(text="The ferry runs daily.")
    fields = {
        "claim": one,
        "other": two,
        "kind": "contradicts",
        "rationale": "They disagree.",
        "spans": [one.spans.get().pk],
        "by": reviewer,
    }
    with pytest.raises(ValidationError) as error:
        services.relate_claims(**(fields | overrides))
    assert field in error.value.message_dict
    assert not one.relations_from.exists()
    assert Claim.objects.get(pk=one.pk).version == one.version


def test_the_lookup_runs_as_many_queries_whoever_said_what_it_finds(propose):
    # A narrator proposal is compared with claims by any speaker: reading
    # each one's speaker family would be a query per claim found.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from claims.similar import scored_claims

    def lookup_queries():
        narrator = Claim(text="The harbour bridge will reopen by June 2025.")
        with CaptureQueriesContext(connection) as queries:
            scored_claims(narrator)
        return len(queries)

    propose(speaker=SpeakerFactory(name="First"))
    lookup_queries()  # the common words, read once and kept
    few = lookup_queries()
    for n in range(5):
        propose(speaker=SpeakerFactory(name=f"Speaker {n}"))
    assert lookup_queries() == few


def test_only_the_nearest_claims_by_a_token_score_are_scored(propose, monkeypatch):
    from claims import similar

    monkeypatch.setattr(similar, "SCORED", 2)
    near = propose(text="The harbour bridge will reopen by June 2025, said the mayor.")
    for n in range(4):
        propose(text=f"Parking fees rise by {n + 1} percent in the old town.")
    family = similar.speaker_family(near.speaker_id)
    claim = Claim(text="The harbour bridge reopens by June 2025.", speaker=near.speaker)
    found = similar._pool(claim, family)
    assert len(found) == 2
    assert found[0][0] == near.pk


def test_a_proposal_without_candidates_writes_none(propose):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        claim = propose(text="The ferry to Holm runs twice a day from May.")
    assert not claim.repeat_candidates.exists()
    assert not [q for q in queries if "claims_repeatcandidate" in q["sql"]]


def test_two_common_words_are_not_asked_for_together(monkeypatch):
    from claims import similar

    monkeypatch.setattr(similar, "word_shares", lambda: {"price": 0.02, "percent": 0.2})
    assert similar.distinctive_pairs(["riverton", "prices", "percent"]) == [
        ("riverton", "prices"),
        ("riverton", "percent"),
    ]
    # Were every pair left out, none would be asked for: all are kept.
    assert similar.distinctive_pairs(["prices", "percent"]) == [("prices", "percent")]


@pytest.mark.postgresql  # the statistics are PostgreSQL's
def test_the_common_words_are_read_from_the_statistics(propose, monkeypatch):
    from django.db import connection

    from claims import similar

    monkeypatch.setattr(similar, "AT_SCALE", 0)
    monkeypatch.setattr(similar, "COMMON", 0.5)  # a town is in a sixth of these
    town = ["Holm", "Brae", "Eske", "Tarn", "Vale", "Wick"]
    for n in range(30):
        propose(
            text=f"Electricity prices in {town[n % 6]} will rise by {n} percent.",
            speaker=None,
            attribution="narrator",
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE claims_claimsearch")
    assert similar.word_shares() == {}  # read while proposing, before ANALYZE, kept
    monkeypatch.setattr(similar, "_shares", (-similar.SHARES_KEPT, {}))
    shares = similar.word_shares()
    assert shares["price"] == pytest.approx(1.0)
    assert similar.distinctive_pairs(["electricity", "prices", "holm"]) == [
        ("electricity", "holm"),
        ("prices", "holm"),
    ]
    # Only a claim with the distinctive word is read, and found as a repeat.
    proposal = Claim(text="Electricity prices in Holm are to rise by 5 percent.")
    read = {row[0] for row in similar._pool(proposal, frozenset())}
    assert len(read) == 5
    assert Claim.objects.filter(pk__in=read, text__contains="Holm").count() == 5


@pytest.mark.postgresql  # the full-text index is PostgreSQL's
def test_the_text_index_takes_each_document_at_once():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reloptions FROM pg_class WHERE relname = 'claimsearch_document_gin'"
        )
        assert cursor.fetchone()[0] == ["fastupdate=off"]
