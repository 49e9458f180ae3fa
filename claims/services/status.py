"""Move a claim's status (one ledger entry per move) and the deadline sweep."""

import dataclasses
import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..models import (
    Claim,
    DatePrecision,
    EventKind,
    Status,
    StatusChange,
)
from ..models.choices import KINDS_WITH_DEADLINE, VERDICTS
from ..transitions import move_problem
from ._base import (
    EvidenceInput,
    _bump_version,
    _create_evidence,
    _record_status,
    _required_text,
    _save_claim,
    get_system_user,
)


@transaction.atomic
def change_status(
    *,
    claim: Claim,
    to_status: str,
    rationale: str,
    by,
    expected_version: int | None,
    evidence: Sequence[EvidenceInput] = (),
    by_sweep: bool = False,
    today: datetime.date | None = None,
) -> StatusChange:
    """Move a claim's status: one new ledger entry, with evidence for verdicts.

    ``expected_version`` is required from people (``None`` is only for the
    sweep's own re-checked moves); a stale one is refused.
    """
    rationale = _required_text(rationale, "rationale")
    if expected_version is None and not by_sweep:
        raise ValidationError({"version": "is required to change a status."})
    claim = _bump_version(claim, expected_version)
    problem = move_problem(claim.kind, claim.status, to_status, by_sweep=by_sweep)
    if problem:
        raise ValidationError({"status": problem})
    today = today or timezone.localdate()
    if to_status == Status.PENDING and claim.deadline and claim.deadline < today:
        raise ValidationError(
            {
                "status": f"the deadline ({claim.deadline}) has passed, so it cannot be pending."
            }
        )
    if to_status in VERDICTS and not evidence:
        raise ValidationError(
            {"evidence": f"a move to {to_status} needs at least one piece of evidence."}
        )
    entry = _record_status(claim, to_status=to_status, rationale=rationale, by=by)
    for index, item in enumerate(evidence):
        _create_evidence(
            claim, item, by=by, prefix=f"evidence[{index}]", status_change=entry
        )
    _save_claim(
        claim,
        by=by,
        reason=f"status {entry.from_status} → {to_status}",
        event=EventKind.STATUS_CHANGED,
    )
    return entry


@dataclass(frozen=True)
class OverdueMove:
    claim_id: int
    claim_text: str
    deadline: datetime.date
    due_text: str
    moved: bool
    note: str = ""


def _overdue_rationale(claim: Claim, today: datetime.date) -> str:
    precision = DatePrecision(claim.due_on_precision or DatePrecision.DAY)
    words = f' ("{claim.due_text}")' if claim.due_text else ""
    return (
        f"Deadline passed: due by {precision.format(claim.due_on)}{words}, last day "
        f"{claim.deadline.isoformat()}; no resolution recorded by {today.isoformat()}."
    )


def _is_overdue(claim: Claim, today: datetime.date) -> bool:
    return (
        claim.status == Status.PENDING
        and claim.kind in KINDS_WITH_DEADLINE
        and claim.deadline is not None
        and claim.deadline < today
    )


def overdue_claims(today: datetime.date) -> Iterable[Claim]:
    """Pending predictions and promises whose deadline (at its precision) has passed.

    The candidate ids are read first and each claim fetched as it comes, so the
    sweep never writes to a table while a cursor over it is open.
    """
    candidates = Claim.objects.past_deadline(today)
    for pk in list(candidates.order_by("id").values_list("pk", flat=True)):
        claim = Claim.objects.filter(pk=pk).first()
        if claim is not None and _is_overdue(claim, today):
            yield claim


def mark_overdue(
    *, today: datetime.date | None = None, dry_run: bool = False, by=None
) -> list[OverdueMove]:
    """The deadline sweep: move each overdue pending claim to ``overdue``.

    Each claim moves in its own transaction through :func:`change_status`, so a
    crash leaves only whole moves and a rerun finishes the rest. A claim that
    another writer (or a concurrent sweep) changed meanwhile is re-read and
    moved only if it still qualifies, so running twice at once moves it once. A
    claim that keeps changing under the sweep is reported, not moved; the next
    sweep retries it.
    """
    today = today or timezone.localdate()
    by = by or (None if dry_run else get_system_user())
    moves = []
    for claim in overdue_claims(today):
        move = OverdueMove(claim.pk, claim.text, claim.deadline, claim.due_text, False)
        if dry_run:
            moves.append(move)
            continue
        for _attempt in range(3):
            try:
                change_status(
                    claim=claim,
                    to_status=Status.OVERDUE,
                    rationale=_overdue_rationale(claim, today),
                    by=by,
                    expected_version=claim.version,
                    by_sweep=True,
                    today=today,
                )
            except ValidationError as error:
                if "version" not in getattr(error, "error_dict", {}):
                    raise
                claim = Claim.objects.filter(pk=claim.pk).first()
                if claim is None or not _is_overdue(claim, today):
                    break  # someone else resolved or moved it meanwhile
                continue
            moves.append(dataclasses.replace(move, moved=True))
            break
        else:
            moves.append(
                dataclasses.replace(
                    move, note="changed by others during the sweep; retried next time"
                )
            )
    return moves
