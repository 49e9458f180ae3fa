"""What every endpoint shares: the documented error statuses, the If-Match
headers and the refusal of unknown query parameters."""

import re
from typing import Literal, overload

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.request import Request
from rest_framework.views import APIView

from ..errors import PreconditionFailed, PreconditionRequired
from ..schema import documented_error

# drf-standardized-errors' AutoSchema documents 400, 401, 403, 404, 405, 415
# and 429 with their codes; these are the statuses it does not know.
WRITE_ERRORS = {
    409: documented_error("Conflicts with the current state."),
    413: documented_error("The body is over the size limit (config/middleware.py)."),
}
VERSIONED_ERRORS = {
    **WRITE_ERRORS,
    412: documented_error("Stale or malformed If-Match: the claim changed; reload it."),
    428: documented_error("If-Match is required for this change."),
}
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description='The ETag of the claim you read, e.g. "3".',
)
OPTIONAL_IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Optional: refuse the change if the claim changed.",
)
COMMON_PARAMETERS = {"cursor", "page_size", "format"}


def etag_matches(if_none_match: str, etag: str) -> bool:
    """Whether an If-None-Match header names ``etag`` (weak comparison, as
    RFC 9110 asks of it), or is ``*``."""
    tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
    return "*" in tags or etag in tags


class StrictQueryMixin(APIView):
    """Unknown query parameters and NUL characters are refused with a 400."""

    extra_query_parameters: set[str] = set()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        allowed = COMMON_PARAMETERS | self.extra_query_parameters
        filterset = getattr(self, "filterset_class", None)
        if filterset is not None:
            allowed |= set(filterset.base_filters)
        errors: dict[str, str] = {}
        for name, values in request.query_params.lists():
            if name not in allowed:
                errors[name] = ErrorDetail(
                    "is not a parameter of this endpoint.", code="unknown_parameter"
                )
            elif any("\x00" in value for value in values):
                errors[name] = "must not contain NUL characters."
        if errors:
            raise ValidationError(errors)


@overload
def expected_version(request: Request, *, required: Literal[True]) -> int: ...
@overload
def expected_version(request: Request, *, required: bool) -> int | None: ...
def expected_version(request: Request, *, required: bool) -> int | None:
    """The version named by If-Match ("3", W/ is refused), or None if absent."""
    header = request.headers.get("If-Match")
    if header is None:
        if required:
            raise PreconditionRequired()
        return None
    match = re.fullmatch(r'\s*"?(\d{1,10})"?\s*', header)
    if not match:
        raise PreconditionFailed(
            f'If-Match must be the claim\'s ETag, like "3", not {header!r}.'
        )
    return int(match.group(1))
