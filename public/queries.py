"""What the public pages read, and only through ``Claim.objects.accepted()``.

Every query here is bounded by what one claim, source or speaker holds, or by a
``LIMIT``, never by the size of the tables: no ``COUNT(*)`` over a table (counts
stop at ``CAP``), no ``OFFSET`` (lists page by keyset).
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import (
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Subquery,
    Value,
)
from django.db.models.functions import Greatest, Substr, TruncMonth

from claims.counts import CAP, capped_count, shown_count
from claims.models import (
    Claim,
    ClaimRelation,
    DatePrecision,
    Evidence,
    Reanchoring,
    ReanchorMethod,
    Review,
    Span,
    Speaker,
    Status,
    StatusChange,
)
from claims.models.choices import VERDICTS
from sources.models import PUBLICATION_ORDER, Snapshot, Source

CONTEXT = 240  # characters of source text shown around a claim's words
LIST_LENGTH = 10  # rows in each list of the tracker
RELATED_LENGTH = 100  # evidence rows a source page lists
# A list of StatusCount; a new name for each new shape, so that an entry left
# by an earlier release is never read as one.
COUNTS_CACHE_KEY = "public:tracker-status-counts:v3"


def public_claims():
    """The only door to claims on the public pages: accepted ones, whoever asks.

    Not ``visible_to(request.user)``: a reviewer reading the public pages sees
    what everyone sees, never proposals or rejections.
    """
    return Claim.objects.accepted()


def public_speakers():
    """Speakers with at least one accepted claim (``SpeakerQuerySet.public``,
    the rule the API's anonymous reads follow too)."""
    return Speaker.objects.public()


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int  # up to cap + 1: past the cap, the count stopped at it
    cap: int | None = None  # None: CAP

    @property
    def shown(self) -> str:
        return shown_count(self.count, CAP if self.cap is None else self.cap)


def status_counts(claims) -> list[StatusCount]:
    """How many of ``claims`` hold each status, each count stopping at ``CAP``.

    Eight counts, each a ``COUNT(*)`` over at most ``CAP + 1`` rows of one
    status, so its cost is bounded by the cap, not by the table (a ``GROUP BY
    status`` reads every accepted claim; docs/PUBLIC.md). Over all accepted
    claims each is an index-only scan of ``claim_accepted_status_idx``.
    """
    return [
        StatusCount(value, label, capped_count(claims.filter(status=value), CAP))
        for value, label in Status.choices
    ]


class CappedCount(Subquery):
    """The number of rows of a sliced queryset, as a scalar subquery: a
    ``COUNT(*)`` over at most as many rows as the slice holds."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS capped)"
    output_field = IntegerField()


def status_counts_of_speakers(
    speaker_ids: list[int], cap: int
) -> dict[int, list[StatusCount]]:
    """``status_counts`` of each speaker's accepted claims, every count
    stopping at ``cap``: one statement for a whole page of speakers, each
    count an index range of ``claim_accepted_speaker_idx`` at most ``cap + 1``
    entries long, however many claims a speaker has."""
    claims = public_claims().filter(speaker=OuterRef("pk")).order_by().values("pk")
    rows = (
        Speaker.objects.filter(pk__in=speaker_ids)
        .order_by()
        .values("pk")
        .annotate(
            **{
                value: CappedCount(claims.filter(status=value)[: cap + 1])
                for value in Status.values
            }
        )
    )
    return {
        row["pk"]: [
            StatusCount(value, label, row[value], cap)
            for value, label in Status.choices
        ]
        for row in rows
    }


def tracker_counts() -> list[StatusCount]:
    """``status_counts`` of every accepted claim, kept in the cache for
    ``CLAIMTRACK_TRACKER_COUNTS_SECONDS``; the reader who finds none counts.

    The tracker is the busiest page and its counts the only query whose cost
    grows with the table (up to the cap), so they are counted once a minute
    at most rather than on every visit."""
    return cache.get_or_set(
        COUNTS_CACHE_KEY,
        lambda: status_counts(public_claims()),
        settings.CLAIMTRACK_TRACKER_COUNTS_SECONDS,
    )


def shown_total(counts: list[StatusCount]) -> str:
    """The sum of the counts: exact, or "n+" when one of them stopped at its cap."""
    total = sum(min(c.count, CAP) for c in counts)
    return f"{total:,}+" if any(c.count > CAP for c in counts) else f"{total:,}"


def overdue_claims(limit: int = LIST_LENGTH):
    """Accepted predictions and promises the sweep marked overdue, longest overdue
    first (``claim_due_on_idx``)."""
    return (
        public_claims()
        .filter(status=Status.OVERDUE)
        .select_related("speaker")
        .order_by("due_on", "id")[:limit]
    )


def recent_verdicts(limit: int = LIST_LENGTH):
    """The latest verdict entries of the ledger (confirmed, partly confirmed,
    refuted) of accepted claims, newest first."""
    return (
        StatusChange.objects.filter(
            to_status__in=sorted(VERDICTS), claim__in=public_claims()
        )
        .select_related("claim", "claim__speaker")
        .order_by("-id")[:limit]
    )


def sources_by_publication():
    """Every source, latest published first, unknown dates last, newest added
    first among equals (``source_publication_order_idx``: no sort)."""
    return (
        Source.objects.select_related("publisher")
        .defer("text")
        .order_by(*PUBLICATION_ORDER)
    )


def recent_sources(limit: int = LIST_LENGTH):
    """The first ``limit`` of :func:`sources_by_publication` (``LIMIT`` rows)."""
    return sources_by_publication()[:limit]


def sources_page(after: tuple[datetime.date | None, int] | None, size: int) -> list:
    """Up to ``size`` sources of :func:`sources_by_publication` after the
    cursor ``(published_on, id)`` of the last one shown (None: from the
    start; a None date: undated). Each condition is a range of
    ``source_publication_order_idx`` (PostgreSQL reads ``IS NOT NULL`` as its
    first column), not a filter on a walk from the top: one query, two on the
    page where the dated sources end and the undated begin."""
    sources = sources_by_publication()
    if after is None:
        return list(sources[:size])
    published_on, pk = after
    if published_on is None:
        return list(sources.filter(published_on__isnull=True, id__lt=pk)[:size])
    rows = list(
        sources.filter(
            published_on__isnull=False, published_on__lte=published_on
        ).exclude(published_on=published_on, id__gte=pk)[:size]
    )
    if len(rows) < size:
        rows += sources.filter(published_on__isnull=True)[: size - len(rows)]
    return rows


def speakers_by_name():
    """Public speakers A to Z (then by id), read in order from
    ``speaker_public_name_idx``; each checked for an accepted claim through
    ``claim_accepted_speaker_idx`` (``Speaker.objects.public``)."""
    return public_speakers().active().order_by("name", "id")


def speakers_after(speakers, pk: int):
    """``speakers`` (A to Z) after the speaker with id ``pk``: their name is read
    in the same statement; an id of no speaker leaves nothing after it."""
    name = Subquery(Speaker.objects.filter(pk=pk).order_by().values("name")[:1])
    # name >= theirs is the index's range; the ties up to them are left out.
    return speakers.filter(name__gte=name).exclude(name=name, id__lte=pk)


def spans_in_context():
    """A claim's spans with their source (not its text: only ``CONTEXT``
    characters each side of the words, cut by the database)."""
    window_start = Greatest(F("start") - CONTEXT, Value(0))
    return (
        Span.objects.public()
        .select_related("source", "source__publisher", "speaker__merged_into")
        .defer("source__text")
        .annotate(
            window_start=window_start,
            window=Substr(
                "source__text", window_start + 1, F("end") + CONTEXT - window_start
            ),
        )
        .order_by("id")
    )


def claim_with_spans(pk: int) -> Claim | None:
    """An accepted claim, its speaker and its spans in context (two queries).

    The spans are ``claim.spans.all()``, so ``claim_review`` reads them too."""
    return (
        public_claims()
        # The extraction record says how the claim was found (claim_origin).
        .select_related("speaker", "extraction")
        .prefetch_related(Prefetch("spans", queryset=spans_in_context()))
        .filter(pk=pk)
        .first()
    )


def public_relations(claim: Claim) -> list:
    """The claim's current relations to other accepted claims (one query)."""
    return list(
        ClaimRelation.objects.visible_to(None)
        .current()
        .of(claim.pk)
        .select_related("claim", "other")
        .order_by("id")
    )


