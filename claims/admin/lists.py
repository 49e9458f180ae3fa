"""Changelist parts that stay fast on a million claims.

Counts stop at the cap of ``claims.counts`` and show as "10,000+". Filters on
sources and speakers take typed input instead of listing every source or
speaker.
"""

import re

from django.contrib import admin
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.utils.functional import cached_property

from .. import counts
from ..counts import capped_count, shown_count
from ..models import RejectionReason, Review, Span, Status


def review_and_status_counts(queryset) -> dict:
    """Capped counts of ``queryset`` per review state, per status and per
    rejection reason, for the header of the claim lists (one bounded query
    each: 3 + 8 + 6, whatever the size of the table)."""
    return {
        "review": [
            (label, value, shown_count(capped_count(queryset.filter(review=value))))
            for value, label in Review.choices
        ],
        "status": [
            (label, value, shown_count(capped_count(queryset.filter(status=value))))
            for value, label in Status.choices
        ],
        "rejection_reason": [
            (
                label,
                value,
                shown_count(capped_count(queryset.filter(rejection_reason=value))),
            )
            for value, label in RejectionReason.choices
        ],
    }


class CappedPaginator(Paginator):
    """A paginator whose count stops at the cap: pages beyond it are not offered
    (a filter narrows the list instead), and no full count is ever run."""

    @cached_property
    def _counted(self) -> int:
        return capped_count(self.object_list)

    @property
    def count(self) -> int:
        return min(self._counted, counts.CAP)

    @property
    def capped(self) -> bool:
        """More rows match than were counted."""
        return self._counted > counts.CAP


class InputFilter(admin.SimpleListFilter):
    """A filter with a text box instead of a list of every possible value."""

    template = "admin/claims/input_filter.html"

    def lookups(self, request, model_admin):
        # Django shows a filter only if it has lookups; the box is the lookup.
        return [("", "")]

    def choices(self, changelist):
        # The other parameters, kept as hidden fields of the filter's form.
        query = changelist.get_filters_params()
        query.pop(self.parameter_name, None)
        yield {
            "value": self.value() or "",
            "parameter_name": self.parameter_name,
            "others": [
                (key, value)
                for key, values in query.items()
                for value in (values if isinstance(values, list) else [values])
            ],
            "clear_url": changelist.get_query_string(remove=[self.parameter_name]),
        }


def typed_value(value) -> tuple[int | None, str]:
    """A typed filter value as a database id (ASCII digits that fit a bigint)
    or, failing that, as words (NUL removed: PostgreSQL refuses it). "²" and
    a 30-digit number are words, never a 500."""
    value = (value or "").replace("\x00", "").strip()
    if re.fullmatch(r"[0-9]{1,18}", value):
        return int(value), value
    return None, value


class SourceFilter(InputFilter):
    title = "source (id or words of its title)"
    parameter_name = "source"

    def queryset(self, request, queryset):
        pk, value = typed_value(self.value())
        if not value:
            return queryset
        spans = Span.objects.filter(claim=OuterRef("pk"))
        if pk is not None:
            spans = spans.filter(source_id=pk)
        else:
            spans = spans.filter(source__title__icontains=value)
        return queryset.filter(Exists(spans))


class SpeakerFilter(InputFilter):
    title = "speaker (id or part of the name)"
    parameter_name = "speaker"

    def queryset(self, request, queryset):
        pk, value = typed_value(self.value())
        if not value:
            return queryset
        if pk is not None:
            return queryset.filter(speaker_id=pk)
        return queryset.filter(speaker__name__icontains=value)


class AssignedFilter(admin.SimpleListFilter):
    title = "assigned"
    parameter_name = "assigned"

    def lookups(self, request, model_admin):
        return [("me", "to me"), ("nobody", "to nobody"), ("others", "to others")]

    def queryset(self, request, queryset):
        if self.value() == "me":
            return queryset.filter(assigned_to=request.user)
        if self.value() == "nobody":
            return queryset.filter(assigned_to__isnull=True)
        if self.value() == "others":
            return queryset.exclude(assigned_to__isnull=True).exclude(
                assigned_to=request.user
            )
        return queryset
