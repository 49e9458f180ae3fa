"""Watching a claim in Chromium, as a reader would: from the claim's page,
through the sign-in, to the email and its one-click unsubscribe."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from claims import watching
from claims.models import Claim, Watch

from ..factories import PASSWORD, UserFactory
from ..test_webhooks import wait_for_the_feed
from .test_public_pages import refute_with_evidence


@pytest.mark.django_db(transaction=True)
def test_a_reader_watches_a_claim_is_told_and_unsubscribes(
    page, live_server, seeded, admin_login, settings, screenshot
):
    settings.CLAIMTRACK_SITE_URL = live_server.url
    reader = UserFactory(username="wren-reader", is_staff=True)
    claim = Claim.objects.get(text__startswith="Starlink will launch")

    # The claim's page links to watching; that asks for a sign-in first.
    page.goto(f"{live_server.url}/claims/{claim.pk}/")
    page.get_by_role("link", name="Watch this claim").click()
    expect(page.locator("#id_username")).to_be_visible()
    page.fill("#id_username", reader.username)
    page.fill("#id_password", PASSWORD)
    page.locator('#login-form [type="submit"]').click()
    page.wait_for_url(f"**/watching/claim/{claim.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Watch this claim?")
    page.get_by_role("button", name="Watch").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You watch this claim")
    assert Watch.objects.filter(user=reader, claim=claim).exists()
    screenshot(page, "watch-claim")

    # A verdict: the watcher is emailed, with a one-click unsubscribe link.
    # (Sent at commit, unless another process's transaction holds the
    # PostgreSQL feed back, as CI's other half may: then on the next run,
    # which the scheduler would make.)
    refute_with_evidence(claim, UserFactory(username="watch-reviewer"))
    wait_for_the_feed()
    watching.notify_due()
    (sent,) = [m for m in mail.outbox if m.to == [reader.email]]
    assert "refuted" in sent.subject
    unsubscribe = sent.extra_headers["List-Unsubscribe"].strip("<>")

    # Opening the link changes nothing; its one button stops the watch.
    page.goto(unsubscribe)
    expect(page.locator("main")).to_contain_text("Starlink will launch")
    assert Watch.objects.filter(user=reader, claim=claim).exists()
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("status")).to_contain_text("no longer watching")
    assert not Watch.objects.filter(user=reader, claim=claim).exists()
