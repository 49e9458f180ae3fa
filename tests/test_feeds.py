"""Atom and RSS feeds (issue 25): new verdicts, a speaker's claims, a search's
claims; each parsed as XML, public claims only, linked from the pages."""

import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.models import Status

from .test_public_pages import accept, hidden, move  # noqa: F401 (hidden: a fixture)

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def rss_items(client, url) -> list[dict]:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")
    return [
        {child.tag: child.text for child in item} for item in channel.findall("item")
    ]


def atom_entries(client, url) -> list[dict]:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    return [
        {
            "title": entry.find(f"{ATOM}title").text,
            "link": entry.find(f"{ATOM}link").get("href"),
            "id": entry.find(f"{ATOM}id").text,
            "summary": entry.find(f"{ATOM}summary").text,
        }
        for entry in feed.findall(f"{ATOM}entry")
    ]


@pytest.fixture
def verdict(propose, reviewer, other_reviewer, source):
    claim = accept(propose(), other_reviewer)
    return move(
        claim,
        Status.CONFIRMED,
        reviewer,
        source,
        rationale="The bridge <reopened> on 2 June.",
        words="will reopen by June",
    )


@pytest.mark.usefixtures("hidden")
def test_the_verdicts_feed_has_each_verdict_with_its_reason(client, verdict):
    (item,) = rss_items(client, "/verdicts.rss")
    assert item["title"] == f"Confirmed: {verdict.text}"
    assert item["description"] == "The bridge <reopened> on 2 June."  # escaped in XML
    assert item["link"].endswith(f"/claims/{verdict.pk}/")
    assert item["guid"].endswith(
        f"/claims/{verdict.pk}/#verdict-{verdict.ledger.last().pk}"
    )
    (entry,) = atom_entries(client, "/verdicts.atom")
    assert entry["title"] == item["title"]
    assert entry["summary"] == item["description"]
    tracker = client.get("/").content.decode()
    assert '<link rel="alternate" type="application/atom+xml"' in tracker
    assert 'href="/verdicts.rss"' in tracker


@pytest.mark.usefixtures("hidden")
def test_a_speaker_feed_lists_their_public_claims_only(
    client, propose, other_reviewer, speaker
):
    public = accept(
        propose(text="The bridge will reopen by June 2025."), other_reviewer
    )
    items = rss_items(client, f"/speakers/{speaker.pk}/claims.rss")
    assert [item["title"] for item in items] == [public.text]
    assert items[0]["description"] == "Status: Pending. Said by Zoë Okafor."
    assert [
        e["title"] for e in atom_entries(client, f"/speakers/{speaker.pk}/claims.atom")
    ] == [public.text]
    page = client.get(f"/speakers/{speaker.pk}/").content.decode()
    assert f'href="/speakers/{speaker.pk}/claims.atom"' in page
    assert client.get("/speakers/999999/claims.rss").status_code == 404


@pytest.mark.usefixtures("hidden")
def test_a_search_feed_follows_the_search(client, propose, other_reviewer):
    bridge = accept(
        propose(text="The harbour bridge will reopen by June 2025."), other_reviewer
    )
    accept(propose(text="Tolls will fall in May 2025."), other_reviewer)
    items = rss_items(client, "/search/claims.rss?q=bridge&status=pending")
    assert [item["title"] for item in items] == [bridge.text]
    assert len(atom_entries(client, "/search/claims.atom")) == 2  # every public claim
    page = client.get("/search/?q=bridge").content.decode()
    assert 'href="/search/claims.atom?q=bridge"' in page
    assert client.get("/search/claims.rss?status=bogus").status_code == 400


def test_a_feed_reads_a_fixed_number_of_queries(client, propose, other_reviewer):
    def count(url):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    accept(propose(), other_reviewer)
    one = [count(u) for u in ("/verdicts.rss", "/search/claims.atom")]
    for n in range(5):
        accept(
            propose(text=f"The ferry will run by May {n + 1}, 2025."), other_reviewer
        )
    assert [count(u) for u in ("/verdicts.rss", "/search/claims.atom")] == one
