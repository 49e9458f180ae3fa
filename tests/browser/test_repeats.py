"""Repeats and relations at the review desk, in Chromium: a reviewer closes
a proposal as a repeat from the queue, compares a proposal with a claim it
may repeat on its page, relates two claims and withdraws the relation; the
layout holds at a desk's width and a phone's."""

import datetime
import re

import pytest
from django.db import connection
from playwright.sync_api import expect

from claims import services
from claims.models import (
    CandidateDecision,
    Claim,
    ClaimRelation,
    RejectionReason,
    RepeatCandidate,
    Review,
)

from ..conftest import span_of
from ..factories import PASSWORD
from .conftest import list_overflow

QUEUE = "/admin/claims/queuedclaim/"


def claim_page(claim) -> str:
    return f"/admin/claims/claim/{claim.pk}/change/"


@pytest.fixture
def desk_reviewer(reviewer):
    """The ``reviewer`` of tests/conftest.py (rita), let into the admin. The
    repeats' fixtures propose as someone else, so four eyes let her decide."""
    reviewer.is_staff = True
    reviewer.save(update_fields=["is_staff"])
    return reviewer


@pytest.fixture
def a_repeat(propose_accepted, repeat):
    """An accepted claim, and a later proposal from the follow-up article
    that repeats it (the mayor's bridge promise, said again)."""
    original = propose_accepted()
    proposal = repeat()
    assert RepeatCandidate.objects.filter(claim=proposal, candidate=original).exists()
    return original, proposal


def test_a_reviewer_closes_a_repeat_from_the_queue_row(
    page, live_server, admin_login, screenshot, desk_reviewer, a_repeat, follow_up
):
    original, proposal = a_repeat
    admin_login(page, live_server, desk_reviewer.username, PASSWORD)

    # The row says which claim the proposal may repeat, and why.
    page.goto(f"{live_server.url}{QUEUE}")
    row = page.locator("#result_list tbody tr", has_text=proposal.text)
    expect(row).to_have_count(1)
    possible = row.locator("td.field-repeat")
    expect(possible).to_contain_text(f"possible repeat of #{original.pk}")
    expect(possible).to_contain_text("same speaker")
    expect(possible.get_by_role("link", name=f"#{original.pk}")).to_have_attribute(
        "href", claim_page(original)
    )
    screenshot(page, "queue-with-a-possible-repeat")

    # One click closes it, back on the queue.
    row.get_by_role("button", name=f"Repeat of #{original.pk}").click()
    expect(page.locator(".messagelist")).to_contain_text(
        f"#{proposal.pk} closed as a repeat of #{original.pk}"
    )
    assert page.url == f"{live_server.url}{QUEUE}"
    expect(page.locator("#changelist")).not_to_contain_text(proposal.text)

    # The proposal is a duplicate; its words are an appearance of the original,
    # with the date and speaker they were said with.
    proposal.refresh_from_db()
    assert (proposal.review, proposal.rejection_reason, proposal.duplicate_of_id) == (
        Review.REJECTED,
        RejectionReason.DUPLICATE,
        original.pk,
    )
    appearance = original.spans.get(source=follow_up)
    assert appearance.exact == "the harbour bridge would reopen by June"
    assert appearance.stated_on == datetime.date(2025, 4, 2)
    assert appearance.speaker_id == original.speaker_id

    # The original's page lists the new appearance, in the follow-up.
    page.goto(f"{live_server.url}{claim_page(original)}")
    shown = page.locator(".ct-span", has_text="the harbour bridge would reopen by June")
    expect(shown.locator("mark")).to_have_text(
        "the harbour bridge would reopen by June"
    )
    expect(
        shown.get_by_role("link", name=re.compile("Bridge follow-up"))
    ).to_be_visible()
    expect(page.locator(".ct-span")).to_have_count(2)
    screenshot(page, "claim-with-a-new-appearance")


def test_a_reviewer_compares_both_quotes_and_says_not_a_repeat(
    page, live_server, admin_login, screenshot, desk_reviewer, a_repeat
):
    original, proposal = a_repeat
    admin_login(page, live_server, desk_reviewer.username, PASSWORD)
    page.goto(f"{live_server.url}{claim_page(proposal)}")

    # Both quotes, in their context, side by side.
    section = page.locator(".ct-repeats")
    expect(section).to_contain_text(f"Possible repeat of #{original.pk}")
    own, candidate = section.locator(".ct-side-by-side figure").all()
    expect(own.locator("mark")).to_have_text("the harbour bridge would reopen by June")
    expect(candidate.locator("mark")).to_have_text("will reopen by June")
    expect(candidate.locator("figcaption")).to_contain_text(original.text)
    left, right = own.bounding_box(), candidate.bounding_box()
    assert right["x"] >= left["x"] + left["width"], (left, right)
    assert abs(right["y"] - left["y"]) < 1, (left, right)
    screenshot(page, "possible-repeat-side-by-side")

    section.get_by_role("button", name="Not a repeat").click()
    expect(page.locator(".messagelist")).to_contain_text(
        f"#{proposal.pk} is not a repeat of #{original.pk}"
    )
    assert page.url == f"{live_server.url}{claim_page(proposal)}"
    expect(page.locator(".ct-repeats")).to_have_count(0)

    # Remembered, and nothing else changed: the proposal still waits.
    pair = RepeatCandidate.objects.get(claim=proposal, candidate=original)
    assert (pair.decision, pair.decided_by) == (
        CandidateDecision.NOT_REPEAT,
        desk_reviewer,
    )
    assert Claim.objects.get(pk=proposal.pk).review == Review.PROPOSED
    assert original.spans.count() == 1


