"""ClaimReview import (issue 25, part 5): `manage.py import_claimreview`.

Every review below is made up for these tests: the people, the desks and the
words are fictional."""

import datetime
import io
import json
import sys

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse

from claims import services
from claims.claimreview_reading import RATING_STATUSES, map_rating, rating_key
from claims.models import (
    Claim,
    Evidence,
    ImportedReview,
    Speaker,
    StatusChange,
)
from sources.models import Source

from .conftest import role_group
from .factories import SpeakerFactory, UserFactory

WORDS = "The Lakeside ferry carried 40,000 passengers in its first month."
OTHER_WORDS = "Riverton's new library opened with 2 million books on its shelves."


def review(words=WORDS, **overrides):
    """A ClaimReview as a fact-checker's page would give it."""
    item = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": "https://factdesk.example/checks/lakeside-ferry",
        "claimReviewed": words,
        "datePublished": "2026-02-10",
        "author": {"@type": "Organization", "name": "Fictional Fact Desk"},
        "reviewRating": {
            "@type": "Rating",
            "alternateName": "False",
            "ratingExplanation": "The harbour log shows about 14,000 passengers.",
        },
        "itemReviewed": {
            "@type": "Claim",
            "author": {
                "@type": "Person",
                "name": "Mara Quell",
                "jobTitle": "harbour commissioner",
            },
            "datePublished": "2026-01-28",
            "appearance": [
                "https://video.example/watch/quell-ferry",
                {"@type": "CreativeWork", "url": "https://news.example/ferry-launch"},
            ],
        },
    }
    item.update(overrides)
    return item


def run(*args, expect_refused=False):
    """Run the command; its stdout (and the error, if it exits non-zero)."""
    out = io.StringIO()
    if expect_refused:
        with pytest.raises(CommandError) as error:
            call_command("import_claimreview", *args, "--quiet", stdout=out)
        return out.getvalue(), str(error.value)
    call_command("import_claimreview", *args, "--quiet", stdout=out)
    return out.getvalue()


@pytest.fixture
def write(tmp_path):
    def make(document, name="reviews.json"):
        path = tmp_path / name
        text = document if isinstance(document, str) else json.dumps(document)
        path.write_text(text, encoding="utf-8")
        return str(path)

    return make


def page(*blocks):
    scripts = "".join(
        f'<script type="application/ld+json">{block}</script>' for block in blocks
    )
    return (
        "<!doctype html><html><head><title>Fact check</title>"
        '<script>var notJsonLd = "{";</script>'
        f"{scripts}</head><body><p>Our verdict.</p></body></html>"
    )


# --- what an item becomes ------------------------------------------------------


def test_page_markup_becomes_a_proposed_claim_with_every_field(write, db):
    article = {"@context": "https://schema.org", "@type": "NewsArticle"}
    out = run(write(page(json.dumps(article), json.dumps(review())), "check.html"))
    claim = Claim.objects.get()
    assert f"item 1: imported: claim {claim.pk}, refuted (rated 'False')" in out
    assert "1 imported (0 with a rating not mapped)" in out
    assert "1 item(s) that are not ClaimReview ignored" in out
    assert claim.text == WORDS
    assert (claim.kind, claim.attribution) == ("fact", "indirect")
    assert (claim.review, claim.status) == ("proposed", "refuted")
    assert claim.speaker.name == "Mara Quell"
    assert claim.speaker_title == "harbour commissioner"
    assert (claim.stated_on, claim.stated_on_precision) == (
        datetime.date(2026, 1, 28),
        "day",
    )
    # The words are a fact-check source's text, and the span covers all of it.
    (span,) = claim.spans.all()
    source = span.source
    assert (source.kind, source.text) == ("fact_check", WORDS)
    assert source.url == "https://factdesk.example/checks/lakeside-ferry"
    assert source.publisher.name == "Fictional Fact Desk"
    assert source.published_on == datetime.date(2026, 2, 10)
    assert source.title == WORDS
    assert (span.role, span.start, span.end) == ("content", 0, len(source.text))
    assert source.text[span.start : span.end] == span.exact == WORDS


