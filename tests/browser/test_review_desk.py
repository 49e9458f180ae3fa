"""The review desk in Chromium: what a reviewer and a contributor do all day."""

import datetime
import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from claims import services
from claims.models import Claim, Evidence, SpanRole, Speaker
from sources.services import create_source

from ..factories import PASSWORD, UserFactory
from .conftest import list_overflow

ARTICLE = (
    "Harbour Minister Ines Varga said on Monday that the new ferry terminal "
    "“will open before the summer”.\n"
    "Varga added that fares would stay at €2 🚢 for a year.\n"
    "Critics said the <b>budget</b> <script>alert('x')</script> was unrealistic."
)
REPORT = (
    "The ferry terminal opened on 11 July 2025, three weeks late, "
    "the port authority said."
)


def desk_user(role):
    user = UserFactory(username=f"{role}-ines", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def desk_world(db):
    """A source with three proposed claims, and a report to cite as evidence."""
    author = desk_user("contributor")
    article = create_source(
        text=ARTICLE,
        title="Terminal plans",
        kind="news_article",
        language="en",
        published_on=datetime.date(2025, 3, 3),
        by=author,
    ).source
    report = create_source(text=REPORT, title="Port authority report", by=author).source
    speaker = Speaker.objects.create(name="Ines Varga", kind="person")

    def span(words):
        start = article.text.index(words)
        return services.SpanInput(
            source=article, start=start, end=start + len(words), role=SpanRole.CONTENT
        )

    claims = [
        services.propose_claim(
            text="The ferry terminal will open before summer 2025.",
            kind="prediction",
            attribution="direct_quote",
            speaker=speaker,
            speaker_title="Harbour Minister",
            stated_on=datetime.date(2025, 3, 3),
            stated_on_precision="day",
            due_on=datetime.date(2025, 6, 20),
            due_on_precision="day",
            due_text="before the summer",
            spans=[span("will open before the summer")],
            by=author,
        ),
        services.propose_claim(
            text="Ferry fares will stay at €2 for a year.",
            kind="promise",
            attribution="indirect",
            speaker=speaker,
            spans=[span("fares would stay at €2 🚢 for a year")],
            by=author,
        ),
        services.propose_claim(
            text="Critics call the budget unrealistic.",
            kind="opinion",
            attribution="hedged",
            spans=[span("was unrealistic")],
            by=author,
        ),
    ]
    return {"article": article, "report": report, "claims": claims, "author": author}


def select_words(page, container, words):
    """Select ``words`` inside ``container`` as a mouse would (a DOM selection
    spanning its text nodes), then release the mouse there."""
    page.evaluate(
        """([selector, words]) => {
            const root = document.querySelector(selector);
            const start = root.textContent.indexOf(words);
            if (start < 0) throw new Error("words not in the text: " + words);
            const end = start + words.length;
            const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
            let seen = 0, node, range = document.createRange();
            while ((node = walker.nextNode())) {
                const length = node.data.length;
                if (start >= seen && start <= seen + length) range.setStart(node, start - seen);
                if (end >= seen && end <= seen + length) { range.setEnd(node, end - seen); break; }
                seen += length;
            }
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
            root.dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
        }""",
        [container, words],
    )


def test_a_reviewer_works_the_queue(
    page, live_server, admin_login, screenshot, desk_world
):
    reviewer = desk_user("reviewer")
    first, second, third = desk_world["claims"]
    admin_login(page, live_server, reviewer.username, PASSWORD)

    # The queue: oldest first, with the quoted words.
    page.goto(f"{live_server.url}/admin/claims/queuedclaim/")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 3
    assert "will open before the summer" in rows.nth(0).inner_text()
    screenshot(page, "review-queue")

    # Open the first claim and accept it.
    rows.nth(0).locator("a", has_text="The ferry terminal").click()
    expect(
        page.locator(".ct-span mark", has_text="will open before the summer")
    ).to_be_visible()
    screenshot(page, "claim-page")
    page.get_by_role("button", name="Accept", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("Accepted #")
    assert Claim.objects.get(pk=first.pk).review == "accepted"

    # Accept and next: from the second claim straight to the third.
    page.goto(f"{live_server.url}/admin/claims/claim/{second.pk}/change/")
    page.get_by_role("button", name="Accept and next").click()
    page.wait_for_url(f"**/admin/claims/claim/{third.pk}/change/")
    assert Claim.objects.get(pk=second.pk).review == "accepted"

    # Change the first claim's status, citing words selected in the report.
    page.goto(f"{live_server.url}/admin/claims/claim/{first.pk}/change/")
    page.get_by_role("link", name="Change status").click()
    page.wait_for_url("**/status/")
    offered = page.locator("#id_status option").all_inner_texts()
    assert "Overdue" not in offered
    assert "Confirmed" in offered
    page.select_option("#id_status", "refuted")
    page.fill("#id_rationale", "It opened on 11 July, three weeks after the deadline.")
    page.locator(".field-evidence_source .select2-selection").click()
    page.locator(".select2-search__field").fill("Port authority")
    page.locator(".select2-results__option", has_text="Port authority report").click()
    page.locator(".ct-source-text").wait_for()
    select_words(page, ".ct-source-text", "opened on 11 July 2025, three weeks late")
    assert (
        page.input_value("#id_evidence_exact")
        == "opened on 11 July 2025, three weeks late"
    )
    page.select_option("#id_evidence_stance", "refutes")
    page.get_by_role("button", name="Change status").click()

    # The ledger shows the move, the rationale and the cited words.
    expect(page.locator(".messagelist")).to_contain_text("is now refuted")
    ledger = page.locator(".ct-ledger").inner_text()
    assert "pending → refuted" in ledger
    assert "opened on 11 July 2025, three weeks late" in ledger
    evidence = Evidence.objects.get(claim=first)
    assert (evidence.start, evidence.end) == (
        REPORT.index("opened"),
        REPORT.index("opened") + len("opened on 11 July 2025, three weeks late"),
    )


def test_a_refused_status_change_shows_on_the_field(
    page, live_server, admin_login, desk_world
):
    reviewer = desk_user("reviewer")
    claim = desk_world["claims"][0]
    admin_login(page, live_server, reviewer.username, PASSWORD)
    page.goto(f"{live_server.url}/admin/claims/claim/{claim.pk}/status/")
    page.select_option("#id_status", "confirmed")
    page.fill("#id_rationale", "It opened.")
    page.get_by_role("button", name="Change status").click()
    expect(page.locator(".field-evidence_source .errorlist")).to_contain_text(
        "needs at least one piece of evidence"
    )
    assert Claim.objects.get(pk=claim.pk).status == "pending"


def test_a_contributor_proposes_from_a_selection_and_has_no_status_form(
    page, live_server, admin_login, screenshot, desk_world
):
    contributor = desk_world["author"]
    article = desk_world["article"]
    admin_login(page, live_server, contributor.username, PASSWORD)

    page.goto(f"{live_server.url}/admin/sources/source/{article.pk}/change/")
    # The claims' spans are highlighted in the text, each a link to its claim.
    marks = page.locator("#ct-source-text a.ct-mark")
    assert marks.count() == 3
    for claim in desk_world["claims"]:
        mark = page.locator(
            f'#ct-source-text a[href$="/claims/claim/{claim.pk}/change/"]'
        )
        assert mark.inner_text() == claim.spans.get().exact
    # The legend counts claims, as chips without the admin's list bullets.
    expect(page.locator("#ct-source-title")).to_contain_text("3 claims anchored here")
    bullets = page.locator(".ct-legend li").evaluate_all(
        "items => items.map(item => getComputedStyle(item).listStyleType)"
    )
    assert bullets
    assert set(bullets) == {"none"}
    screenshot(page, "source-page")

    # Past an emoji (two UTF-16 units, one code point): offsets must still match.
    select_words(page, "#ct-source-text", "Critics said the")
    page.get_by_role("button", name="Propose a claim from the selection").click()
    page.wait_for_url(re.compile(r"/admin/claims/claim/add/\?"))
    assert page.input_value("#id_exact") == "Critics said the"
    page.fill("#id_text", "Critics dispute the terminal budget.")
    page.select_option("#id_kind", "opinion")
    page.select_option("#id_attribution", "hedged")
    page.get_by_role("button", name="Propose").click()
    expect(page.locator(".messagelist")).to_contain_text("Proposed #")
    proposed = Claim.objects.get(text="Critics dispute the terminal budget.")
    span = proposed.spans.get()
    assert article.text[span.start : span.end] == "Critics said the"
    assert proposed.review == "proposed"
    assert proposed.created_by == contributor

    # No review or status controls, and the status form is out of reach.
    assert page.get_by_role("button", name="Accept").count() == 0
    assert page.get_by_role("link", name="Change status").count() == 0
    response = page.goto(f"{live_server.url}/admin/claims/claim/{proposed.pk}/status/")
    assert response.status == 403


def test_a_source_containing_html_shows_it_as_text(
    page, live_server, admin_login, desk_world
):
    reviewer = desk_user("reviewer")
    admin_login(page, live_server, reviewer.username, PASSWORD)
    alerts = []
    page.on("dialog", lambda dialog: (alerts.append(dialog.message), dialog.dismiss()))
    page.goto(
        f"{live_server.url}/admin/sources/source/{desk_world['article'].pk}/change/"
    )
    text = page.locator("#ct-source-text").inner_text()
    assert "<b>budget</b> <script>alert('x')</script>" in text
    assert page.locator("#ct-source-text b, #ct-source-text script").count() == 0
    page.goto(
        f"{live_server.url}/admin/claims/claim/{desk_world['claims'][2].pk}/change/"
    )
    assert "<script>alert('x')</script>" in page.locator(".ct-span").inner_text()
    assert alerts == []


def test_a_reviewer_accepts_from_the_queue_row(
    page, live_server, admin_login, screenshot, desk_world
):
    """Issue 20, 28: the row's own Accept, back to the queue; the index first
    says what waits."""
    reviewer = desk_user("reviewer")
    first = desk_world["claims"][0]
    admin_login(page, live_server, reviewer.username, PASSWORD)
    expect(page.locator("#ct-waiting")).to_contain_text("Review queue")
    expect(page.locator("#ct-waiting")).to_contain_text("3 proposed claims")
    page.goto(f"{live_server.url}/admin/claims/queuedclaim/")
    row = page.locator("#result_list tbody tr").nth(0)
    row.get_by_role("button", name="Accept").click()
    expect(page.locator(".messagelist")).to_contain_text(f"Accepted #{first.pk}")
    assert page.url.endswith("/admin/claims/queuedclaim/")
    expect(page.locator("#result_list tbody tr")).to_have_count(2)
    screenshot(page, "queue-after-row-accept")
    assert Claim.objects.get(pk=first.pk).review == "accepted"


@pytest.mark.parametrize(
    "path",
    [
        "/admin/claims/queuedclaim/",
        "/admin/claims/claim/",
        "/admin/claims/statuschange/",
        "/admin/claims/deadlineclaim/",
    ],
)
def test_the_desk_lists_fit_a_1280_pixel_screen(
    page, live_server, admin_login, screenshot, desk_world, path
):
    """Issue 20, 27: lists were clipped at 1280 px (the status-change list
    showed only ID and CLAIM) and the queue wrapped claims a word a line."""
    reviewer = desk_user("reviewer")
    page.set_viewport_size({"width": 1280, "height": 800})
    admin_login(page, live_server, reviewer.username, PASSWORD)
    page.goto(f"{live_server.url}{path}")
    table = page.locator("#result_list")
    expect(table).to_be_visible()
    screenshot(page, "list-1280-" + path.strip("/").split("/")[-1])
    # Nothing is clipped: the table fits its scrolling container and the page.
    overflow = list_overflow(page)
    assert overflow[0] <= 0, f"{path}: clipped {overflow}"
    assert overflow[1] <= 1280, f"{path}: clipped {overflow}"
    # The claim's words come first, on a few lines, not a word a line.
    cells = table.locator("tbody tr").nth(0).locator("td, th")
    first = cells.nth(1 if cells.nth(0).locator("input").count() else 0)
    assert first.bounding_box()["width"] >= 150
