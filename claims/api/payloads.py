"""Claim payloads in one SQL statement on PostgreSQL.

The API's hottest reads (claim lists and details) are built by the database:
one statement returns the page as JSON, spans, evidence and ledger length
included, instead of three ORM queries and a Python loop. On SQLite the same
payloads come from ``serializers.claim_payloads`` (plain values, three queries).
Both shapes are pinned by the same API tests on both databases.
"""

import orjson
from django.db import connection, connections
from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce

from ..models import Claim, StatusChange
from ..models.claim import claim_visible_to
from ..replica import read_alias
from . import serializers as s

# One row per claim: its position in {ids} (an array expression), its author
# (for the visibility check of a single claim) and its payload.
PAYLOAD_ROWS = """
  SELECT p.position, c.created_by_id, json_build_object(
    'id', c.id,
    'text', c.text,
    'speaker', CASE WHEN c.speaker_id IS NULL THEN NULL ELSE json_build_object(
        'id', sp.id, 'name', sp.name, 'wikidata_id', nullif(sp.wikidata_id, '')) END,
    'speaker_title', c.speaker_title,
    'attribution', c.attribution,
    'kind', c.kind,
    'stated_on', c.stated_on,
    'stated_on_precision', c.stated_on_precision,
    'due_on', c.due_on,
    'due_on_precision', c.due_on_precision,
    'due_text', c.due_text,
    'status', c.status,
    'review', c.review,
    'version', c.version,
    'spans', coalesce((
        SELECT json_agg(json_build_object(
            'source', x.source_id, 'role', x.role, 'start', x.start, 'end', x."end",
            'exact', x.exact, 'prefix', x.prefix, 'suffix', x.suffix) ORDER BY x.id)
        FROM claims_span x WHERE x.claim_id = c.id), '[]'),
    'evidence', coalesce((
        SELECT json_agg(json_build_object(
            'id', e.id, 'source', e.source_id, 'stance', e.stance, 'start', e.start,
            'end', e."end", 'exact', e.exact, 'prefix', e.prefix, 'suffix', e.suffix,
            'note', e.note, 'status_change', e.status_change_id,
            'created_at', e.created_at) ORDER BY e.id)
        FROM claims_evidence e WHERE e.claim_id = c.id), '[]'),
    'ledger_length', (SELECT count(*) FROM claims_statuschange l WHERE l.claim_id = c.id),
    'created_at', c.created_at,
    'updated_at', c.updated_at
  ) AS payload
  FROM unnest({ids}) WITH ORDINALITY AS p(id, position)
  JOIN claims_claim c ON c.id = p.id
  LEFT JOIN claims_speaker sp ON sp.id = c.speaker_id
  {visible}
"""
PAYLOAD_SQL = (
    "SELECT coalesce(json_agg(payload ORDER BY position), '[]')::text FROM ("
    + PAYLOAD_ROWS
    + ") page"
)
ONE_PAYLOAD_SQL = (
    "SELECT payload::text, created_by_id FROM ("
    + PAYLOAD_ROWS.format(ids="ARRAY[%s::bigint]", visible="")
    + ") one"
)


def ledger_length():
    return Coalesce(
        Subquery(
            StatusChange.objects.filter(claim=OuterRef("pk"))
            .order_by()
            .values("claim")
            .annotate(n=Count("*"))
            .values("n")[:1]
        ),
        0,
    )


def claim_rows(queryset, *extra):
    """The claim columns the API shows, as dicts, with the speaker and the ledger
    length joined in: one query for any number of claims."""
    return queryset.values(
        *s.CLAIM_COLUMNS,
        *extra,
        speaker_name=F("speaker__name"),
        speaker_wikidata_id=F("speaker__wikidata_id"),
        ledger_length=ledger_length(),
    )


def payloads_for(ids: list[int], visible=None) -> list[dict]:
    """The API payloads of the claims ``ids``, in that order; with ``visible`` (a
    queryset) only those among them it contains."""
    if not ids:
        return []
    if connection.vendor != "postgresql":
        queryset = visible if visible is not None else Claim.objects.all()
        rows = {row["id"]: row for row in claim_rows(queryset.filter(pk__in=ids))}
        return s.claim_payloads([rows[pk] for pk in ids if pk in rows])
    params: list = [list(ids)]
    where = ""
    if visible is not None:
        # The id list goes into the subquery too, so it is an index lookup,
        # not a semi-join over every visible claim.
        sql, visible_params = (
            visible.filter(pk__in=ids).order_by().values("id").query.sql_with_params()
        )
        where = f"WHERE c.id IN ({sql})"
        params += list(visible_params)
    return run_payload_sql("%s::bigint[]", where, params)


def run_payload_sql(ids: str, where: str, params: list) -> list[dict]:
    with connections[read_alias()].cursor() as cursor:
        cursor.execute(PAYLOAD_SQL.format(ids=ids, visible=where), params)
        return orjson.loads(cursor.fetchone()[0])


def page_payloads(queryset) -> list[dict]:
    """The payloads of the claims that ``queryset`` (filtered, ordered, sliced)
    selects, in its order: on PostgreSQL one statement, the page's keyset query
    inside the payload query."""
    ids = queryset.values("id")
    if connection.vendor != "postgresql":
        return payloads_for([row["id"] for row in ids])
    sql, params = ids.query.sql_with_params()
    # ARRAY(subquery) keeps the subquery's order; unnest … WITH ORDINALITY
    # numbers it.
    return run_payload_sql(f"ARRAY({sql})", "", list(params))


def payload_for(pk: int, user) -> dict | None:
    """The payload of claim ``pk`` if ``user`` may see it, else None.

    The hottest read: no ORM query is compiled. Visibility is decided on the
    fetched row by ``claim_visible_to``, the row-level form of
    ``ClaimQuerySet.visible_to``."""
    if connection.vendor != "postgresql":
        payloads = payloads_for([pk], visible=Claim.objects.visible_to(user))
        return payloads[0] if payloads else None
    with connections[read_alias()].cursor() as cursor:
        cursor.execute(ONE_PAYLOAD_SQL, [pk])
        row = cursor.fetchone()
    if row is None:
        return None
    payload = orjson.loads(row[0])
    if not claim_visible_to(user, review=payload["review"], created_by_id=row[1]):
        return None
    return payload


class PagePayloads:
    """A claims queryset for the cursor paginator: it orders, filters and
    slices like the queryset, and its slice is read as API payloads in one
    statement (``page_payloads``)."""

    def __init__(self, queryset):
        self.queryset = queryset

    def order_by(self, *fields):
        return PagePayloads(self.queryset.order_by(*fields))

    def filter(self, *args, **kwargs):
        return PagePayloads(self.queryset.filter(*args, **kwargs))

    def __getitem__(self, index):
        if not isinstance(index, slice):
            raise TypeError("PagePayloads is read by slices only.")
        return PagePayloads(self.queryset[index])

    def __iter__(self):
        return iter(page_payloads(self.queryset))
