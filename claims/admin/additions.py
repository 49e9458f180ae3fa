"""The queues of proposed additions to accepted claims, and withdrawal.

A contributor's span (another appearance) or evidence item on an accepted
claim waits here until a reviewer other than its author accepts or rejects
it; accepted items are withdrawn from the span and evidence lists
(``decisions.withdraw_selected``). Every decision goes through
``services.review_contribution`` or ``services.withdraw_contribution``.
"""

from django.contrib import admin
from django.utils.html import format_html

from sources.review import is_reviewer

from .. import services
from ..models import QueuedEvidence, QueuedSpan, Review
from .decisions import NoteForm, ask_for_note, decide_each, four_eyes_column
from .desk import claim_url
from .display import words_in_context
from .provenance import ReadOnlyMixin


class DecisionMixin:
    """Who sees the queues and may decide: reviewers."""

    def has_review_permission(self, request):
        return is_reviewer(request.user)

    def has_module_permission(self, request):
        return is_reviewer(request.user)

    def has_view_permission(self, request, obj=None):
        return is_reviewer(request.user)


class AdditionQueueAdmin(DecisionMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_select_related = ("claim", "source", "created_by")
    ordering = ("id",)
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    actions = ("accept_selected", "reject_selected")

    def get_queryset(self, request):
        # Served by the partial index of proposed items (span_proposed_idx,
        # evidence_proposed_idx): the queue never reads the accepted rows.
        return (
            super()
            .get_queryset(request)
            .filter(review=Review.PROPOSED, claim__review=Review.ACCEPTED)
        )

    def get_list_display(self, request):
        return (
            *super().get_list_display(request),
            four_eyes_column(request, lambda row: "", "four eyes"),
        )

    def changelist_view(self, request, extra_context=None):
        title = f"{self.model._meta.verbose_name_plural.capitalize()}: proposed for accepted claims"
        return super().changelist_view(
            request, {"title": title, **(extra_context or {})}
        )

    @admin.display(description="claim")
    def claim_link(self, obj):
        return format_html('<a href="{}">{}</a>', claim_url(obj.claim_id), obj.claim)

    @admin.display(description="words in context")
    def words(self, obj):
        return words_in_context(obj)

    @admin.action(description="Accept selected", permissions=["review"])
    def accept_selected(self, request, queryset):
        decide_each(
            self,
            request,
            queryset,
            "Accepted",
            lambda item: services.review_contribution(
                item=item, decision="accept", by=request.user
            ),
        )

    @admin.action(description="Reject selected…", permissions=["review"])
    def reject_selected(self, request, queryset):
        form = NoteForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            note = form.cleaned_data["note"]
            decide_each(
                self,
                request,
                queryset,
                "Rejected",
                lambda item: services.review_contribution(
                    item=item, decision="reject", note=note, by=request.user
                ),
            )
            return None
        return ask_for_note(
            self, request, queryset, form, "Reject selected", "reject_selected"
        )


@admin.register(QueuedSpan)
class QueuedSpanAdmin(AdditionQueueAdmin):
    list_display = (
        "id",
        "claim_link",
        "words",
        "role",
        "source",
        "created_by",
        "created_at",
    )


@admin.register(QueuedEvidence)
class QueuedEvidenceAdmin(AdditionQueueAdmin):
    list_display = (
        "id",
        "claim_link",
        "stance",
        "words",
        "note",
        "source",
        "created_by",
        "created_at",
    )
