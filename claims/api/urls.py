from django.urls import include, path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from knox import views as knox_views
from rest_framework.routers import DefaultRouter

from . import schema  # noqa: F401 (registers the schema extensions)
from .authentication import TokenAuthentication
from .feed import ChangeFeedView
from .views.claims import ClaimViewSet
from .views.jobs import JobViewSet
from .views.sources import SourceViewSet, SpeakerViewSet
from .views.watches import WatchViewSet
from .views.webhooks import WebhookViewSet


class LogoutView(knox_views.LogoutView):
    """Revoke the token this request is authenticated with."""

    resource = "auth"
    authentication_classes = (TokenAuthentication,)

    @extend_schema(
        summary="Revoke the token you send",
        request=None,
        responses={
            204: OpenApiResponse(description="Revoked."),
        },
    )
    def post(self, request, format=None):
        return super().post(request, format)


class Router(DefaultRouter):
    """DefaultRouter without its ``.json``-suffixed twin of every route.

    The views take no ``format`` argument, so those URLs were a 500; the
    format is chosen by ``Accept`` (or ``?format=``), and a suffixed URL is a
    404 like any other URL the API does not have."""

    include_format_suffixes = False


router = Router()
router.register("claims", ClaimViewSet, basename="claim")
router.register("sources", SourceViewSet, basename="source")
router.register("speakers", SpeakerViewSet, basename="speaker")
router.register("jobs", JobViewSet, basename="job")
router.register("webhooks", WebhookViewSet, basename="webhook")
router.register("watches", WatchViewSet, basename="watch")

urlpatterns = [
    path("v1/changes/", ChangeFeedView.as_view(), name="changes"),
    path("v1/auth/logout/", LogoutView.as_view(), name="knox-logout"),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI from our static files (the sidecar), its start-up script a file
    # of its own (?script): the Content Security Policy allows no inline script.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="schema", template_name="claims/api/swagger_ui.html"
        ),
        name="docs",
    ),
]
