"""Counts that stay fast on a million claims, for every page that shows one.

No ``COUNT(*)`` over a table: a count stops at ``CAP`` (a ``COUNT(*)`` over a
``LIMIT CAP + 1`` subquery, an index range at most CAP rows long) and shows as
"10,000+". The review desk and the public pages both count this way.
"""

CAP = 10_000


def capped_count(queryset, cap: int | None = None) -> int:
    """How many rows ``queryset`` has, counting at most ``cap + 1`` (``CAP``)."""
    cap = CAP if cap is None else cap
    return queryset.order_by()[: cap + 1].count()


def shown_count(n: int, cap: int | None = None) -> str:
    """``n`` as a page shows it: "10,000+" past the cap."""
    cap = CAP if cap is None else cap
    return f"{cap:,}+" if n > cap else f"{n:,}"
