"""The review desk (the admin) with the test client: queue, claim page, review,
status form, source page and proposing, bulk actions, deadlines, permissions.
The browser tests (tests/browser) drive the same pages in Chromium."""

import datetime
import re

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone

from claims import counts, services
from claims.admin.display import Mark, highlighted
from claims.models import Claim, ClaimKind, Evidence, Status
from claims.models.choices import VERDICTS
from sources.models import Source
from sources.services import create_source

from .conftest import snapshot, span_of
from .factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:claims_queuedclaim_changelist")
CLAIMS = reverse("admin:claims_claim_changelist")
DEADLINES = reverse("admin:claims_deadlineclaim_changelist")


def claim_page(claim):
    return reverse("admin:claims_claim_change", args=[claim.pk])


def desk(name, claim):
    return reverse(f"admin:claims_claim_{name}", args=[claim.pk])


@pytest.fixture
def role_user(db):
    from django.contrib.auth.models import Group

    def make(role, username=None):
        user = UserFactory(username=username or f"desk-{role}", is_staff=True)
        user.groups.add(Group.objects.get(name=role))
        return user

    return make


@pytest.fixture
def as_reviewer(client, role_user):
    user = role_user("reviewer")
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def as_contributor(client, role_user):
    user = role_user("contributor")
    client.force_login(user)
    client.user = user
    return client


# --- the queue ---------------------------------------------------------------


def test_the_queue_lists_proposed_claims_oldest_first_with_quote_source_and_age(
    as_reviewer, propose, reviewer, source
):
    first = propose(text="First proposed.")
    second = propose(text="Second proposed.")
    accepted = propose(text="Accepted already.")
    services.review_claim(claim=accepted, decision="accept", by=reviewer)
    page = as_reviewer.get(QUEUE)
    assert page.status_code == 200
    text = page.text
    assert text.index("First proposed.") < text.index("Second proposed.")
    assert "Accepted already." not in text.split('id="result_list"')[1]
    assert "“will reopen by June”" in text
    assert source.title in text
    assert claim_page(first) in text
    assert claim_page(second) in text
    assert "minute" in text  # the age column ("0 minutes")


def test_queue_filters_source_speaker_kind_attribution_and_assigned(
    as_reviewer, propose, reviewer, source, speaker
):
    other = create_source(text="An unrelated statement.", title="Other", by=reviewer)
    elsewhere = propose(
        text="Elsewhere.",
        kind=ClaimKind.FACT,
        due_on=None,
        due_on_precision="",
        due_text="",
        speaker=None,
        attribution="narrator",
        spans=[span_of(other.source, "unrelated statement")],
    )
    here = propose(text="Here.")
    services.assign_claim(claim=here, to=as_reviewer.user, by=reviewer)

    def listed(**params):
        body = as_reviewer.get(QUEUE, params).text.split('id="result_list"')[1]
        return {c.text for c in (elsewhere, here) if c.text in body}

    assert listed() == {"Elsewhere.", "Here."}
    assert listed(source=str(source.pk)) == {"Here."}
    assert listed(source="Other") == {"Elsewhere."}
    assert listed(speaker=str(speaker.pk)) == {"Here."}
    assert listed(speaker="okafor") == {"Here."}
    assert listed(kind__exact="fact") == {"Elsewhere."}
    assert listed(attribution__exact="narrator") == {"Elsewhere."}
    assert listed(assigned="me") == {"Here."}
    assert listed(assigned="nobody") == {"Elsewhere."}


def test_counts_are_capped_and_paging_stops_at_the_cap(
    as_reviewer, propose, monkeypatch
):
    for n in range(5):
        propose(text=f"Claim {n}.")
    monkeypatch.setattr(counts, "CAP", 3)
    page = as_reviewer.get(CLAIMS)
    assert "Proposed 3+" in page.text
    assert "More than 3 claims match" in page.text
    assert as_reviewer.get(CLAIMS, {"p": "2"}).status_code in (200, 302)


