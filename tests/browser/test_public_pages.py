"""The public tracker pages in Chromium: what a reader sees, at phone and desktop
widths, with and without JavaScript."""

import datetime
import re

import extruct
import pytest
from playwright.sync_api import expect

from claims import services
from claims.models import Claim, Span, Status
from sources.services import create_source

from ..factories import UserFactory

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def context_page(browser):
    """context_page(**options): a page in a browser context of its own (another
    viewport, JavaScript off), closed after the test."""
    contexts = []

    def make(**options):
        context = browser.new_context(locale="en-US", **options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield make
    for context in contexts:
        context.close()


def refute_with_evidence(claim, reviewer):
    """Move ``claim`` to refuted through the service, citing words of a new report."""
    report = create_source(
        text=(
            "As of 30 November 2026 no Starlink service has launched in Pakistan; "
            "the licence is still pending."
        ),
        title="Telecom regulator update",
        kind="official_document",
        language="en",
        published_on=datetime.date(2026, 11, 30),
        by=reviewer,
    ).source
    words = "no Starlink service has launched in Pakistan"
    start = report.text.index(words)
    services.change_status(
        claim=claim,
        to_status=Status.REFUTED,
        rationale="The deadline passed and the regulator says no service launched.",
        by=reviewer,
        expected_version=claim.version,
        evidence=[
            services.EvidenceInput(
                source=report,
                stance="refutes",
                start=start,
                end=start + len(words),
                exact=words,
            )
        ],
    )
    return report, words


def test_every_page_renders_with_the_seed_data_at_phone_and_desktop_widths(
    live_server, seeded, context_page, screenshot
):
    services.mark_overdue()  # as the hourly sweep would have
    claim = Claim.objects.get(text__startswith="Starlink will launch")
    assert claim.status == Status.OVERDUE
    pages = {
        "tracker": "/",
        "claim": f"/claims/{claim.pk}/",
        "source": f"/sources/{seeded.pk}/",
        "speaker": f"/speakers/{claim.speaker_id}/",
        "search": "/search/?q=satellite",
        "claims": "/claims/",
        "speakers": "/speakers/",
        "sources": "/sources/",
    }
    for size, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        page = context_page(viewport=viewport)
        for name, path in pages.items():
            response = page.goto(f"{live_server.url}{path}")
            assert response.status == 200, path
            expect(page.locator("main h1")).to_be_visible()
            assert page.locator("html").get_attribute("lang") == "en"
            # Nothing wider than the screen: the page never scrolls sideways.
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - window.innerWidth"
            )
            assert overflow <= 0, f"{name} at {size} is {overflow}px too wide"
            screenshot(page, f"public-{name}-{size}")
        page.goto(f"{live_server.url}/")
        expect(page.get_by_role("heading", name="Claims by status")).to_be_visible()
        overdue = page.locator("section", has=page.locator("#overdue-heading"))
        expect(overdue).to_contain_text(claim.text)
        expect(overdue).to_contain_text("overdue by")


def test_each_highlight_on_a_source_page_covers_exactly_its_words(
    page, live_server, seeded
):
    page.goto(f"{live_server.url}/sources/{seeded.pk}/")
    spans = list(Span.objects.filter(source=seeded, claim__review="accepted"))
    assert len(spans) >= 18
    for span in spans:
        element = page.locator(f'.source-text [data-span="{span.pk}"]')
        assert element.count() == 1, span
        assert element.text_content() == span.exact
        assert element.get_attribute("data-status") == span.claim.status
    # The whole text reads as the source, highlights included.
    assert page.locator(".source-text").text_content() == seeded.text
    # A content highlight is a link to its claim, reachable by keyboard.
    content = next(s for s in spans if s.role == "content")
    link = page.locator(f'a[data-span="{content.pk}"]')
    assert link.get_attribute("href") == f"/claims/{content.claim_id}/"
    link.focus()
    assert page.evaluate("document.activeElement.dataset.span") == str(content.pk)
    # Keyboard: the skip link comes first, and the focus is always visible.
    page.goto(f"{live_server.url}/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == (
        "solid"
    )


def test_the_timeline_shows_a_status_change_with_its_evidence(
    page, live_server, seeded, screenshot
):
    reviewer = UserFactory(username="public-reviewer")
    claim = Claim.objects.get(text__startswith="Starlink will launch")
    report, words = refute_with_evidence(claim, reviewer)
    page.goto(f"{live_server.url}/claims/{claim.pk}/")
    expect(page.locator(".verdict")).to_contain_text("Refuted")
    last = page.locator(".timeline > li").last
    expect(last).to_contain_text("Refuted")
    expect(last).to_contain_text("the regulator says no service launched")
    expect(last.locator(".stance")).to_have_text("Refutes")
    expect(last.locator("mark.cited-words")).to_have_text(words)
    screenshot(page, "public-claim-timeline")
    last.get_by_role("link", name="Telecom regulator update").click()
    page.wait_for_url(f"**/sources/{report.pk}/**")
    expect(page.locator(".evidence-item")).to_contain_text(claim.text)


