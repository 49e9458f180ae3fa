"""Check constraints evaluated in Python, as the database would evaluate them.

Django validates each ``CheckConstraint`` by sending it to the database with
the instance's values (a ``SELECT`` in a savepoint per constraint). The
services validate every row they write, so that cost was most of the time it
took to propose a claim. Nearly all our conditions are plain lookups
(``exact``, ``in``, ``isnull``, comparisons) on the row's own fields, with
``F()``, ``Length()`` and ``+``/``-``: those are evaluated here, in SQL's
three-valued logic (a comparison with NULL is unknown, and a CHECK whose
result is unknown passes). Anything else (a regex, a function we do not know)
raises :class:`Unsupported`, and the caller asks the database.
tests/test_validation.py holds this to Django's own validation.
"""

import operator

from django.db.models import F, Q, Value
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Length

UNKNOWN = None


class Unsupported(Exception):
    """A condition this module cannot evaluate exactly as the database does."""


COMPARISONS = {
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}
ARITHMETIC = {"+": operator.add, "-": operator.sub}


def evaluate(condition, instance):
    """True, False or None (unknown) for ``condition`` on ``instance``."""
    if isinstance(condition, Q):
        results = [evaluate_child(child, instance) for child in condition.children]
        result = _and(results) if condition.connector == Q.AND else _or(results)
        if condition.negated:
            result = None if result is None else not result
        return result
    raise Unsupported(condition)


def evaluate_child(child, instance):
    if isinstance(child, Q):
        return evaluate(child, instance)
    if not isinstance(child, tuple):
        raise Unsupported(child)
    lookup, expected = child
    name, _, kind = lookup.partition("__")
    kind = kind or "exact"
    value = field_value(instance, name)
    if kind == "isnull":
        if not isinstance(expected, bool):
            raise Unsupported(lookup)
        return (value is None) == expected
    if kind == "exact" and expected is None:  # Q(field=None) means IS NULL
        return value is None
    if kind == "in":
        options = list(expected)
        if value is None:
            return UNKNOWN
        if value in options:
            return True
        return UNKNOWN if None in options else False
    expected = resolve(expected, instance)
    if value is None or expected is None:
        return UNKNOWN
    if kind == "exact":
        return value == expected
    if kind in COMPARISONS:
        if isinstance(value, str) or isinstance(expected, str):
            raise Unsupported(lookup)  # collation-dependent order
        return COMPARISONS[kind](value, expected)
    if kind == "contains" and isinstance(value, str) and isinstance(expected, str):
        return expected in value
    raise Unsupported(lookup)


def resolve(expression, instance):
    """The value of a right-hand side: a constant, F(), Length(), + or -."""
    if isinstance(expression, F):
        return field_value(instance, expression.name)
    if isinstance(expression, Value):
        return expression.value
    if isinstance(expression, Length):
        (source,) = expression.get_source_expressions()
        text = resolve(source, instance)
        return None if text is None else len(text)
    if isinstance(expression, CombinedExpression):
        if expression.connector not in ARITHMETIC:
            raise Unsupported(expression)
        left, right = (resolve(e, instance) for e in (expression.lhs, expression.rhs))
        if left is None or right is None:
            return None
        return ARITHMETIC[expression.connector](left, right)
    if hasattr(expression, "resolve_expression"):
        raise Unsupported(expression)
    return expression


def field_value(instance, name: str):
    """The row's value for ``name`` (a field name, a ``*_id`` column or ``pk``),
    as the database would compare it."""
    meta = instance._meta
    if "__" in name:
        raise Unsupported(name)
    field = meta.pk if name == "pk" else meta.get_field(name)
    if not field.concrete:
        raise Unsupported(name)
    value = getattr(instance, field.attname)
    return None if value is None else field.to_python(value)


def _and(results):
    if any(r is False for r in results):
        return False
    return UNKNOWN if any(r is None for r in results) else True


def _or(results):
    if any(r is True for r in results):
        return True
    return UNKNOWN if any(r is None for r in results) else False
