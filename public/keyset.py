"""Keyset pages of search results: "the next 25 after this one", never OFFSET.

Results come in one of three orders, chosen by the search itself so that an
index serves it: ranked full-text matches best first (PostgreSQL), claims said
in a date range latest first (``claim_stated_on_idx``; the range leaves out
undated claims), otherwise the newest claims first (the primary key). The cursor
is the last row's sort key and id: ``<id>``, ``<rank>.<id>`` or
``<YYYY-MM-DD>.<id>``.

The API pages with DRF's ``CursorPagination`` (``claims/api/pagination.py``)
instead: opaque base64 cursors on one integer key, with previous links. These
pages need a two-column key (rank or date, then id), a date that may be missing
(sources), and cursors that a plain HTML form can check and carry.
"""

import datetime
import re
from dataclasses import dataclass

from django.db.models import Q

ID = r"([0-9]{1,18})"


@dataclass(frozen=True)
class Order:
    name: str
    fields: tuple[str, ...]
    key: str | None  # the field before the id, if any
    pattern: re.Pattern
    description: str

    def after(self, claims, cursor: str):
        """``claims`` after ``cursor`` in this order; ``ValueError`` if the
        cursor is not one of this order's."""
        match = self.pattern.match(cursor)
        if match is None:
            raise ValueError(cursor)
        if self.key is None:
            return claims.filter(id__lt=int(match[1]))
        value, pk = self._parse(match[1]), int(match[2])
        return claims.filter(
            Q(**{f"{self.key}__lt": value}) | Q(**{self.key: value, "id__lt": pk})
        )

    def cursor(self, claim) -> str:
        if self.key is None:
            return str(claim.pk)
        value = getattr(claim, self.key)
        return f"{value.isoformat() if self.key == 'stated_on' else value}.{claim.pk}"

    def _parse(self, value: str):
        if self.key == "stated_on":
            return datetime.date.fromisoformat(value)  # ValueError if no such day
        return int(value)


NEWEST = Order("newest", ("-id",), None, re.compile(rf"^{ID}$"), "newest first")
RANKED = Order(
    "ranked",
    ("-rank_key", "-id"),
    "rank_key",
    re.compile(rf"^(-?[0-9]{{1,12}})\.{ID}$"),
    "best matches first",
)
BY_DATE = Order(
    "by_date",
    ("-stated_on", "-id"),
    "stated_on",
    re.compile(rf"^([0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}})\.{ID}$"),
    "latest said first",
)


# Sources page in PUBLICATION_ORDER: the cursor is the last source's
# publication date ("undated" for none) and id.
UNDATED = "undated"


def source_cursor(source) -> str:
    day = source.published_on.isoformat() if source.published_on else UNDATED
    return f"{day}.{source.pk}"


def parse_source_cursor(cursor: str) -> tuple[datetime.date | None, int]:
    """``(published_on, id)`` of a source cursor; ``ValueError`` if it is not one."""
    match = re.fullmatch(rf"([0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}|{UNDATED})\.{ID}", cursor)
    if match is None:
        raise ValueError(cursor)
    day = None if match[1] == UNDATED else datetime.date.fromisoformat(match[1])
    return day, int(match[2])
