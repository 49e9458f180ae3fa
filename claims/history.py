"""A claim's edit history as a reader may see it (the API's history)."""

from .models import Claim, Review
from .models.event import sees_desk_side

# Claim columns of the desk's workflow: their changes show only to those who
# see the desk's side (reviewers and the claim's author).
DESK_FIELDS = frozenset({"review_note", "reviewed_by", "assigned_to"})


def claim_edits(claim: Claim, user) -> list[dict]:
    """Every version of ``claim`` with what changed, who and why; for those
    who do not see the desk's side, from its acceptance on, without internal
    changes (hidden from the change feed too), desk columns or review notes."""
    desk = sees_desk_side(user, claim)
    hidden = (
        set()
        if desk
        else set(claim.events.filter(internal=True).values_list("version", flat=True))
    )
    tracked = [
        f.attname
        for f in Claim.history.model._meta.concrete_fields
        if not f.name.startswith("history_")
        and f.name != "updated_at"
        and (desk or f.name not in DESK_FIELDS)
    ]
    records = claim.history.select_related("history_user").order_by("history_id")
    edits, previous = [], None
    for record in records:
        changes: dict[str, list] = {}
        if previous is not None:
            changes = {
                name: [_plain(getattr(previous, name)), _plain(getattr(record, name))]
                for name in tracked
                if getattr(previous, name) != getattr(record, name)
            }
        reason = record.history_change_reason
        if not desk and previous is not None and previous.review != record.review:
            reason = record.review  # the decision, not the reviewer's note
        if desk or (record.review == Review.ACCEPTED and record.version not in hidden):
            edits.append(
                {
                    "version": record.version,
                    "type": record.history_type,
                    "at": record.history_date.isoformat(),
                    "by": record.history_user.get_username()
                    if record.history_user
                    else None,
                    "reason": reason,
                    "changes": changes,
                }
            )
        previous = record
    return edits


def _plain(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool | list | dict):
        return value
    return str(value)
