"""Silent edits (issue 24): a refetched page whose article changed becomes a
new source that revises the old one, its claims' spans follow their words
onto it, and what cannot be found is an orphan, listed and never dropped.
Pages of our own writing, served on 127.0.0.1."""

import pytest
from django.core.management import call_command
from django.db import DatabaseError, transaction

from claims import services
from claims.models import Orphan, Reanchoring, Review, Span
from sources.diffing import change
from sources.models import Snapshot, Source
from sources.web import fetch_source, refetch_source

from .conftest import span_of

FIRST = """<html lang="en"><head><title>Bridge to reopen in June</title></head>
<body><article>
<p>The Harbour Bridge will reopen by June 2026, transport director Lena Holt
said on Monday, after repairs to its two main cables.</p>
<p>Holt said the repairs had cost 4.2 million euros, well within the budget the
council set in March.</p>
<p>Ferries will run every 20 minutes until the bridge reopens, she added.</p>
</article></body></html>"""
# A typo fixed, a sentence inserted before, the cost reworded, the ferries gone.
SECOND = """<html lang="en"><head><title>Bridge to reopen in June</title></head>
<body><article>
<p>Traffic on the ring road rose sharply during the closure.</p>
<p>The Harbour Bridge will reopen by June 2026, transport director Lena Holt
said on Monday, after repairs to its two main cables.</p>
<p>Holt said the repairs had cost 4.3 million euros, well within the budget the
council set in March.</p>
</article></body></html>"""


class Page:
    """A page on the local server whose body the test changes."""

    def __init__(self, server):
        self.body = FIRST
        server.expect_request("/bridge").respond_with_handler(self.respond)
        self.url = server.url_for("/bridge")

    def respond(self, request):
        from werkzeug import Response

        return Response(self.body, content_type="text/html; charset=utf-8")


@pytest.fixture
def page(httpserver, settings):
    settings.CLAIMTRACK_FETCH_ALLOW_PRIVATE = True
    return Page(httpserver)


@pytest.fixture
def fetched(page, reviewer, speaker, proposer):
    """The page fetched, with a claim on each of its three sentences, accepted."""
    source = fetch_source(page.url, by=reviewer).source
    words = [
        "will reopen by June 2026",
        "the repairs had cost 4.2 million euros",
        "Ferries will run every 20 minutes until the bridge reopens",
    ]
    for text in words:
        claim = services.propose_claim(
            text=text,
            kind="fact",
            attribution="indirect",
            speaker=speaker,
            stated_on=None,
            spans=[span_of(source, text)],
            by=proposer,
        )
        services.review_claim(claim=claim, decision="accept", by=reviewer)
    return source


def test_a_changed_article_is_a_revision_with_its_spans_reanchored(
    page, fetched, reviewer
):
    page.body = SECOND
    result = refetch_source(fetched, by=reviewer)
    assert result.revised
    revision = result.source
    assert revision.revises == fetched
    assert revision.revises_review == Review.ACCEPTED
    assert revision.snapshots.count() == 1
    found = {r.span.exact: r for r in Reanchoring.objects.filter(revision=revision)}
    reopen = found["will reopen by June 2026"]
    assert reopen.method == "quote"
    assert reopen.score == 1.0
    assert revision.text[reopen.new_span.start : reopen.new_span.end] == (
        "will reopen by June 2026"
    )
    cost = found["the repairs had cost 4.2 million euros"]
    assert cost.method == "fuzzy"
    assert 0.75 <= cost.score < 1
    assert cost.new_span.exact == "the repairs had cost 4.3 million euros"
    ferries = found["Ferries will run every 20 minutes until the bridge reopens"]
    assert ferries.is_orphan
    assert ferries.new_span is None
    assert list(Orphan.objects.filter(method="orphan")) == [ferries]
    # The old spans stay as they were, valid on the old text.
    for span in Span.objects.filter(source=fetched):
        assert fetched.text[span.start : span.end] == span.exact