def test_the_queue_runs_a_fixed_number_of_queries(
    as_reviewer, propose, django_assert_max_num_queries
):
    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert as_reviewer.get(QUEUE).status_code == 200
        return len(captured)

    propose(text="One.")
    few = count()
    for n in range(12):
        propose(text=f"More {n}.")
    assert count() == few


def test_assignment_goes_through_the_service_and_needs_a_reviewer(
    propose, reviewer, role_user
):
    claim = propose()
    contributor = role_user("contributor")
    with pytest.raises(Exception, match="cannot review"):
        services.assign_claim(claim=claim, to=contributor, by=reviewer)
    version = Claim.objects.get(pk=claim.pk).version
    assignee = role_user("reviewer")
    services.assign_claim(claim=claim, to=assignee, by=reviewer)
    claim.refresh_from_db()
    assert claim.assigned_to == assignee
    assert claim.version == version  # workflow, not content
    latest = claim.history.first()
    assert latest.history_change_reason == f"assigned to {assignee}"
    assert latest.history_user == reviewer


# --- the claim page and reviewing ---------------------------------------------


def test_claim_page_shows_context_ledger_history_and_review_buttons(
    as_reviewer, propose
):
    claim = propose()
    page = as_reviewer.get(claim_page(claim))
    assert page.status_code == 200
    assert "<mark>will reopen by June</mark>" in page.text
    assert "Mayor Zoë Okafor said on Monday that the harbour bridge “" in page.text
    assert 'value="accept_next"' in page.text
    assert desk("reject", claim) in page.text
    assert desk("status", claim) in page.text
    assert "Status ledger" in page.text
    assert "Proposed." in page.text
    assert reverse("admin:claims_claim_history", args=[claim.pk]) in page.text
    assert "month precision" in page.text  # the deadline, at its precision


def test_source_html_on_the_claim_page_is_text(as_reviewer, reviewer, propose):
    hostile = 'He said <script>alert("x")</script> and "we will build it".'
    source = create_source(text=hostile, title="Hostile", by=reviewer).source
    claim = propose(spans=[span_of(source, "we will build it")])
    page = as_reviewer.get(claim_page(claim)).text
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_accept_and_accept_and_next(as_reviewer, propose):
    first, second, third = (propose(text=f"Claim {n}.") for n in range(3))
    response = as_reviewer.post(
        desk("review", first),
        {"decision": "accept", "expected_version": first.version},
    )
    assert response.url == claim_page(first)
    assert Claim.objects.get(pk=first.pk).review == "accepted"
    response = as_reviewer.post(
        desk("review", second),
        {"decision": "accept_next", "expected_version": second.version},
    )
    assert response.url == claim_page(third)
    response = as_reviewer.post(
        desk("review", third),
        {"decision": "accept_next", "expected_version": third.version},
    )
    assert response.url == QUEUE  # the queue is empty


def test_a_stale_accept_is_refused_and_changes_nothing(as_reviewer, propose, reviewer):
    claim = propose()
    services.edit_claim(
        claim=claim, expected_version=claim.version, by=reviewer, text="Edited."
    )
    before = snapshot()
    response = as_reviewer.post(
        desk("review", claim),
        {"decision": "accept", "expected_version": claim.version},
        follow=True,
    )
    assert "Someone else changed this claim" in response.text
    assert snapshot() == before


def test_reject_needs_a_note_on_the_field(as_reviewer, propose):
    claim = propose()
    before = snapshot()
    page = as_reviewer.post(
        desk("reject", claim), {"note": "  ", "expected_version": claim.version}
    )
    assert page.status_code == 200
    assert 'class="form-row errors field-note"' in page.text
    assert snapshot() == before
    response = as_reviewer.post(
        desk("reject", claim),
        {"note": "Misquotes the mayor.", "expected_version": claim.version},
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.review, claim.review_note) == ("rejected", "Misquotes the mayor.")