FOUND_BY_EXTRACTION = "Found by automatic extraction, checked by a reviewer."
ADDED_BY_PEOPLE = "Added by a contributor, checked by a reviewer."


def claim_origin(claim: Claim) -> str:
    """How a public claim came to be, in readers' words. The first ledger
    entry's rationale is the proposer's note ("Proposed by the extractor (rule
    reported-that, confidence 0.80)."), written for the review desk; readers
    see this instead. ``claim`` comes from :func:`claim_with_spans` (no query).
    """
    return FOUND_BY_EXTRACTION if hasattr(claim, "extraction") else ADDED_BY_PEOPLE


def ledger_of(claim: Claim) -> list[StatusChange]:
    return list(StatusChange.objects.filter(claim=claim).order_by("id"))


def evidence_of(claim: Claim) -> list[Evidence]:
    return list(
        Evidence.objects.public()
        .filter(claim=claim)
        .select_related("source", "relation")
        .defer("source__text")
        .order_by("id")
    )


def source_with_neighbours(pk: int) -> Source | None:
    # The earlier version's text comes along: the page shows what changed.
    return Source.objects.select_related("publisher", "revises").filter(pk=pk).first()


def snapshots_of(source: Source) -> list[Snapshot]:
    """The pages fetched for ``source``, newest first, without their bodies."""
    return list(source.snapshots.listed()[:LIST_LENGTH])


