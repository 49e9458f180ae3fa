"""The status transition table: which moves a claim's status may make.

Derived from DESIGN.md ("Status and its ledger") and spelled out here as data so
the admin can offer only allowed moves and the tests can check every pair:

- a claim only ever holds a status that fits its kind (``STATUSES_BY_KIND``);
- a move always changes the status;
- ``overdue`` is set by the deadline sweep only, and only from ``pending``;
- everything else may move back and forth (a late launch moves ``overdue`` to
  ``confirmed``; a correction moves ``confirmed`` to ``refuted``), each move a new
  ledger entry with a rationale, and verdicts with evidence.

Whether ``pending`` is allowed also depends on the deadline (a claim whose
deadline has passed cannot be put back to pending): the service checks that.
"""

from .models.choices import ClaimKind, Status
from .models.claim import STATUSES_BY_KIND

SWEEP_MOVES = frozenset({(Status.PENDING, Status.OVERDUE)})


def _manual_moves() -> dict[ClaimKind, dict[Status, frozenset[Status]]]:
    table: dict[ClaimKind, dict[Status, frozenset[Status]]] = {}
    for kind, statuses in STATUSES_BY_KIND.items():
        table[kind] = {
            current: frozenset(
                target
                for target in statuses
                if target != current and target != Status.OVERDUE
            )
            for current in statuses
        }
    return table


# MANUAL_MOVES[kind][from_status] -> the statuses a reviewer may move to.
MANUAL_MOVES = _manual_moves()


def allowed_targets(kind: str, current: str) -> frozenset[Status]:
    """The statuses a reviewer may move a ``kind`` claim to from ``current``."""
    return MANUAL_MOVES.get(ClaimKind(kind), {}).get(Status(current), frozenset())


def move_problem(kind: str, current: str, target: str, *, by_sweep: bool) -> str | None:
    """Why the move ``current`` → ``target`` is refused, or ``None`` if allowed."""
    if target not in Status.values:
        return f"{target!r} is not a status; choose one of {', '.join(Status.values)}."
    if target == current:
        return f"the claim is already {target}."
    if target not in STATUSES_BY_KIND[ClaimKind(kind)]:
        return f"a {kind} cannot be {target}."
    if by_sweep:
        if (current, target) not in SWEEP_MOVES:
            return f"the deadline sweep only moves pending claims to overdue, not {current} to {target}."
        return None
    if target == Status.OVERDUE:
        return "overdue is set by the deadline sweep, not by hand."
    if target not in allowed_targets(kind, current):
        return f"a {kind} cannot move from {current} to {target}."
    return None
