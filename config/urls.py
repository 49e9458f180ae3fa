from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "claimtrack"
admin.site.site_title = "claimtrack"
admin.site.index_title = "Claims, sources and verdicts"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("claims.api.urls")),
    path("", include("public.urls")),
]
