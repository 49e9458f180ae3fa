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
from ..models.span import contribution_visible_sql
from ..replica import read_alias
from . import serializers as s

# A claim's payload, over ``c`` (claim columns, as in claims_claim) and ``sp``
# (its speaker, left-joined); ``{spans}`` and ``{evidence}`` are the reader's
# visibility conditions over ``x`` and ``e`` (``contribution_visible_sql``).
PAYLOAD = """json_build_object(
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
            'id', x.id, 'source', x.source_id, 'role', x.role, 'start', x.start,
            'end', x."end", 'exact', x.exact, 'prefix', x.prefix, 'suffix', x.suffix,
            'review', x.review, 'withdrawn_at', x.withdrawn_at,
            'withdrawn_reason', x.withdrawn_reason) ORDER BY x.id)
        FROM claims_span x WHERE x.claim_id = c.id AND {spans}), '[]'),
    'evidence', coalesce((
        SELECT json_agg(json_build_object(
            'id', e.id, 'source', e.source_id, 'stance', e.stance, 'start', e.start,
            'end', e."end", 'exact', e.exact, 'prefix', e.prefix, 'suffix', e.suffix,
            'note', e.note, 'status_change', e.status_change_id,
            'created_at', e.created_at, 'review', e.review,
            'withdrawn_at', e.withdrawn_at, 'withdrawn_reason', e.withdrawn_reason)
            ORDER BY e.id)
        FROM claims_evidence e WHERE e.claim_id = c.id AND {evidence}), '[]'),
    'ledger_length', (SELECT count(*) FROM claims_statuschange l WHERE l.claim_id = c.id),
    'created_at', c.created_at,
    'updated_at', c.updated_at
  )"""
SPEAKER_JOIN = "LEFT JOIN claims_speaker sp ON sp.id = c.speaker_id"


def payload_sql(user) -> str:
    """``PAYLOAD`` with the spans and evidence ``user`` may see."""
    return PAYLOAD.format(
        spans=contribution_visible_sql(user, "x"),
        evidence=contribution_visible_sql(user, "e"),
    )


def page_sql(claims: str, order: str, user, where: str = "") -> str:
    """One statement returning, as JSON text, the array of the payloads of the
    claims ``claims`` (a FROM item named ``c``) in the order ``order``."""
    return (
        f"SELECT coalesce(json_agg({payload_sql(user)} ORDER BY {order}), '[]')::text "
        f"FROM {claims} {SPEAKER_JOIN} {where}"
    )


def ids_sql(ids: str, user, where: str = "") -> str:
    """``page_sql`` for the claims of an id array expression, in its order."""
    return page_sql(
        f"unnest({ids}) WITH ORDINALITY AS p(id, position) "
        "JOIN claims_claim c ON c.id = p.id",
        "p.position",
        user,
        where,
    )


# The start of the keyset query as ``values("id")`` compiles it, and what it
# becomes to select the whole rows instead: every column, the id first, so
# that an ORDER BY naming the id by position (``ORDER BY 1``) still names it.
ID_SELECT = 'SELECT "claims_claim"."id" AS "id" FROM '
ROW_SELECT = "SELECT {} FROM ".format(
    ", ".join(
        f'"claims_claim".{connection.ops.quote_name(field.column)}'
        for field in sorted(
            Claim._meta.concrete_fields, key=lambda f: not f.primary_key
        )
    )
)


def one_payload_sql(user) -> str:
    """One claim by id, with its author (for the visibility check)."""
    return (
        f"SELECT {payload_sql(user)}::text, c.created_by_id FROM claims_claim c "
        f"{SPEAKER_JOIN} WHERE c.id = %s"
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


def payloads_for(ids: list[int], user, visible=None) -> list[dict]:
    """The API payloads of the claims ``ids`` as ``user`` may see them, in
    that order; with ``visible`` (a queryset) only those among them it contains."""
    if not ids:
        return []
    if connection.vendor != "postgresql":
        queryset = visible if visible is not None else Claim.objects.all()
        rows = {row["id"]: row for row in claim_rows(queryset.filter(pk__in=ids))}
        return s.claim_payloads([rows[pk] for pk in ids if pk in rows], user)
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
    return run_payload_sql(ids_sql("%s::bigint[]", user, where), params)


def run_payload_sql(sql: str, params: list) -> list[dict]:
    with connections[read_alias()].cursor() as cursor:
        cursor.execute(sql, params)
        return orjson.loads(cursor.fetchone()[0])


def column_order(queryset) -> str | None:
    """``queryset``'s ordering as an ORDER BY over the FROM item ``c``, if it
    orders by plain columns of the claim, ending with its id (a total order,
    so the rows come out as the queryset has them); else None."""
    order_by = queryset.query.order_by
    if queryset.query.extra_order_by or not order_by:
        return None
    if order_by[-1] not in ("id", "-id", "pk", "-pk"):
        return None
    terms = []
    for name in order_by:
        if not isinstance(name, str):
            return None
        field = name.lstrip("-")
        if field == "pk":
            field = "id"
        if field not in s.CLAIM_COLUMNS:
            return None
        terms.append(
            f"c.{connection.ops.quote_name(field)} {'DESC' if name[0] == '-' else 'ASC'}"
        )
    return ", ".join(terms)


def page_payloads(queryset, user) -> list[dict]:
    """The payloads of the claims that ``queryset`` (filtered, ordered, sliced)
    selects, in its order: on PostgreSQL one statement, the page's keyset query
    inside it as a FROM item rather than read as an array of ids
    (docs/PERFORMANCE.md, "Fixed for scale", 14 and 16)."""
    ids = queryset.values("id")
    if connection.vendor != "postgresql":
        return payloads_for([row["id"] for row in ids], user)
    sql, params = ids.query.sql_with_params()
    order = column_order(queryset)
    if order is None:  # ordered by an expression: keep the subquery's order
        # (ARRAY(subquery) keeps it; WITH ORDINALITY numbers it).
        return run_payload_sql(ids_sql(f"ARRAY({sql})", user), list(params))
    if sql.startswith(ID_SELECT):
        # The keyset query reads whole rows: one scan, as the hand-written
        # query does, where joining its ids back to the claims cost the
        # planner a join to plan (docs/PERFORMANCE.md, "Fixed for scale", 16).
        claims = f"({ROW_SELECT}{sql.removeprefix(ID_SELECT)}) c"
    else:
        claims = f"({sql}) k JOIN claims_claim c ON c.id = k.id"
    return run_payload_sql(page_sql(claims, order, user), list(params))


def payload_for(pk: int, user) -> dict | None:
    """The payload of claim ``pk`` if ``user`` may see it, else None.

    The hottest read: no ORM query is compiled. Visibility is decided on the
    fetched row by ``claim_visible_to``, the row-level form of
    ``ClaimQuerySet.visible_to``."""
    if connection.vendor != "postgresql":
        payloads = payloads_for([pk], user, visible=Claim.objects.visible_to(user))
        return payloads[0] if payloads else None
    with connections[read_alias()].cursor() as cursor:
        cursor.execute(one_payload_sql(user), [pk])
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

    def __init__(self, queryset, user):
        self.queryset = queryset
        self.user = user

    def order_by(self, *fields):
        return PagePayloads(self.queryset.order_by(*fields), self.user)

    def filter(self, *args, **kwargs):
        return PagePayloads(self.queryset.filter(*args, **kwargs), self.user)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            raise TypeError("PagePayloads is read by slices only.")
        return PagePayloads(self.queryset[index], self.user)

    def __iter__(self):
        return iter(page_payloads(self.queryset, self.user))
