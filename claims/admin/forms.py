"""The claim desk's forms: the claim edit form, reject, status, propose, and
the reviewer choice of the bulk "assign to" action. Errors of a service call
are put on these forms by ``put_errors_on``."""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminDateWidget, AutocompleteSelect
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse

from sources.models import Source

from .. import services
from ..models import (
    Attribution,
    Claim,
    ClaimKind,
    ClaimRelation,
    DatePrecision,
    Evidence,
    RejectionReason,
    Span,
    Speaker,
    Stance,
    Status,
)
from ..models.choices import VERDICTS
from ..transitions import allowed_targets


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
        if field is None and "." in key:  # evidence.0.exact, relations.0
            field = fields.get(key.rsplit(".", 1)[1]) or fields.get(key.split(".")[0])
        for problem in problems:
            form.add_error(
                field if field in form.fields else None,
                problem if field else f"{key}: {problem}",
            )


class ClaimForm(forms.ModelForm):
    """Edits a claim through ``edit_claim``, the one home of the claim rules.

    The model's own validation is skipped here: the service decides (a kind
    change, for one, may move the status), and ``check_edit`` gives its errors
    for the form without writing.
    """

    expected_version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Claim
        fields = services.EDITABLE_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
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
            services.check_edit(
                claim=self.instance,
                expected_version=cleaned["expected_version"],
                **self.changes(),
            )
        except ValidationError as error:
            put_errors_on(self, error, {name: name for name in self.fields})
        return cleaned

    def _post_clean(self):
        # Copy the cleaned values onto the instance, without model validation.
        self.instance = forms.models.construct_instance(
            self, self.instance, self._meta.fields, self._meta.exclude
        )


class RejectForm(forms.Form):
    reason = forms.ChoiceField(
        choices=[
            choice
            for choice in RejectionReason.choices
            if choice[0] != RejectionReason.DUPLICATE
        ],
        initial=RejectionReason.OTHER,
        required=False,  # other, when a bulk form or a script leaves it out
        help_text="Counted on the desk: what the extractor and contributors get "
        "wrong. A repeat of another claim is closed with “Repeat of” instead.",
    )
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
    relations = forms.ModelMultipleChoiceField(
        queryset=ClaimRelation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Cite relations",
        help_text="Each cited relation's words become evidence: refuting for "
        "contradicts, supporting for supports, context otherwise.",
    )

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
        relations = services.citable_relations(claim.pk).order_by("id")
        if not relations.exists():
            del self.fields["relations"]  # nothing to cite
            return
        self.fields["relations"].queryset = relations
        self.fields["relations"].label_from_instance = lambda relation: (
            f"#{relation.claim_id} {relation.kind} #{relation.other_id}: "
            f"{relation.rationale}"
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
