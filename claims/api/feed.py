"""GET /api/v1/changes/: the change feed, resumable without missing an event.

PostgreSQL: events are ordered by (txid, id) — the writing transaction's id,
then the event id — and a page only contains events of transactions older than
every transaction still running (pg_snapshot_xmin). Any event that commits later
belongs to a transaction at or after that horizon, so it sorts after every
cursor already handed out: a client resuming from its last cursor sees it.
SQLite: writers are serialized (IMMEDIATE transactions), so id order is commit
order and the cursor is the id alone.
"""

import base64
import binascii

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from ..changes import feed_page
from ..models import ClaimEvent
from . import serializers as s
from .pagination import CursorPagination
from .views.common import StrictQueryMixin

BAD_CURSOR = {"after": "is not a cursor this feed issued; start without it."}


def encode_position(txid: int, pk: int) -> str:
    raw = f"{txid}:{pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def encode_cursor(event: dict) -> str:
    return encode_position(event["txid"] or 0, event["id"])


def decode_cursor(value: str) -> tuple[int, int]:
    """The position of a cursor this feed issued; anything else is a 400.

    Only the encoding the feed writes is a cursor: base64 decoding skips
    characters outside its alphabet ("MTox:", "M.T.o.x" and "MTox\n" all read
    as "MTox") and int() takes "01", "+1" and " 1", so the position read is
    encoded again and must give back the value sent, character for character.
    """
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
        txid, pk = (int(part) for part in raw.split(":"))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ValidationError(BAD_CURSOR, code="bad_cursor") from None
    if not (0 <= txid < 2**63 and 0 < pk < 2**63):
        raise ValidationError(BAD_CURSOR, code="bad_cursor")
    if encode_position(txid, pk) != value:
        raise ValidationError(BAD_CURSOR, code="bad_cursor")
    return txid, pk


class ChangeFeedView(StrictQueryMixin, APIView):
    resource = "changes"
    extra_query_parameters = {"after"}

    @extend_schema(
        summary="The change feed: claim events in order, resumable",
        parameters=[
            OpenApiParameter(
                "after",
                str,
                description="The `next` cursor of your last page; omit to start at "
                "the beginning.",
            ),
            OpenApiParameter(
                "page_size", int, description=f"1 to {CursorPagination.max_page_size}."
            ),
        ],
        responses={
            200: inline_serializer(
                "ChangeFeedPage",
                {
                    "next": serializers.CharField(
                        help_text="URL of the next page: the resume point, never "
                        "null (at the end it asks for what comes after).",
                    ),
                    "has_more": serializers.BooleanField(
                        help_text="Whether more events were there to read when this "
                        "page was served: stop following `next` when it is false.",
                    ),
                    "previous": serializers.CharField(
                        allow_null=True,
                        help_text="Always null: the feed only goes forward.",
                    ),
                    "cursor": serializers.CharField(
                        allow_null=True, help_text="The cursor to resume from."
                    ),
                    "results": s.EventSerializer(many=True),
                },
            ),
        },
    )
    def get(self, request):
        size = CursorPagination().get_page_size(request)
        raw = request.query_params.get("after")
        after = decode_cursor(raw) if raw else None
        # One row past the page tells whether the client should read on.
        events = feed_page(ClaimEvent.objects.visible_to(request.user), after, size + 1)
        has_more = len(events) > size
        events = events[:size]
        cursor = encode_cursor(events[-1]) if events else raw
        resume = f"after={cursor}&" if cursor else ""
        next_url = request.build_absolute_uri(
            f"{request.path}?{resume}page_size={size}"
        )
        return Response(
            {
                "next": next_url,
                "has_more": has_more,
                "previous": None,
                "cursor": cursor,
                "results": [s.EventSerializer.represent(event) for event in events],
            }
        )