def test_a_revision_found_by_the_system_waits_for_a_reviewer(page, fetched):
    page.body = SECOND
    revision = refetch_source(fetched).source
    assert revision.revises_review == Review.PROPOSED
    moved = Span.objects.filter(source=revision)
    assert moved.count() == 2
    assert {span.review for span in moved} == {Review.PROPOSED}


def test_the_same_bytes_store_nothing_and_the_same_text_a_snapshot(page, fetched):
    assert refetch_source(fetched).snapshot is None
    assert Snapshot.objects.count() == 1
    page.body = FIRST.replace("<html", "<!-- an advert changed -->\n<html")
    result = refetch_source(fetched)
    assert not result.revised
    assert result.source == fetched
    assert fetched.snapshots.count() == 2
    assert Source.objects.count() == 1


def test_refetching_the_old_version_revises_the_latest(page, fetched):
    page.body = SECOND
    second = refetch_source(fetched).source
    page.body = SECOND.replace("rose sharply", "rose by a third")
    third = refetch_source(fetched).source
    assert third.revises == second


def test_the_command_refetches_recent_pages(page, fetched, capsys):
    page.body = SECOND
    call_command("refetch")
    out = capsys.readouterr().out
    revision = Source.objects.exclude(pk=fetched.pk).get()
    assert f"source {fetched.pk}: changed: new source {revision.pk}" in out
    call_command("refetch")
    assert f"source {fetched.pk}: unchanged" in capsys.readouterr().out


def test_a_reanchoring_is_never_changed(page, fetched):
    page.body = SECOND
    refetch_source(fetched)
    record = Reanchoring.objects.first()
    with pytest.raises(DatabaseError), transaction.atomic():
        Reanchoring.objects.filter(pk=record.pk).update(score=0.5)


def test_the_change_counts_sentences_and_marks_words():
    old = "The bridge will reopen in June. Ferries run every 20 minutes."
    new = "The bridge will reopen in July. Ferries run every 20 minutes."
    diff = change(old, new)
    assert diff.sentences == 1
    assert "<del>June.</del><ins>July.</ins>" in diff.words
    assert change(old, old).sentences == 0
    hostile = change("<b>a</b>", "<script>x</script>")
    assert "<script>" not in hostile.words


def test_the_pages_show_the_change_and_the_orphan(page, fetched, reviewer, client):
    page.body = SECOND
    revision = refetch_source(fetched, by=reviewer).source
    old_page = client.get(f"/sources/{fetched.pk}/").content.decode()
    assert "changed after publication, 3 sentences" in old_page  # +1, ~1, -1
    assert "<del>" in old_page
    assert "<ins>4.3</ins>" in old_page or "4.3" in old_page
    new_page = client.get(f"/sources/{revision.pk}/").content.decode()
    assert "This is a revised version of" in new_page
    orphan = Reanchoring.objects.get(method="orphan")
    claim_page = client.get(f"/claims/{orphan.span.claim_id}/").content.decode()
    assert "were removed or changed in the revision" in claim_page


def test_the_desk_sees_orphans_and_refetches_from_the_admin(
    page, fetched, desk_user, client
):
    client.force_login(desk_user)
    page.body = SECOND
    response = client.post(
        "/admin/sources/source/",
        {"action": "refetch_selected", "_selected_action": [fetched.pk]},
        follow=True,
    )
    assert b"changed after publication" in response.content
    revision = Source.objects.exclude(pk=fetched.pk).get()
    source_page = client.get(f"/admin/sources/source/{fetched.pk}/change/")
    assert b"Changed after publication" in source_page.content
    assert b"could not be found in the revision" in source_page.content
    orphans = client.get("/admin/claims/orphan/")
    assert b"Ferries will run every 20 minutes" in orphans.content
    assert f"source {revision.pk}".encode() in orphans.content
