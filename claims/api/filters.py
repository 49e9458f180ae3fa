import copy

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.forms.utils import ErrorDict, ErrorList
from django.http import QueryDict
from django.template import loader
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend

from sources.models import Source, SourceKind

from ..models import Attribution, Claim, ClaimKind, Review, Span, Status
from ..models.claim import overdue_q
from ..search import search_words

MAX_ID = 2**63 - 1  # the largest id a database column holds


class SharedFields(dict):
    """A form's ``base_fields`` that each form instance copies shallowly.

    Django deep-copies every field (choices, widgets) into each form; a filter
    form only validates query parameters and never changes its fields, so its
    instances can share them."""

    def __deepcopy__(self, memo):
        return dict(self)


class LeanFilterSet(django_filters.FilterSet):
    """django-filter's FilterSet without its per-request set-up cost.

    The stock FilterSet deep-copies every filter (choices and all) and builds a
    new form class on every request: about a quarter of a claims list request.
    Here a request gets shallow copies of the filters, bound to it (as method
    filters need), and form classes are built once, their instances sharing
    their fields.

    A bound filter set also takes only the filters whose parameters the data
    names: an absent parameter is an empty value, which no filter here acts
    on and no field requires, so validating and applying it would change
    nothing (a list filtered by one parameter validated all twelve).
    ``every_filter=True`` keeps them all, for a form that shows every field
    (the browsable API's filter form).

    Bound data is validated by ``clean()``, field by field, without a form;
    the form is built only where one is shown.
    """

    _form_classes: dict

    def __init__(
        self, data=None, queryset=None, *, request=None, prefix=None, every_filter=False
    ):
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = {}
        for name, base in self.base_filters.items():
            key = f"{prefix}-{name}" if prefix else name
            if self.is_bound and not every_filter and key not in self.data:
                continue
            bound = copy.copy(base)
            bound.model = queryset.model
            bound.parent = self
            if bound.method is not None:
                bound.method = bound.method  # a FilterMethod of this copy
            self.filters[name] = bound

    @classmethod
    def form_class(cls, names: tuple[str, ...]):
        """The form of the filters ``names``, built once per filter set class
        and set of names (at most one per subset of its parameters)."""
        forms = cls.__dict__.get("_form_classes")
        if forms is None:
            forms = cls._form_classes = {}
        form = forms.get(names)
        if form is None:
            fields = {name: cls.base_field(name) for name in names}
            form = type(f"{cls.__name__}Form", (cls._meta.form,), fields)
            form.base_fields = SharedFields(form.base_fields)
            forms[names] = form
        return form

    @classmethod
    def base_field(cls, name: str):
        """The form field of the filter ``name``, built once per filter set
        class and shared by its forms and ``clean()``."""
        base = cls.base_filters[name]
        base.model = cls._meta.model
        return base.field

    def get_form_class(self):
        return self.form_class(tuple(self.filters))

    @property
    def errors(self):
        """The errors of the bound data, as the filter set's form would give
        them, from ``clean()``; the form itself is built only to be shown."""
        if not self.is_bound:
            return ErrorDict()
        if not hasattr(self, "_errors"):
            self.clean()
        return self._errors

    def is_valid(self):
        return self.is_bound and not self.errors

    def clean(self):
        """Each filter's value, read from the data by its field's widget and
        cleaned by its field, as the filter set's form does it, without the
        form: building and validating one took 0.03 to 0.05 ms of a 1.4 ms
        list read (docs/PERFORMANCE.md, "Fixed for scale", 18). A plain form
        has nothing else to run; a filter set whose ``Meta.form`` is a form
        of its own is validated by that form."""
        if self._meta.form is not forms.Form:
            # A form of its own may clean more than its fields: let it.
            form = self.form
            form.is_valid()
            self.cleaned_data, self._errors = form.cleaned_data, form.errors
            return
        cleaned, errors = {}, ErrorDict()
        for name in self.filters:
            field = self.base_field(name)
            key = f"{self.form_prefix}-{name}" if self.form_prefix else name
            try:
                cleaned[name] = field.clean(
                    field.widget.value_from_datadict(self.data, {}, key)
                )
            except ValidationError as error:
                errors[name] = ErrorList(error.error_list)
        self.cleaned_data, self._errors = cleaned, errors

    def filter_queryset(self, queryset):
        """As django-filter's: the values that are valid filter the queryset
        (the backend refuses invalid data before it asks)."""
        if self.is_bound and not hasattr(self, "cleaned_data"):
            self.clean()
        for name, value in getattr(self, "cleaned_data", {}).items():
            queryset = self.filters[name].filter(queryset, value)
        return queryset


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, skipped when the request names none of the
    filter set's parameters: every filter would then be empty and return the
    queryset as it is, after building and validating a form for nothing (about
    a tenth of an unfiltered list page)."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and not any(
            name in request.query_params for name in filterset_class.base_filters
        ):
            return queryset
        return super().filter_queryset(request, queryset, view)

    def to_html(self, request, queryset, view):
        """The browsable API's filter form, with every filter's field."""
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            return None
        kwargs = self.get_filterset_kwargs(request, queryset, view)
        filterset = filterset_class(**kwargs, every_filter=True)
        template = loader.get_template(self.template)
        return template.render({"filter": filterset}, request)


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


class ClaimFilter(LeanFilterSet):
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
    overdue = BooleanFilter(
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
        overdue = overdue_q(timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


class SourceFilter(LeanFilterSet):
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
        value = search_words(value)
        return queryset.filter(Q(title__icontains=value) | Q(url__icontains=value))
