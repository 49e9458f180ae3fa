"""The source page of the admin: the text with every visible claim's spans.

``sources.admin`` registers a source admin that knows nothing of claims; this
module replaces that registration with a subclass that highlights the claims
anchored in the text and proposes claims from it (on adding a source, from a
selection of its text, and as a bulk action). Claims extend sources, never the
other way.
"""

from collections import Counter

from django import forms
from django.contrib import admin, messages
from django.db.models import Count
from django.urls import reverse

from sources import admin as sources_admin
from sources.models import Source

from ..jobs import start_proposals, start_refetch
from ..models import Claim, Orphan, ReanchorMethod, Span, Status
from ..services.proposals import propose_claims
from .display import Mark, highlighted
from .history import GuardedHistoryAdmin
from .jobs import report_job


def source_page_context(request, source) -> dict:
    """The source's text with the spans of the claims ``request.user`` may see
    highlighted by status, each a link to its claim (two queries)."""
    if not source.text:
        return {"source_text": None}
    visible = Claim.objects.visible_to(request.user).values("pk")
    spans = list(
        Span.objects.filter(source=source, claim__in=visible)
        .select_related("claim")
        .only(
            "start",
            "end",
            "role",
            "claim__id",
            "claim__text",
            "claim__status",
            "claim__review",
        )
        .order_by("start", "id")
    )
    marks = [
        Mark(
            start=span.start,
            end=span.end,
            href=reverse("admin:claims_claim_change", args=[span.claim_id]),
            css_class=f"ct-status-{span.claim.status} ct-review-{span.claim.review}",
            title=(
                f"#{span.claim_id} {span.claim.get_status_display()}"
                f" ({span.claim.get_review_display().lower()}, {span.role} span):"
                f" {span.claim}"
            ),
        )
        for span in spans
    ]
    # A claim counts once, however many spans anchor it here.
    claims = {span.claim_id: span.claim for span in spans}
    statuses = Counter(claim.status for claim in claims.values())
    return {
        "source_text": highlighted(source.text, marks),
        "source_legend": [
            (value, label, statuses[value])
            for value, label in Status.choices
            if statuses[value]
        ],
        "source_claims": len(claims),
        "can_propose": request.user.has_perm("claims.add_claim"),
    }


class SourceAddForm(sources_admin.SourceAddForm):
    propose_claims = forms.BooleanField(
        required=False,
        label="Propose its claims",
        help_text="Run the claim extractor over the text: its proposals join the "
        "review queue.",
    )


admin.site.unregister(Source)


@admin.register(Source)
class SourceAdmin(GuardedHistoryAdmin, sources_admin.SourceAdmin):
    actions = ("propose_selected", "refetch_selected")
    change_form_template = "admin/claims/source/change_form.html"
    add_form = SourceAddForm

    class Media:
        css = {"all": ["claims/admin/desk.css"]}
        js = ["claims/admin/selection.js"]

    def page_context(self, request, source) -> dict:
        context = {
            **source_page_context(request, source),
            "propose_url": reverse("admin:claims_claim_add"),
            **super().page_context(request, source),
        }
        # The orphans of every version shown, counted in one query.
        versions = context["versions"]
        counts = dict(
            Orphan.objects.filter(
                revision__in=[v["revision"] for v in versions],
                method=ReanchorMethod.ORPHAN,
            )
            .order_by()  # no ordering column in the GROUP BY
            .values_list("revision")
            .annotate(Count("id"))
        )
        for version in versions:
            version["orphans"] = counts.get(version["revision"].pk, 0)
        return context

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is None and request.user.has_perm("claims.add_claim"):
            fields = (*fields, "propose_claims")
        return fields

    def source_added(self, request, source, form):
        if form.cleaned_data.get("propose_claims") and source.text:
            self.report(request, propose_claims(source=source))

    def has_propose_permission(self, request):
        return request.user.has_perm("claims.add_claim")

    # Both actions queue a job per source (claims/jobs.py): run at once
    # unless CLAIMTRACK_TASKS=database, where the worker runs them.
    @admin.action(
        description="Propose claims from the selected sources' text",
        permissions=["propose"],
    )
    def propose_selected(self, request, queryset):
        for source in queryset.exclude(text="").defer("text").order_by("id"):
            report_job(self, request, start_proposals(source=source, by=request.user))

    @admin.action(description="Fetch the selected pages again", permissions=["add"])
    def refetch_selected(self, request, queryset):
        for source in queryset.defer("text").order_by("id"):
            report_job(self, request, start_refetch(source=source, by=request.user))

    def report(self, request, run):
        reasons = Counter(why.split(";")[0] for _, why in run.skipped)
        skipped = ", ".join(f"{n} {why}" for why, n in reasons.most_common())
        self.message_user(
            request,
            f"Source {run.source.pk}: {len(run.created)} claim(s) proposed for review"
            + (f"; skipped: {skipped}" if skipped else "")
            + ".",
            messages.SUCCESS if run.created else messages.WARNING,
        )
