"""The vocabularies of DESIGN.md, and the dates-with-precision arithmetic."""

import calendar
import datetime

from django.db import models

from sources.review import Review as Review  # re-exported: one vocabulary


class SpeakerKind(models.TextChoices):
    PERSON = "person", "Person"
    ORGANIZATION = "organization", "Organization"


class Attribution(models.TextChoices):
    DIRECT_QUOTE = "direct_quote", "Direct quote"
    INDIRECT = "indirect", "Indirect"
    NARRATOR = "narrator", "Narrator"
    HEDGED = "hedged", "Hedged"


class ClaimKind(models.TextChoices):
    FACT = "fact", "Fact"
    PREDICTION = "prediction", "Prediction"
    PROMISE = "promise", "Promise"
    OPINION = "opinion", "Opinion"

    @property
    def has_deadline(self) -> bool:
        return self in (ClaimKind.PREDICTION, ClaimKind.PROMISE)


class Status(models.TextChoices):
    UNVERIFIED = "unverified", "Unverified"
    PENDING = "pending", "Pending"
    CONFIRMED = "confirmed", "Confirmed"
    PARTLY_CONFIRMED = "partly_confirmed", "Partly confirmed"
    REFUTED = "refuted", "Refuted"
    OVERDUE = "overdue", "Overdue"
    UNVERIFIABLE = "unverifiable", "Unverifiable"
    RETRACTED = "retracted", "Retracted"


# Verdicts are sourced: a move to one of these needs at least one piece of evidence.
VERDICTS = frozenset({Status.CONFIRMED, Status.PARTLY_CONFIRMED, Status.REFUTED})
KINDS_WITH_DEADLINE = (ClaimKind.PREDICTION, ClaimKind.PROMISE)


class RejectionReason(models.TextChoices):
    """Why the desk rejected a proposal: counted on the desk, they show what the
    extractor and the contributors get wrong."""

    DUPLICATE = "duplicate", "Duplicate of another claim"
    NOT_CHECKABLE = "not_checkable", "Not checkable"
    MISATTRIBUTED = "misattributed", "Misattributed"
    NOT_IN_SOURCE = "not_in_source", "Not in the source"
    OUT_OF_SCOPE = "out_of_scope", "Out of scope"
    OTHER = "other", "Other"


class SpanRole(models.TextChoices):
    CONTENT = "content", "Content"
    SPEAKER = "speaker", "Speaker"
    CUE = "cue", "Cue"


class Stance(models.TextChoices):
    SUPPORTS = "supports", "Supports"
    REFUTES = "refutes", "Refutes"
    CONTEXT = "context", "Context"


class DatePrecision(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month"
    YEAR = "year", "Year"

    def period_start(self, date: datetime.date) -> datetime.date:
        """The first day of the period ``date`` stands for at this precision."""
        if self == DatePrecision.YEAR:
            return date.replace(month=1, day=1)
        if self == DatePrecision.MONTH:
            return date.replace(day=1)
        return date

    def period_end(self, date: datetime.date) -> datetime.date:
        """The last day of the period ``date`` stands for at this precision."""
        if self == DatePrecision.YEAR:
            return date.replace(month=12, day=31)
        if self == DatePrecision.MONTH:
            return date.replace(day=calendar.monthrange(date.year, date.month)[1])
        return date

    # Shadows str.format on purpose: templates call precision.format(date).
    def format(self, date: datetime.date) -> str:  # type: ignore[override]
        if self == DatePrecision.YEAR:
            return f"{date.year}"
        if self == DatePrecision.MONTH:
            return date.strftime("%B %Y")
        # "4 November 2025": the one date style of every page (the public
        # templates' "j F Y"), never the ISO form readers may misread.
        return f"{date.day} {date:%B %Y}"


def has_precision(field: str) -> models.Q:
    """A date and its ``<field>_precision`` are both empty or both set: the
    condition of every ``*_has_precision`` constraint."""
    return models.Q(**{f"{field}__isnull": True, f"{field}_precision": ""}) | models.Q(
        **{f"{field}__isnull": False, f"{field}_precision__in": DatePrecision.values}
    )


def stored_dates(
    stated_on: datetime.date | None,
    stated_on_precision: str,
    due_on: datetime.date | None,
    due_on_precision: str,
) -> tuple[datetime.date | None, datetime.date | None]:
    """How a claim stores its dates: a month or year ``stated_on`` as its period's
    first day, a ``due_on`` as its last (so a deadline compares directly)."""
    if stated_on and stated_on_precision in DatePrecision.values:
        stated_on = DatePrecision(stated_on_precision).period_start(stated_on)
    if due_on and due_on_precision in DatePrecision.values:
        due_on = DatePrecision(due_on_precision).period_end(due_on)
    return stated_on, due_on
