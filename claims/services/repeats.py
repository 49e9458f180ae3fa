"""Repeats: the claims a proposal may say again, and the desk's decision.

``find_repeats`` runs inside proposing: it gathers the existing claims a
proposal may repeat (``claims/similar.py``), scores them
(``claims/matching.py``) and keeps those over the threshold as candidates
the desk sees. ``mark_repeat`` closes a proposal as a duplicate of an
existing claim, moving its words over as new appearances (with their own
date and speaker); ``dismiss_repeat`` records that a pair is not a repeat, so
it is not suggested again.
"""

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.tasks import task
from django.utils import timezone

from sources.review import four_eyes_problem

from ..matching import THRESHOLD
from ..models import (
    CandidateDecision,
    Claim,
    EventKind,
    RejectionReason,
    RepeatCandidate,
    Review,
    Span,
    SpanRole,
)
from ..similar import scored_claims, scored_many
from .base import (
    SpanInput,
    bump_version,
    create_span,
    date_first_appearance,
    record_change,
    save_claim,
)
from .checks import optional_text

# How many candidates a proposal keeps for the desk.
KEEP = 5


def find_repeats(claim: Claim, *, new: bool = False) -> list[RepeatCandidate]:
    """Store the existing claims ``claim`` may repeat (score at or over the
    threshold, best first, at most ``KEEP``), leaving pairs the desk already
    decided as they are. Safe to call again; proposing calls it with ``new``
    (the claim was just made, so it is in no pair yet)."""
    if new:
        return find_new_repeats([claim])
    decided = set(
        RepeatCandidate.objects.filter(claim=claim)
        .exclude(decision=CandidateDecision.OPEN)
        .values_list("candidate_id", flat=True)
    )
    RepeatCandidate.objects.filter(
        claim=claim, decision=CandidateDecision.OPEN
    ).delete()
    return _stored(_candidates(claim, scored_claims(claim), decided))


@task()
def find_repeats_later(claim_ids: list[int]) -> None:
    """``find_new_repeats`` of claims proposed together, run by the worker
    (``propose_claims`` queues it when ``CLAIMTRACK_TASKS`` is ``database``).
    Delivered twice, it leaves the claims that have candidates as they are."""
    with_pairs = RepeatCandidate.objects.filter(claim=OuterRef("pk"))
    claims = list(
        Claim.objects.filter(pk__in=claim_ids)
        .exclude(Exists(with_pairs))
        .order_by("pk")
    )
    if claims:
        with transaction.atomic():
            find_new_repeats(claims)


def find_new_repeats(claims: list[Claim]) -> list[RepeatCandidate]:
    """``find_repeats`` of claims just proposed together, in id order: each
    may repeat the claims before it, and the lookups are shared."""
    scored = scored_many(claims, new=True)
    return _stored(
        [pair for claim in claims for pair in _candidates(claim, scored[claim.pk])]
    )


def _candidates(
    claim: Claim, scored: list, decided: frozenset[int] | set[int] = frozenset()
) -> list[RepeatCandidate]:
    """The pairs to keep of ``claim``'s scored claims, not saved yet."""
    found = [
        (other, match)
        for other, match in scored
        if match.score >= THRESHOLD and other not in decided
    ][:KEEP]
    return [
        RepeatCandidate(
            claim=claim,
            candidate_id=other,
            score=match.score,
            reasons=list(match.reasons),
        )
        for other, match in found
    ]


def _stored(pairs: list[RepeatCandidate]) -> list[RepeatCandidate]:
    if not pairs:
        return []  # most proposals: no write, not even bulk_create's savepoint
    return RepeatCandidate.objects.bulk_create(pairs)


def open_candidates(claim: Claim):
    return (
        RepeatCandidate.objects.filter(claim=claim, decision=CandidateDecision.OPEN)
        .exclude(candidate__review=Review.REJECTED)
        .select_related("candidate__speaker")
        .order_by("-score", "candidate_id")
    )


