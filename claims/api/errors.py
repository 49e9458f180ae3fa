"""One error shape for the whole API, drf-standardized-errors':

    {"type": "validation_error" | "client_error" | "server_error",
     "errors": [{"code": …, "detail": …, "attr": "spans.0.exact" | null}]}

Services raise Django's ``ValidationError`` and ``PermissionDenied``; they are
turned into DRF's here, keeping each error's code. docs/API.md lists the codes.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError
from django.http import JsonResponse
from django.views import defaults
from drf_standardized_errors.formatter import ExceptionFormatter
from drf_standardized_errors.handler import ExceptionHandler
from rest_framework import status
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.fields import get_error_detail
from rest_framework.settings import api_settings


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The claim changed since you read it (stale If-Match)."
    default_code = "precondition_failed"


class PreconditionRequired(APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = 'This change needs an If-Match header with the claim\'s ETag (e.g. If-Match: "3").'
    default_code = "precondition_required"


def service_error(error: DjangoValidationError) -> APIException:
    """A service's ValidationError as an API error: 412 for a stale version.

    The version a write expects comes from If-Match, so a wrong version is the
    header's failure, whatever the service called it.
    """
    detail = get_error_detail(error)
    if isinstance(detail, dict):
        if "version" in detail:
            return PreconditionFailed(f"The claim's version {detail['version'][0]}")
        if "__all__" in detail:  # a model-wide rule: DRF's name for it
            detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop("__all__")
    else:
        detail = {api_settings.NON_FIELD_ERRORS_KEY: detail}
    return DRFValidationError(detail)


class ErrorFormatter(ExceptionFormatter):
    def get_errors(self):
        # A nested list's own error (not a list, too many) names the list
        # ("spans"), not "spans.non_field_errors".
        suffix = f".{api_settings.NON_FIELD_ERRORS_KEY}"
        errors = super().get_errors()
        for error in errors:
            if error.attr and error.attr.endswith(suffix):
                error.attr = error.attr.removesuffix(suffix)
        return errors


class ServiceExceptionHandler(ExceptionHandler):
    def convert_known_exceptions(self, exc):
        if isinstance(exc, DjangoValidationError):
            return service_error(exc)
        if isinstance(exc, DjangoPermissionDenied) and str(exc):
            # A service's rule (four eyes): the 403 names it.
            return PermissionDenied(str(exc))
        return super().convert_known_exceptions(exc)

    def should_not_handle(self, exc):
        # A lost database is config.health's middleware's to answer (503).
        return isinstance(exc, DatabaseError) or super().should_not_handle(exc)


def not_found(request, exception=None):
    """handler404: JSON in the API's shape under /api/, the page elsewhere."""
    if request.path.startswith("/api/"):
        return error_response(404, "not_found", "No such URL in the API.")
    return defaults.page_not_found(request, exception)


def server_error(request):
    """handler500: JSON under /api/, for errors outside a DRF view too."""
    if request.path.startswith("/api/"):
        return error_response(500, "error", "Server Error (500)")
    return defaults.server_error(request)


def error_response(status_code: int, code: str, detail: str) -> JsonResponse:
    """An error in the API's shape, for answers made outside DRF's views."""
    kind = "server_error" if status_code >= 500 else "client_error"
    return JsonResponse(
        {"type": kind, "errors": [{"code": code, "detail": detail, "attr": None}]},
        status=status_code,
    )