def test_the_json_ld_a_consumer_extracts_is_a_complete_claim_review(
    page, live_server, seeded
):
    reviewer = UserFactory(username="public-reviewer")
    claim = Claim.objects.get(text__startswith="Starlink will launch")
    refute_with_evidence(claim, reviewer)
    url = f"{live_server.url}/claims/{claim.pk}/"
    page.goto(url)
    data = extruct.extract(page.content(), base_url=url, syntaxes=["json-ld"])
    (review,) = data["json-ld"]
    assert review["@context"] == "https://schema.org"
    assert review["@type"] == "ClaimReview"
    assert review["url"] == url
    assert review["claimReviewed"]
    assert len(review["claimReviewed"]) < 75
    assert review["reviewRating"]["alternateName"] == "False"
    assert review["reviewRating"]["ratingValue"] == 1
    verdict = claim.ledger.order_by("id").last()
    assert review["datePublished"] == verdict.changed_at.date().isoformat()
    assert review["reviewBody"] == verdict.rationale
    assert review["author"]["name"]
    item = review["itemReviewed"]
    assert item["@type"] == "Claim"
    assert item["author"] == {
        "@type": "Person",
        "name": "Shaza Fatima Khawaja",
        "jobTitle": "state minister",
    }
    assert item["datePublished"] == "2025-04-01"
    assert item["firstAppearance"]["url"] == f"{live_server.url}/sources/{seeded.pk}/"
    assert item["firstAppearance"]["datePublished"] == "2025-04-22"
    # A claim with no verdict carries none.
    pending = Claim.objects.accepted().filter(status="unverified").first()
    page.goto(f"{live_server.url}/claims/{pending.pk}/")
    assert extruct.extract(page.content(), syntaxes=["json-ld"])["json-ld"] == []


def test_a_source_containing_html_shows_it_as_text(page, live_server, propose):
    hostile = (
        "The minister said <script>document.title='pwned'</script> that "
        "<b>“the bridge will reopen”</b> & more."
    )
    reviewer = UserFactory(username="public-reviewer")
    source = create_source(
        text=hostile, title="<i>Hostile</i> page", by=reviewer
    ).source
    words = "<b>“the bridge will reopen”</b>"
    start = hostile.index(words)
    claim = propose(
        spans=[services.SpanInput(source=source, start=start, end=start + len(words))]
    )
    services.review_claim(claim=claim, decision="accept", by=reviewer)
    page.goto(f"{live_server.url}/sources/{source.pk}/")
    assert page.title() != "pwned"
    expect(page.locator("main h1")).to_have_text("<i>Hostile</i> page")
    assert page.locator(".source-text").text_content() == hostile
    assert page.locator(".source-text script, .source-text b").count() == 0
    expect(page.locator(f'[data-span="{claim.spans.get().pk}"]')).to_have_text(words)
    page.goto(f"{live_server.url}/claims/{claim.pk}/")
    assert page.title() != "pwned"
    expect(page.locator(".excerpt mark.role-content")).to_have_text(words)


def test_search_works_with_javascript_off(live_server, seeded, context_page):
    page = context_page(viewport=DESKTOP, java_script_enabled=False)
    page.goto(f"{live_server.url}/")
    page.get_by_label("Search the claims").fill("Starlink")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r".*/search/\?q=Starlink$"))
    results = page.locator(".results .claim-link")
    starlink = Claim.objects.accepted().filter(text__icontains="Starlink")
    expect(results).to_have_count(starlink.count())
    expect(results.filter(has_text="Starlink will launch")).to_have_count(1)
    # The filters: status and a date range, through the form.
    page.get_by_label("Words").fill("")
    page.get_by_label("Status").select_option("confirmed")
    page.get_by_label("Said from").fill("2025-01-01")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r".*/search/\?.*status=confirmed"))
    confirmed = set(
        Claim.objects.accepted()
        .filter(status="confirmed", stated_on__gte="2025-01-01")
        .values_list("text", flat=True)
    )
    assert set(page.locator(".results .claim-link").all_inner_texts()) == confirmed
    # A bad date is answered with the reason, on its field.
    page.goto(f"{live_server.url}/search/?said_from=2025-02-30")
    expect(page.locator(".field-said_from .field-error")).to_be_visible()


def test_the_copy_link_button_copies_the_claim_s_address(
    live_server, propose, context_page
):
    reviewer = UserFactory(username="share-reviewer")
    claim = services.review_claim(claim=propose(), decision="accept", by=reviewer)
    url = f"{live_server.url}/claims/{claim.pk}/"
    page = context_page(viewport=PHONE)
    page.context.grant_permissions(
        ["clipboard-read", "clipboard-write"], origin=live_server.url
    )
    page.goto(url)
    page.get_by_role("button", name="Copy link").click()
    expect(page.get_by_role("status")).to_have_text("Link copied.")
    assert page.evaluate("navigator.clipboard.readText()") == url
    # Without JavaScript the button stays hidden; the link is there to copy.
    quiet = context_page(viewport=PHONE, java_script_enabled=False)
    quiet.goto(url)
    expect(quiet.get_by_role("button", name="Copy link")).to_have_count(0)
    expect(quiet.get_by_label("Link")).to_have_value(url)
