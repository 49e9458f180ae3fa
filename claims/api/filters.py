import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from sources.models import Source, SourceKind

from ..models import Attribution, Claim, ClaimKind, Review, Span, Status
from ..models.choices import KINDS_WITH_DEADLINE

MAX_ID = 2**63 - 1  # the largest id a database column holds


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
    overdue = django_filters.BooleanFilter(
        method="filter_overdue",
        help_text="true: predictions and promises past their deadline with no "
        "verdict (overdue, or pending until the next sweep); false: all others.",
    )

    class Meta:
        model = Claim
        fields = []

    def filter_source(self, queryset, name, value):
        return queryset.filter(
            Exists(Span.objects.filter(claim=OuterRef("pk"), source_id=value))
        )

    def filter_overdue(self, queryset, name, value):
        overdue = Q(status=Status.OVERDUE) | Q(
            status=Status.PENDING,
            kind__in=KINDS_WITH_DEADLINE,
            due_on__lt=timezone.localdate(),
        )
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
        fields = []

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(url__icontains=value))
