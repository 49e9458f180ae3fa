"""Propose, edit and review claims; anchor them in more places; attach evidence."""

import copy

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from sources.models import set_history_context
from sources.review import decision_target, four_eyes_problem, is_reviewer

from ..models import (
    Attribution,
    Claim,
    ClaimKind,
    EventKind,
    Evidence,
    RejectionReason,
    Review,
    Span,
)
from ..models.claim import EDITABLE_FIELDS, INITIAL_STATUS, STATUSES_BY_KIND
from .base import (
    EvidenceInput,
    SpanInput,
    bump_version,
    check_speaker,
    check_version,
    create_evidence,
    create_span,
    date_first_appearance,
    normalize_fields,
    record_change,
    record_status,
    save_claim,
    stale_version,
)
from .checks import require_choice, required_text, validate_instance


@transaction.atomic
def edit_claim(
    *, claim: Claim, expected_version: int, by: User, reason: str = "edited", **changes
) -> Claim:
    """Change a claim's editable fields; refused if ``expected_version`` is stale.

    An edit that changes nothing writes nothing (the version stays). A change of
    kind from the old kind's starting status moves the claim to the new kind's
    starting status with a ledger entry (a fact proposed as ``unverified`` that
    turns out a prediction becomes ``pending``; a past deadline then makes it
    overdue at the next sweep). From any other status, a kind the status does not
    fit is refused: move the status first.
    """
    current, candidate = _edited(claim, expected_version, reason, changes)
    if all(getattr(candidate, f) == getattr(current, f) for f in EDITABLE_FIELDS):
        if current.version != expected_version:
            raise stale_version(current.pk, expected_version)
        return current
    claim = bump_version(current, expected_version)
    old_kind = ClaimKind(claim.kind)
    for field in EDITABLE_FIELDS:
        setattr(claim, field, getattr(candidate, field))
    moved_to = _status_after_kind_change(claim, old_kind)
    if moved_to is not None:
        record_status(
            claim,
            to_status=moved_to,
            rationale=f"Kind changed from {old_kind} to {claim.kind}.",
            by=by,
        )
    validate_instance(claim)
    save_claim(claim, by=by, reason=reason.strip() or "edited", event=EventKind.EDITED)
    return claim


def check_edit(
    *, claim: Claim, expected_version: int, reason: str = "edited", **changes
) -> Claim:
    """The claim as :func:`edit_claim` would save it, or the ValidationError it
    would raise, writing nothing: the admin shows a form's errors with it
    before it saves. It also runs the check constraints, which the edit leaves
    to the database, so that their errors show on the form too."""
    current, candidate = _edited(claim, expected_version, reason, changes)
    if current.version != expected_version:
        raise stale_version(current.pk, expected_version)
    candidate.status = (
        _status_after_kind_change(candidate, ClaimKind(current.kind))
        or candidate.status
    )
    validate_instance(candidate)
    candidate.validate_constraints()
    return candidate


def _edited(claim: Claim, expected_version, reason, changes) -> tuple[Claim, Claim]:
    """The claim as stored, and a copy with ``changes`` applied (not saved)."""
    changes = _checked_changes(changes)
    if not isinstance(reason, str):
        raise ValidationError({"reason": "must be a string."})
    check_version(expected_version)
    current = Claim.objects.get(pk=claim.pk)
    candidate = copy.copy(current)
    for field, value in changes.items():
        setattr(candidate, field, value)
    normalize_fields(candidate)
    return current, candidate


def _checked_changes(changes: dict) -> dict:
    """The changes an edit asks for, refused if a field cannot be edited or a
    value is not allowed; the text normalized."""
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise ValidationError({field: "cannot be edited here." for field in unknown})
    if "text" in changes:
        changes["text"] = required_text(changes["text"], "text")
    for field, choices in (("kind", ClaimKind), ("attribution", Attribution)):
        if field in changes:
            require_choice(changes[field], choices, field)
    if "speaker" in changes:
        check_speaker(changes["speaker"])
    return changes


def _status_after_kind_change(claim: Claim, old_kind: ClaimKind) -> str | None:
    """The status an edited claim moves to with its new kind: the new kind's
    starting status if it was at the old kind's, else None; a new kind its
    status does not fit is refused."""
    new_kind = ClaimKind(claim.kind)
    if new_kind != old_kind and claim.status == INITIAL_STATUS[old_kind]:
        if INITIAL_STATUS[new_kind] != claim.status:
            return INITIAL_STATUS[new_kind]
        return None
    if claim.status not in STATUSES_BY_KIND[new_kind]:
        raise ValidationError(
            {
                "kind": f"a {new_kind} cannot be {claim.status}; move the status "
                "first, then change the kind."
            }
        )
    return None


