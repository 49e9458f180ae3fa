from django.urls import path, register_converter

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
urlpatterns = [
    path("", views.tracker, name="tracker"),
    path("claims/<id:pk>/", views.claim_detail, name="claim"),
    path("sources/<id:pk>/", views.source_detail, name="source"),
    path("speakers/<id:pk>/", views.speaker_detail, name="speaker"),
    path("search/", views.search, name="search"),
]
