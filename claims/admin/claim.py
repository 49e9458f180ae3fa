"""Claims in the admin: the list, the claim page and its actions, the review
queue and the deadlines view. Every write is a call to ``claims.services``."""

import datetime

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminDateWidget, AutocompleteSelect
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.timesince import timesince, timeuntil

from sources.models import Source
from sources.review import can_move_status, four_eyes_problem
from sources.text import shorten

from .. import services
from ..models import (
    Attribution,
    Claim,
    ClaimKind,
    DatePrecision,
    DeadlineClaim,
    Evidence,
    QueuedClaim,
    Review,
    Span,
    SpanRole,
    Speaker,
    Stance,
    Status,
    StatusChange,
)
from ..models.choices import KINDS_WITH_DEADLINE, VERDICTS
from ..models.claim import overdue_q
from ..search import matching_claims
from ..transitions import allowed_targets
from .decisions import ask_for_note, decide_each, four_eyes_column
from .display import excerpt
from .history import GuardedHistoryAdmin
from .lists import (
    AssignedFilter,
    CappedPaginator,
    SourceFilter,
    SpeakerFilter,
    review_and_status_counts,
)
from .provenance import SpanInline

DUE_SOON_DAYS = 30


def stale_message(error: ValidationError) -> str:
    return (
        "Someone else changed this claim while you were working on it "
        f"({' '.join(error.message_dict.get('version', []))}). Nothing was saved: "
        "reload the page to see their change."
    )


def put_errors_on(form, error: ValidationError, fields: dict[str, str]) -> None:
    """Show a service's errors on the form: each key (``rationale``,
    ``evidence.0.exact``) on the field ``fields`` maps it to, ``version`` as
    the stale-form message, anything else above the form."""
    for key, problems in error.message_dict.items():
        if key == "version":
            form.add_error(None, stale_message(error))
            continue
        field = fields.get(key)
        if field is None and "." in key:
            field = fields.get(key.rsplit(".", 1)[1])
        for problem in problems:
            form.add_error(
                field if field in form.fields else None,
                problem if field else f"{key}: {problem}",
            )


def claim_url(claim_id: int) -> str:
    return reverse("admin:claims_claim_change", args=[claim_id])


def next_in_queue(user, after: Claim):
    """The next proposed claim for ``user`` after ``after``, in queue order
    (oldest first): theirs or unassigned ones, wrapping to the start."""
    queue = (
        Claim.objects.visible_to(user)
        .filter(review=Review.PROPOSED)
        .filter(Q(assigned_to__isnull=True) | Q(assigned_to=user))
        .exclude(pk=after.pk)
        .order_by("id")
    )
    return queue.filter(pk__gt=after.pk).first() or queue.first()


# --- forms -------------------------------------------------------------------


class _DryRun(Exception):
    """Raised inside a savepoint to roll back a trial run of a service."""


class ClaimForm(forms.ModelForm):
    """Edits a claim through ``edit_claim``, the one home of the claim rules.

    The model's own validation is skipped here: the service decides (a kind
    change, for one, may move the status), and its errors are shown on the form
    by running it once in a savepoint that is rolled back.
    """

    expected_version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Claim
        fields = services.EDITABLE_FIELDS

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version

    def changes(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in self.changed_data
            if name in services.EDITABLE_FIELDS
        }

    def clean(self):
        cleaned = super().clean()
        if self.errors or not self.instance.pk:
            return cleaned
        try:
            with transaction.atomic():
                services.edit_claim(
                    claim=Claim.objects.get(pk=self.instance.pk),
                    expected_version=cleaned["expected_version"],
                    by=self.user,
                    **self.changes(),
                )
                raise _DryRun
        except _DryRun:
            pass
        except ValidationError as error:
            put_errors_on(self, error, {name: name for name in self.fields})
        return cleaned

    def _post_clean(self):
        # Copy the cleaned values onto the instance, without model validation.
        self.instance = forms.models.construct_instance(
            self, self.instance, self._meta.fields, self._meta.exclude
        )


class RejectForm(forms.Form):
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 70}),
        help_text="Why this record does not faithfully capture the source.",
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput)


