from .choices import (
    Attribution,
    ClaimKind,
    DatePrecision,
    Review,
    SpanRole,
    SpeakerKind,
    Stance,
    Status,
)
from .claim import Claim, ClaimQuerySet, DeadlineClaim, QueuedClaim
from .event import ClaimEvent, EventKind
from .extraction import ClaimExtraction
from .ledger import Evidence, QueuedEvidence, StatusChange
from .search import ClaimSearch
from .span import QueuedSpan, Span
from .speaker import Speaker, SpeakerName

__all__ = [
    "Attribution",
    "Claim",
    "ClaimEvent",
    "ClaimExtraction",
    "ClaimKind",
    "ClaimQuerySet",
    "ClaimSearch",
    "DatePrecision",
    "DeadlineClaim",
    "EventKind",
    "Evidence",
    "QueuedClaim",
    "QueuedEvidence",
    "QueuedSpan",
    "Review",
    "Span",
    "SpanRole",
    "Speaker",
    "SpeakerKind",
    "SpeakerName",
    "Stance",
    "Status",
    "StatusChange",
]
