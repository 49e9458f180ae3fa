"""Read-only audit of the provenance guarantees, for operators and tests.

The services and the database keep these true on every write; the audit proves
it after the fact (after a restore, an upgrade, or a raw SQL session).
"""

from collections.abc import Iterator

from django.db.models import CharField, Exists, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat

from sources.anchoring import AnchorError, select
from sources.models import Source
from sources.text import content_hash, normalize_text

from .models import (
    Claim,
    ClaimEvent,
    EventKind,
    Evidence,
    Review,
    Span,
    SpanRole,
    StatusChange,
)
from .models.choices import VERDICTS

# The events a write records with each row, at the row's claim version.
LEDGER_EVENTS = [EventKind.CREATED, EventKind.STATUS_CHANGED, EventKind.EDITED]
ADDED_EVENTS = {
    Span: [EventKind.CREATED, EventKind.SPAN_ADDED],
    Evidence: [EventKind.EVIDENCE_ADDED, EventKind.STATUS_CHANGED],
}
DECISION_EVENTS = {
    Span: (EventKind.SPAN_REVIEWED, EventKind.SPAN_WITHDRAWN),
    Evidence: (EventKind.EVIDENCE_REVIEWED, EventKind.EVIDENCE_WITHDRAWN),
}


def audit_provenance(*, chunk_size: int = 500) -> Iterator[str]:
    """Yield one line per broken guarantee; yield nothing when all hold."""
    yield from _audit_sources(chunk_size)
    yield from _audit_unanchorable()
    yield from _audit_status_chain(chunk_size)
    yield from _audit_ledger(chunk_size)
    yield from _audit_claim_support(chunk_size)
    yield from _audit_change_feed(chunk_size)


def _audit_sources(chunk_size: int) -> Iterator[str]:
    """Each text normalized and hashed, each anchor in it where it says."""
    sources = Source.objects.with_text().only("id", "text", "content_hash")
    for source in sources.iterator(chunk_size=chunk_size):
        if normalize_text(source.text) != source.text:
            yield f"source {source.pk}: text is not normalized"
        if content_hash(source.text) != source.content_hash:
            yield f"source {source.pk}: content_hash is not the SHA-256 of its text"
        for model in (Span, Evidence):
            yield from _audit_anchors(source, model, chunk_size)


def _audit_anchors(source: Source, model, chunk_size: int) -> Iterator[str]:
    anchors = model.objects.filter(source=source, start__isnull=False)
    for anchor in anchors.iterator(chunk_size=chunk_size):
        try:
            selector = select(source.text, anchor.start, anchor.end, anchor.exact)
        except AnchorError as error:
            yield f"{model._meta.model_name} {anchor.pk}: {error.field} {error.message}"
            continue
        if (selector.prefix, selector.suffix) != (anchor.prefix, anchor.suffix):
            yield f"{model._meta.model_name} {anchor.pk}: prefix/suffix differ from the text"


def _audit_unanchorable() -> Iterator[str]:
    """Offsets that cannot point anywhere: half given, or into no text."""
    half_anchored = Evidence.objects.filter(
        Q(start__isnull=True, end__isnull=False)
        | Q(start__isnull=False, end__isnull=True)
    )
    for pk in half_anchored.values_list("pk", flat=True):
        yield f"evidence {pk}: start and end must both be set or both be empty"
    for model in (Span, Evidence):
        orphans = model.objects.filter(start__isnull=False, source__text="")
        for pk in orphans.values_list("pk", flat=True):
            yield f"{model._meta.model_name} {pk}: anchored in a source without text"


def _audit_status_chain(chunk_size: int) -> Iterator[str]:
    """Each claim's status is its ledger's last entry, and the entries follow
    one another, in order of their claim versions."""
    last_status = Subquery(
        StatusChange.objects.filter(claim=OuterRef("pk"))
        .order_by("-id")
        .values("to_status")[:1]
    )
    # A claim with no ledger at all has last_status NULL: report it too.
    mismatched = (
        Claim.objects.annotate(last_status=last_status)
        .filter(Q(last_status__isnull=True) | ~Q(status=F("last_status")))
        .values_list("pk", "status", "last_status")
    )
    for pk, status, last in mismatched.iterator(chunk_size=chunk_size):
        yield f"claim {pk}: status {status!r} but the last ledger entry says {last!r}"
    previous = Subquery(
        StatusChange.objects.filter(claim=OuterRef("claim"), id__lt=OuterRef("id"))
        .order_by("-id")
        .values("to_status")[:1]
    )
    broken_chain = (
        StatusChange.objects.annotate(previous=Coalesce(previous, Value("")))
        .exclude(from_status=F("previous"))
        .values_list("pk", "claim_id")
    )
    for pk, claim_id in broken_chain.iterator(chunk_size=chunk_size):
        yield f"status change {pk} of claim {claim_id}: does not follow the entry before it"
    # The chain's order is its versions' (the database's checks read it so):
    # each entry was appended after every earlier one of its claim.
    out_of_order = StatusChange.objects.filter(
        Exists(
            StatusChange.objects.filter(
                claim=OuterRef("claim"),
                id__lt=OuterRef("id"),
                claim_version__gte=OuterRef("claim_version"),
            )
        )
    ).values_list("pk", "claim_id")
    for pk, claim_id in out_of_order.iterator(chunk_size=chunk_size):
        yield (
            f"status change {pk} of claim {claim_id}: its claim_version is not above "
            "the entries before it"
        )


