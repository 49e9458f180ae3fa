"""schema.org ClaimReview for a claim with a verdict (DESIGN.md's rating table).

One builder, used by the API, the public claim pages and the public DataFeed
of every rated claim (``data_feed``).
"""

import datetime
import json
from collections.abc import Iterator

from django.conf import settings
from django.db.models import Prefetch

from sources.text import shorten

from .models import Claim, Span, SpanRole, SpeakerKind, Status, StatusChange

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


def claim_review(claim: Claim, *, absolute_url, verdict=None) -> dict:
    """The ClaimReview JSON-LD document for ``claim``.

    ``absolute_url(path)`` turns a site path into an absolute URL;
    ``verdict``: the ledger entry that set the status, if read already.
    Raises :class:`NoVerdict` for statuses without a rating (unverified,
    pending, overdue, retracted).
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
    verdict = verdict or claim.verdict_entry
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


# Claims a DataFeed chunk reads at a time.
FEED_CHUNK = 500


def data_feed(*, absolute_url, now: datetime.datetime) -> Iterator[str]:
    """Every accepted claim with a rating as a schema.org DataFeed of
    ClaimReview items, the shape fact-check aggregators ingest, streamed as
    JSON text: newest first, ``FEED_CHUNK`` claims a chunk, three queries a
    chunk (the claims with their speakers, their spans with their sources,
    their verdict entries)."""
    head = {
        "@context": "https://schema.org",
        "@type": "DataFeed",
        "name": f"{settings.CLAIMTRACK_PUBLISHER_NAME}: ClaimReview",
        "dateModified": now.isoformat(),
    }
    yield json.dumps(head)[:-1] + ', "dataFeedElement": ['
    rated = Claim.objects.accepted().filter(status__in=list(RATINGS))
    after, first = None, True
    while True:
        chunk = list(
            (rated.filter(pk__lt=after) if after else rated)
            .select_related("speaker")
            .prefetch_related(
                Prefetch(
                    "spans",
                    queryset=Span.objects.select_related("source").defer(
                        "source__text"
                    ),
                ),
                Prefetch(
                    "ledger",
                    queryset=StatusChange.objects.order_by("-id"),
                    to_attr="newest",
                ),
            )
            .order_by("-id")[:FEED_CHUNK]
        )
        if not chunk:
            break
        for claim in chunk:
            review = claim_review(
                claim, absolute_url=absolute_url, verdict=claim.newest[0]
            )
            del review["@context"]
            item = {
                "@type": "DataFeedItem",
                "dateCreated": review["datePublished"],
                "item": [review],
            }
            yield ("" if first else ",") + json.dumps(item, ensure_ascii=False)
            first = False
        after = chunk[-1].pk
    yield "]}"
