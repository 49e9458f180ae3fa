"""Atom and RSS feeds (Django's syndication framework, docs/NOTIFICATIONS.md):
new verdicts, a speaker's claims, and a search's claims. Public, as the
pages are: accepted claims only, at most ``ITEMS`` a feed, newest first."""

from django.contrib.syndication.views import Feed
from django.core.exceptions import BadRequest
from django.http import Http404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from . import queries
from .forms import SearchForm
from .views import every_match

ITEMS = 50


class VerdictsFeed(Feed):
    title = "claimtrack: new verdicts"
    description = "Claims confirmed, partly confirmed or refuted, with the reasons."

    def link(self):
        return reverse("public:tracker")

    def items(self):
        return queries.recent_verdicts(ITEMS)

    def item_title(self, entry):
        return f"{entry.get_to_status_display()}: {entry.claim.text}"

    def item_description(self, entry):
        return entry.rationale

    def item_link(self, entry):
        return reverse("public:claim", args=[entry.claim_id])

    def item_guid(self, entry):
        return f"{self.item_link(entry)}#verdict-{entry.pk}"

    def item_pubdate(self, entry):
        return entry.changed_at

    def item_author_name(self, entry):
        return entry.claim.speaker.name if entry.claim.speaker else None


class ClaimItems:
    """Items that are claims: the claim's text, its status and speaker."""

    def item_title(self, claim):
        return claim.text

    def item_description(self, claim):
        said = f" Said by {claim.speaker.name}." if claim.speaker else ""
        return f"Status: {claim.get_status_display()}.{said}"

    def item_link(self, claim):
        return reverse("public:claim", args=[claim.pk])

    def item_pubdate(self, claim):
        return claim.created_at

    def item_updateddate(self, claim):
        return claim.updated_at


class SpeakerFeed(ClaimItems, Feed):
    description = "Their claims on claimtrack, newest first."

    def get_object(self, request, pk):
        speaker = queries.public_speakers().filter(pk=pk, merged_into=None).first()
        if speaker is None:
            raise Http404("No such speaker.")
        return speaker

    def title(self, speaker):
        return f"claimtrack: claims by {speaker.name}"

    def link(self, speaker):
        return reverse("public:speaker", args=[speaker.pk])

    def items(self, speaker):
        return queries.claims_by(speaker, ITEMS)


class SearchFeed(ClaimItems, Feed):
    description = "The newest claims a search finds."

    def get_object(self, request):
        form = SearchForm(request.GET)
        if not form.is_valid():
            raise BadRequest("Not a search this site can run: " + form.errors.as_text())
        return form

    def title(self, form):
        words = form.cleaned_data["q"]
        return (
            f"claimtrack: claims matching “{words}”" if words else "claimtrack: claims"
        )

    def link(self, form):
        return reverse("public:search") + "?" + form.data.urlencode()

    def items(self, form):
        return every_match(form).select_related("speaker").order_by("-id")[:ITEMS]


def atom(feed: type[Feed]) -> type[Feed]:
    """The same feed in Atom 1.0."""
    attributes = {"feed_type": Atom1Feed, "subtitle": feed.description}
    return type(f"Atom{feed.__name__}", (feed,), attributes)
