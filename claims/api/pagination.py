import re

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError

MAX_PAGE_SIZE = 100
# The cursors this API issues: base64 of "o=…&r=…&p=…", whose position is a
# value of an integer key (an id, or a search rank).
CURSOR_PATTERN = re.compile(r"[A-Za-z0-9+/]+={0,2}")
POSITION_PATTERN = re.compile(r"-?[0-9]{1,18}")
# ASCII digits only: str.isdigit() also takes "²", "①" and "١٠" (which int()
# refuses or reads as 10). Nine digits are past any cap and within int().
PAGE_SIZE_PATTERN = re.compile(r"[0-9]{1,9}")


class CursorPagination(pagination.CursorPagination):
    """Keyset pagination: no COUNT(*), no OFFSET, on an indexed unique key.

    A page size over the cap and a cursor this API did not issue are refused
    with a 400 naming the parameter, rather than silently clamped or ignored.
    """

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    ordering = "-id"

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if (
            not PAGE_SIZE_PATTERN.fullmatch(raw)
            or not 1 <= int(raw) <= self.max_page_size
        ):
            raise ValidationError(
                {
                    "page_size": "must be a whole number from 1 to "
                    f"{self.max_page_size}, in the digits 0-9."
                }
            )
        return int(raw)

    bad_cursor = {
        "cursor": "is not a cursor this API issued; start from the first page."
    }

    def decode_cursor(self, request):
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is not None and not CURSOR_PATTERN.fullmatch(encoded):
            # base64 decoding would skip the stray characters, not refuse them.
            raise ValidationError(self.bad_cursor, code="bad_cursor")
        try:
            cursor = super().decode_cursor(request)
        except NotFound as error:
            raise ValidationError(self.bad_cursor, code="bad_cursor") from error
        position = cursor.position if cursor is not None else None
        # The stubs type the position as an int; DRF decodes it as a string.
        if position is not None and not POSITION_PATTERN.fullmatch(position):  # type: ignore[call-overload]
            raise ValidationError(self.bad_cursor, code="bad_cursor")
        return cursor

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except (ValueError, TypeError, DjangoValidationError) as error:
            # A well-formed cursor whose position is not a value of the key.
            raise ValidationError(self.bad_cursor, code="bad_cursor") from error
