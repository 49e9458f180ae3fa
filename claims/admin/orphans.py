"""The desk's list of orphans: spans whose words a revision of their source
removed or changed past recognition (docs/SOURCES.md). Read-only: the claim
still rests on the old text; a reviewer adds a span on the revision by hand
if the claim is there in other words."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from ..models import Claim, Orphan, ReanchorMethod
from .provenance import ReadOnlyMixin


@admin.register(Orphan)
class OrphanAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("claim_link", "words", "old_source", "revision_link", "created_at")
    list_select_related = ("span__claim", "span__source", "revision")
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER

    # Whoever reads spans reads where they were lost (a proxy model has no
    # permissions of its own in the role groups).
    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("claims.view_span")

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def get_queryset(self, request):
        visible = Claim.objects.visible_to(request.user).values("pk")
        return (
            super()
            .get_queryset(request)
            .filter(method=ReanchorMethod.ORPHAN, span__claim__in=visible)
            .defer("span__source__text", "revision__text", "span__claim__text")
        )

    @admin.display(description="claim")
    def claim_link(self, obj):
        claim = obj.span.claim
        url = reverse("admin:claims_claim_change", args=[claim.pk])
        return format_html('<a href="{}">Claim {}</a>', url, claim.pk)

    @admin.display(description="the words it rested on")
    def words(self, obj):
        return format_html("“{}”", obj.span.exact)

    @admin.display(description="in")
    def old_source(self, obj):
        url = reverse("admin:sources_source_change", args=[obj.span.source_id])
        return format_html('<a href="{}">source {}</a>', url, obj.span.source_id)

    @admin.display(description="removed or changed in the revision")
    def revision_link(self, obj):
        url = reverse("admin:sources_source_change", args=[obj.revision_id])
        return format_html('<a href="{}">source {}</a>', url, obj.revision_id)