def test_the_verdict_is_sourced_and_the_appearances_cited(write, db):
    run(write([review()]))
    claim = Claim.objects.get()
    entry = claim.ledger.order_by("id").last()
    assert (entry.from_status, entry.to_status) == ("unverified", "refuted")
    for part in (
        '"False"',
        "no numeric scale given",
        "Fictional Fact Desk",
        "2026-02-10",
        "https://factdesk.example/checks/lakeside-ferry",
        "The harbour log shows about 14,000 passengers.",
    ):
        assert part in entry.rationale
    (verdict,) = entry.evidence.all()
    assert (verdict.stance, verdict.source.kind) == ("refutes", "fact_check")
    # The fact-check itself, not the words' source another review may share.
    assert verdict.source.url == "https://factdesk.example/checks/lakeside-ferry"
    assert verdict.source.text == ""
    assert verdict.source.publisher.name == "Fictional Fact Desk"
    appearances = claim.evidence.filter(status_change=None).order_by("id")
    assert [(e.stance, e.source.url, e.source.text) for e in appearances] == [
        ("context", "https://video.example/watch/quell-ferry", ""),
        ("context", "https://news.example/ferry-launch", ""),
    ]
    kept = ImportedReview.objects.get(claim=claim)
    assert kept.rating["alternateName"] == "False"
    assert kept.item["claimReviewed"] == WORDS
    assert kept.mapped_status == "refuted"
    assert kept.fact_checker == "Fictional Fact Desk"
    assert kept.imported_by.username == "claimtrack-importer"


def test_what_is_imported_passes_the_provenance_audit(write, db):
    unmapped = {"@type": "Rating", "alternateName": "Misleading"}
    other = review(OTHER_WORDS, reviewRating=unmapped, itemReviewed={})
    run(write([review(), other]))
    out = io.StringIO()
    call_command("verify_provenance", stdout=out)  # raises on a problem
    assert Claim.objects.count() == 2


def test_a_list_is_imported_and_other_items_counted(write, db):
    other = review(OTHER_WORDS, url="https://factdesk.example/checks/library")
    out = run(write([review(), {"@type": "WebPage"}, other]))
    assert "item 2: imported" in out
    assert "2 imported" in out
    assert "1 item(s) that are not ClaimReview ignored" in out
    assert set(Claim.objects.values_list("text", flat=True)) == {WORDS, OTHER_WORDS}


def test_a_data_feed_with_its_items(write, db):
    third = "The Eastgate tunnel cut commuting times by half."
    feed = {
        "@context": "https://schema.org",
        "@type": "DataFeed",
        "dataFeedElement": [
            review(),
            {"@type": "DataFeedItem", "item": review(OTHER_WORDS)},
            {
                "@type": "DataFeedItem",
                "item": [review(third, **{"@type": ["ClaimReview", "Review"]})],
            },
        ],
    }
    out = run(write(feed))
    assert "3 imported" in out
    assert Claim.objects.filter(text=third).exists()


def test_a_graph(write, db):
    graph = {
        "@context": "https://schema.org",
        "@graph": [{"@type": "Organization", "name": "Fictional Fact Desk"}, review()],
    }
    out = run(write(graph))
    assert "1 imported" in out
    assert "1 item(s) that are not ClaimReview" in out
    assert Claim.objects.get().text == WORDS


def test_stdin(monkeypatch, db):
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(review())))
    out = run("-")
    assert "1 imported" in out
    assert Claim.objects.get().text == WORDS


def test_a_url_on_a_local_server(httpserver, settings, db):
    settings.CLAIMTRACK_FETCH_ALLOW_PRIVATE = True
    httpserver.expect_request("/feed.json").respond_with_data(
        json.dumps([review()]), content_type="application/ld+json"
    )
    out = run(httpserver.url_for("/feed.json"))
    assert "1 imported" in out
    assert Claim.objects.get().text == WORDS


def test_a_url_is_fetched_under_the_address_rules(httpserver, db):
    # Private addresses are refused unless CLAIMTRACK_FETCH_ALLOW_PRIVATE.
    httpserver.expect_request("/feed.json").respond_with_data(
        json.dumps([review()]), content_type="application/json"
    )
    with pytest.raises(CommandError, match="refused"):
        run(httpserver.url_for("/feed.json"))
    assert not Claim.objects.exists()


