from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

admin.site.site_header = "claimtrack"
admin.site.site_title = "claimtrack"
admin.site.index_title = "Claims, sources and verdicts"

urlpatterns = [
    # The public tracker pages come later; until then the site opens on the admin.
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/", include("claims.api.urls")),
]
