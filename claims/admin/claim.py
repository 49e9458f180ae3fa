"""The claim list and the claim page: spans in their text, the ledger, the
evidence and the buttons of the desk. Its own pages (accept, reject, status,
propose) are in ``claim_views``, relating it to another claim in ``relate``;
the bulk actions in ``desk``."""

from django.contrib import admin
from django.db.models import Prefetch
from django.urls import reverse

from sources.review import can_move_status, four_eyes_problem, is_reviewer

from .. import services
from ..models import (
    Claim,
    ClaimRelation,
    Evidence,
    Review,
    Span,
    SpanRole,
    StatusChange,
)
from ..services.repeats import open_candidates
from ..transitions import allowed_targets
from .claim_views import ClaimDeskViews
from .desk import ReviewDeskMixin, claim_url
from .display import excerpt
from .forms import ClaimForm
from .history import GuardedHistoryAdmin
from .lists import AssignedFilter, SourceFilter, SpeakerFilter
from .provenance import ImportedReviewInline, SpanInline
from .relate import RelationViews


@admin.register(Claim)
class ClaimAdmin(ClaimDeskViews, RelationViews, ReviewDeskMixin, GuardedHistoryAdmin):
    form = ClaimForm
    # The claim's words first; kind, attribution and assignment are filters.
    # Few enough columns to fit 1280 px beside the filters (a browser test
    # measures it).
    list_display = ("__str__", "speaker", "status", "review", "stated", "due")
    list_display_links = ("__str__",)
    list_filter = (
        "review",
        "rejection_reason",
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

    def get_inlines(self, request, obj):
        # Only an imported claim shows (and its form posts) the fact-checker's
        # review: other claims' pages and forms stay as they were.
        if obj is not None and obj.imported_reviews.exists():
            return (*self.inlines, ImportedReviewInline)
        return self.inlines

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
            "can_review": is_reviewer(request.user),
            # Four eyes: nobody is offered a decision on their own proposal.
            "may_decide": is_reviewer(request.user)
            and not four_eyes_problem(
                reviewer=request.user, proposed_by_id=claim.created_by_id
            ),
            "can_move_status": can_move_status(request.user)
            and bool(allowed_targets(claim.kind, claim.status)),
            **repeats_context(request, claim, spans),
        }


def content_excerpt(spans) -> str:
    """The first content span of ``spans`` in its text, or a dash."""
    for span in spans:
        if span.role == SpanRole.CONTENT:
            return excerpt(span.source.text, span.start, span.end)
    return "—"


def repeats_context(request, claim, spans) -> dict:
    """What the claim page shows of repeats: the claims a proposal may repeat,
    each beside it with both quotes in context, and the claim's relations."""
    candidates = []
    if claim.review == Review.PROPOSED:
        content = Span.objects.filter(role=SpanRole.CONTENT).select_related("source")
        for pair in open_candidates(claim).prefetch_related(
            Prefetch("candidate__spans", queryset=content.order_by("id"))
        ):
            candidates.append(
                {
                    "pair": pair,
                    "excerpt": content_excerpt(pair.candidate.spans.all()),
                    "url": claim_url(pair.candidate_id),
                }
            )
    # Reviewers also see the withdrawn relations, struck through, as they
    # see withdrawn spans and evidence.
    relations = (
        ClaimRelation.objects.visible_to(request.user)
        .of(claim.pk)
        .select_related("claim", "other", "withdrawn_by")
        .order_by("id")
    )
    if not is_reviewer(request.user):
        relations = relations.current()
    return {
        "repeat_candidates": candidates,
        "own_excerpt": content_excerpt(spans),
        "relations": relations,
    }