def source_widget(model, field_name: str):
    """An autocomplete for a source (never a <select> of every source)."""
    return AutocompleteSelect(model._meta.get_field(field_name), admin.site)


class SelectionFields(forms.Form):
    """Offsets chosen by selecting words in the source text shown on the page
    (static/claims/admin/selection.js fills them; they can also be typed)."""

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get(self.start_field), cleaned.get(self.end_field)
        if start is not None and end is not None and end <= start:
            self.add_error(self.end_field, "must be after the start.")
        return cleaned


def verdict_names() -> str:
    """The statuses that need evidence, in words: "confirmed, … or refuted"."""
    names = [label.lower() for value, label in Status.choices if value in VERDICTS]
    return f"{', '.join(names[:-1])} or {names[-1]}"


class StatusForm(SelectionFields):
    start_field, end_field = "evidence_start", "evidence_end"

    status = forms.ChoiceField(label="New status")
    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 70}),
        help_text="Why the status moves: what happened, what the evidence shows.",
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput)
    evidence_source = forms.ModelChoiceField(
        queryset=Source.objects.all(),
        required=False,
        widget=source_widget(Evidence, "source"),
        label="Evidence: source",
        help_text=f"Needed for a verdict: {verdict_names()}.",
    )
    evidence_stance = forms.ChoiceField(
        choices=Stance.choices, initial=Stance.SUPPORTS, label="Evidence: stance"
    )
    evidence_start = forms.IntegerField(
        required=False, min_value=0, label="Evidence: start"
    )
    evidence_end = forms.IntegerField(
        required=False, min_value=1, label="Evidence: end"
    )
    evidence_exact = forms.CharField(
        required=False,
        label="Evidence: the selected words",
        widget=forms.Textarea(attrs={"rows": 2, "cols": 70, "readonly": True}),
        help_text="Select words in the source text below; leave empty to cite "
        "the whole source.",
    )
    evidence_note = forms.CharField(required=False, label="Evidence: note")

    def __init__(self, *args, claim: Claim, **kwargs):
        super().__init__(*args, **kwargs)
        targets = allowed_targets(claim.kind, claim.status)
        self.fields["status"].choices = [("", "—")] + [
            (value, label) for value, label in Status.choices if value in targets
        ]
        self.fields["expected_version"].initial = claim.version
        # selection.js loads a newly chosen source's text from here.
        self.fields["evidence_source"].widget.attrs["data-text-url"] = reverse(
            "admin:sources_source_text", args=[0]
        )

    def evidence(self) -> list[services.EvidenceInput]:
        data = self.cleaned_data
        if data.get("evidence_source") is None:
            return []
        has_span = data.get("evidence_start") is not None
        return [
            services.EvidenceInput(
                source=data["evidence_source"],
                stance=data["evidence_stance"],
                start=data["evidence_start"] if has_span else None,
                end=data["evidence_end"] if has_span else None,
                exact=(data.get("evidence_exact") or None) if has_span else None,
                note=data.get("evidence_note") or "",
            )
        ]


PRECISIONS = [("", "—"), *DatePrecision.choices]


class ProposeForm(SelectionFields):
    """A new claim anchored to words selected in a source."""

    start_field, end_field = "start", "end"

    source = forms.ModelChoiceField(
        queryset=Source.objects.all(), widget=source_widget(Span, "source")
    )
    start = forms.IntegerField(min_value=0, help_text="Offsets in characters.")
    end = forms.IntegerField(min_value=1)
    exact = forms.CharField(
        required=False,
        label="Selected words",
        widget=forms.Textarea(attrs={"rows": 2, "cols": 70, "readonly": True}),
    )
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2, "cols": 70}),
        help_text="The claim as a short, self-contained statement.",
    )
    kind = forms.ChoiceField(choices=ClaimKind.choices)
    attribution = forms.ChoiceField(choices=Attribution.choices)
    speaker = forms.ModelChoiceField(
        queryset=Speaker.objects.filter(merged_into__isnull=True),
        required=False,
        widget=source_widget(Claim, "speaker"),
    )
    speaker_title = forms.CharField(required=False, max_length=300)
    stated_on = forms.DateField(required=False, widget=AdminDateWidget)
    stated_on_precision = forms.ChoiceField(choices=PRECISIONS, required=False)
    due_on = forms.DateField(required=False, widget=AdminDateWidget)
    due_on_precision = forms.ChoiceField(choices=PRECISIONS, required=False)
    due_text = forms.CharField(required=False, max_length=200)

    CLAIM_FIELDS = (
        "text",
        "kind",
        "attribution",
        "speaker",
        "speaker_title",
        "stated_on",
        "stated_on_precision",
        "due_on",
        "due_on_precision",
        "due_text",
    )
    # Service error keys → form fields.
    ERROR_FIELDS = {
        **{name: name for name in CLAIM_FIELDS},
        "spans": "start",
        "source": "source",
        "start": "start",
        "end": "end",
        "exact": "exact",
    }


