from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.exceptions import PermissionDenied as DRFPermissionDenied
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.views import exception_handler as drf_exception_handler


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The claim changed since you read it (stale If-Match)."
    default_code = "precondition_failed"


class PreconditionRequired(APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = 'This change needs an If-Match header with the claim\'s ETag (e.g. If-Match: "3").'
    default_code = "precondition_required"


def service_error(error: DjangoValidationError) -> APIException:
    """A service's ValidationError as an API error: 412 for a stale version."""
    if hasattr(error, "error_dict"):
        detail = dict(error.message_dict)
        if "__all__" in detail:  # a model-wide rule: DRF's name for it
            detail["non_field_errors"] = detail.pop("__all__")
    else:
        detail = {"non_field_errors": error.messages}
    if "version" in detail:
        return PreconditionFailed({"version": detail["version"]})
    return DRFValidationError(detail)


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = service_error(exc)
    elif isinstance(exc, DjangoPermissionDenied) and exc.args:
        # A service's refusal names its rule (e.g. four eyes): a 403 that says it.
        exc = DRFPermissionDenied(str(exc))
    return drf_exception_handler(exc, context)
