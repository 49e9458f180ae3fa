from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError

MAX_PAGE_SIZE = 100


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
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError(
                {"page_size": f"must be a whole number from 1 to {self.max_page_size}."}
            )
        return int(raw)

    bad_cursor = {
        "cursor": "is not a cursor this API issued; start from the first page."
    }

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except NotFound as error:
            raise ValidationError(self.bad_cursor) from error

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except (ValueError, TypeError, DjangoValidationError) as error:
            # A well-formed cursor whose position is not a value of the key.
            raise ValidationError(self.bad_cursor) from error