# --- the rating --------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(RATING_STATUSES))
def test_every_row_of_the_mapping_table(name):
    expected = RATING_STATUSES[name]
    assert map_rating({"alternateName": name}).status == expected
    # Case and punctuation do not matter.
    shouted = name.upper().replace(" ", "-") + "!"
    assert rating_key(shouted) == name
    assert map_rating({"alternateName": shouted}).status == expected


@pytest.mark.parametrize(
    ("rating", "status"),
    [
        ({"ratingValue": 5}, "confirmed"),
        ({"ratingValue": "3"}, "partly_confirmed"),
        ({"ratingValue": 1, "worstRating": 1, "bestRating": 5}, "refuted"),
        ({"ratingValue": 4}, None),
        ({"ratingValue": 2}, None),
        ({"ratingValue": 5, "bestRating": 10}, None),
        ({"ratingValue": 1, "worstRating": 0}, None),
        ({"ratingValue": "five"}, None),
        ({"alternateName": "Four Pinocchios", "ratingValue": 1}, None),
        # An unknown name: the fact-checker's own number, on a scale they state.
        (
            {
                "alternateName": "Falso",
                "ratingValue": 1,
                "worstRating": 1,
                "bestRating": 5,
            },
            "refuted",
        ),
        ({"alternateName": "Mostly true", "ratingValue": 5}, None),
        ({}, None),
        (None, None),
    ],
)
def test_numbers_on_a_one_to_five_scale_and_unmappable_ratings(rating, status):
    assert map_rating(rating).status == status


@pytest.mark.parametrize(
    ("name", "status", "stance"),
    [
        ("Correct", "confirmed", "supports"),
        ("Half-true", "partly_confirmed", "context"),
        ("Pants on Fire!", "refuted", "refutes"),
        ("Unverifiable", "unverifiable", "context"),
    ],
)
def test_each_verdict_is_recorded_with_its_stance(write, db, name, status, stance):
    run(write(review(reviewRating={"@type": "Rating", "alternateName": name})))
    claim = Claim.objects.get()
    assert claim.status == status
    assert claim.evidence.get(status_change__isnull=False).stance == stance
    assert f'"{name}"' in claim.ledger.get(to_status=status).rationale


def test_a_number_names_its_scale_in_the_rationale(write, db):
    rating = {"@type": "Rating", "ratingValue": 5, "worstRating": 1, "bestRating": 5}
    run(write(review(reviewRating=rating)))
    claim = Claim.objects.get()
    assert claim.status == "confirmed"
    assert "5 on a 1–5 scale" in claim.ledger.get(to_status="confirmed").rationale


def test_an_unmappable_rating_is_imported_unmoved_and_reported(write, db):
    rating = {"@type": "Rating", "alternateName": "Mostly True"}
    out = run(write(review(reviewRating=rating)))
    claim = Claim.objects.get()
    assert "rating not mapped: 'Mostly True'" in out
    assert "1 imported (1 with a rating not mapped)" in out
    assert claim.status == "unverified"
    assert claim.ledger.count() == 1
    kept = ImportedReview.objects.get(claim=claim)
    assert (kept.mapped_status, kept.rating["alternateName"]) == ("", "Mostly True")


# --- re-imports, dry runs, refusals ---------------------------------------------


def counts():
    return [
        model.objects.count()
        for model in (
            Claim,
            Source,
            Speaker,
            Evidence,
            StatusChange,
            ImportedReview,
            get_user_model(),
        )
    ]


def test_a_second_import_writes_nothing(write, db):
    path = write([review()])
    run(path)
    before = counts()
    claim = Claim.objects.get()
    out = run(path)
    assert f"item 1: already imported: claim {claim.pk} (refuted)" in out
    assert "0 imported" in out
    assert "1 already imported" in out
    assert counts() == before


def test_a_dry_run_checks_and_writes_nothing(write, db):
    before = counts()
    out = run(write([review(), review()]), "--dry-run")
    assert "item 1: would be imported: refuted" in out
    # What a real run would do: the repeat is already imported by then.
    assert "item 2: already imported" in out
    assert "1 would be imported (0 with a rating not mapped), 1 already" in out
    assert "Dry run: nothing was written." in out
    assert counts() == before