@transaction.atomic
def mark_repeat(
    *,
    claim: Claim,
    of: Claim,
    by: User,
    note: str = "",
    expected_version: int | None = None,
) -> Claim:
    """Close ``claim`` as a duplicate of ``of``, in one step: its words become
    new appearances of ``of`` (each with the date, speaker and title it had
    here), and ``claim`` is rejected as ``duplicate``, pointing at ``of``.
    Both claims get a new version, a history entry and a change-feed event.
    Returns ``of``."""
    note = optional_text(note, "note")
    if not isinstance(of, Claim) or of.pk is None:
        raise ValidationError({"of": "must be a stored claim."})
    if of.pk == claim.pk:
        raise ValidationError({"of": "a claim cannot repeat itself."})
    # Both rows are held in id order, so two desks closing a pair both ways queue.
    first, second = sorted([claim, of], key=lambda c: c.pk)
    locked = {
        c.pk: bump_version(c, expected_version if c.pk == claim.pk else None)
        for c in (first, second)
    }
    claim, of = locked[claim.pk], locked[of.pk]
    problem = four_eyes_problem(reviewer=by, proposed_by_id=claim.created_by_id)
    if problem:
        raise PermissionDenied(problem)
    if claim.review == Review.REJECTED:
        raise ValidationError({"decision": f"claim {claim.pk} is already rejected."})
    if of.review == Review.REJECTED:
        target = f"; it repeats #{of.duplicate_of_id}" if of.duplicate_of_id else ""
        raise ValidationError({"of": f"claim {of.pk} is rejected{target}."})
    held = set(
        Span.objects.filter(claim=of).values_list("source_id", "role", "start", "end")
    )
    spans = [
        span
        for span in Span.objects.filter(claim=claim, withdrawn_at__isnull=True)
        .exclude(review=Review.REJECTED)
        .order_by("id")
        if (span.source_id, span.role, span.start, span.end) not in held
    ]
    if len(held) + len(spans) > settings.CLAIMTRACK_MAX_SPANS_PER_CLAIM:
        raise ValidationError({"of": f"claim {of.pk} would have too many spans."})
    for index, span in enumerate(spans):
        row = create_span(of, _appearance(span, claim), by=by, prefix=f"spans.{index}")
        date_first_appearance(of, row)
    save_claim(
        of,
        by=by,
        reason=f"appearances added from #{claim.pk}, a repeat",
        event=EventKind.SPAN_ADDED,
    )
    claim.review = Review.REJECTED
    claim.rejection_reason = RejectionReason.DUPLICATE
    claim.duplicate_of = of
    claim.review_note = note or f"Repeat of #{of.pk}."
    claim.reviewed_by = by
    claim.reviewed_at = timezone.now()
    save_claim(claim, by=by, reason=f"rejected: repeat of #{of.pk}", event=None)
    record_change(claim, by=by, reason=str(Review.REJECTED), event=EventKind.REVIEWED)
    _decide(claim, of, CandidateDecision.REPEAT, by)
    return of


def _appearance(span: Span, claim: Claim) -> SpanInput:
    """``span`` of ``claim`` as a span of the claim it repeats: a content
    span keeps the date and speaker it was said with (its own, else its
    claim's)."""
    facts = {}
    if span.role == SpanRole.CONTENT:
        stated_on, precision = span.said_on(claim)
        facts = {
            "stated_on": stated_on,
            "stated_on_precision": precision if stated_on else "",
            "speaker": span.speaker_id or claim.speaker_id,
            "speaker_title": span.speaker_title or claim.speaker_title,
        }
    return SpanInput(
        source=span.source_id, start=span.start, end=span.end, role=span.role, **facts
    )


@transaction.atomic
def dismiss_repeat(*, claim: Claim, candidate: Claim, by: User) -> RepeatCandidate:
    """Record that ``claim`` does not repeat ``candidate`` (offered as a
    candidate or not): the pair is not suggested again."""
    if candidate.pk == claim.pk:
        raise ValidationError({"candidate": "a claim cannot repeat itself."})
    return _decide(claim, candidate, CandidateDecision.NOT_REPEAT, by)


def _decide(claim: Claim, other: Claim, decision: str, by: User) -> RepeatCandidate:
    pair, _ = RepeatCandidate.objects.get_or_create(
        claim=claim, candidate=other, defaults={"score": 0, "reasons": []}
    )
    if pair.decision != CandidateDecision.OPEN:
        raise ValidationError(
            {"candidate": f"the pair #{claim.pk}, #{other.pk} was already decided."}
        )
    pair.decision, pair.decided_by, pair.decided_at = decision, by, timezone.now()
    pair.save(update_fields=["decision", "decided_by", "decided_at"])
    return pair
