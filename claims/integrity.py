"""Read-only audit of the provenance guarantees, for operators and tests.

The services and the database keep these true on every write; the audit proves
it after the fact (after a restore, an upgrade, or a raw SQL session).
"""

from collections.abc import Iterator

from django.db.models import Exists, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from sources.anchoring import AnchorError, select
from sources.models import Source
from sources.text import content_hash, normalize_text

from .models import Claim, Evidence, Span, SpanRole, StatusChange
from .models.choices import VERDICTS


def audit_provenance(*, chunk_size: int = 500) -> Iterator[str]:
    """Yield one line per broken guarantee; yield nothing when all hold."""
    sources = Source.objects.with_text().only("id", "text", "content_hash")
    for source in sources.iterator(chunk_size=chunk_size):
        if normalize_text(source.text) != source.text:
            yield f"source {source.pk}: text is not normalized"
        if content_hash(source.text) != source.content_hash:
            yield f"source {source.pk}: content_hash is not the SHA-256 of its text"
        for model in (Span, Evidence):
            anchors = model.objects.filter(source=source, start__isnull=False)
            for anchor in anchors.iterator(chunk_size=chunk_size):
                try:
                    selector = select(
                        source.text, anchor.start, anchor.end, anchor.exact
                    )
                except AnchorError as error:
                    yield f"{model._meta.model_name} {anchor.pk}: {error.field} {error.message}"
                    continue
                if (selector.prefix, selector.suffix) != (anchor.prefix, anchor.suffix):
                    yield f"{model._meta.model_name} {anchor.pk}: prefix/suffix differ from the text"
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
