"""The change feed's order, in one place: what the API's feed serves and
what webhook deliveries follow (docs/API.md, docs/NOTIFICATIONS.md).

PostgreSQL: events are ordered by (txid, id) — the writing transaction's id,
then the event id — and only events of transactions older than every
transaction still running are read (pg_snapshot_xmin). Any event that commits
later belongs to a transaction at or after that horizon, so it sorts after
every position already read: a reader resuming from its last position sees
it. SQLite: writers are serialized, so id order is commit order and the
position is (0, id).
"""

from django.db import connection

from .models import ClaimEvent

# The columns a feed page shows, read as rows: building a model instance (and
# its actor's) per event was most of a page's Python time.
FEED_COLUMNS = (
    "id",
    "claim_id",
    "kind",
    "version",
    "state",
    "detail",
    "actor__username",
    "created_at",
    "txid",
)


def feed_page(events, after: tuple[int, int] | None, size: int) -> list[dict]:
    """The page of ``events`` (a ClaimEvent queryset: what the reader may
    read) after ``after``, as rows (dicts of ``FEED_COLUMNS``)."""
    events = events.values(*FEED_COLUMNS)
    if connection.vendor == "postgresql":
        # Only transactions that can no longer commit earlier-sorting events
        # (and this request's own, for a client that writes and reads at once).
        horizon = (
            "(txid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint "
            "OR txid = pg_current_xact_id_if_assigned()::text::bigint)"
        )
        where, params = [horizon], []
        if after is not None:
            # A row comparison is an index bound on (txid, id); the equivalent
            # OR of two conditions would scan every earlier event.
            where.append("(txid, claims_claimevent.id) > (%s, %s)")
            params += list(after)
        events = events.extra(where=where, params=params).order_by("txid", "id")
    else:
        if after is not None:
            events = events.filter(id__gt=after[1])
        events = events.order_by("id")
    return list(events[:size])


def horizon() -> tuple[int, int]:
    """A position after every event already committed, before every one a
    running or later transaction writes: where a new reader starts."""
    if connection.vendor != "postgresql":
        last = ClaimEvent.objects.order_by("-id").values_list("id", flat=True).first()
        return 0, last or 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
        (xmin,) = cursor.fetchone()
    return xmin - 1, 2**63 - 1


def position(event: dict) -> tuple[int, int]:
    """The position of an event row (``FEED_COLUMNS``)."""
    return event["txid"] or 0, event["id"]
