"""The review desk's own template tags."""

from django import template
from django.urls import reverse

from sources.review import is_reviewer

from ..counts import capped_count, shown_count
from ..models import Claim, QueuedEvidence, QueuedSpan, Review

register = template.Library()


@register.inclusion_tag("admin/claims/desk_counts.html", takes_context=True)
def desk_counts(context):
    """What waits for a reviewer, first on the admin index: the review queue
    and the additions to accepted claims, each a capped count."""
    user = context["request"].user
    if not is_reviewer(user):
        return {"rows": []}
    waiting = (
        (
            "Review queue",
            "proposed claims",
            "admin:claims_queuedclaim_changelist",
            Claim.objects.filter(review=Review.PROPOSED),
        ),
        (
            "Appearances to review",
            "proposed for accepted claims",
            "admin:claims_queuedspan_changelist",
            QueuedSpan.objects.filter(
                review=Review.PROPOSED, claim__review=Review.ACCEPTED
            ),
        ),
        (
            "Evidence to review",
            "proposed for accepted claims",
            "admin:claims_queuedevidence_changelist",
            QueuedEvidence.objects.filter(
                review=Review.PROPOSED, claim__review=Review.ACCEPTED
            ),
        ),
    )
    return {
        "rows": [
            {
                "label": label,
                "what": what,
                "url": reverse(name),
                "count": shown_count(capped_count(queryset)),
            }
            for label, what, name, queryset in waiting
        ]
    }
