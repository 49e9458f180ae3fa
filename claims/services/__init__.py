"""Writes to claims: the one home of their rules.

Every function here is keyword-only, runs in one transaction and raises a
``ValidationError`` whose keys name the offending field (``spans.1.exact``,
``version``, ``rationale``); when it raises, nothing has been written. The admin,
the API, the management commands and the tests all call these functions.
"""

# Watch lists and unsubscribe, used as ``services.watches.watch(...)``.
from . import watches
from .base import EvidenceInput, SpanInput, get_system_user
from .claims import (
    EDITABLE_FIELDS,
    add_evidence,
    add_span,
    assign_claim,
    check_edit,
    edit_claim,
    review_claim,
)
from .contributions import review_contribution, withdraw_contribution
from .drafts import ClaimDraft, propose_claim, propose_many
from .relations import citable_relations, relate_claims, withdraw_relation
from .repeats import dismiss_repeat, find_repeats, mark_repeat
from .speakers import find_or_create_speaker, merge_speakers
from .status import OverdueMove, change_status, mark_overdue, overdue_claims
from .webhooks import create_endpoint, replay_from, update_endpoint

__all__ = [
    "EDITABLE_FIELDS",
    "ClaimDraft",
    "EvidenceInput",
    "OverdueMove",
    "SpanInput",
    "add_evidence",
    "add_span",
    "assign_claim",
    "change_status",
    "check_edit",
    "citable_relations",
    "create_endpoint",
    "dismiss_repeat",
    "edit_claim",
    "find_or_create_speaker",
    "find_repeats",
    "get_system_user",
    "mark_overdue",
    "mark_repeat",
    "merge_speakers",
    "overdue_claims",
    "propose_claim",
    "propose_many",
    "relate_claims",
    "replay_from",
    "review_claim",
    "review_contribution",
    "update_endpoint",
    "watches",
    "withdraw_contribution",
    "withdraw_relation",
]
