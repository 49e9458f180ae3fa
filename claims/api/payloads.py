"""Claim payloads, built from their one declaration, ``ClaimSerializer``.

The API's hottest reads (claim lists and details) are built by the database
on PostgreSQL: one statement returns the page as JSON, spans, evidence and
ledger length included, instead of three ORM queries and a Python loop. On
SQLite the same payloads come from three queries and plain values. Both walk
the serializer's fields (a field's ``source`` names a column, a nested
serializer a related table), so a field added to the claim appears in both;
the same API tests pin both on both databases.
"""

import datetime
import functools
from collections import defaultdict
from typing import cast

import orjson
from django.db import connection, connections
from django.db.models import Count, ForeignObjectRel, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from rest_framework import serializers

from ..models import Claim, ClaimRelation, Evidence, Span, StatusChange
from ..models.claim import claim_visible_to, json_value
from ..models.relation import relation_visible_sql
from ..models.span import contribution_visible_sql
from ..replica import read_alias
from .serializers import ClaimSerializer

# The list fields: the model of their rows, the alias the reader's visibility
# condition is written over, that condition, and how a row belongs to a claim.
LISTS = {
    "spans": (Span, "x", contribution_visible_sql, "x.claim_id = c.id"),
    "evidence": (Evidence, "e", contribution_visible_sql, "e.claim_id = c.id"),
    "related": (
        ClaimRelation,
        "r",
        relation_visible_sql,
        "(r.claim_id = c.id OR r.other_id = c.id) AND r.withdrawn_at IS NULL",
    ),
}
LEDGER_LENGTH_SQL = (
    "(SELECT count(*) FROM claims_statuschange l WHERE l.claim_id = c.id)"
)


@functools.cache
def fields_of(serializer_class) -> dict:
    """A serializer's fields, built once: they are read, never bound."""
    return dict(serializer_class().fields)


def claim_fields() -> dict:
    return fields_of(ClaimSerializer)


def model_field(model, field):
    """The model field a serializer field reads (its source is a name or attname)."""
    return next(
        f for f in model._meta.concrete_fields if field.source in (f.name, f.attname)
    )


def _joined(field) -> tuple:
    """The model a nested serializer reads, one row per claim, and the join
    condition over its alias ``{j}``: a foreign key's row (the speaker) or a
    one-to-one row that points at the claim (its extraction)."""
    relation = Claim._meta.get_field(field.source)
    quote = connection.ops.quote_name
    if isinstance(relation, ForeignObjectRel):  # points at the claim
        column = relation.field.column
        return relation.related_model, f"{{j}}.{quote(str(column))} = c.id"
    column = cast(str, relation.column)
    return relation.related_model, f"{{j}}.id = c.{quote(column)}"


def blank_is_null(field) -> bool:
    """A text the API shows as null when blank (a speaker's wikidata_id)."""
    return isinstance(field, serializers.CharField) and field.allow_null


# --- PostgreSQL: one statement ---------------------------------------------------

# Times always with six fractional digits, as the Python path writes them:
# PostgreSQL's own JSON drops trailing zeros (".11665"), Python keeps them.
SQL_TIMESTAMP = 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'


def _sql_value(model, field, alias: str) -> str:
    if isinstance(field, serializers.ListField):  # a many-to-many's ids
        m2m = model._meta.get_field(str(field.source))
        table = m2m.remote_field.through._meta.db_table
        own, target = m2m.m2m_column_name(), m2m.m2m_reverse_name()
        return (
            f"(SELECT coalesce(json_agg(t.{target} ORDER BY t.{target}), '[]') "
            f"FROM {table} t WHERE t.{own} = {alias}.id)"
        )
    sql = f"{alias}.{connection.ops.quote_name(model_field(model, field).column)}"
    if isinstance(field, serializers.DateTimeField):
        return f"to_char({sql} AT TIME ZONE 'UTC', '{SQL_TIMESTAMP}')"
    return f"nullif({sql}, '')" if blank_is_null(field) else sql


def _object_sql(model, fields, alias: str) -> str:
    pairs = (f"'{n}', {_sql_value(model, f, alias)}" for n, f in fields.items())
    return f"json_build_object({', '.join(pairs)})"


@functools.cache
def payload_template() -> tuple[str, str]:
    """A claim's payload over ``c`` as SQL, with a ``{spans}`` and an
    ``{evidence}`` placeholder for the reader's visibility conditions, and
    the joins of the claim's foreign keys it reads."""
    parts, joins = [], []
    for name, field in claim_fields().items():
        if name in LISTS:
            model, x, _, belongs = LISTS[name]
            rows = _object_sql(model, field.child.fields, x)
            value = (
                f"coalesce((SELECT json_agg({rows} ORDER BY {x}.id) "
                f"FROM {model._meta.db_table} {x} "
                f"WHERE {belongs} AND {{{name}}}), '[]')"
            )
        elif name == "ledger_length":
            value = LEDGER_LENGTH_SQL
        elif isinstance(field, serializers.Serializer):  # a related row
            model, on = _joined(field)
            j = f"j_{name}"
            joins.append(f"LEFT JOIN {model._meta.db_table} {j} ON {on.format(j=j)}")
            fields = _object_sql(model, field.fields, j)
            pk = connection.ops.quote_name(model._meta.pk.column)
            value = f"CASE WHEN {j}.{pk} IS NULL THEN NULL ELSE {fields} END"
        else:
            value = _sql_value(Claim, field, "c")
        parts.append(f"'{name}', {value}")
    return f"json_build_object({', '.join(parts)})", " ".join(joins)