def test_a_refused_item_changes_nothing_and_the_others_go_on(write, db):
    items = [
        review(),
        review(claimReviewed="  "),
        review(OTHER_WORDS, itemReviewed={"datePublished": "28 January 2026"}),
        review(
            "The old mill will become a museum.",
            itemReviewed={"appearance": ["ftp://files.example/mill"]},
        ),
        # Refused by a service after the item's source was written: undone.
        review(
            "The harbour will double its moorings.",
            itemReviewed={"author": {"name": "\u202eleuQ araM"}},
        ),
        review(OTHER_WORDS, url="https://factdesk.example/checks/library"),
    ]
    out, error = run(write(items), expect_refused=True)
    assert "4 item(s) refused" in error
    assert "item 2: refused: claimReviewed: is required" in out
    assert "item 3: refused: itemReviewed.datePublished: must be a date" in out
    assert "item 4: refused: itemReviewed.appearance.0.url: must be an http(s) URL" in (
        out
    )
    assert "item 5: refused: itemReviewed.author.name: must not contain bidi" in out
    assert "2 imported" in out
    assert "4 refused" in out
    assert set(Claim.objects.values_list("text", flat=True)) == {WORDS, OTHER_WORDS}
    assert not Source.objects.filter(text__contains="moorings").exists()
    assert not Source.objects.filter(url="ftp://files.example/mill").exists()


def test_a_block_that_is_not_json_is_refused(write, db):
    out, error = run(
        write(page("{not json", json.dumps(review())), "check.html"),
        expect_refused=True,
    )
    assert "refused: JSON-LD block 1 is not JSON" in out
    assert "1 item(s) refused" in error
    assert Claim.objects.count() == 1


def test_a_document_without_claimreview_is_an_error(write, db):
    with pytest.raises(CommandError, match="no ClaimReview found"):
        run(write(page(json.dumps({"@type": "NewsArticle"})), "plain.html"))


# --- reviewed like any proposal -------------------------------------------------


def test_invisible_to_anonymous_readers_until_accepted(write, api, reviewer, db):
    run(write(review()))
    claim = Claim.objects.get()
    anonymous = api()
    assert anonymous.get(f"/api/v1/claims/{claim.pk}/").status_code == 404
    assert anonymous.get("/api/v1/claims/").json()["results"] == []
    assert anonymous.get("/api/v1/changes/").json()["results"] == []
    services.review_claim(claim=claim, decision="accept", by=reviewer)
    answer = anonymous.get(f"/api/v1/claims/{claim.pk}/")
    assert answer.status_code == 200
    assert answer.json()["status"] == "refuted"


def test_a_user_without_the_reviewer_role_is_refused(write, db):
    UserFactory(username="casey-contributor").groups.add(role_group("contributor"))
    with pytest.raises(CommandError, match="may not move statuses"):
        run(write(review()), "--as", "casey-contributor")
    with pytest.raises(CommandError, match="no user 'nobody'"):
        run(write(review()), "--as", "nobody")
    assert not Claim.objects.exists()


def test_a_reviewer_imports_as_themselves(write, reviewer, db):
    run(write(review()), "--as", reviewer.username)
    claim = Claim.objects.get()
    assert claim.created_by == reviewer
    assert ImportedReview.objects.get().imported_by == reviewer


# --- speaker, dates, words ---------------------------------------------------------


def test_a_known_speaker_is_reused_by_alias(write, db):
    known = SpeakerFactory(name="Mara Quell-Osei", aliases=["Mara Quell"])
    run(write(review()))
    assert Claim.objects.get().speaker == known
    assert Speaker.objects.count() == 1


def test_an_organization_author_is_a_new_organization(write, db):
    item = review(
        itemReviewed={"author": {"@type": "Organization", "name": "Lakeside Ferries"}}
    )
    run(write(item))
    speaker = Claim.objects.get().speaker
    assert (speaker.name, speaker.kind) == ("Lakeside Ferries", "organization")


def test_without_an_author_the_claim_is_hedged_with_no_speaker(write, db):
    run(write(review(itemReviewed={"datePublished": "2026-01-28"})))
    claim = Claim.objects.get()
    assert (claim.speaker, claim.attribution) == (None, "hedged")


