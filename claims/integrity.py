"""Read-only audit of the provenance guarantees, for operators and tests.

The services and the database keep these true on every write; the audit proves
it after the fact (after a restore, an upgrade, or a raw SQL session).
"""

from collections.abc import Iterator

from django.db.models import F, OuterRef, Subquery

from sources.anchoring import AnchorError, select
from sources.models import Source
from sources.text import content_hash, normalize_text

from .models import Claim, Evidence, Span, SpanRole, StatusChange


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
    for model in (Span, Evidence):
        orphans = model.objects.filter(start__isnull=False, source__text="")
        for pk in orphans.values_list("pk", flat=True):
            yield f"{model._meta.model_name} {pk}: anchored in a source without text"
    last_status = Subquery(
        StatusChange.objects.filter(claim=OuterRef("pk"))
        .order_by("-id")
        .values("to_status")[:1]
    )
    mismatched = (
        Claim.objects.annotate(last_status=last_status)
        .exclude(status=F("last_status"))
        .values_list("pk", "status", "last_status")
    )
    for pk, status, last in mismatched.iterator(chunk_size=chunk_size):
        yield f"claim {pk}: status {status!r} but the last ledger entry says {last!r}"
    without_content = Claim.objects.exclude(
        pk__in=Span.objects.filter(role=SpanRole.CONTENT).values("claim_id")
    )
    for pk in without_content.values_list("pk", flat=True).iterator(
        chunk_size=chunk_size
    ):
        yield f"claim {pk}: no content span"