@transaction.atomic
def review_claim(
    *,
    claim: Claim,
    decision: str,
    by: User,
    note: str = "",
    reason: str = "",
    expected_version: int | None = None,
) -> Claim:
    """Accept or reject a claim (``decision`` is ``accept`` or ``reject``).

    A rejection needs a note saying why, and names its ``reason`` from
    ``RejectionReason`` (``other`` if none is given); a duplicate is closed
    with ``mark_repeat``, which names the claim it repeats. An accepted claim
    can later be rejected and a rejected one accepted (but a duplicate stays
    closed: its words are on the claim it repeats); a claim is never reviewed
    into the state it is in.
    """
    target, note = decision_target(decision, note)
    reason = _rejection_reason(target, reason)
    claim = bump_version(claim, expected_version)
    problem = four_eyes_problem(reviewer=by, proposed_by_id=claim.created_by_id)
    if problem:
        raise PermissionDenied(problem)
    if claim.review == target:
        raise ValidationError({"decision": f"the claim is already {target}."})
    if claim.duplicate_of_id is not None:
        raise ValidationError(
            {
                "decision": f"the claim was closed as a repeat of #{claim.duplicate_of_id}, "
                "where its words now are."
            }
        )
    claim.review = target
    claim.rejection_reason = reason
    claim.review_note = note
    claim.reviewed_by = by
    claim.reviewed_at = timezone.now()
    # The note is the desk's own (docs/REVIEW_DESK.md): kept in the claim's
    # history for staff, not in the change feed's detail, which anyone reads.
    save_claim(
        claim, by=by, reason=f"{target}: {note}" if note else str(target), event=None
    )
    record_change(claim, by=by, reason=str(target), event=EventKind.REVIEWED)
    return claim


def _rejection_reason(target: str, reason) -> str:
    if target != Review.REJECTED:
        if reason not in ("", None):
            raise ValidationError({"reason": "only a rejection has a reason."})
        return ""
    reason = reason or RejectionReason.OTHER
    require_choice(reason, RejectionReason, "reason")
    if reason == RejectionReason.DUPLICATE:
        raise ValidationError(
            {
                "reason": "a duplicate names the claim it repeats: decide "
                "duplicate, with of."
            }
        )
    return reason


@transaction.atomic
def add_span(
    *, claim: Claim, span: SpanInput, by: User, expected_version: int | None = None
) -> Span:
    """Anchor a claim in one more place: another appearance, a cue, the speaker.

    From anyone but a reviewer, a span on an accepted claim is ``proposed``:
    invisible to readers until a reviewer accepts it."""
    claim = bump_version(claim, expected_version)
    if (
        Span.objects.filter(claim=claim).count()
        >= settings.CLAIMTRACK_MAX_SPANS_PER_CLAIM
    ):
        raise ValidationError({"span": spans_limit_message()})
    row = create_span(claim, span, by=by, prefix="span")
    date_first_appearance(claim, row)
    save_claim(
        claim,
        by=by,
        reason=f"{row.role} span added in source {row.source_id} (span {row.pk}"
        + (", proposed)" if row.review == Review.PROPOSED else ")"),
        event=EventKind.SPAN_ADDED,
        internal=row.review == Review.PROPOSED,
    )
    return row


@transaction.atomic
def add_evidence(
    *,
    claim: Claim,
    evidence: EvidenceInput,
    by: User,
    expected_version: int | None = None,
) -> Evidence:
    """Attach evidence to a claim without moving its status (``proposed``, as
    a span is, from anyone but a reviewer)."""
    claim = bump_version(claim, expected_version)
    row = create_evidence(claim, evidence, by=by, prefix="evidence")
    save_claim(
        claim,
        by=by,
        reason=f"evidence added from source {row.source_id} (evidence {row.pk}"
        + (", proposed)" if row.review == Review.PROPOSED else ")"),
        event=EventKind.EVIDENCE_ADDED,
        internal=row.review == Review.PROPOSED,
    )
    return row


def spans_limit_message() -> str:
    limit = settings.CLAIMTRACK_MAX_SPANS_PER_CLAIM
    return f"a claim has at most {limit} spans (CLAIMTRACK_MAX_SPANS_PER_CLAIM)."


@transaction.atomic
def assign_claim(*, claim: Claim, to: User | None, by: User) -> Claim:
    """Put a proposed claim in a reviewer's queue (``to``), or back in the
    common queue (``to=None``).

    Assignment is workflow, not content: the version and the change feed stay
    as they are (an open edit form is not made stale by it); the claim's
    history records who assigned it to whom.
    """
    if to is not None and not is_reviewer(to):
        raise ValidationError(
            {"assigned_to": f"{to} cannot review claims, so cannot be assigned one."}
        )
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    if claim.review != Review.PROPOSED:
        raise ValidationError(
            {
                "assigned_to": f"only proposed claims are assigned; this one is {claim.review}."
            }
        )
    if claim.assigned_to_id == (to.pk if to is not None else None):
        raise ValidationError(
            {"assigned_to": f"already assigned to {to}." if to else "not assigned."}
        )
    claim.assigned_to = to
    set_history_context(
        claim, by=by, reason=f"assigned to {to}" if to else "unassigned"
    )
    claim.save(update_fields=["assigned_to", "updated_at"])
    return claim
