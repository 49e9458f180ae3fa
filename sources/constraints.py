"""A check constraint the database refused, as the error Django's own
validation gives for it.

Validating each check constraint before a write costs a query apiece (nine
for a source, ten for a claim); the writers leave them to the database and
turn its refusal into this error instead (docs/PERFORMANCE.md).
"""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models


def refused_check(
    instance: models.Model, error: IntegrityError
) -> ValidationError | None:
    """The ValidationError for the check constraint of ``instance`` that the
    database names in ``error`` (psycopg gives its name, SQLite says "CHECK
    constraint failed: <name>"), or None if it names none of them."""
    named = getattr(getattr(error.__cause__, "diag", None), "constraint_name", None)
    for constraint in instance._meta.constraints:
        if isinstance(constraint, models.CheckConstraint) and (
            constraint.name == named
            or str(error) == f"CHECK constraint failed: {constraint.name}"
        ):
            return ValidationError(
                {
                    NON_FIELD_ERRORS: ValidationError(
                        constraint.get_violation_error_message(),
                        code=constraint.violation_error_code,
                    )
                }
            )
    return None
