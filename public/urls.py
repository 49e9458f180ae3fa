from django.urls import path, register_converter
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from . import feeds, views, watching


class IdConverter:
    """A database id: digits that fit a bigint (a longer number is a 404, not a
    database error)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


register_converter(IdConverter, "id")


class WatchedConverter:
    """What can be watched (claims.models.watch.TARGETS)."""

    regex = "claim|speaker|source"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(WatchedConverter, "watched")


def read_only(view):
    """GET and HEAD only; any other method is a 405. Exempt from the CSRF
    check, which would otherwise answer a POST with a 403 before the view
    could say 405: these views write nothing, whatever is sent."""
    return csrf_exempt(require_safe(view))


app_name = "public"
urlpatterns = [
    path("", read_only(views.tracker), name="tracker"),
    path("claims/", read_only(views.claims_index), name="claims"),
    path("claims/<id:pk>/", read_only(views.claim_detail), name="claim"),
    path("sources/", read_only(views.source_index), name="sources"),
    path("sources/<id:pk>/", read_only(views.source_detail), name="source"),
    path(
        "sources/<id:pk>/snapshots/<id:snapshot>.warc",
        read_only(views.snapshot),
        name="snapshot",
    ),
    path("speakers/", read_only(views.speaker_index), name="speakers"),
    path("speakers/<id:pk>/", read_only(views.speaker_detail), name="speaker"),
    path("search/", read_only(views.search), name="search"),
    # Every rated claim's ClaimReview, as the DataFeed aggregators read.
    path(
        "claimreview.json", read_only(views.claimreview_feed), name="claimreview-feed"
    ),
    # Every claim a search finds (docs/NOTIFICATIONS.md, "Exports").
    path(
        "search/claims.csv", read_only(views.export), {"fmt": "csv"}, name="export-csv"
    ),
    path(
        "search/claims.jsonl",
        read_only(views.export),
        {"fmt": "jsonl"},
        name="export-jsonl",
    ),
    # Watch lists and one-click unsubscribe (docs/NOTIFICATIONS.md): these
    # write, behind a sign-in or a signed token.
    path("watching/", watching.watching, name="watching"),
    path("watching/<watched:kind>/<id:pk>/", watching.watch, name="watch"),
    path("unsubscribe/<str:token>/", watching.unsubscribe, name="unsubscribe"),
    # Feeds (docs/NOTIFICATIONS.md): RSS 2.0 and Atom 1.0 of each.
    path("verdicts.rss", read_only(feeds.VerdictsFeed()), name="verdicts-rss"),
    path(
        "verdicts.atom",
        read_only(feeds.atom(feeds.VerdictsFeed)()),
        name="verdicts-atom",
    ),
    path(
        "speakers/<id:pk>/claims.rss",
        read_only(feeds.SpeakerFeed()),
        name="speaker-rss",
    ),
    path(
        "speakers/<id:pk>/claims.atom",
        read_only(feeds.atom(feeds.SpeakerFeed)()),
        name="speaker-atom",
    ),
    path("search/claims.rss", read_only(feeds.SearchFeed()), name="search-rss"),
    path(
        "search/claims.atom",
        read_only(feeds.atom(feeds.SearchFeed)()),
        name="search-atom",
    ),
]
