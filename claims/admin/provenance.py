import json

from django.contrib import admin
from django.utils.html import format_html

from sources.review import is_reviewer

from ..models import Claim, Evidence, ImportedReview, Span, StatusChange
from .decisions import withdraw_selected
from .display import words_in_context


class ReadOnlyMixin:
    """Provenance rows: shown, never added, changed or deleted in the admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class OfVisibleClaims:
    """Rows of claims the user may not see (others' proposals) stay hidden."""

    def get_queryset(self, request):
        visible = Claim.objects.visible_to(request.user).values("pk")
        return super().get_queryset(request).filter(claim__in=visible)


class VisibleContributions(OfVisibleClaims):
    """Spans and evidence: also others' proposed, rejected and withdrawn items
    stay hidden from non-reviewers. Reviewers withdraw accepted ones here."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset.filter(pk__in=self.model.objects.visible_to(request.user))

    actions = (withdraw_selected,)

    def has_review_permission(self, request):
        return is_reviewer(request.user)

    @admin.display(description="state")
    def state(self, obj):
        if obj.is_withdrawn:
            return format_html(
                "<del>withdrawn</del> {}: {}",
                obj.withdrawn_at.date(),
                obj.withdrawn_reason,
            )
        return obj.get_review_display()


class SpanInline(ReadOnlyMixin, admin.TabularInline):
    model = Span
    fields = ("role", "source", "start", "end", "words")
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source")

    @admin.display(description="words in context")
    def words(self, obj):
        return words_in_context(obj)


class StatusChangeInline(ReadOnlyMixin, admin.TabularInline):
    model = StatusChange
    fields = ("changed_at", "changed_by", "from_status", "to_status", "rationale")
    readonly_fields = fields
    extra = 0


class EvidenceInline(ReadOnlyMixin, admin.TabularInline):
    model = Evidence
    fields = ("status_change", "stance", "source", "words", "note", "created_by")
    readonly_fields = fields
    extra = 0

    @admin.display(description="words in context")
    def words(self, obj):
        return words_in_context(obj)


class ImportedReviewInline(ReadOnlyMixin, admin.StackedInline):
    """The fact-checker's review a claim was imported from, as it came
    (``manage.py import_claimreview``)."""

    model = ImportedReview
    fields = (
        "fact_checker",
        "review_url",
        "original_rating",
        "mapped_status",
        "imported_by",
        "imported_at",
        "whole_item",
    )
    readonly_fields = fields
    extra = 0
    verbose_name = "imported ClaimReview"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("imported_by")

    @admin.display(description="original rating")
    def original_rating(self, obj):
        return format_html(
            "<code>{}</code>", json.dumps(obj.rating, ensure_ascii=False)
        )

    @admin.display(description="the ClaimReview as imported")
    def whole_item(self, obj):
        return format_html(
            "<pre>{}</pre>", json.dumps(obj.item, ensure_ascii=False, indent=2)
        )


@admin.register(Span)
class SpanAdmin(VisibleContributions, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("id", "claim", "source", "role", "start", "end", "words", "state")
    list_filter = ("role", "review")
    search_fields = ("exact",)
    list_select_related = ("claim", "source")
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER

    @admin.display(description="words in context")
    def words(self, obj):
        return words_in_context(obj)


@admin.register(StatusChange)
class StatusChangeAdmin(OfVisibleClaims, ReadOnlyMixin, admin.ModelAdmin):
    # Three columns fit 1280 px beside the filters; who moved it is on the
    # claim page's ledger.
    list_display = ("claim", "move", "changed_at")
    list_filter = ("to_status", "from_status")
    search_fields = ("rationale",)
    list_select_related = ("claim", "changed_by")
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    date_hierarchy = "changed_at"

    class Media:
        css = {"all": ["claims/admin/desk.css"]}

    @admin.display(description="move", ordering="to_status")
    def move(self, obj):
        return (
            f"{obj.from_status} → {obj.to_status}" if obj.from_status else obj.to_status
        )


@admin.register(Evidence)
class EvidenceAdmin(VisibleContributions, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("id", "claim", "stance", "source", "words", "created_by", "state")
    list_filter = ("stance", "review")
    search_fields = ("note", "exact")
    list_select_related = ("claim", "source", "created_by")
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER

    @admin.display(description="words in context")
    def words(self, obj):
        return words_in_context(obj)