def payload_sql(user) -> str:
    """The payload template with the spans and evidence ``user`` may see."""
    return payload_template()[0].format(
        **{name: visible(user, x) for name, (_, x, visible, _) in LISTS.items()}
    )


def page_sql(claims: str, order: str, user, where: str = "") -> str:
    """One statement returning, as JSON text, the array of the payloads of the
    claims ``claims`` (a FROM item named ``c``) in the order ``order``."""
    return (
        f"SELECT coalesce(json_agg({payload_sql(user)} ORDER BY {order}), '[]')::text "
        f"FROM {claims} {payload_template()[1]} {where}"
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
CLAIM_COLUMNS = frozenset(f.attname for f in Claim._meta.concrete_fields)
ID_SELECT = 'SELECT "claims_claim"."id" AS "id" FROM '
ROW_SELECT = "SELECT {} FROM ".format(
    ", ".join(
        # A concrete field always has a column.
        f'"claims_claim".{connection.ops.quote_name(cast(str, field.column))}'
        for field in sorted(
            Claim._meta.concrete_fields, key=lambda f: not f.primary_key
        )
    )
)


def one_payload_sql(user) -> str:
    """One claim by id, with its author (for the visibility check)."""
    return (
        f"SELECT {payload_sql(user)}::text, c.created_by_id FROM claims_claim c "
        f"{payload_template()[1]} WHERE c.id = %s"
    )


# --- elsewhere: three queries and plain values ---------------------------------


def _plain(field, value):
    if value == "" and blank_is_null(field):
        return None
    if value is not None and isinstance(field, serializers.DateTimeField):
        return value.astimezone(datetime.UTC).isoformat(timespec="microseconds")
    return json_value(value)


def _ledger_length():
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


@functools.cache
def _row_columns() -> tuple[list[str], dict]:
    """The claim row's values to read: each plain field's column, and for
    each foreign key's serializer its fields through the key."""
    columns: list[str] = []
    related: dict[str, dict[str, str]] = {}
    for name, field in claim_fields().items():
        if name in LISTS or name == "ledger_length":
            continue
        if isinstance(field, serializers.Serializer):
            related[name] = {
                n: f"{field.source}__{f.source}" for n, f in field.fields.items()
            }
            columns += related[name].values()
        else:
            columns.append(field.source)
    return columns, related


def _list_items(name: str, ids, user) -> dict[int, list]:
    """The items of list field ``name`` of the claims ``ids`` that ``user``
    may see, by claim, in id order."""
    model = LISTS[name][0]
    child = claim_fields()[name].child.fields
    columns = {"claim_id", "id", *(f.source for f in child.values())} - {"spans"}
    items: dict[int, list] = {pk: [] for pk in ids}
    rows = model._default_manager.visible_to(user).order_by("id")  # type: ignore[attr-defined]
    if model is ClaimRelation:
        rows = rows.current().filter(
            Q(claim_id__in=list(ids)) | Q(other_id__in=list(ids))
        )
    else:
        rows = rows.filter(claim_id__in=list(ids))
    found = list(rows.values(*columns))
    if model is ClaimRelation and found:
        _add_span_ids(found)
    for row in found:
        item = {n: _plain(f, row[f.source]) for n, f in child.items()}
        for pk in {row["claim_id"], row.get("other_id")} & items.keys():
            items[pk].append(item)
    return items


def _add_span_ids(relations: list[dict]) -> None:
    spans: dict[int, list[int]] = defaultdict(list)
    for relation_id, span_id in (
        ClaimRelation.spans.through.objects.filter(
            claimrelation__in=[row["id"] for row in relations]
        )
        .order_by("span_id")
        .values_list("claimrelation_id", "span_id")
    ):
        spans[relation_id].append(span_id)
    for row in relations:
        row["spans"] = spans[row["id"]]


def _payload(row: dict, lists: dict, related: dict) -> dict:
    payload = {}
    for name, field in claim_fields().items():
        if name in LISTS:
            payload[name] = lists[name][row["id"]]
        elif name in related:
            values = {n: row[c] for n, c in related[name].items()}
            # The related row's fields are all null only when there is none.
            payload[name] = (
                None
                if all(v is None for v in values.values())
                else {n: _plain(field.fields[n], v) for n, v in values.items()}
            )
        else:
            payload[name] = _plain(field, row[field.source])
    return payload


def python_payloads(queryset, ids: list[int], user) -> list[dict]:
    """The payloads of the claims ``ids`` among ``queryset``, in that order:
    one query for the claims (their foreign keys' rows joined in), one per list
    field, whatever the number of claims."""
    columns, related = _row_columns()
    rows = {
        row["id"]: row
        for row in queryset.filter(pk__in=ids).values(
            *columns, ledger_length=_ledger_length()
        )
    }
    lists = {name: _list_items(name, rows, user) for name in LISTS}
    return [_payload(rows[pk], lists, related) for pk in ids if pk in rows]


def represent(serializer_class, item) -> dict:
    """``item`` (a model instance) as ``serializer_class`` declares it, with
    the payloads' plain values: for evidence in the claim's history."""
    return {
        name: _plain(field, getattr(item, field.source))
        for name, field in fields_of(serializer_class).items()
    }


def payloads_for(ids: list[int], user, visible=None) -> list[dict]:
    """The API payloads of the claims ``ids`` as ``user`` may see them, in
    that order; with ``visible`` (a queryset) only those among them it contains."""
    if not ids:
        return []
    if connection.vendor != "postgresql":
        queryset = visible if visible is not None else Claim.objects.all()
        return python_payloads(queryset, ids, user)
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
        if field not in CLAIM_COLUMNS:
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