def number_claims_from(first: int) -> None:
    """Give the next claim the id ``first`` (and the ones after it the ids
    after that)."""
    table = Claim._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, false)",
                [table, first],
            )
        else:  # SQLite: AUTOINCREMENT keeps the last id in sqlite_sequence
            cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [table])
            cursor.execute(
                "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)",
                [table, first - 1],
            )


def test_the_queue_with_possible_repeats_fits_a_1280_pixel_screen(
    page,
    live_server,
    admin_login,
    screenshot,
    desk_reviewer,
    propose_accepted,
    repeat,
    follow_up,
):
    """The possible-repeat column and the row's third button (Repeat of #N)
    must not push the queue past a desk's screen (as in test_review_desk), with
    ids as long as a working desk's: seven digits."""
    number_claims_from(1_234_567)
    original = propose_accepted()
    assert original.pk == 1_234_567
    repeat()
    # A second row, whose best candidate has as long a list of reasons as the
    # matcher writes (claims/matching.py).
    again = repeat(
        spans=[span_of(follow_up, "Okafor repeated that the harbour bridge")]
    )
    RepeatCandidate.objects.filter(claim=again).update(
        reasons=[
            "similar words (0.93)",
            "one detail differs: firefighters vs officers police",
            "a figure only one gives: 12000",
            "different months",
            "same deadline",
            "same speaker",
        ]
    )
    page.set_viewport_size({"width": 1280, "height": 800})
    admin_login(page, live_server, desk_reviewer.username, PASSWORD)
    page.goto(f"{live_server.url}{QUEUE}")
    expect(page.locator("#result_list tbody tr")).to_have_count(2)
    expect(page.locator("#result_list td.field-repeat").last).to_contain_text("…")
    screenshot(page, "queue-1280-with-possible-repeats")
    scrolled, right = list_overflow(page)
    assert scrolled <= 0, f"clipped by {scrolled} px"
    assert right <= 1280, f"the list ends at {right} px"
    # Every button of the rows is whole and on the screen.
    buttons = page.locator("#result_list td.field-decide .button").all()
    assert len(buttons) == 6
    for button in buttons:
        box = button.bounding_box()
        assert box["x"] + box["width"] <= right, box


def test_the_side_by_side_stacks_on_a_phone(
    page, live_server, admin_login, screenshot, desk_reviewer, a_repeat
):
    _, proposal = a_repeat
    page.set_viewport_size({"width": 390, "height": 844})
    admin_login(page, live_server, desk_reviewer.username, PASSWORD)
    page.goto(f"{live_server.url}{claim_page(proposal)}")
    own, candidate = page.locator(".ct-side-by-side figure").all()
    top, below = own.bounding_box(), candidate.bounding_box()
    assert below["y"] >= top["y"] + top["height"], (top, below)
    assert abs(below["x"] - top["x"]) < 1, (top, below)
    for box in (top, below):
        assert box["x"] >= 0, box
        assert box["x"] + box["width"] <= 390, box
    screenshot(page, "possible-repeat-390")


def test_a_reviewer_relates_two_claims_and_withdraws_the_relation(
    page, live_server, admin_login, screenshot, desk_reviewer, a_repeat, follow_up
):
    original, _ = a_repeat
    later = services.propose_claim(
        text="The harbour bridge will reopen by September.",
        kind="prediction",
        attribution="indirect",
        speaker=original.speaker,
        due_on=datetime.date(2025, 9, 1),
        due_on_precision="month",
        spans=[span_of(follow_up, "the bridge would now reopen by September")],
        by=original.created_by,
    )
    services.review_claim(claim=later, decision="accept", by=desk_reviewer)
    admin_login(page, live_server, desk_reviewer.username, PASSWORD)

    # From the later claim's page to the form; name the other claim, and its
    # words are offered beside this claim's.
    page.goto(f"{live_server.url}{claim_page(later)}")
    page.get_by_role("link", name="Relate to another claim…").click()
    page.wait_for_url(f"**/admin/claims/claim/{later.pk}/relate/")
    page.fill("#id_other", str(original.pk))
    page.get_by_role("button", name="Show its words").click()
    expect(page.locator(".field-other .help")).to_contain_text(original.text)
    page.get_by_label("“the bridge would now reopen by September”", exact=False).check()
    page.get_by_label("“will reopen by June”", exact=False).check()
    page.select_option("#id_kind", "updates")
    page.fill("#id_rationale", "A new deadline for the same promise.")
    screenshot(page, "relate-form")
    page.get_by_role("button", name="Relate").click()

    # Back on the claim page, which lists the relation.
    expect(page.locator(".messagelist")).to_contain_text(
        f"#{later.pk} updates #{original.pk}"
    )
    assert page.url == f"{live_server.url}{claim_page(later)}"
    item = page.locator(".ct-relations li")
    expect(item).to_contain_text("A new deadline for the same promise.")
    relation = ClaimRelation.objects.get()
    assert (relation.claim_id, relation.other_id, relation.kind) == (
        later.pk,
        original.pk,
        "updates",
    )
    assert relation.spans.count() == 2

    # Withdraw it, with a reason, from the same list.
    item.locator("summary", has_text="Withdraw…").click()
    item.get_by_label("Reason").fill("The September date is the ferry's.")
    item.get_by_role("button", name="Withdraw the relation").click()
    expect(page.locator(".messagelist")).to_contain_text("Withdrew the relation")
    expect(page.locator(".ct-relations li.ct-withdrawn del")).to_contain_text(
        "A new deadline for the same promise."
    )
    expect(page.locator(".ct-relations")).to_contain_text(
        "The September date is the ferry's."
    )
    relation.refresh_from_db()
    assert relation.withdrawn_by == desk_reviewer
    screenshot(page, "relation-withdrawn")
