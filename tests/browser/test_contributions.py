"""A contributor's new appearance of an accepted claim, through review, in Chromium."""

import datetime

from django.contrib.auth.models import Group
from knox.models import AuthToken
from playwright.sync_api import expect

from claims import services
from claims.models import Span, SpanRole, Speaker
from sources.services import create_source

from ..factories import PASSWORD, UserFactory

FIRST = "Port Minister Ada Rusu said the new quay “will be finished by May”."
LATER = (
    "A week on, Rusu repeated that the quay will be finished by May, "
    "in a radio interview."
)


def desk_user(username, role):
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


def test_a_contributors_appearance_is_public_only_once_a_reviewer_accepts_it(
    page, live_server, admin_login, screenshot
):
    contributor = desk_user("cora-contributor", "contributor")
    reviewer = desk_user("remi-reviewer", "reviewer")
    first = create_source(
        text=FIRST,
        title="Quay plans",
        published_on=datetime.date(2025, 2, 3),
        by=contributor,
    ).source
    words = "will be finished by May"
    start = FIRST.index(words)
    claim = services.propose_claim(
        text="The new quay will be finished by May 2025.",
        kind="prediction",
        attribution="direct_quote",
        speaker=Speaker.objects.create(name="Ada Rusu"),
        due_on=datetime.date(2025, 5, 1),
        due_on_precision="month",
        spans=[services.SpanInput(first, start, start + len(words), SpanRole.CONTENT)],
        by=contributor,
    )
    services.review_claim(claim=claim, decision="accept", by=reviewer)

    # The contributor reports a later appearance through the API.
    token = AuthToken.objects.create(contributor)[1]
    headers = {"Authorization": f"Token {token}"}
    created = page.request.post(
        f"{live_server.url}/api/v1/sources/",
        headers=headers,
        data={"text": LATER, "title": "Radio interview with Rusu"},
    )
    assert created.status in (200, 201), created.text()
    later_id = created.json()["id"]
    start = LATER.index("the quay will be finished by May")
    added = page.request.post(
        f"{live_server.url}/api/v1/claims/{claim.pk}/spans/",
        headers=headers,
        data={"source": later_id, "start": start, "end": start + 32},
    )
    assert added.status == 201, added.text()
    span = Span.objects.get(claim=claim, source_id=later_id)
    assert span.review == "proposed"

    # Readers do not see it yet.
    page.goto(f"{live_server.url}/claims/{claim.pk}/")
    expect(page.locator("main")).to_contain_text("Quay plans")
    expect(page.locator("main")).not_to_contain_text("Radio interview with Rusu")

    # A reviewer accepts it from the queue of appearances to review.
    admin_login(page, live_server, reviewer.username, PASSWORD)
    page.goto(f"{live_server.url}/admin/claims/queuedspan/")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.nth(0)).to_contain_text("the quay will be finished by May")
    screenshot(page, "appearances-to-review")
    rows.nth(0).locator("input.action-select").check()
    page.select_option("select[name=action]", "accept_selected")
    page.locator("button[name=index], input[name=index]").first.click()
    expect(page.locator(".messagelist")).to_contain_text("Accepted 1 item(s).")
    span.refresh_from_db()
    assert span.review == "accepted"
    assert span.reviewed_by == reviewer

    # Now readers see the appearance.
    page.goto(f"{live_server.url}/claims/{claim.pk}/")
    expect(page.locator("main")).to_contain_text("Radio interview with Rusu")
    screenshot(page, "claim-with-accepted-appearance")