def _audit_claim_support(chunk_size: int) -> Iterator[str]:
    """Verdicts given with evidence; claims anchored by their claimed words."""
    unsourced = (
        StatusChange.objects.filter(to_status__in=sorted(VERDICTS))
        .exclude(
            pk__in=Evidence.objects.filter(status_change__isnull=False).values(
                "status_change_id"
            )
        )
        .values_list("pk", "claim_id")
    )
    for pk, claim_id in unsourced.iterator(chunk_size=chunk_size):
        yield f"status change {pk} of claim {claim_id}: a verdict without evidence"
    without_content = Claim.objects.exclude(
        pk__in=Span.objects.filter(role=SpanRole.CONTENT).values("claim_id")
    )
    for pk in without_content.values_list("pk", flat=True).iterator(
        chunk_size=chunk_size
    ):
        yield f"claim {pk}: no content span"


def _audit_ledger(chunk_size: int) -> Iterator[str]:
    """Entries within their claim's versions, in time order, and evidence
    given with an entry of its own claim."""
    ahead = StatusChange.objects.filter(claim_version__gt=F("claim__version"))
    rows = ahead.values_list("pk", "claim_id", "claim_version", "claim__version")
    for pk, claim_id, version, current in rows.iterator(chunk_size=chunk_size):
        yield (
            f"status change {pk} of claim {claim_id}: claim_version {version} is "
            f"ahead of the claim's version {current}"
        )
    backwards = StatusChange.objects.filter(
        Exists(
            StatusChange.objects.filter(
                claim=OuterRef("claim"),
                claim_version__lt=OuterRef("claim_version"),
                changed_at__gt=OuterRef("changed_at"),
            )
        )
    ).values_list("pk", "claim_id")
    for pk, claim_id in backwards.iterator(chunk_size=chunk_size):
        yield (
            f"status change {pk} of claim {claim_id}: changed_at is before an "
            "earlier entry's"
        )
    crossed = (
        Evidence.objects.filter(status_change__isnull=False)
        .exclude(status_change__claim=F("claim"))
        .values_list("pk", "claim_id", "status_change_id")
    )
    for pk, claim_id, entry in crossed.iterator(chunk_size=chunk_size):
        yield (
            f"evidence {pk} of claim {claim_id}: its status change {entry} "
            "belongs to another claim"
        )


def _events(kinds, **match):
    return Exists(ClaimEvent.objects.filter(kind__in=kinds, **match))


def _audit_change_feed(chunk_size: int) -> Iterator[str]:
    """Every recorded change has its change-feed event: a deleted or
    truncated feed shows up here whatever the triggers let through."""
    unfed = StatusChange.objects.exclude(
        _events(
            LEDGER_EVENTS, claim=OuterRef("claim"), version=OuterRef("claim_version")
        )
    ).values_list("pk", "claim_id", "claim_version")
    for pk, claim_id, version in unfed.iterator(chunk_size=chunk_size):
        yield (
            f"status change {pk} of claim {claim_id}: no change-feed event at "
            f"version {version}"
        )
    claim_checks = (
        (Q(), [EventKind.CREATED], "created"),
        (~Q(review=Review.PROPOSED), [EventKind.REVIEWED], "reviewed"),
    )
    for condition, kinds, what in claim_checks:
        missing = (
            Claim.objects.filter(condition)
            .exclude(_events(kinds, claim=OuterRef("pk")))
            .values_list("pk", flat=True)
        )
        for pk in missing.iterator(chunk_size=chunk_size):
            yield f"claim {pk}: no {what} event in the change feed"
    for model in (Span, Evidence):
        yield from _audit_item_events(model, chunk_size)


def _audit_item_events(model, chunk_size: int) -> Iterator[str]:
    name = model._meta.model_name
    unfed = model.objects.filter(
        Q(claim_version__isnull=True)
        | ~_events(
            ADDED_EVENTS[model],
            claim=OuterRef("claim"),
            version=OuterRef("claim_version"),
        )
    ).values_list("pk", "claim_id")
    for pk, claim_id in unfed.iterator(chunk_size=chunk_size):
        yield f"{name} {pk} of claim {claim_id}: no change-feed event of its addition"
    # The services name the item in the event's detail: "span 12 accepted",
    # "evidence 7 withdrawn: <reason>".
    named = Concat(
        Value(f"{name} "), Cast(OuterRef("pk"), CharField()), output_field=CharField()
    )
    reviewed, withdrawn = DECISION_EVENTS[model]
    decisions = (
        (
            Q(review__in=[Review.ACCEPTED, Review.REJECTED], reviewed_at__isnull=False),
            _events(
                [reviewed],
                claim=OuterRef("claim"),
                detail=Concat(named, Value(" "), OuterRef("review")),
            ),
            "review",
        ),
        (
            Q(withdrawn_at__isnull=False),
            _events(
                [withdrawn],
                claim=OuterRef("claim"),
                detail__startswith=Concat(named, Value(" withdrawn")),
            ),
            "withdrawal",
        ),
    )
    for condition, recorded, what in decisions:
        missing = (
            model.objects.filter(condition)
            .exclude(recorded)
            .values_list("pk", "claim_id")
        )
        for pk, claim_id in missing.iterator(chunk_size=chunk_size):
            yield f"{name} {pk} of claim {claim_id}: no change-feed event of its {what}"