# --- the status form ----------------------------------------------------------


def test_the_status_form_offers_only_allowed_moves(as_reviewer, propose):
    claim = propose()  # a pending prediction
    form = as_reviewer.get(desk("status", claim)).context["form"]
    offered = {value for value, _ in form.fields["status"].choices if value}
    # Not the status it has, not overdue (the sweep's), not unverified (a fact's).
    assert offered == {
        "confirmed",
        "partly_confirmed",
        "refuted",
        "retracted",
        "unverifiable",
    }


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"status": "confirmed", "rationale": ""}, "rationale"),
        ({"status": "confirmed", "rationale": "It opened."}, "evidence_source"),
        ({"status": "overdue", "rationale": "Late."}, "status"),
        (
            {
                "status": "confirmed",
                "rationale": "It opened.",
                "evidence_start": 5,
                "evidence_end": 99999,
            },
            "evidence_end",
        ),
    ],
)
def test_bad_status_changes_show_on_the_field_and_change_nothing(
    as_reviewer, propose, source, data, field
):
    claim = propose()
    before = snapshot()
    body = {"expected_version": claim.version, "evidence_stance": "supports", **data}
    if "evidence_start" in data:
        body["evidence_source"] = source.pk
    page = as_reviewer.post(desk("status", claim), body)
    assert page.status_code == 200
    assert page.context["form"].errors.get(field), page.context["form"].errors
    assert snapshot() == before


