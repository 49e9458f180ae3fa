"""What the public pages read, and only through ``Claim.objects.accepted()``.

Every query here is bounded by what one claim, source or speaker holds, or by a
``LIMIT``, never by the size of the tables: no ``COUNT(*)`` over a table (counts
stop at ``CAP``), no ``OFFSET`` (lists page by keyset).
"""

import datetime
import logging
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connections
from django.db.models import F, Prefetch, Subquery, Value
from django.db.models.functions import Greatest, Substr

from claims.counts import CAP, shown_count
from claims.models import Claim, Evidence, Span, Speaker, Status, StatusChange
from claims.models.choices import VERDICTS
from claims.replica import read_alias
from sources.models import PUBLICATION_ORDER, Source

CONTEXT = 240  # characters of source text shown around a claim's words
LIST_LENGTH = 10  # rows in each list of the tracker
RELATED_LENGTH = 100  # evidence rows a source page lists
# (counted_at, counts); a new name for the new shape, so that an entry left by
# an earlier release (counts alone) is never read as one.
COUNTS_CACHE_KEY = "public:tracker-status-counts:v2"
COUNTS_SECONDS = 60  # counts older than this are recounted after the response
# Kept this long for readers while a recount is due; past it (a site idle
# this long) the next reader waits for a fresh count.
COUNTS_KEEP_SECONDS = 15 * 60
COUNTS_REFRESH_LOCK_KEY = f"{COUNTS_CACHE_KEY}:refreshing"  # one recount at a time
COUNTS_REFRESH_LOCK_SECONDS = 30

logger = logging.getLogger(__name__)


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


# Stand-ins compiled where a status and a speaker go, then replaced by each
# count's own: no status holds a NUL, no id is negative.
STATUS_MARKER = "\x00status"
SPEAKER_MARKER = -7_205_759_403_792_793


def _capped_counts(claims, cap: int, counts: list[dict]) -> list[int]:
    """One statement of scalar subqueries, one per entry of ``counts`` (a
    marker -> value mapping), each a ``COUNT(*)`` over at most ``cap + 1`` rows
    of ``claims`` (which filter on the markers). The subquery is compiled once:
    compiling eight cost a speaker's page 1.1 ms of its 1.4."""
    sql, sample_params = (
        claims.order_by().values("pk")[: cap + 1].query.sql_with_params()
    )

    def is_marker(param, marker) -> bool:
        return type(param) is type(marker) and param == marker

    for marker in counts[0] if counts else ():
        if sum(is_marker(p, marker) for p in sample_params) != 1:
            raise ValueError(f"cannot count {claims.query} by {marker!r}.")
    parts, params = [], []
    for n, values in enumerate(counts):
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS capped_{n})")
        params.extend(
            next((v for m, v in values.items() if is_marker(p, m)), p)
            for p in sample_params
        )
    if not parts:
        return []
    with connections[read_alias()].cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}", params)
        return list(cursor.fetchone())


def status_counts(claims) -> list[StatusCount]:
    """How many of ``claims`` hold each status, each count stopping at ``CAP``.

    One statement: a scalar subquery per status, each a ``COUNT(*)`` over at
    most ``CAP + 1`` rows, so its cost is bounded by the cap, not by the table
    (a ``GROUP BY status`` reads every accepted claim; docs/PUBLIC.md has the
    measurements). For the tracker, over all accepted claims; for a
    speaker's page, over theirs (each count an index-only scan of
    ``claim_accepted_speaker_idx``).
    """
    numbers = _capped_counts(
        claims.filter(status=STATUS_MARKER),
        CAP,
        [{STATUS_MARKER: value} for value in Status.values],
    )
    return [
        StatusCount(value, label, number)
        for (value, label), number in zip(Status.choices, numbers, strict=True)
    ]


def status_counts_of_speakers(
    speaker_ids: list[int], cap: int
) -> dict[int, list[StatusCount]]:
    """``status_counts`` of each speaker's accepted claims, every count
    stopping at ``cap``: one statement for a whole page of speakers, each
    count an index range of ``claim_accepted_speaker_idx`` at most ``cap + 1``
    entries long, however many claims a speaker has."""
    claims = public_claims().filter(speaker_id=SPEAKER_MARKER, status=STATUS_MARKER)
    numbers = iter(
        _capped_counts(
            claims,
            cap,
            [
                {SPEAKER_MARKER: pk, STATUS_MARKER: value}
                for pk in speaker_ids
                for value in Status.values
            ],
        )
    )
    return {
        pk: [
            StatusCount(value, label, next(numbers), cap)
            for value, label in Status.choices
        ]
        for pk in speaker_ids
    }


def tracker_counts() -> tuple[list[StatusCount], bool]:
    """``status_counts`` of every accepted claim from the cache, and whether
    they are due for a recount (older than ``COUNTS_SECONDS``).

    The tracker is the busiest page and its counts the only query whose cost
    grows with the table (up to the cap: 13 ms at a million claims, read from
    ``claim_accepted_status_idx`` alone), so no reader waits for it while the
    cache holds counts: a stale entry is served and
    :func:`refresh_tracker_counts` runs after that response has been sent (see
    ``public.views.tracker``). Only when the cache holds nothing (a cold
    start, or no visitor for ``COUNTS_KEEP_SECONDS``) does a reader wait.
    """
    entry = cache.get(COUNTS_CACHE_KEY)
    if entry is None:
        return refresh_tracker_counts(), False
    counted_at, counts = entry
    return counts, time.time() - counted_at > COUNTS_SECONDS


def claim_counts_refresh() -> bool:
    """True for the one request (across workers) that should recount the stale
    tracker counts; the others keep serving the cached ones."""
    return cache.add(COUNTS_REFRESH_LOCK_KEY, True, COUNTS_REFRESH_LOCK_SECONDS)


def refresh_tracker_counts() -> list[StatusCount]:
    """Count the accepted claims by status and keep the counts in the cache."""
    counts = status_counts(public_claims())
    cache.set(COUNTS_CACHE_KEY, (time.time(), counts), COUNTS_KEEP_SECONDS)
    cache.delete(COUNTS_REFRESH_LOCK_KEY)
    return counts


def refresh_tracker_counts_quietly() -> None:
    """:func:`refresh_tracker_counts` after a response: a failure is logged (the
    stale counts stay, and the next reader tries again), never raised into a
    response that has already been sent."""
    try:
        refresh_tracker_counts()
    except Exception:
        logger.exception("recounting the tracker's status counts failed")
        cache.delete(COUNTS_REFRESH_LOCK_KEY)


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
        .select_related("source", "source__publisher")
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
        .select_related("source")
        .defer("source__text")
        .order_by("id")
    )


def source_with_neighbours(pk: int) -> Source | None:
    return (
        Source.objects.select_related("publisher", "revises")
        .defer("revises__text")
        .filter(pk=pk)
        .first()
    )


def revisions_of(source: Source) -> list[Source]:
    """Later versions of ``source`` (``revises`` points from the newer one) whose
    link a reviewer accepted: a proposed link is no news to readers."""
    return list(
        Source.objects.accepted_revisions_of(source)
        .defer("text")
        .order_by("id")[:LIST_LENGTH]
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


def first_published(sources) -> list:
    """Sources in order of appearance: earliest published first, undated last
    (as ``claims.claimreview`` orders a ClaimReview's appearances)."""
    return sorted(
        sources,
        key=lambda s: (
            s.published_on is None,
            s.published_on or datetime.date.min,
            s.pk,
        ),
    )
