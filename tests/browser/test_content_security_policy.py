"""The Content Security Policy in Chromium: every kind of page still works under
it, and the browser reports no violation (docs/SECURITY.md)."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from claims import services
from sources.services import create_source

from ..factories import PASSWORD, SpeakerFactory, UserFactory

# Collects what the policy blocked, before any of the page's own code runs.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"}` +
    ` at ${event.sourceFile || document.location.pathname}:${event.lineNumber}`
  );
});
"""


@pytest.fixture
def visit(page):
    """visit(url): open it, let it settle, and keep what the policy blocked
    there in visit.violations."""
    page.add_init_script(RECORD_VIOLATIONS)
    console = []

    def on_console(message):
        if "Content Security Policy" in message.text:
            console.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: console.append(f"page error: {error}"))

    def go(url):
        response = page.goto(url)
        page.wait_for_load_state("networkidle")
        blocked = page.evaluate("window.__cspViolations || []") + console
        go.violations += [f"{url}: {what}" for what in blocked]
        console.clear()
        return response

    go.violations = []
    return go


@pytest.fixture
def accepted(db):
    reviewer = UserFactory(username="rita-csp")
    source = create_source(
        text="Mayor Okafor said the bridge “will reopen by June”.",
        title="Bridge works",
        published_on=datetime.date(2025, 3, 10),
        by=reviewer,
    ).source
    start = source.text.index("will reopen by June")
    claim = services.propose_claim(
        text="The bridge will reopen by June 2025.",
        kind="prediction",
        attribution="direct_quote",
        speaker=SpeakerFactory(name="Zoë Okafor"),
        due_on=datetime.date(2025, 6, 30),
        due_on_precision="month",
        spans=[
            services.SpanInput(
                source=source, start=start, end=start + 19, role="content"
            )
        ],
        by=UserFactory(username="pat-csp"),  # four eyes: not the reviewer
    )
    return services.review_claim(claim=claim, decision="accept", by=reviewer), source


def test_the_public_pages_break_no_rule(live_server, visit, accepted):
    claim, source = accepted
    for path in (
        "/",
        f"/claims/{claim.pk}/",
        f"/sources/{source.pk}/",
        "/search/?q=bridge",
        "/claims/",
        "/speakers/",
        "/sources/",
    ):
        response = visit(f"{live_server.url}{path}")
        assert "default-src 'self'" in response.headers["content-security-policy"]
    assert visit.violations == []


def test_the_admin_works_under_the_policy(
    page, live_server, admin_login, visit, accepted
):
    claim, source = accepted
    get_user_model().objects.create_superuser(
        username="ada-csp", email="ada@example.org", password=PASSWORD
    )
    admin_login(page, live_server, "ada-csp", PASSWORD)
    for path in (
        "/admin/",
        f"/admin/claims/claim/{claim.pk}/change/",
        f"/admin/claims/claim/{claim.pk}/status/",
        f"/admin/claims/claim/{claim.pk}/relate/",
        f"/admin/claims/claim/{claim.pk}/history/",
        f"/admin/sources/source/{source.pk}/change/",
        "/admin/sources/source/add/",
        "/admin/claims/speaker/",
        "/admin/claims/claim/",
    ):
        visit(f"{live_server.url}{path}")
    # The admin's own scripts ran: the change list's "select all" works.
    page.check("#action-toggle")
    expect(page.locator("input.action-select").first).to_be_checked()
    assert visit.violations == []


def test_the_api_docs_and_the_browsable_api_work_under_the_policy(
    page, live_server, visit, accepted
):
    visit(f"{live_server.url}/api/docs/")
    # Swagger UI (from our static files) fetched the schema and drew it.
    expect(page.locator(".opblock-tag-section").first).to_be_visible(timeout=15_000)
    expect(page.locator(".opblock").first).to_be_visible()
    visit(f"{live_server.url}/api/v1/claims/")
    expect(page.locator(".response-info")).to_be_visible()
    assert visit.violations == []


def test_the_browsable_apis_forms_break_no_rule(
    page, live_server, visit, accepted, admin_login
):
    """Issue 20, 11: the forms of nested fields (a claim's spans, a status
    change's evidence) carried inline styles the policy blocks."""
    from django.contrib.auth.models import Group

    from ..conftest import role_group

    reviewer = UserFactory(username="rhea-csp", is_staff=True)
    reviewer.groups.add(role_group("reviewer"))
    assert Group.objects.filter(name="reviewer").exists()
    admin_login(page, live_server, reviewer.username, PASSWORD)
    claim, _ = accepted
    visit(f"{live_server.url}/api/v1/claims/")
    expect(page.locator("form").first).to_be_attached()
    visit(f"{live_server.url}/api/v1/claims/{claim.pk}/status/")
    visit(f"{live_server.url}/api/v1/sources/")
    assert visit.violations == []