def snapshot_of(source_id: int, snapshot_id: int) -> Snapshot | None:
    return Snapshot.objects.filter(pk=snapshot_id, source_id=source_id).first()


def orphans_of(claim: Claim) -> list[Reanchoring]:
    """The claim's public words that an accepted revision of their source lost."""
    return list(
        Reanchoring.objects.filter(
            span__claim=claim,
            method=ReanchorMethod.ORPHAN,
            revision__revises_review=Review.ACCEPTED,
        )
        .filter(span__in=Span.objects.public())
        .select_related("span__source")
        .defer("span__source__text")
        .order_by("id")[:LIST_LENGTH]
    )


def revisions_of(source: Source) -> list[Source]:
    """Later versions of ``source`` (``revises`` points from the newer one) whose
    link a reviewer accepted: a proposed link is no news to readers."""
    return list(
        Source.objects.accepted_revisions_of(source).order_by("id")[:LIST_LENGTH]
    )


def earlier_version_of(source: Source) -> Source | None:
    """The source that ``source`` revises, once a reviewer accepted the link
    (read by ``source_with_neighbours``: no query)."""
    return source.revises if source.revision_accepted else None


def accepted_spans_in(source: Source) -> list[Span]:
    return list(
        Span.objects.public()
        .filter(source=source, claim__in=public_claims())
        .select_related("claim", "claim__speaker")
        .order_by("start", "-end", "id")
    )


def evidence_citing(source: Source) -> list[Evidence]:
    return list(
        Evidence.objects.public()
        .filter(source=source, claim__in=public_claims())
        .select_related("claim", "source")
        .defer("source__text")
        .order_by("id")[:RELATED_LENGTH]
    )


def claims_by(speaker, limit: int) -> list[Claim]:
    return list(
        public_claims()
        .filter(speaker=speaker)
        .select_related("speaker")
        .order_by("-id")[:limit]
    )


def said_order(said_on, source) -> tuple:
    """The order of a claim's appearances: when it was said there (undated
    last), then as ``first_published``."""
    return (said_on is None, said_on or datetime.date.min, *published_order(source))


def published_order(source) -> tuple:
    return (
        source.published_on is None,
        source.published_on or datetime.date.min,
        source.pk,
    )


def first_published(sources) -> list:
    """Sources in order of appearance: earliest published first, undated last
    (as ``claims.claimreview`` orders a ClaimReview's appearances)."""
    return sorted(sources, key=published_order)


# How many of a speaker's newest claims their "claims over time" reads: the
# chart's cost stays bounded however many claims they have.
TIMELINE_CLAIMS = 1000
# How many months the tracker's verdicts by month show.
VERDICT_MONTHS = 12


def claims_by_month(speaker) -> list[tuple[str, int]]:
    """Of the speaker's newest ``TIMELINE_CLAIMS`` accepted claims with a
    date, how many were said each month, oldest first (one query)."""
    newest = (
        public_claims()
        .filter(speaker=speaker, stated_on__isnull=False)
        .order_by("-id")
        .values("pk")[:TIMELINE_CLAIMS]
    )
    rows = (
        Claim.objects.filter(pk__in=newest)
        .annotate(month=TruncMonth("stated_on"))
        .order_by("month")
        .values("month")
        .annotate(claims=Count("pk"))
        .values_list("month", "claims")
    )
    return [(DatePrecision.MONTH.format(month), count) for month, count in rows]


def verdicts_by_month(today: datetime.date) -> list[tuple[str, int]]:
    """Verdicts on accepted claims in each of the last ``VERDICT_MONTHS``
    months, oldest first, months without one included; cached as the
    tracker's counts are."""

    def count() -> list[tuple[str, int]]:
        first = today.replace(day=1)
        for _ in range(VERDICT_MONTHS - 1):
            first = (first - datetime.timedelta(days=1)).replace(day=1)
        rows = dict(
            StatusChange.objects.filter(
                to_status__in=sorted(VERDICTS),
                claim__in=public_claims(),
                changed_at__date__gte=first,
            )
            .annotate(month=TruncMonth("changed_at"))
            .order_by()
            .values("month")
            .annotate(verdicts=Count("pk"))
            .values_list("month", "verdicts")
        )
        # TruncMonth of a datetime is a datetime (in the current time zone).
        by_month = {_as_date(month): n for month, n in rows.items()}
        months, month = [], first
        while month <= today:
            months.append((DatePrecision.MONTH.format(month), by_month.get(month, 0)))
            month = (month + datetime.timedelta(days=32)).replace(day=1)
        return months

    return cache.get_or_set(
        f"public:verdicts-by-month:{today.isoformat()}",
        count,
        settings.CLAIMTRACK_TRACKER_COUNTS_SECONDS,
    )


def _as_date(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value
