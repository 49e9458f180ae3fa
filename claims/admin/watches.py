"""What each user watches (docs/NOTIFICATIONS.md, "Watch lists and email").
Everyone sees and stops only their own watches; they start them from the
claim list's action or the public pages' "Watch" link."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from ..models import Watch
from ..services.watches import watches_of


@admin.register(Watch)
class WatchAdmin(admin.ModelAdmin):
    list_display = ("target_kind", "target_link", "created_at")
    list_select_related = ("claim", "speaker", "source")
    fields = ("target_link", "created_at")
    readonly_fields = fields
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER

    def get_queryset(self, request):
        return watches_of(request.user)

    # A watch is the user's own preference, not provenance: any signed-in
    # user reads and stops their own; adding is the "Watch" link's.
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="watched")
    def target_link(self, watch):
        kind = watch.target_kind
        if not watch.readable:
            return f"a {kind} you may no longer read"
        return format_html(
            '<a href="{}">{}</a>',
            reverse(f"public:{kind}", args=[watch.target_id]),
            getattr(watch, kind),
        )
