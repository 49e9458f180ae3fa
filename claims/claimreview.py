"""schema.org ClaimReview for a claim with a verdict (DESIGN.md's rating table).

One builder, used by the API (and by the public pages when they come).
"""

import datetime

from django.conf import settings

from sources.text import shorten

from .models import Claim, SpanRole, SpeakerKind, Status

# status -> (alternateName, ratingValue or None)
RATINGS = {
    Status.CONFIRMED: ("True", 5),
    Status.PARTLY_CONFIRMED: ("Half true", 3),
    Status.REFUTED: ("False", 1),
    Status.UNVERIFIABLE: ("Unverifiable", None),
}
CLAIM_REVIEWED_MAX = 74  # Google asks for fewer than 75 characters


class NoVerdict(Exception):
    """The claim has no verdict a ClaimReview can state."""


def appearance_order(claim: Claim) -> list:
    """The sources of the claim's public spans, the first appearance first:
    the earliest said (an appearance's own date, else the claim's), then the
    earliest published, as on the claim's page. A public export: accepted
    spans only, never withdrawn ones."""
    said: dict = {}
    for span in claim.spans.all():
        if not span.is_public:
            continue
        date = span.said_on(claim)[0] if span.role == SpanRole.CONTENT else None
        known = said.get(span.source)
        if span.source not in said or (date and (known is None or date < known)):
            said[span.source] = date
    return sorted(
        said,
        key=lambda s: (
            said[s] is None,
            said[s] or datetime.date.min,
            s.published_on is None,
            s.published_on or datetime.date.min,
            s.pk,
        ),
    )


def claim_review(claim: Claim, *, absolute_url) -> dict:
    """The ClaimReview JSON-LD document for ``claim``.

    ``absolute_url(path)`` turns a site path into an absolute URL. Raises
    :class:`NoVerdict` for statuses without a rating (unverified, pending,
    overdue, retracted).
    """
    if claim.status not in RATINGS:
        raise NoVerdict(
            f"claim {claim.pk} is {claim.status}: only confirmed, partly confirmed, "
            "refuted and unverifiable claims have a ClaimReview."
        )
    name, value = RATINGS[Status(claim.status)]
    rating: dict[str, str | int] = {"@type": "Rating", "alternateName": name}
    if value is not None:
        rating.update(ratingValue=value, bestRating=5, worstRating=1)
    verdict = claim.verdict_entry
    sources = appearance_order(claim)
    appearances = [
        {
            "@type": "CreativeWork",
            "url": source.url or absolute_url(f"/sources/{source.pk}/"),
            **({"headline": source.title} if source.title else {}),
            **(
                {"datePublished": source.published_on.isoformat()}
                if source.published_on
                else {}
            ),
        }
        for source in sources
    ]
    item: dict[str, object] = {"@type": "Claim", "appearance": appearances}
    if appearances:
        item["firstAppearance"] = appearances[0]
    if claim.stated_on:
        item["datePublished"] = claim.stated_on.isoformat()
    if claim.speaker is not None:
        author = {
            "@type": "Organization"
            if claim.speaker.kind == SpeakerKind.ORGANIZATION
            else "Person",
            "name": claim.speaker.name,
        }
        if claim.speaker_title:
            author["jobTitle"] = claim.speaker_title
        if claim.speaker.wikidata_id:
            author["sameAs"] = (
                f"https://www.wikidata.org/wiki/{claim.speaker.wikidata_id}"
            )
        item["author"] = author
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": absolute_url(f"/claims/{claim.pk}/"),
        "claimReviewed": shorten(claim.text, CLAIM_REVIEWED_MAX),
        "datePublished": verdict.changed_at.date().isoformat(),
        "author": {"@type": "Organization", "name": settings.CLAIMTRACK_PUBLISHER_NAME},
        "reviewRating": rating,
        "reviewBody": verdict.rationale,
        "itemReviewed": item,
    }
