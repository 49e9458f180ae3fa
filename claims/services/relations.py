"""Relations a reviewer draws between two claims: ``repeats`` (another
speaker's re-statement that is a claim of its own), ``contradicts``,
``updates`` (a new deadline for the same promise) and ``supports``.

A relation is sourced like a verdict: a rationale and the spans (of either
claim) that show it. It is append-only; a wrong one is withdrawn with a
reason. Each is an event in both claims' change feeds.
"""

from collections.abc import Sequence

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..models import ClaimRelation, EventKind, RelationKind, Review, Span, Stance
from ..models.claim import Claim
from .base import EvidenceInput, bump_version, save_claim
from .checks import (
    optional_text,
    require_choice,
    required_text,
    save_instance,
    validate_instance,
)


@transaction.atomic
def relate_claims(
    *,
    claim: Claim,
    other: Claim,
    kind: str,
    rationale: str,
    spans: Sequence[Span | int],
    by: User,
    expected_version: int | None = None,
) -> ClaimRelation:
    """Record that ``claim`` ``kind`` ``other`` ("#41 contradicts #12")."""
    require_choice(kind, RelationKind, "kind")
    rationale = required_text(rationale, "rationale")
    if not isinstance(other, Claim) or other.pk is None:
        raise ValidationError({"other": "must be a stored claim."})
    if other.pk == claim.pk:
        raise ValidationError({"other": "a claim cannot relate to itself."})
    ids = [span.pk if isinstance(span, Span) else span for span in spans]
    if not ids or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        raise ValidationError(
            {"spans": "give the ids of the spans (of either claim) that show it."}
        )
    first, second = sorted([claim.pk, other.pk])
    locked = {
        pk: bump_version(Claim(pk=pk), expected_version if pk == claim.pk else None)
        for pk in (first, second)
    }
    claim, other = locked[claim.pk], locked[other.pk]
    for end in (claim, other):
        if end.review == Review.REJECTED:
            raise ValidationError(
                {"other" if end is other else "claim": f"claim {end.pk} is rejected."}
            )
    found = Span.objects.public().filter(pk__in=ids, claim__in=[claim, other])
    missing = sorted(set(ids) - set(found.values_list("pk", flat=True)))
    if missing:
        raise ValidationError(
            {
                "spans": f"span {missing[0]} is not a public span of claim "
                f"{claim.pk} or {other.pk}."
            }
        )
    if (
        ClaimRelation.objects.current()
        .filter(claim=claim, other=other, kind=kind)
        .exists()
    ):
        raise ValidationError(
            {"kind": f"claim {claim.pk} already {kind} claim {other.pk}."}
        )
    relation = ClaimRelation(
        claim=claim, other=other, kind=kind, rationale=rationale, created_by=by
    )
    validate_instance(relation)
    save_instance(relation)
    relation.spans.set(found)
    _record(relation, by, f"{kind} #{other.pk}", f"#{claim.pk} {kind} this claim")
    return relation


@transaction.atomic
def withdraw_relation(
    *, relation: ClaimRelation, reason: str, by: User
) -> ClaimRelation:
    """Take a wrong relation out of the record, with a reason; it stays, marked."""
    reason = optional_text(reason, "reason")
    if not reason:
        raise ValidationError({"reason": "a withdrawal needs a reason."})
    relation = ClaimRelation.objects.select_for_update().get(pk=relation.pk)
    if relation.withdrawn_at is not None:
        raise ValidationError(
            {"relation": f"relation {relation.pk} is already withdrawn."}
        )
    relation.withdrawn_at, relation.withdrawn_by = timezone.now(), by
    relation.withdrawn_reason = reason
    relation.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason"])
    for pk in sorted([relation.claim_id, relation.other_id]):
        bump_version(Claim(pk=pk), None)
    _record(
        relation,
        by,
        f"withdrawn: {relation.kind} #{relation.other_id}: {reason}",
        f"withdrawn: #{relation.claim_id} {relation.kind} this claim: {reason}",
        event=EventKind.RELATION_WITHDRAWN,
    )
    return relation


# The stance a cited relation's words take toward the claim whose status moves.
CITED_STANCE = {
    RelationKind.CONTRADICTS: Stance.REFUTES,
    RelationKind.SUPPORTS: Stance.SUPPORTS,
    RelationKind.REPEATS: Stance.CONTEXT,
    RelationKind.UPDATES: Stance.CONTEXT,
}


def cited_evidence(claim: Claim, relations: Sequence) -> list[EvidenceInput]:
    """The evidence a status move of ``claim`` that cites ``relations`` (ids)
    records: each relation's words, with the stance its kind gives them.
    Each must be one of ``citable_relations``."""
    ids = list(relations)
    if not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        raise ValidationError({"relations": "give the ids of relations to cite."})
    if len(set(ids)) != len(ids):
        raise ValidationError({"relations": "a relation is cited once."})
    found = {
        relation.pk: relation
        for relation in citable_relations(claim.pk)
        .filter(pk__in=ids)
        .prefetch_related("spans")
    }
    evidence = []
    for index, pk in enumerate(ids):
        relation = found.get(pk)
        if relation is None:
            raise ValidationError({f"relations.{index}": _why_not_citable(pk, claim)})
        note = (
            f"#{relation.claim_id} {relation.kind} #{relation.other_id}: "
            f"{relation.rationale}"
        )
        evidence += [
            EvidenceInput(
                source=span.source_id,
                stance=CITED_STANCE[RelationKind(relation.kind)],
                start=span.start,
                end=span.end,
                exact=span.exact,
                note=note,
                relation=relation,
            )
            for span in sorted(relation.spans.all(), key=lambda span: span.pk)
        ]
    return evidence


def citable_relations(claim_id: int):
    """The relations a status move of claim ``claim_id`` may cite: current,
    and between two accepted claims (a verdict is public, so everything it
    rests on must be)."""
    return ClaimRelation.objects.visible_to(None).current().of(claim_id)


def _why_not_citable(pk: int, claim: Claim) -> str:
    relation = ClaimRelation.objects.of(claim.pk).filter(pk=pk).first()
    if relation is None:
        return f"relation {pk} is not a relation of claim {claim.pk}."
    if relation.withdrawn_at is not None:
        return f"relation {pk} was withdrawn."
    return f"relation {pk} joins a claim that is not accepted."


def _record(
    relation: ClaimRelation,
    by: User,
    on_claim: str,
    on_other: str,
    event: EventKind = EventKind.RELATION_ADDED,
) -> None:
    """Both claims' history entries and change-feed events."""
    for pk, reason in ((relation.claim_id, on_claim), (relation.other_id, on_other)):
        end = Claim.objects.get(pk=pk)
        save_claim(end, by=by, reason=f"relation {relation.pk}: {reason}", event=event)