@pytest.mark.parametrize(
    ("claimed", "stated_on", "precision"),
    [
        ({"datePublished": "2025"}, datetime.date(2025, 1, 1), "year"),
        ({"datePublished": "2025-11"}, datetime.date(2025, 11, 1), "month"),
        (
            {"datePublished": "2025-11-03T18:30:00-05:00"},
            datetime.date(2025, 11, 3),
            "day",
        ),
        (
            {
                "firstAppearance": {
                    "url": "https://news.example/a",
                    "datePublished": "2025-10",
                }
            },
            datetime.date(2025, 10, 1),
            "month",
        ),
        ({}, None, ""),
    ],
)
def test_the_date_and_its_precision(write, db, claimed, stated_on, precision):
    run(write(review(itemReviewed=claimed)))
    claim = Claim.objects.get()
    assert (claim.stated_on, claim.stated_on_precision) == (stated_on, precision)


def test_identical_words_already_stored_answer_with_that_source(write, source, db):
    run(write(review(source.text)))
    claim = Claim.objects.get()
    (span,) = claim.spans.all()
    assert span.source == source
    assert (span.start, span.end) == (0, len(source.text))
    # The verdict cites the fact-check, never the article that said the words.
    (verdict,) = claim.ledger.order_by("id").last().evidence.all()
    assert verdict.source != source


def test_two_fact_checkers_reviewing_the_same_words_are_two_imports(write, db):
    first = review()
    second = review(
        author={"@type": "Organization", "name": "Another Desk"},
        reviewRating={"@type": "Rating", "alternateName": "True"},
    )
    del first["url"], second["url"]  # a review need not give one
    out = run(write([first, second]))
    assert "2 imported" in out
    assert sorted(Claim.objects.values_list("status", flat=True)) == [
        "confirmed",
        "refuted",
    ]


def test_a_lone_surrogate_refuses_its_item_and_the_others_go_on(write, db):
    document = json.dumps([review(), review(OTHER_WORDS)])
    broken = document.replace('"Mara Quell"', '"Mara \\ud800Quell"', 1)
    out, _error = run(write(broken), expect_refused=True)
    assert "item 1: refused: item: must be valid Unicode" in out
    assert "1 imported" in out
    assert Claim.objects.get().text == OTHER_WORDS


def test_an_appearance_url_already_stored_is_reused(write, db):
    run(write([review()]))
    run(write([review(OTHER_WORDS, url="https://factdesk.example/checks/library")]))
    assert (
        Source.objects.filter(url="https://video.example/watch/quell-ferry").count()
        == 1
    )


def test_the_admin_shows_the_original_rating(write, admin_client, db):
    run(write(review()))
    claim = Claim.objects.get()
    page = admin_client.get(reverse("admin:claims_claim_change", args=[claim.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Imported ClaimReview" in html
    assert "The harbour log shows about 14,000 passengers." in html
    # A claim typed in by hand has no such section.
    other = services.propose_claim(
        text="The ferry runs hourly.",
        kind="fact",
        attribution="narrator",
        spans=[services.SpanInput(source=claim.spans.get().source, start=4, end=10)],
        by=claim.created_by,
    )
    page = admin_client.get(reverse("admin:claims_claim_change", args=[other.pk]))
    assert page.status_code == 200
    assert "Imported ClaimReview" not in page.content.decode()


def test_an_imported_claim_is_edited_in_the_admin_as_any(write, admin_client, db):
    run(write(review()))
    claim = Claim.objects.get()
    url = reverse("admin:claims_claim_change", args=[claim.pk])
    management = {
        f"{prefix}-{name}": value
        for prefix, total in (("spans", 1), ("imported_reviews", 1))
        for name, value in (
            ("TOTAL_FORMS", total),
            ("INITIAL_FORMS", total),
            ("MIN_NUM_FORMS", 0),
            ("MAX_NUM_FORMS", 1000),
        )
    }
    answer = admin_client.post(
        url,
        {
            "text": "The Lakeside ferry carried 40,000 passengers in May.",
            "kind": "fact",
            "attribution": "indirect",
            "speaker": claim.speaker_id,
            "speaker_title": claim.speaker_title,
            "stated_on": "2026-01-28",
            "stated_on_precision": "day",
            "expected_version": claim.version,
            "spans-0-id": claim.spans.get().pk,
            "spans-0-claim": claim.pk,
            "imported_reviews-0-id": ImportedReview.objects.get().pk,
            "imported_reviews-0-claim": claim.pk,
            **management,
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:3000]
    claim.refresh_from_db()
    assert claim.text.endswith("in May.")
