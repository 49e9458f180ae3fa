"""Relating two claims from the claim page, and withdrawing a relation
(reviewers): one call to ``services.relate_claims`` or
``services.withdraw_relation`` each, their errors on the form's fields.
Mixed into ``ClaimAdmin`` beside ``claim_views``."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path

from sources.review import is_reviewer
from sources.text import shorten

from .. import services
from ..models import Claim, ClaimRelation, RelationKind, Span
from .desk import claim_url
from .forms import put_errors_on

MAX_ID = 2**63 - 1  # the largest id a database column holds
# How much of a span's words a checkbox shows.
WORDS_SHOWN = 200


def span_label(span: Span) -> str:
    words = shorten(span.exact, WORDS_SHOWN)
    return f"“{words}” ({span.get_role_display().lower()}, {span.source})"


def claim_label(claim: Claim) -> str:
    speaker = f", {claim.speaker}" if claim.speaker_id else ""
    return (
        f"#{claim.pk}: {claim.text} ({claim.get_review_display().lower()}, "
        f"{claim.get_status_display().lower()}{speaker})"
    )


class RelateForm(forms.Form):
    """``claim`` ``kind`` ``other``, with a rationale and the words (public
    spans of either claim) that show it."""

    other = forms.IntegerField(
        label="Other claim",
        min_value=1,
        max_value=MAX_ID,
        help_text="Its number (26 for #26); “Show its words” lists its spans below.",
    )
    kind = forms.ChoiceField(
        label="Relation",
        choices=RelationKind.choices,
    )
    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 70}),
        help_text="Why the two claims relate so: shown on both claims' pages.",
    )
    spans = forms.TypedMultipleChoiceField(
        label="The words that show it",
        coerce=int,
        required=False,  # the service says that at least one is needed
        widget=forms.CheckboxSelectMultiple,
        help_text="Public spans of this claim and of the other claim.",
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput)

    # Service error keys → form fields (a rejected claim: above the form).
    ERROR_FIELDS = {
        "other": "other",
        "kind": "kind",
        "rationale": "rationale",
        "spans": "spans",
    }

    def __init__(self, *args, claim: Claim, other: Claim | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expected_version"].initial = claim.version
        ends = [claim] if other is None or other.pk == claim.pk else [claim, other]
        spans = (
            Span.objects.public()
            .filter(claim__in=ends)
            .select_related("source")
            .order_by("id")
        )
        self.fields["spans"].choices = [
            (
                f"This claim, #{end.pk}" if end is claim else claim_label(end),
                [
                    (span.pk, span_label(span))
                    for span in spans
                    if span.claim_id == end.pk
                ],
            )
            for end in ends
        ]
        named = f"#{other.pk}" if other is not None else "the other claim"
        example = f"#{claim.pk} contradicts {named}"
        self.fields["kind"].help_text = f"This claim first: read as “{example}”."
        if other is not None:
            self.fields["other"].help_text = claim_label(other)


class WithdrawRelationForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 70}),
        help_text="Why the relation is wrong: kept, with it, in both claims' history.",
    )


def posted_id(value) -> int | None:
    """A claim id as typed in a form, or None."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_ID else None


def no_such_claim(number: int) -> str:
    return f"There is no claim #{number}."


def show_the_other_claim(form: RelateForm, other: Claim | None) -> None:
    """``form`` shown again with the other claim's words, as it was filled
    in: only a problem with the other claim's number is said (the rest is
    still being filled in)."""
    for name in [name for name in form.errors if name != "other"]:
        del form.errors[name]
    if "other" not in form.errors and other is None:
        form.add_error("other", no_such_claim(form.cleaned_data["other"]))


class RelationViews:
    """The claim admin's pages for relations (mixed into ``ClaimAdmin``;
    ``claim_or_404`` and ``desk_form`` are ``ClaimDeskViews``')."""

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<int:object_id>/relate/",
                view(self.relate_view),
                name="claims_claim_relate",
            ),
            path(
                "<int:object_id>/relations/<int:relation_id>/withdraw/",
                view(self.withdraw_relation_view),
                name="claims_claim_withdraw_relation",
            ),
            *super().get_urls(),
        ]

    def relate_view(self, request, object_id):
        """The form; "Show its words" shows it again with the other claim's
        spans, "Relate" relates."""
        if not is_reviewer(request.user):
            raise PermissionDenied
        claim = self.claim_or_404(request, object_id)
        data = request.POST if request.method == "POST" else None
        other_id = posted_id(data.get("other")) if data else None
        other = self.visible(request).filter(pk=other_id).first() if other_id else None
        form = RelateForm(data, claim=claim, other=other)
        if data is not None and "show" in data:
            show_the_other_claim(form, other)
        elif form.is_valid() and self.relate(request, form, claim, other):
            return HttpResponseRedirect(claim_url(claim.pk))
        return self.desk_form(request, claim, form, "Relate to another claim", "relate")

    @staticmethod
    def relate(request, form, claim, other) -> bool:
        if other is None:
            form.add_error("other", no_such_claim(form.cleaned_data["other"]))
            return False
        data = form.cleaned_data
        try:
            relation = services.relate_claims(
                claim=claim,
                other=other,
                kind=data["kind"],
                rationale=data["rationale"],
                spans=data["spans"],
                by=request.user,
                expected_version=data["expected_version"],
            )
        except ValidationError as error:
            put_errors_on(form, error, RelateForm.ERROR_FIELDS)
            return False
        messages.success(
            request,
            f"#{claim.pk} {relation.get_kind_display().lower()} #{other.pk}: "
            "shown on both claims' pages.",
        )
        return True

    def withdraw_relation_view(self, request, object_id, relation_id):
        if not is_reviewer(request.user):
            raise PermissionDenied
        claim = self.claim_or_404(request, object_id)
        relation = get_object_or_404(
            ClaimRelation.objects.of(claim.pk).select_related("claim", "other"),
            pk=relation_id,
        )
        form = WithdrawRelationForm(request.POST if request.method == "POST" else None)
        if form.is_bound and form.is_valid():
            try:
                services.withdraw_relation(
                    relation=relation,
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                )
            except ValidationError as error:
                put_errors_on(form, error, {"reason": "reason"})
            else:
                messages.success(request, f"Withdrew the relation {relation}.")
                return HttpResponseRedirect(claim_url(claim.pk))
        return self.desk_form(
            request,
            claim,
            form,
            "Withdraw a relation",
            "withdraw_relation",
            relation=relation,
        )
