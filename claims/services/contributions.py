"""Review and withdraw what contributors add to claims: spans and evidence.

A span or evidence item added to an accepted claim by anyone but a reviewer
waits as ``proposed`` (``base.initial_review``); a reviewer other than its
author accepts or rejects it here (who may review at all is the role's
rule, checked by the API's permissions and the admin, as for claims). An accepted item found wrong is withdrawn,
never deleted: the withdrawal is a fact with who, when and why, and the item
leaves every public surface. Each decision bumps the claim's version and is an
event of its change feed.
"""

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from sources.review import decision_target, four_eyes_problem

from ..models import Claim, EventKind, Evidence, Review, Span, SpanRole
from ..models.choices import VERDICTS
from .base import bump_version, date_first_appearance, save_claim
from .checks import optional_text

EVENTS = {
    Span: (EventKind.SPAN_REVIEWED, EventKind.SPAN_WITHDRAWN),
    Evidence: (EventKind.EVIDENCE_REVIEWED, EventKind.EVIDENCE_WITHDRAWN),
}


def _name(item) -> str:
    return f"{item._meta.model_name} {item.pk}"


def _locked(item: Span | Evidence, expected_version: int | None):
    """The item's claim, its version bumped (which holds the claim's row for
    this transaction, so two decisions on one item queue), and the item re-read."""
    model = getattr(getattr(item, "_meta", None), "concrete_model", None)
    if model not in EVENTS or item.pk is None:
        raise ValidationError({"item": "must be a stored span or evidence item."})
    claim = bump_version(Claim(pk=item.claim_id), expected_version)
    return claim, model.objects.get(pk=item.pk)


@transaction.atomic
def review_contribution(
    *,
    item: Span | Evidence,
    decision: str,
    by: User,
    note: str = "",
    expected_version: int | None = None,
) -> Span | Evidence:
    """Accept or reject a proposed span or evidence item (``decision`` is
    ``accept`` or ``reject``; a rejection needs a note saying why)."""
    target, note = decision_target(decision, note)
    claim, item = _locked(item, expected_version)
    problem = four_eyes_problem(reviewer=by, proposed_by_id=item.created_by_id)
    if problem:
        raise PermissionDenied(problem)
    if item.review != Review.PROPOSED:
        raise ValidationError(
            {
                "decision": f"{_name(item)} is already {item.review}; only a proposed "
                "item is reviewed."
            }
        )
    item.review = target
    item.reviewed_by = by
    item.reviewed_at = timezone.now()
    item.review_note = note
    item.save(update_fields=["review", "reviewed_by", "reviewed_at", "review_note"])
    if isinstance(item, Span):
        date_first_appearance(claim, item)
    reviewed, _ = EVENTS[type(item)]
    save_claim(
        claim,
        by=by,
        reason=f"{_name(item)} {target}",
        event=reviewed,
        # Readers never saw a proposed item: only its acceptance is news to them.
        internal=target != Review.ACCEPTED,
    )
    return item


@transaction.atomic
def withdraw_contribution(
    *,
    item: Span | Evidence,
    reason: str,
    by: User,
    expected_version: int | None = None,
) -> Span | Evidence:
    """Take an accepted span or evidence item out of the public record, with
    a reason. The item stays (struck through for reviewers); nothing is deleted.

    A claim keeps at least one public content span, and a current verdict at
    least one public piece of evidence: add the right one first."""
    reason = optional_text(reason, "reason")
    if not reason:
        raise ValidationError({"reason": "a withdrawal needs a reason."})
    claim, item = _locked(item, expected_version)
    if item.is_withdrawn:
        raise ValidationError({"item": f"{_name(item)} is already withdrawn."})
    if item.review != Review.ACCEPTED:
        raise ValidationError(
            {
                "item": f"{_name(item)} is {item.review}: only an accepted item is "
                "withdrawn (a proposed one is rejected)."
            }
        )
    others = type(item).objects.public().filter(claim=claim).exclude(pk=item.pk)
    if (
        isinstance(item, Span)
        and item.role == SpanRole.CONTENT
        and not others.filter(role=SpanRole.CONTENT).exists()
    ):
        raise ValidationError(
            {
                "item": "a claim keeps at least one content span: add the right "
                "one before withdrawing this."
            }
        )
    if isinstance(item, Evidence) and item.status_change_id is not None:
        verdict = claim.verdict_entry
        if (
            verdict.pk == item.status_change_id
            and verdict.to_status in VERDICTS
            and not others.filter(status_change=verdict).exists()
        ):
            raise ValidationError(
                {
                    "item": f"the current verdict ({verdict.to_status}) keeps at least "
                    "one piece of evidence: move the status with the right evidence "
                    "first."
                }
            )
    item.withdrawn_at = timezone.now()
    item.withdrawn_by = by
    item.withdrawn_reason = reason
    item.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason"])
    _, withdrawn = EVENTS[type(item)]
    save_claim(
        claim, by=by, reason=f"{_name(item)} withdrawn: {reason}", event=withdrawn
    )
    return item
