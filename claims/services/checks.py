"""The checks every claim service shares: a field's value (text, a choice, a
date), a model instance (``full_clean`` without its costly queries), and the
database's refusals, each as a ValidationError keyed by the field at fault."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from sources.constraints import refused_check


def loaded_relations(instance: models.Model) -> list[str]:
    """Foreign keys set to an object this transaction read from the database:
    full_clean would query again that it exists (one ``SELECT`` per key);
    the database's own foreign key still checks it at commit."""
    return [
        field.name
        for field in instance._meta.concrete_fields
        if isinstance(field, models.ForeignObject)  # a concrete relation
        and field.is_cached(instance)
        and (related := field.get_cached_value(instance)) is not None
        and related.pk is not None
        and not related._state.adding
        and related.pk == getattr(instance, field.attname)
    ]


def validate_instance(
    instance: models.Model, *, prefix: str = "", new_parent: str = ""
) -> None:
    """full_clean and the unique constraints, keys prefixed. The check
    constraints are the database's to refuse, when :func:`save_instance` writes:
    Django validates each with a query of its own, about 1 ms apiece, ten
    for a claim (docs/PERFORMANCE.md, issue 21).

    ``new_parent`` names a relation to a row not saved yet (a new claim's
    span): it is not checked, nor any unique constraint it is part of, which
    no stored row can break."""
    try:
        instance.full_clean(
            exclude=[
                *loaded_relations(instance),
                *([new_parent] if new_parent else []),
            ],
            validate_unique=False,
            validate_constraints=False,
        )
        errors: dict = {}
        for constraint in instance._meta.constraints:
            if isinstance(constraint, models.CheckConstraint) or (
                new_parent in getattr(constraint, "fields", ())
            ):
                continue
            try:
                constraint.validate(type(instance), instance)
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)
    except ValidationError as error:
        raise prefixed(error, prefix) from None


def prefixed(error: ValidationError, prefix: str) -> ValidationError:
    if not prefix or not hasattr(error, "error_dict"):
        return error
    return ValidationError(
        {f"{prefix}.{field}": messages for field, messages in error.error_dict.items()}
    )


def save_instance(instance: models.Model, *, prefix: str = "", **kwargs) -> None:
    """Save ``instance``; a check constraint the database refuses becomes the
    ValidationError ``validate_constraints`` gives (keyed ``__all__``)."""
    try:
        with transaction.atomic():
            instance.save(**kwargs)
    except IntegrityError as error:
        if refused := refused_by_database(error, (instance, prefix)):
            raise refused from None
        raise


def refused_by_database(
    error: IntegrityError, *rows: tuple[models.Model, str]
) -> ValidationError | None:
    """The ValidationError for the check constraint of one of ``rows`` (each
    an instance and the prefix of its keys) that the database refused in
    ``error``, or None if it was not one of theirs."""
    for instance, prefix in rows:
        if refused := refused_check(instance, error):
            return prefixed(refused, prefix)
    return None


def require_choice(value, choices: type[models.TextChoices], field: str) -> None:
    if value not in choices.values:
        raise ValidationError(
            {field: f"must be one of {', '.join(choices.values)}, not {value!r}."}
        )


def required_text(value: str, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError({field: "is required and must not be blank."})
    if "\x00" in value:
        raise ValidationError({field: "must not contain NUL characters."})
    return value.strip()


def optional_text(value, field: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError({field: "must be a string."})
    if "\x00" in value:
        raise ValidationError({field: "must not contain NUL characters."})
    return value.strip()


def parse_date(value, field: str) -> datetime.date | None:
    """``value`` as a date (an ISO string is read), or a field error."""
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value)
        except ValueError:
            raise ValidationError(
                {field: f"must be a date (YYYY-MM-DD), not {value!r}."}
            ) from None
    if value is not None and (
        not isinstance(value, datetime.date) or isinstance(value, datetime.datetime)
    ):
        raise ValidationError({field: "must be a date (YYYY-MM-DD)."})
    return value
