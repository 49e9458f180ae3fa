from django.contrib import admin
from django.urls import include, path

from claims.admin.login import ThrottledAdminLoginForm
from claims.admin.login import login as throttled_admin_login

from . import health

admin.site.site_header = "claimtrack"
admin.site.site_title = "claimtrack"
admin.site.index_title = "Claims, sources and verdicts"
# Failed log-ins are counted and, past a limit, refused (docs/SECURITY.md).
admin.site.login_form = ThrottledAdminLoginForm

# Under /api/, a 404 or a 500 outside a view still answers in the API's shape.
handler404 = "claims.api.errors.not_found"
handler500 = "claims.api.errors.server_error"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("admin/login/", throttled_admin_login, name="admin-login"),
    path("admin/", admin.site.urls),
    path("api/", include("claims.api.urls")),
    path("", include("public.urls")),
]
