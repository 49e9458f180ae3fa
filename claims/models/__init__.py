from .choices import (
    Attribution,
    ClaimKind,
    DatePrecision,
    RejectionReason,
    Review,
    SpanRole,
    SpeakerKind,
    Stance,
    Status,
)
from .claim import Claim, ClaimQuerySet, DeadlineClaim, QueuedClaim
from .event import ClaimEvent, EventKind
from .extraction import ClaimExtraction
from .imported_review import ImportedReview
from .job import Job, JobKind, JobState
from .ledger import Evidence, QueuedEvidence, StatusChange
from .reanchoring import Orphan, Reanchoring, ReanchorMethod
from .relation import (
    CandidateDecision,
    ClaimRelation,
    RelationKind,
    RepeatCandidate,
)
from .search import ClaimSearch
from .span import QueuedSpan, Span
from .speaker import Speaker, SpeakerName
from .watch import MailCursor, MailPreference, Watch
from .webhook import (
    EVENT_TYPES,
    DeliveryOutcome,
    WebhookDelivery,
    WebhookEndpoint,
)

__all__ = [
    "EVENT_TYPES",
    "Attribution",
    "CandidateDecision",
    "Claim",
    "ClaimEvent",
    "ClaimExtraction",
    "ClaimKind",
    "ClaimQuerySet",
    "ClaimRelation",
    "ClaimSearch",
    "DatePrecision",
    "DeadlineClaim",
    "DeliveryOutcome",
    "EventKind",
    "Evidence",
    "ImportedReview",
    "Job",
    "JobKind",
    "JobState",
    "MailCursor",
    "MailPreference",
    "Orphan",
    "QueuedClaim",
    "QueuedEvidence",
    "QueuedSpan",
    "ReanchorMethod",
    "Reanchoring",
    "RejectionReason",
    "RelationKind",
    "RepeatCandidate",
    "Review",
    "Span",
    "SpanRole",
    "Speaker",
    "SpeakerKind",
    "SpeakerName",
    "Stance",
    "Status",
    "StatusChange",
    "Watch",
    "WebhookDelivery",
    "WebhookEndpoint",
]
