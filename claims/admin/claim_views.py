"""The claim page's own pages: accept (or accept and next), reject, change
the status, and propose a claim from words selected in a source (the admin's
add page). Each is one call to ``claims.services``."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from sources.models import Source
from sources.review import can_move_status, is_reviewer

from .. import services
from ..models import Claim, Review, SpanRole
from .desk import claim_url
from .forms import ProposeForm, RejectForm, StatusForm, put_errors_on, stale_message


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


class ClaimDeskViews:
    """The claim admin's pages beyond Django's own (mixed into ``ClaimAdmin``)."""

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
            path(
                "<int:object_id>/repeat/",
                view(self.repeat_view),
                name="claims_claim_repeat",
            ),
            *super().get_urls(),
        ]

    # Accept, reject, status: forms about the claim in hand.

    def claim_or_404(self, request, object_id) -> Claim:
        return get_object_or_404(self.visible(request), pk=object_id)

    def review_view(self, request, object_id):
        """Accept, or accept and open the next claim of the queue (POST)."""
        if request.method != "POST" or not is_reviewer(request.user):
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
        if not is_reviewer(request.user):
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
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                    expected_version=form.cleaned_data["expected_version"],
                )
            except ValidationError as error:
                put_errors_on(
                    form, error, {"note": "note", "reason": "reason", "decision": None}
                )
            else:
                messages.success(request, f"Rejected #{claim.pk}: {claim}")
                return HttpResponseRedirect(claim_url(claim.pk))
        return self.desk_form(request, claim, form, "Reject this claim", "reject")

    def repeat_view(self, request, object_id):
        """Close the claim as a repeat of ``of`` ("Repeat of #26"), or record
        that it is not one ("Not a repeat"): POST, from the claim page or a
        queue row."""
        if request.method != "POST" or not is_reviewer(request.user):
            raise PermissionDenied
        claim = self.claim_or_404(request, object_id)
        of = self.visible(request).filter(pk=int_or_none(request.GET.get("of"))).first()
        from_queue = request.POST.get("from") == "queue"
        back = (
            reverse("admin:claims_queuedclaim_changelist")
            if from_queue
            else claim_url(claim.pk)
        )
        if of is None:
            messages.error(request, "There is no such claim to compare with.")
            return HttpResponseRedirect(back)
        try:
            if request.POST.get("decision") == "not_repeat":
                services.dismiss_repeat(claim=claim, candidate=of, by=request.user)
                messages.success(request, f"#{claim.pk} is not a repeat of #{of.pk}.")
            else:
                services.mark_repeat(
                    claim=claim,
                    of=of,
                    by=request.user,
                    expected_version=int_or_none(
                        request.POST.get("expected_version")
                        or request.GET.get("version")
                    ),
                )
                messages.success(
                    request,
                    f"#{claim.pk} closed as a repeat of #{of.pk}: its words are "
                    f"now appearances of #{of.pk}.",
                )
                back = back if from_queue else claim_url(of.pk)
        except ValidationError as error:
            messages.error(
                request,
                stale_message(error)
                if "version" in error.message_dict
                else "Not done: " + "; ".join(error.messages),
            )
        except PermissionDenied as error:  # four eyes
            messages.error(request, f"Not done: {error}")
        return HttpResponseRedirect(back)

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
                    relations=[r.pk for r in form.cleaned_data.get("relations", [])],
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
                        "relations": "relations",
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