def test_a_status_change_with_selected_evidence_lands_in_the_ledger(
    as_reviewer, propose, reviewer
):
    claim = propose()
    report = create_source(
        text="The bridge reopened to traffic on 2 June 2025, the council said.",
        title="Council report",
        by=reviewer,
    ).source
    start = report.text.index("reopened")
    end = start + len("reopened to traffic on 2 June 2025")
    page = as_reviewer.get(desk("status", claim), {"evidence_source": report.pk})
    assert 'data-selectable data-prefix="evidence_"' in page.text
    response = as_reviewer.post(
        desk("status", claim),
        {
            "status": "confirmed",
            "rationale": "The council reports the reopening.",
            "expected_version": claim.version,
            "evidence_source": report.pk,
            "evidence_stance": "supports",
            "evidence_start": start,
            "evidence_end": end,
            "evidence_exact": report.text[start:end],
        },
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == "confirmed"
    evidence = Evidence.objects.get(claim=claim)
    assert evidence.exact == "reopened to traffic on 2 June 2025"
    page = as_reviewer.get(claim_page(claim)).text
    assert "pending → <strong>confirmed</strong>" in page
    assert "reopened to traffic on 2 June 2025" in page


def test_a_stale_status_form_is_refused(as_reviewer, propose, reviewer):
    claim = propose()
    services.edit_claim(
        claim=claim, expected_version=claim.version, by=reviewer, text="Changed."
    )
    before = snapshot()
    page = as_reviewer.post(
        desk("status", claim),
        {
            "status": "retracted",
            "rationale": "The mayor took it back.",
            "expected_version": claim.version,
            "evidence_stance": "supports",
        },
    )
    assert "Someone else changed this claim" in page.text
    assert snapshot() == before


# --- the source page and proposing ---------------------------------------------


def test_source_page_highlights_visible_claims_by_status_with_links(
    as_contributor, propose, reviewer, source
):
    shown = propose()
    services.review_claim(claim=shown, decision="accept", by=reviewer)
    hidden = propose(
        text="Someone else's proposal.",
        kind=ClaimKind.OPINION,
        due_on=None,
        due_on_precision="",
        due_text="",
        spans=[span_of(source, "is the city’s lifeline")],
    )
    page = as_contributor.get(reverse("admin:sources_source_change", args=[source.pk]))
    assert page.status_code == 200
    assert (
        f'<a class="ct-mark ct-status-pending ct-review-accepted" '
        f'href="{claim_page(shown)}"' in page.text
    )
    assert ">will reopen by June</a>" in page.text
    assert claim_page(hidden) not in page.text  # a contributor's view
    assert "Propose a claim from the selection" in page.text


def test_source_page_overlapping_spans_link_each_piece_to_the_shortest():
    text = "a <b>said</b> c"
    outer = Mark(start=0, end=len(text), href="/1/", css_class="one", title="#1")
    inner = Mark(start=2, end=13, href="/2/", css_class="two", title="#2")
    html = highlighted(text, [outer, inner])
    assert html == (
        '<a class="ct-mark one" href="/1/" title="#1">a </a>'
        '<a class="ct-mark two" href="/2/" title="#1; #2">'
        "&lt;b&gt;said&lt;/b&gt;</a>"
        '<a class="ct-mark one" href="/1/" title="#1"> c</a>'
    )


def test_propose_from_a_selection(as_contributor, source):
    start = source.text.index("spent €4 million")
    end = start + len("spent €4 million on repairs 🚧")
    form = as_contributor.get(
        reverse("admin:claims_claim_add"),
        {"source": source.pk, "start": start, "end": end},
    )
    assert form.status_code == 200
    assert form.context["form"].initial["exact"] == "spent €4 million on repairs 🚧"
    response = as_contributor.post(
        reverse("admin:claims_claim_add"),
        {
            "source": source.pk,
            "start": start,
            "end": end,
            "exact": "spent €4 million on repairs 🚧",
            "text": "The council spent €4 million on bridge repairs.",
            "kind": "fact",
            "attribution": "hedged",
        },
    )
    assert response.status_code == 302
    claim = Claim.objects.get(text__startswith="The council spent")
    assert claim.review == "proposed"
    assert claim.created_by == as_contributor.user
    assert claim.spans.get().exact == "spent €4 million on repairs 🚧"


@pytest.mark.parametrize(
    ("offsets", "field"),
    [((5, 100_000), "end"), ((10, 4), "end"), ((0, 5), "exact")],
)
def test_a_selection_outside_the_text_or_not_matching_is_refused(
    as_contributor, source, offsets, field
):
    before = snapshot()
    page = as_contributor.post(
        reverse("admin:claims_claim_add"),
        {
            "source": source.pk,
            "start": offsets[0],
            "end": offsets[1],
            "exact": "not these words",
            "text": "A claim.",
            "kind": "fact",
            "attribution": "narrator",
        },
    )
    assert page.status_code == 200
    assert page.context["form"].errors.get(field), page.context["form"].errors
    assert snapshot() == before


def test_adding_a_source_by_pasting_text_normalizes_and_finds_twins(
    as_contributor, reviewer
):
    url = reverse("admin:sources_source_add")
    body = {"title": "Pasted", "kind": "news_article", "language": "en"}
    response = as_contributor.post(url, {**body, "text": "Cafe\u0301 opens.\r\nToday."})
    assert response.status_code == 302
    source = Source.objects.get(title="Pasted")
    assert source.text == "Café opens.\nToday."
    again = as_contributor.post(url, {**body, "text": "Café opens.\nToday."})
    assert "already stored as" in again.text
    assert Source.objects.filter(title="Pasted").count() == 1


# --- bulk actions --------------------------------------------------------------


def bulk(client, action, claims, **extra):
    return client.post(
        CLAIMS,
        {"action": action, ACTION_CHECKBOX_NAME: [c.pk for c in claims], **extra},
        follow=True,
    )


def test_bulk_accept_reports_what_it_skipped_and_why(as_reviewer, propose, reviewer):
    fresh = propose(text="Fresh.")
    done = propose(text="Done.")
    services.review_claim(claim=done, decision="accept", by=reviewer)
    page = bulk(as_reviewer, "accept_selected", [fresh, done])
    assert "Accepted 1 claim(s)." in page.text
    assert f"Skipped 1: #{done.pk}: the claim is already accepted." in page.text
    assert Claim.objects.get(pk=fresh.pk).review == "accepted"
    assert Claim.history.filter(id=fresh.pk, history_change_reason="accepted").exists()


def test_bulk_reject_asks_for_a_note_then_rejects(as_reviewer, propose):
    claims = [propose(text=f"Claim {n}.") for n in range(2)]
    page = bulk(as_reviewer, "reject_selected", claims)
    assert "Reject claims" in page.text
    assert 'name="note"' in page.text
    page = bulk(as_reviewer, "reject_selected", claims, apply="1", note="Duplicates.")
    assert "Rejected 2 claim(s)." in page.text
    assert set(Claim.objects.values_list("review", flat=True)) == {"rejected"}


def test_bulk_assign_to_me_and_to_another_reviewer(
    as_reviewer, propose, role_user, reviewer
):
    claims = [propose(text=f"Claim {n}.") for n in range(2)]
    page = bulk(as_reviewer, "assign_to_me", claims)
    assert "Assigned to you 2 claim(s)." in page.text
    other = role_user("reviewer", "other-reviewer")
    page = bulk(as_reviewer, "assign_to", claims, apply="1", reviewer=other.pk)
    assert {c.assigned_to for c in Claim.objects.all()} == {other}
    contributor = role_user("contributor")
    page = bulk(as_reviewer, "assign_to", claims, apply="1", reviewer=contributor.pk)
    assert {c.assigned_to for c in Claim.objects.all()} == {other}


# --- deadlines -----------------------------------------------------------------


def test_deadlines_show_overdue_and_due_soon_only(as_reviewer, propose, reviewer):
    today = timezone.localdate()
    overdue = propose(
        text="Overdue one.",
        due_on=today - datetime.timedelta(days=40),
        due_on_precision="day",
    )
    # The sweep moves accepted claims only (a proposal's deadline waits).
    services.review_claim(claim=overdue, decision="accept", by=reviewer)
    soon = propose(
        text="Due soon.",
        due_on=today + datetime.timedelta(days=10),
        due_on_precision="day",
    )
    later = propose(
        text="Due later.",
        due_on=today + datetime.timedelta(days=200),
        due_on_precision="day",
    )
    services.mark_overdue(today=today)
    page = as_reviewer.get(DEADLINES).text
    assert "Overdue one." in page
    assert "Due soon." in page
    assert "Due later." not in page
    assert "overdue by 1" in page  # "1 month, …"
    assert "due in 1" in page  # "1 week, 3 days"
    only_overdue = as_reviewer.get(DEADLINES, {"when": "overdue"}).text
    body = only_overdue.split('id="result_list"')[1]
    assert overdue.text in body
    assert soon.text not in body
    assert later.pk


# --- permissions ---------------------------------------------------------------


def test_contributors_see_no_review_or_status_controls(
    as_contributor, propose, reviewer
):
    mine = propose(text="Mine.", by=as_contributor.user)
    page = as_contributor.get(claim_page(mine))
    assert page.status_code == 200
    assert 'value="accept_next"' not in page.text
    assert desk("status", mine) not in page.text
    for name in ("review", "reject", "status"):
        response = as_contributor.post(
            desk(name, mine),
            {"decision": "accept", "note": "x", "expected_version": mine.version},
        )
        assert response.status_code == 403
    theirs = propose(text="Theirs.")
    assert as_contributor.get(claim_page(theirs)).status_code in (302, 404)
    for rows in ("span", "statuschange"):
        listing = as_contributor.get(reverse(f"admin:claims_{rows}_changelist"))
        assert "Mine." in listing.text
        assert "Theirs." not in listing.text
    actions = as_contributor.get(CLAIMS).text
    assert "accept_selected" not in actions
    assert Claim.objects.get(pk=mine.pk).review == "proposed"


def test_only_superusers_may_delete_sources(client, as_reviewer, reviewer):
    source = create_source(text="Unused text.", title="Unused", by=reviewer).source
    url = reverse("admin:sources_source_delete", args=[source.pk])
    assert as_reviewer.post(url, {"post": "yes"}).status_code == 403
    client.force_login(StaffFactory(username="root"))
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Source.objects.filter(pk=source.pk).exists()


# --- fixed query counts -----------------------------------------------------------


def queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm the per-process caches (content types, permissions)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_claim_page_and_lists_run_a_fixed_number_of_queries(
    as_reviewer, propose, reviewer, source
):
    claim = propose()
    other = propose(text="Other.")
    few = {
        "claim": queries(as_reviewer, claim_page(claim)),
        "list": queries(as_reviewer, CLAIMS),
        "source": queries(
            as_reviewer, reverse("admin:sources_source_change", args=[source.pk])
        ),
        "deadlines": queries(as_reviewer, DEADLINES),
    }
    # More of everything: spans, ledger entries with evidence, claims.
    for words in ("Mayor Zoë Okafor", "harbour bridge"):
        services.add_span(
            claim=claim,
            span=span_of(
                source, words, role="speaker" if "Mayor" in words else "content"
            ),
            by=reviewer,
        )
    claim.refresh_from_db()
    services.change_status(
        claim=claim,
        to_status="confirmed",
        rationale="It reopened.",
        by=reviewer,
        expected_version=claim.version,
        evidence=[
            services.EvidenceInput(source=source, stance="supports"),
            services.EvidenceInput(
                source=source, stance="context", start=0, end=5, exact="Mayor"
            ),
        ],
    )
    # Related claims, one relation withdrawn (the page shows it struck through).
    for kind in ("updates", "supports"):
        relation = services.relate_claims(
            claim=claim,
            other=other,
            kind=kind,
            rationale="The same works.",
            spans=[claim.spans.first()],
            by=reviewer,
        )
    services.withdraw_relation(relation=relation, reason="Misread.", by=reviewer)
    for n in range(8):
        propose(text=f"More {n}.")
    many = {
        "claim": queries(as_reviewer, claim_page(claim)),
        "list": queries(as_reviewer, CLAIMS),
        "source": queries(
            as_reviewer, reverse("admin:sources_source_change", args=[source.pk])
        ),
        "deadlines": queries(as_reviewer, DEADLINES),
    }
    assert many == few


def test_foreign_key_widgets_never_list_a_whole_table(as_reviewer, propose, reviewer):
    from .factories import SpeakerFactory

    for n in range(30):
        SpeakerFactory(name=f"Filler speaker {n}")
        create_source(text=f"Filler source {n}.", title=f"Filler {n}", by=reviewer)
    claim = propose()
    pages = [
        claim_page(claim),
        desk("status", claim),
        reverse("admin:claims_claim_add"),
        reverse("admin:sources_source_add"),
    ]
    for url in pages:
        page = as_reviewer.get(url).text
        assert "Filler" not in page, url
        assert page.count("<option") < 40, url


def test_the_source_legend_counts_claims_not_spans(as_reviewer, propose, source):
    # One pending claim anchored by three spans (content, speaker, cue) and one
    # unverified fact with one: two claims, not four spans.
    propose(
        spans=[
            span_of(source, "will reopen by June"),
            span_of(source, "Mayor Zoë Okafor", role="speaker"),
            span_of(source, "said", role="cue"),
        ]
    )
    propose(
        text="The council spent €4 million on repairs last year.",
        kind=ClaimKind.FACT,
        spans=[span_of(source, "spent €4 million")],
    )
    page = as_reviewer.get(reverse("admin:sources_source_change", args=[source.pk]))
    assert "2 claims anchored here" in page.text
    legend = page.context["source_legend"]
    assert [(value, count) for value, _, count in legend] == [
        ("unverified", 1),
        ("pending", 1),
    ]
    assert ">Pending: 1 claim<" in page.text


def test_claim_history_offers_no_revert_and_a_styled_breadcrumb(
    as_reviewer, propose, reviewer
):
    claim = services.review_claim(claim=propose(), decision="accept", by=reviewer)
    history = as_reviewer.get(desk("history", claim))
    assert history.status_code == 200
    assert "revert" not in history.text.lower()
    version = claim.history.order_by("history_id").first()
    past = reverse("admin:claims_claim_simple_history", args=[claim.pk, version.pk])
    assert past in history.text  # each version can still be read
    page = as_reviewer.get(past)
    assert page.status_code == 200
    assert "revert" not in page.text.lower()
    assert '<div class="breadcrumbs">' not in page.text
    assert '<ol class="breadcrumbs">' in page.text
    assert f'<a href="{desk("history", claim)}">History</a>' in page.text
    # Nothing can be saved back from an old version.
    before = snapshot()
    refused = as_reviewer.post(past, {"text": "An old wording.", "_save": "Revert"})
    assert refused.status_code == 405
    assert snapshot() == before


def test_the_status_forms_evidence_help_names_the_verdicts_that_need_it(
    as_reviewer, propose
):
    form = as_reviewer.get(desk("status", propose())).context["form"]
    help_text = form.fields["evidence_source"].help_text
    for word in ("kept", "broken"):  # the promise words are not statuses
        assert word not in help_text
    named = {s for s in Status if re.search(rf"\b{s.label.lower()}\b", help_text)}
    assert named == set(VERDICTS)


QUEUE = "/admin/claims/queuedclaim/"


def test_a_reviewer_accepts_from_the_queue_row_and_comes_back_to_it(
    as_reviewer, propose
):
    """Issue 20, 28: Accept and Reject were only in the bulk menu."""
    claim = propose()
    page = as_reviewer.get(QUEUE).text
    review = f"/admin/claims/claim/{claim.pk}/review/?version={claim.version}"
    assert f'formaction="{review}"' in page
    assert f'href="/admin/claims/claim/{claim.pk}/reject/"' in page
    response = as_reviewer.post(review, {"decision": "accept_from_queue"})
    assert response.status_code == 302
    assert response["Location"] == QUEUE
    claim.refresh_from_db()
    assert claim.review == "accepted"


def test_a_stale_queue_row_accepts_nothing(as_reviewer, propose, reviewer):
    claim = propose()
    stale = claim.version
    services.edit_claim(
        claim=claim, expected_version=stale, by=reviewer, speaker_title="Mayor Okafor"
    )
    response = as_reviewer.post(
        f"/admin/claims/claim/{claim.pk}/review/?version={stale}",
        {"decision": "accept_from_queue"},
        follow=True,
    )
    assert "reload" in response.text.lower() or "stale" in response.text.lower()
    claim.refresh_from_db()
    assert claim.review == "proposed"


def test_the_queue_row_offers_no_decision_on_ones_own_proposal(
    client, role_user, source, speaker
):
    reviewer = role_user("reviewer")
    claim = services.propose_claim(
        text="The ferry service is the city's lifeline.",
        kind="opinion",
        attribution="direct_quote",
        speaker=speaker,
        spans=[span_of(source, "is the city’s lifeline")],
        by=reviewer,
    )
    client.force_login(reviewer)
    page = client.get(QUEUE).text
    assert "yours: another reviewer decides" in page
    assert f"/admin/claims/claim/{claim.pk}/review/" not in page


def test_contributors_get_no_decision_column_nor_waiting_counts(
    as_contributor, propose
):
    propose()
    assert "accept_from_queue" not in as_contributor.get(QUEUE).text
    assert "Waiting for a reviewer" not in as_contributor.get("/admin/").text


def test_the_admin_index_shows_what_waits_first(as_reviewer, propose):
    propose()
    page = as_reviewer.get("/admin/").text
    assert page.index("Waiting for a reviewer") < page.index("app-claims")
    waiting = page.split("Waiting for a reviewer")[1].split("</table>")[0]
    assert "Review queue" in waiting
    assert "<strong>1</strong>" in waiting
    assert "Appearances to review" in waiting
    assert "Evidence to review" in waiting


@pytest.mark.parametrize(
    "query",
    [
        {"source": "²"},
        {"speaker": "①"},
        {"source": "9" * 30},
        {"speaker": "12345678901234567890"},
        {"source": "bridge\x00works"},
        {"speaker": "Oka\x00for"},
    ],
)
def test_typed_list_filters_never_fail_on_odd_input(as_reviewer, propose, query):
    """Issue 20 (found beside item 2): the source and speaker filters took any
    Unicode digit for an id, and a number past a bigint, to the database."""
    propose()
    for path in ("/admin/claims/claim/", "/admin/claims/queuedclaim/"):
        assert as_reviewer.get(path, query).status_code == 200


# --- repeats ------------------------------------------------------------------


def test_the_queue_offers_repeat_of_and_closes_the_proposal_from_the_row(
    as_reviewer, propose_accepted, repeat
):
    original = propose_accepted()
    proposal = repeat()
    page = as_reviewer.get(QUEUE).text
    assert (
        f'possible repeat of <a href="{claim_page(original)}">#{original.pk}</a>'
        in page
    )
    assert f"Repeat of #{original.pk}" in page
    response = as_reviewer.post(
        desk("repeat", proposal) + f"?of={original.pk}&version={proposal.version}",
        {"from": "queue"},
    )
    assert response.status_code == 302
    assert response.url == QUEUE
    proposal.refresh_from_db()
    assert (proposal.review, proposal.duplicate_of_id) == ("rejected", original.pk)
    assert original.spans.count() == 2


def test_the_claim_page_sets_a_candidate_beside_the_proposal(
    as_reviewer, propose_accepted, repeat
):
    original = propose_accepted()
    proposal = repeat()
    page = as_reviewer.get(claim_page(proposal)).text
    assert "Possible repeats" in page
    assert "<mark>will reopen by June</mark>" in page  # the candidate's words
    assert "<mark>the harbour bridge would reopen by June</mark>" in page  # its own
    before = snapshot()
    response = as_reviewer.post(
        desk("repeat", proposal) + f"?of={original.pk}",
        {"decision": "not_repeat", "expected_version": proposal.version},
    )
    assert response.status_code == 302
    after = snapshot()
    assert after["claims"] == before["claims"]  # nothing about the claims changed
    assert "Possible repeats" not in as_reviewer.get(claim_page(proposal)).text


def test_repeat_of_from_the_claim_page_opens_the_claim_it_repeats(
    as_reviewer, propose_accepted, repeat
):
    original = propose_accepted()
    proposal = repeat()
    response = as_reviewer.post(
        desk("repeat", proposal) + f"?of={original.pk}",
        {"decision": "repeat", "expected_version": proposal.version},
    )
    assert response.url == claim_page(original)
    page = as_reviewer.get(claim_page(proposal)).text
    assert (
        f'Closed as a repeat of <a href="{claim_page(original)}">#{original.pk}</a>'
        in page
    )


def test_reject_names_a_reason_and_the_lists_count_them(as_reviewer, propose):
    claim = propose()
    as_reviewer.post(
        desk("reject", claim),
        {
            "reason": "not_checkable",
            "note": "A slogan.",
            "expected_version": claim.version,
        },
    )
    claim.refresh_from_db()
    assert claim.rejection_reason == "not_checkable"
    page = as_reviewer.get(CLAIMS).text
    assert "Rejected, by reason:" in page
    assert re.search(r"Not checkable 1\b", page)
