"""The source page of the admin: the text with every visible claim's spans."""

from collections import Counter

from django.urls import reverse

from ..models import Claim, Span, Status
from .display import Mark, highlighted


def source_page_context(request, source) -> dict:
    """The source's text with the spans of the claims ``request.user`` may see
    highlighted by status, each a link to its claim (two queries)."""
    if not source.text:
        return {"source_text": None}
    visible = Claim.objects.visible_to(request.user).values("pk")
    spans = list(
        Span.objects.filter(source=source, claim__in=visible)
        .select_related("claim")
        .only(
            "start",
            "end",
            "role",
            "claim__id",
            "claim__text",
            "claim__status",
            "claim__review",
        )
        .order_by("start", "id")
    )
    marks = [
        Mark(
            start=span.start,
            end=span.end,
            href=reverse("admin:claims_claim_change", args=[span.claim_id]),
            css_class=f"ct-status-{span.claim.status} ct-review-{span.claim.review}",
            title=(
                f"#{span.claim_id} {span.claim.get_status_display()}"
                f" ({span.claim.get_review_display().lower()}, {span.role} span):"
                f" {span.claim}"
            ),
        )
        for span in spans
    ]
    # A claim counts once, however many spans anchor it here.
    claims = {span.claim_id: span.claim for span in spans}
    statuses = Counter(claim.status for claim in claims.values())
    return {
        "source_text": highlighted(source.text, marks),
        "source_legend": [
            (value, label, statuses[value])
            for value, label in Status.choices
            if statuses[value]
        ],
        "source_claims": len(claims),
        "can_propose": request.user.has_perm("claims.add_claim"),
    }
