"""What the claim list, the review queue and the deadlines view share: scoping
by who asks, who may move a status, capped counts and the bulk actions."""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from sources.review import is_reviewer

from .. import exports, services
from ..models import Claim
from ..search import matching_claims
from ..services import watches
from .decisions import ask_for_note, decide_each
from .forms import RejectForm, ReviewerChoiceForm
from .lists import CappedPaginator, review_and_status_counts

# Each watch is a few queries: a "select all" of a big list is refused.
WATCH_AT_ONCE = 500


def claim_url(claim_id: int) -> str:
    return reverse("admin:claims_claim_change", args=[claim_id])


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
        "export_csv",
        "export_jsonl",
        "watch_selected",
    )

    def visible(self, request):
        return Claim.objects.visible_to(request.user)

    def has_review_permission(self, request):
        return is_reviewer(request.user)

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

    # The same files as the public search's and the API's (claims/exports.py),
    # of the selected claims (of the list, which the user may read).
    @admin.action(description="Download selected claims as CSV")
    def export_csv(self, request, queryset):
        return exports.streamed(queryset, "csv")

    @admin.action(description="Download selected claims as JSON Lines")
    def export_jsonl(self, request, queryset):
        return exports.streamed(queryset, "jsonl")

    # Watching reveals nothing the list does not show (docs/NOTIFICATIONS.md).
    @admin.action(description="Watch selected claims (email when a status changes)")
    def watch_selected(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True)[: WATCH_AT_ONCE + 1])
        if len(ids) > WATCH_AT_ONCE:
            self.message_user(
                request,
                f"Select at most {WATCH_AT_ONCE} claims to watch at once, or "
                "watch their speaker or source instead.",
                messages.WARNING,
            )
            return
        new = sum(
            watches.watch(user=request.user, kind="claim", pk=pk)[1] for pk in ids
        )
        self.message_user(
            request,
            format_html(
                'Now watching {} more claim(s). <a href="{}">What you watch</a>',
                new,
                reverse("public:watching"),
            ),
        )

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
            note, reason = form.cleaned_data["note"], form.cleaned_data["reason"]
            apply_each(
                self,
                request,
                queryset,
                "Rejected",
                lambda claim: services.review_claim(
                    claim=claim,
                    decision="reject",
                    note=note,
                    reason=reason,
                    by=request.user,
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
