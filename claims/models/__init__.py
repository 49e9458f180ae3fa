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
from .claim import Claim, ClaimQuerySet
from .ledger import Evidence, StatusChange
from .span import Span
from .speaker import Speaker

__all__ = [
    "Attribution",
    "Claim",
    "ClaimKind",
    "ClaimQuerySet",
    "DatePrecision",
    "Evidence",
    "Review",
    "Span",
    "SpanRole",
    "Speaker",
    "SpeakerKind",
    "Stance",
    "Status",
    "StatusChange",
]