class ReviewerChoiceForm(forms.Form):
    reviewer = forms.ModelChoiceField(queryset=get_user_model().objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = reviewers()


def reviewers():
    """Active users who may review: superusers and the reviewer group's."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(groups__permissions__codename="review_claim")
            | Q(user_permissions__codename="review_claim")
        )
        .distinct()
        .order_by("username")
    )


# --- bulk actions ------------------------------------------------------------


def apply_each(modeladmin, request, queryset, verb: str, change) -> None:
    """Run ``change(claim)`` on every selected claim (``decide_each``)."""
    decide_each(modeladmin, request, queryset, verb, change, noun="claim")


class ReviewDeskMixin:
    """What the claim list, the queue and the deadlines view share: scoping by
    who asks, capped counts, the bulk actions, the permissions of roles."""

    paginator = CappedPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER  # a COUNT per filter choice over the table
    change_list_template = "admin/claims/capped_change_list.html"
    actions = (
        "accept_selected",
        "reject_selected",
        "assign_to_me",
        "assign_to",
        "unassign",
    )

    def visible(self, request):
        return Claim.objects.visible_to(request.user)

    def has_review_permission(self, request):
        return services.can_review(request.user)

    def get_search_results(self, request, queryset, search_term):
        # The claims' full-text index (PostgreSQL), as the API's ``q``: Django's
        # own search is an icontains scan of every claim on every page view.
        if not search_term.strip():
            return queryset, False
        return matching_claims(queryset, search_term), False

    list_title = None  # the heading of the list, if not Django's "Select … to change"

    def changelist_view(self, request, extra_context=None):
        context = {"review_counts": review_and_status_counts(self.visible(request))}
        if self.list_title:
            context["title"] = self.list_title
        return super().changelist_view(request, {**context, **(extra_context or {})})

    @admin.action(description="Accept selected claims", permissions=["review"])
    def accept_selected(self, request, queryset):
        apply_each(
            self,
            request,
            queryset,
            "Accepted",
            lambda claim: services.review_claim(
                claim=claim, decision="accept", by=request.user
            ),
        )

    @admin.action(description="Reject selected claims…", permissions=["review"])
    def reject_selected(self, request, queryset):
        form = RejectForm(
            request.POST if "apply" in request.POST else None,
            initial={"expected_version": 0},
        )
        form.fields["expected_version"].required = False
        if form.is_bound and form.is_valid():
            note = form.cleaned_data["note"]
            apply_each(
                self,
                request,
                queryset,
                "Rejected",
                lambda claim: services.review_claim(
                    claim=claim, decision="reject", note=note, by=request.user
                ),
            )
            return None
        return self.intermediate(
            request, queryset, form, "Reject claims", "reject_selected"
        )

    @admin.action(description="Assign selected claims to me", permissions=["review"])
    def assign_to_me(self, request, queryset):
        apply_each(
            self,
            request,
            queryset,
            "Assigned to you",
            lambda claim: services.assign_claim(
                claim=claim, to=request.user, by=request.user
            ),
        )

    @admin.action(description="Assign selected claims to…", permissions=["review"])
    def assign_to(self, request, queryset):
        form = ReviewerChoiceForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            reviewer = form.cleaned_data["reviewer"]
            apply_each(
                self,
                request,
                queryset,
                f"Assigned to {reviewer}",
                lambda claim: services.assign_claim(
                    claim=claim, to=reviewer, by=request.user
                ),
            )
            return None
        return self.intermediate(
            request, queryset, form, "Assign claims to a reviewer", "assign_to"
        )

    @admin.action(description="Unassign selected claims", permissions=["review"])
    def unassign(self, request, queryset):
        apply_each(
            self,
            request,
            queryset,
            "Unassigned",
            lambda claim: services.assign_claim(claim=claim, to=None, by=request.user),
        )

    def intermediate(self, request, queryset, form, title, action):
        return ask_for_note(self, request, queryset, form, title, action)

    @admin.display(description="claim")
    def claim_link(self, obj):
        return format_html('<a href="{}">{}</a>', claim_url(obj.pk), obj)

    @admin.display(description="stated", ordering="stated_on")
    def stated(self, obj):
        return obj.stated_display

    @admin.display(description="due", ordering="due_on")
    def due(self, obj):
        return obj.due_display


# --- the claim list and the claim page --------------------------------------


@admin.register(Claim)
class ClaimAdmin(ReviewDeskMixin, GuardedHistoryAdmin):
    form = ClaimForm
    # The claim's words first; kind, attribution and assignment are filters.
    # Few enough columns to fit 1280 px beside the filters (a browser test
    # measures it).
    list_display = ("__str__", "speaker", "status", "review", "stated", "due")
    list_display_links = ("__str__",)
    list_filter = (
        "review",
        "status",
        "kind",
        "attribution",
        SourceFilter,
        SpeakerFilter,
        AssignedFilter,
    )
    # Searched through the full-text index (get_search_results); the fields
    # only switch Django's search box on.
    search_fields = ("text",)
    list_select_related = ("speaker", "assigned_to")
    autocomplete_fields = ("speaker",)
    change_form_template = "admin/claims/claim/change_form.html"
    readonly_fields = (
        "status",
        "review",
        "review_note",
        "reviewed_by",
        "reviewed_at",
        "assigned_to",
        "version",
        "created_at",
        "created_by",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("text", "kind", "attribution", "expected_version")}),
        ("Speaker", {"fields": ("speaker", "speaker_title")}),
        (
            "Dates",
            {
                "fields": (
                    ("stated_on", "stated_on_precision"),
                    ("due_on", "due_on_precision"),
                    "due_text",
                )
            },
        ),
        (
            "Verdict and review (changed through their own actions, never edited)",
            {"fields": readonly_fields},
        ),
    )
    inlines = (SpanInline,)
    # An old version cannot be saved back: spans, ledger and review are
    # append-only, so the history pages only show (claims/admin/history.py).
    revertible = False

    class Media:
        css = {"all": ["claims/admin/desk.css"]}
        js = ["claims/admin/selection.js"]

    def get_queryset(self, request):
        return self.visible(request).select_related("speaker", "assigned_to")

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not self.has_change_permission(request, obj):
            # Read-only viewers: the hidden version field is not shown.
            first = dict(fieldsets[0][1])
            first["fields"] = tuple(
                f for f in first["fields"] if f != "expected_version"
            )
            fieldsets = ((None, first), *fieldsets[1:])
        return fieldsets

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)

        class RequestClaimForm(form):
            def __init__(self, *args, **form_kwargs):
                super().__init__(*args, user=request.user, **form_kwargs)

        return RequestClaimForm

    def has_delete_permission(self, request, obj=None):
        # Claims are never deleted (spans and ledger rows are append-only in
        # the database): a wrong record is rejected, a dead one withdrawn.
        return False

    def save_model(self, request, obj, form, change):
        services.edit_claim(
            claim=obj,
            expected_version=form.cleaned_data["expected_version"],
            by=request.user,
            reason="edited in the admin",
            **form.changes(),
        )

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<int:object_id>/review/",
                view(self.review_view),
                name="claims_claim_review",
            ),
            path(
                "<int:object_id>/reject/",
                view(self.reject_view),
                name="claims_claim_reject",
            ),
            path(
                "<int:object_id>/status/",
                view(self.status_view),
                name="claims_claim_status",
            ),
            *super().get_urls(),
        ]

    # The claim page.

    def change_view(self, request, object_id, form_url="", extra_context=None):
        claim = self.get_object(request, object_id)
        context = dict(extra_context or {})
        if claim is not None:
            context.update(self.desk_context(request, claim))
        return super().change_view(request, object_id, form_url, context)

    def desk_context(self, request, claim) -> dict:
        spans = (
            Span.objects.visible_to(request.user)
            .filter(claim=claim)
            .select_related("source")
            .order_by("id")
        )
        visible_evidence = Evidence.objects.visible_to(request.user)
        ledger = (
            StatusChange.objects.filter(claim=claim)
            .select_related("changed_by")
            .prefetch_related(
                Prefetch(
                    "evidence",
                    queryset=visible_evidence.select_related("source").order_by("id"),
                )
            )
            .order_by("id")
        )
        loose_evidence = (
            visible_evidence.filter(claim=claim, status_change__isnull=True)
            .select_related("source")
            .order_by("id")
        )
        return {
            "desk_claim": claim,
            "spans_in_context": [
                {
                    "span": span,
                    "excerpt": excerpt(span.source.text, span.start, span.end),
                    "source_url": reverse(
                        "admin:sources_source_change", args=[span.source_id]
                    ),
                }
                for span in spans
            ],
            "ledger": ledger,
            "loose_evidence": loose_evidence,
            "can_review": services.can_review(request.user),
            # Four eyes: nobody is offered a decision on their own proposal.
            "may_decide": services.can_review(request.user)
            and not four_eyes_problem(
                reviewer=request.user, proposed_by_id=claim.created_by_id
            ),
            "can_move_status": can_move_status(request.user)
            and bool(allowed_targets(claim.kind, claim.status)),
        }

    def claim_or_404(self, request, object_id) -> Claim:
        return get_object_or_404(self.visible(request), pk=object_id)

    def review_view(self, request, object_id):
        """Accept, or accept and open the next claim of the queue (POST)."""
        if request.method != "POST" or not services.can_review(request.user):
            raise PermissionDenied
        claim = self.claim_or_404(request, object_id)
        decision = request.POST.get("decision")
        if decision not in ("accept", "accept_next", "accept_from_queue"):
            messages.error(request, "Choose Accept or Accept and next.")
            return HttpResponseRedirect(claim_url(claim.pk))
        # From a queue row the version comes in the button's URL: the row's
        # form is the whole changelist's.
        queue = reverse("admin:claims_queuedclaim_changelist")
        back = queue if decision == "accept_from_queue" else claim_url(claim.pk)
        try:
            services.review_claim(
                claim=claim,
                decision="accept",
                by=request.user,
                expected_version=int_or_none(
                    request.POST.get("expected_version") or request.GET.get("version")
                ),
            )
        except ValidationError as error:
            message = (
                stale_message(error)
                if "version" in error.message_dict
                else "Not accepted: " + "; ".join(error.messages)
            )
            messages.error(request, message)
            return HttpResponseRedirect(back)
        except PermissionDenied as error:  # four eyes
            messages.error(request, f"Not accepted: {error}")
            return HttpResponseRedirect(back)
        messages.success(request, f"Accepted #{claim.pk}: {claim}")
        if decision == "accept_from_queue":
            return HttpResponseRedirect(queue)
        if decision == "accept_next":
            following = next_in_queue(request.user, claim)
            if following is None:
                messages.info(request, "The review queue is empty.")
                return HttpResponseRedirect(
                    reverse("admin:claims_queuedclaim_changelist")
                )
            return HttpResponseRedirect(claim_url(following.pk))
        return HttpResponseRedirect(claim_url(claim.pk))

    def reject_view(self, request, object_id):
        if not services.can_review(request.user):
            raise PermissionDenied
        claim = self.claim_or_404(request, object_id)
        form = RejectForm(
            request.POST if request.method == "POST" else None,
            initial={"expected_version": claim.version},
        )
        if form.is_bound and form.is_valid():
            try:
                services.review_claim(
                    claim=claim,
                    decision="reject",
                    note=form.cleaned_data["note"],
                    by=request.user,
                    expected_version=form.cleaned_data["expected_version"],
                )
            except ValidationError as error:
                put_errors_on(form, error, {"note": "note", "decision": None})
            else:
                messages.success(request, f"Rejected #{claim.pk}: {claim}")
                return HttpResponseRedirect(claim_url(claim.pk))
        return self.desk_form(request, claim, form, "Reject this claim", "reject")

    def status_view(self, request, object_id):
        if not can_move_status(request.user):
            raise PermissionDenied
        claim = self.claim_or_404(request, object_id)
        form = StatusForm(
            request.POST if request.method == "POST" else None,
            claim=claim,
            initial={"evidence_source": request.GET.get("evidence_source")},
        )
        if form.is_bound and form.is_valid():
            try:
                services.change_status(
                    claim=claim,
                    to_status=form.cleaned_data["status"],
                    rationale=form.cleaned_data["rationale"],
                    by=request.user,
                    expected_version=form.cleaned_data["expected_version"],
                    evidence=form.evidence(),
                )
            except ValidationError as error:
                put_errors_on(
                    form,
                    error,
                    {
                        "status": "status",
                        "rationale": "rationale",
                        "evidence": "evidence_source",
                        "source": "evidence_source",
                        "stance": "evidence_stance",
                        "start": "evidence_start",
                        "end": "evidence_end",
                        "exact": "evidence_exact",
                        "note": "evidence_note",
                    },
                )
            else:
                messages.success(
                    request,
                    f"#{claim.pk} is now {form.cleaned_data['status']}.",
                )
                return HttpResponseRedirect(claim_url(claim.pk))
        source = selected_source(form, "evidence_source")
        return self.desk_form(
            request,
            claim,
            form,
            "Change the status",
            "status",
            selectable=source,
            selection_prefix="evidence_",
        )

    def desk_form(self, request, claim, form, title, name, **extra):
        return TemplateResponse(
            request,
            f"admin/claims/claim/{name}.html",
            {
                **self.admin_site.each_context(request),
                "title": title,
                "subtitle": str(claim),
                "form": form,
                "desk_claim": claim,
                "opts": self.model._meta,
                "media": self.media + form.media,
                "claim_url": claim_url(claim.pk),
                **extra,
            },
        )

    # Proposing a claim from a selection: the admin's add page.

    def has_add_permission(self, request):
        return request.user.has_perm("claims.add_claim")

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ProposeForm(
            request.POST if request.method == "POST" else None,
            initial={
                key: request.GET.get(key)
                for key in ("source", "start", "end")
                if request.GET.get(key, "").isdigit()
            },
        )
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            try:
                claim = services.propose_claim(
                    **{
                        name: data[name] or ""
                        for name in ProposeForm.CLAIM_FIELDS
                        if name not in ("speaker", "stated_on", "due_on")
                    },
                    speaker=data["speaker"],
                    stated_on=data["stated_on"],
                    due_on=data["due_on"],
                    spans=[
                        services.SpanInput(
                            source=data["source"],
                            start=data["start"],
                            end=data["end"],
                            role=SpanRole.CONTENT,
                            exact=data["exact"] or None,
                        )
                    ],
                    by=request.user,
                )
            except ValidationError as error:
                put_errors_on(form, error, ProposeForm.ERROR_FIELDS)
            else:
                messages.success(request, f"Proposed #{claim.pk}: {claim}")
                return HttpResponseRedirect(claim_url(claim.pk))
        source = selected_source(form, "source")
        if source is not None and not form.is_bound:
            start, end = form.initial.get("start"), form.initial.get("end")
            if start is not None and end is not None:
                form.initial["exact"] = source.text[int(start) : int(end)]
        return TemplateResponse(
            request,
            "admin/claims/claim/propose.html",
            {
                **self.admin_site.each_context(request),
                "title": "Propose a claim",
                "form": form,
                "opts": self.model._meta,
                "media": self.media + form.media,
                "selectable": source,
                "selection_prefix": "",
            },
        )


def int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def selected_source(form, field: str):
    """The source a form names (bound or initial), if it has text."""
    value = form.data.get(field) if form.is_bound else form.initial.get(field)
    if not value or not str(value).isdigit():
        return None
    return Source.objects.filter(pk=int(value)).exclude(text="").first()


# --- the review queue and the deadlines -------------------------------------


class ClaimViewAdmin(ReviewDeskMixin, admin.ModelAdmin):
    """A read-only list of claims (a proxy model) whose rows open the claim
    page; Claim's permissions apply."""

    list_display_links = None

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("claims.view_claim")

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(QueuedClaim)
class QueueAdmin(ClaimViewAdmin):
    list_title = "Review queue: proposed claims, oldest first"
    list_display = ("claim_link", "quote", "speaker", "source", "age")
    list_filter = (SourceFilter, SpeakerFilter, "kind", "attribution", AssignedFilter)
    search_fields = ("text",)  # through the full-text index: get_search_results
    ordering = ("id",)
    list_per_page = 50

    def get_queryset(self, request):
        content = Span.objects.filter(role=SpanRole.CONTENT).select_related("source")
        return (
            self.visible(request)
            .filter(review=Review.PROPOSED)
            .select_related("speaker", "assigned_to")
            .prefetch_related(
                Prefetch("spans", queryset=content.order_by("id"), to_attr="content")
            )
        )

    def get_list_display(self, request):
        columns = super().get_list_display(request)
        if not services.can_review(request.user):
            return columns
        return (*columns, four_eyes_column(request, self.decide, "decide"))

    def decide(self, obj):
        """Accept (back to the queue) or reject (with a note) from the row."""
        review = reverse("admin:claims_claim_review", args=[obj.pk])
        return format_html(
            '<button type="submit" class="button" formaction="{}?version={}" '
            'name="decision" value="accept_from_queue">Accept</button> '
            '<a class="button" href="{}">Reject…</a>',
            review,
            obj.version,
            reverse("admin:claims_claim_reject", args=[obj.pk]),
        )

    @admin.display(description="quote")
    def quote(self, obj):
        if not obj.content:
            return "—"
        words = obj.content[0].exact
        return format_html("“{}”", shorten(words, 140))

    @admin.display(description="source")
    def source(self, obj):
        if not obj.content:
            return "—"
        source = obj.content[0].source
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:sources_source_change", args=[source.pk]),
            source,
        )

    @admin.display(description="waiting", ordering="id")
    def age(self, obj):
        return timesince(obj.created_at)


