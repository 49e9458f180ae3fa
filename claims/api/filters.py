import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend

from sources.models import Source, SourceKind

from ..models import Attribution, Claim, ClaimKind, Review, Span, Status
from ..models.claim import overdue_q
from ..search import search_words

MAX_ID = 2**63 - 1  # the largest id a database column holds


class BooleanSelect(forms.Select):
    """The browsable API's choice of true, false or no filter; the value read
    is the parameter as sent, for the field to judge."""

    def __init__(self, attrs=None):
        super().__init__(attrs, choices=(("", "Any"), ("true", "Yes"), ("false", "No")))


class StrictBooleanField(forms.Field):
    """``true`` or ``false``, as docs/API.md says; empty is no filter.

    django-filter's boolean widgets also read ``1``/``0`` (and ``2``/``3``,
    Django's old NullBooleanSelect values) and take any other word, ``maybe``
    or ``yes``, for "no filter", answering the whole list to a client who
    asked for part of it. Here anything else is an error naming the
    parameter."""

    widget = BooleanSelect
    default_error_messages = {"invalid": 'must be "true" or "false".'}
    VALUES = {"true": True, "false": False}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if value not in self.VALUES:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return self.VALUES[value]


class BooleanFilter(django_filters.BooleanFilter):
    """Every boolean filter of the API: only ``true`` or ``false``."""

    field_class = StrictBooleanField


class ClaimFilter(django_filters.FilterSet):
    # distinct=False: these filter the claim row itself, so DISTINCT would only
    # cost a sort of every match (django-filter adds it by default).
    status = django_filters.MultipleChoiceFilter(
        choices=Status.choices,
        distinct=False,
        help_text="One or more statuses (repeat the parameter).",
    )
    review = django_filters.MultipleChoiceFilter(choices=Review.choices, distinct=False)
    kind = django_filters.MultipleChoiceFilter(
        choices=ClaimKind.choices, distinct=False
    )
    attribution = django_filters.MultipleChoiceFilter(
        choices=Attribution.choices, distinct=False
    )
    speaker = django_filters.NumberFilter(
        field_name="speaker_id", min_value=1, max_value=MAX_ID, help_text="Speaker id."
    )
    source = django_filters.NumberFilter(
        method="filter_source",
        min_value=1,
        max_value=MAX_ID,
        help_text="Claims with a span in this source (id).",
    )
    stated_after = django_filters.DateFilter(
        field_name="stated_on", lookup_expr="gte", help_text="Stated on or after."
    )
    stated_before = django_filters.DateFilter(
        field_name="stated_on", lookup_expr="lte", help_text="Stated on or before."
    )
    due_after = django_filters.DateFilter(
        field_name="due_on", lookup_expr="gte", help_text="Due on or after."
    )
    due_before = django_filters.DateFilter(
        field_name="due_on", lookup_expr="lte", help_text="Due on or before."
    )
    rule = django_filters.CharFilter(
        field_name="extraction__rule",
        help_text="Proposed by this extractor rule (docs/EXTRACTION.md).",
    )
    min_confidence = django_filters.NumberFilter(
        field_name="extraction__confidence",
        lookup_expr="gte",
        min_value=0,
        max_value=1,
        help_text="Proposed by the extractor with at least this confidence.",
    )
    min_checkworthiness = django_filters.NumberFilter(
        field_name="extraction__checkworthiness",
        lookup_expr="gte",
        min_value=0,
        max_value=1,
        help_text="Proposed by the extractor, at least this check-worthy.",
    )
    overdue = BooleanFilter(
        method="filter_overdue",
        help_text="true: predictions and promises past their deadline with no "
        "verdict (overdue, or pending until the next sweep); false: all others.",
    )

    class Meta:
        model = Claim
        fields: list[str] = []

    def filter_source(self, queryset, name, value):
        return queryset.filter(
            Exists(Span.objects.filter(claim=OuterRef("pk"), source_id=value))
        )

    def filter_overdue(self, queryset, name, value):
        overdue = overdue_q(timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


class SourceFilter(django_filters.FilterSet):
    publisher = django_filters.CharFilter(
        field_name="publisher__name", help_text="Publisher name (exact)."
    )
    kind = django_filters.MultipleChoiceFilter(
        choices=SourceKind.choices, distinct=False
    )
    language = django_filters.CharFilter(help_text="BCP 47 tag, e.g. en.")
    published_after = django_filters.DateFilter(
        field_name="published_on", lookup_expr="gte"
    )
    published_before = django_filters.DateFilter(
        field_name="published_on", lookup_expr="lte"
    )
    q = django_filters.CharFilter(
        method="filter_q", help_text="Words in the title or URL."
    )

    class Meta:
        model = Source
        fields: list[str] = []

    def filter_q(self, queryset, name, value):
        value = search_words(value)
        return queryset.filter(Q(title__icontains=value) | Q(url__icontains=value))


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, building a view's filter set (a form of a
    dozen fields, about 1 ms a request) only when the request names one of
    its parameters: most reads name none (docs/PERFORMANCE.md, issue 21)."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None or request.query_params.keys().isdisjoint(
            filterset_class.base_filters
        ):
            return queryset
        return super().filter_queryset(request, queryset, view)
