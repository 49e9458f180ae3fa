from django.urls import path, register_converter
from django.views.decorators.http import require_safe

from . import views


class IdConverter:
    """A database id: digits that fit a bigint (a longer number is a 404, not a
    database error)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


register_converter(IdConverter, "id")

app_name = "public"
# Read-only pages: GET and HEAD; any other method is a 405.
urlpatterns = [
    path("", require_safe(views.tracker), name="tracker"),
    path("claims/<id:pk>/", require_safe(views.claim_detail), name="claim"),
    path("sources/<id:pk>/", require_safe(views.source_detail), name="source"),
    path("speakers/<id:pk>/", require_safe(views.speaker_detail), name="speaker"),
    path("search/", require_safe(views.search), name="search"),
]