class DeadlineFilter(admin.SimpleListFilter):
    title = "deadline"
    parameter_name = "when"

    def lookups(self, request, model_admin):
        return [
            ("overdue", "overdue"),
            ("soon", f"due in the next {DUE_SOON_DAYS} days"),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "overdue":
            return queryset.filter(overdue_q(today))
        if self.value() == "soon":
            return queryset.filter(status=Status.PENDING, due_on__gte=today)
        return queryset


@admin.register(DeadlineClaim)
class DeadlineAdmin(ClaimViewAdmin):
    list_title = f"Deadlines: overdue, and due in the next {DUE_SOON_DAYS} days"
    list_display = ("claim_link", "speaker", "deadline", "status", "when")
    list_filter = (DeadlineFilter, "kind", "review", SpeakerFilter)
    ordering = ("due_on", "id")
    list_per_page = 100

    def get_queryset(self, request):
        today = timezone.localdate()
        horizon = today + datetime.timedelta(days=DUE_SOON_DAYS)
        return (
            self.visible(request)
            .filter(kind__in=KINDS_WITH_DEADLINE, due_on__isnull=False)
            .filter(overdue_q(today) | Q(status=Status.PENDING, due_on__lte=horizon))
            .select_related("speaker")
        )

    @admin.display(description="due", ordering="due_on")
    def deadline(self, obj):
        """The deadline as precise as it is known, with the source's words."""
        if obj.due_text:
            return format_html("{} (“{}”)", obj.due_display, obj.due_text)
        return obj.due_display

    @admin.display(description="when")
    def when(self, obj):
        today = timezone.localdate()
        deadline = obj.deadline
        moment = datetime.datetime.combine(deadline, datetime.time())
        now = datetime.datetime.combine(today, datetime.time())
        if deadline < today:
            return f"overdue by {timesince(moment, now)}"
        if deadline == today:
            return "due today"
        return f"due in {timeuntil(moment, now)}"
