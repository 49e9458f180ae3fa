"""Issue 19: nothing reaches the public record without a reviewer.

Each hole the issue describes, reproduced through the API and the public
pages, and now refused: spans and evidence added to an accepted claim by a
contributor wait as ``proposed``; rejected and withdrawn items never show;
review notes and what came before acceptance stay internal; the database
refuses any change but a forward decision; four eyes; the sweep and the
limits.
"""

import datetime
import io
import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from claims import services
from claims.models import Claim, ClaimEvent, Evidence, Span, SpanRole, StatusChange
from claims.models.span import contribution_visible_sql
from claims.services.contributions import review_contribution, withdraw_contribution
from sources.models import Source
from sources.services import create_source

from .conftest import role_group, snapshot, span_of
from .errors import detail, error_codes, errors
from .factories import UserFactory

pytestmark = pytest.mark.django_db

WORDS = "will reopen by June"
# A made-up transcript, backdated, that repeats the accepted claim's words.
FAKE_TEXT = (
    "Transcript of a council meeting.\n"
    "The mayor told the room the harbour bridge will reopen by June, "
    "and the zebrafish hatchery would move upstream."
)
FAKE_TITLE = "Backdated council transcript"
FERRY_TEXT = "A ferry report: the mayor repeated that the bridge will reopen by June."
FERRY_TITLE = "Ferry operators' bulletin"
REVIEW_NOTE = "Desk-only remark: checked with the clerk."


def claims_url(*parts):
    return "/api/v1/claims/" + "".join(f"{p}/" for p in parts)


def fresh(claim):
    return Claim.objects.get(pk=claim.pk)


def accept(claim, by):
    return services.review_claim(claim=claim, decision="accept", by=by)


def refute(claim, by, source):
    """Give the claim a verdict, so that it has a ClaimReview."""
    services.change_status(
        claim=claim,
        to_status="refuted",
        rationale="It did not reopen.",
        by=by,
        expected_version=fresh(claim).version,
        evidence=[services.EvidenceInput(source=source, stance="refutes")],
    )
    return fresh(claim)


def anchor(source, words=WORDS):
    start = source.text.index(words)
    return {
        "source": source.pk,
        "start": start,
        "end": start + len(words),
        "exact": words,
    }


def anchor_of(source_id):
    return anchor(Source.objects.get(pk=source_id))


def span_sources(payload):
    return {span["source"] for span in payload["spans"]}


@pytest.fixture
def accepted_claim(propose, reviewer):
    return fresh(accept(propose(), reviewer))


@pytest.fixture
def contributor(api_user):
    return api_user("contributor", username="cora-contributor")


@pytest.fixture
def ferry_source(reviewer):
    return create_source(
        text=FERRY_TEXT,
        title=FERRY_TITLE,
        kind="news_article",
        language="en",
        published_on=datetime.date(2025, 4, 2),
        by=reviewer,
    ).source


def submit_fake_source(client):
    response = client.post(
        "/api/v1/sources/",
        {
            "text": FAKE_TEXT,
            "title": FAKE_TITLE,
            "kind": "transcript",
            "language": "en",
            "published_on": "2001-01-01",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()["id"]


# --- 1. a contributor's span onto a made-up source -------------------------


def test_a_span_onto_a_made_up_source_waits_for_a_reviewer(
    api, client, contributor, api_user, accepted_claim, reviewer, source
):
    claim = refute(accepted_claim, reviewer, source)
    mine = api(contributor)
    fake = submit_fake_source(mine)

    response = mine.post(claims_url(claim.pk, "spans"), anchor_of(fake), format="json")
    assert response.status_code == 201, response.content
    added = [s for s in response.json()["spans"] if s["source"] == fake]
    assert [s["review"] for s in added] == ["proposed"]
    span_id = added[0]["id"]
    assert Span.objects.get(pk=span_id).review == "proposed"

    # Anonymous readers: not in the API, the public page, nor the ClaimReview.
    anonymous = api()
    assert fake not in span_sources(anonymous.get(claims_url(claim.pk)).json())
    listed = anonymous.get(claims_url()).json()["results"]
    assert fake not in span_sources(next(c for c in listed if c["id"] == claim.pk))
    page = client.get(f"/claims/{claim.pk}/").content.decode()
    assert FAKE_TITLE not in page
    assert f"/sources/{fake}/" not in page
    review = anonymous.get(claims_url(claim.pk, "claimreview")).json()
    assert "2001-01-01" not in json.dumps(review)
    assert f"/sources/{fake}/" not in json.dumps(review)
    assert review["itemReviewed"]["firstAppearance"]["datePublished"] == "2025-03-10"

    # Its author sees it, marked proposed; a reviewer sees it too.
    own = mine.get(claims_url(claim.pk)).json()
    assert [s["review"] for s in own["spans"] if s["id"] == span_id] == ["proposed"]
    desk = api(api_user("reviewer", username="rex-reviewer"))
    seen = desk.get(claims_url(claim.pk)).json()
    assert [s["review"] for s in seen["spans"] if s["id"] == span_id] == ["proposed"]

    # A reviewer (not its author) accepts it: now it is public everywhere.
    accepted = desk.post(
        claims_url(claim.pk, "spans", span_id, "review"),
        {"decision": "accept"},
        format="json",
    )
    assert accepted.status_code == 200, accepted.content
    assert fake in span_sources(anonymous.get(claims_url(claim.pk)).json())
    page = client.get(f"/claims/{claim.pk}/").content.decode()
    assert FAKE_TITLE in page
    review = anonymous.get(claims_url(claim.pk, "claimreview")).json()
    assert review["itemReviewed"]["firstAppearance"]["datePublished"] == "2001-01-01"


def test_a_contributor_cannot_review_a_span_at_all(
    api, contributor, accepted_claim, reviewer
):
    mine = api(contributor)
    fake = submit_fake_source(mine)
    span_id = mine.post(
        claims_url(accepted_claim.pk, "spans"), anchor_of(fake), format="json"
    ).json()["spans"][-1]["id"]
    response = mine.post(
        claims_url(accepted_claim.pk, "spans", span_id, "review"),
        {"decision": "accept"},
        format="json",
    )
    assert response.status_code == 403
    assert Span.objects.get(pk=span_id).review == "proposed"


def test_a_span_added_by_a_reviewer_or_to_a_proposed_claim_is_accepted_at_once(
    propose, reviewer, contributor, source
):
    claim = propose()
    span = services.add_span(
        claim=claim, span=span_of(source, "lifeline", SpanRole.CUE), by=contributor
    )
    assert span.review == "accepted"  # reviewed with the claim
    claim = fresh(accept(claim, reviewer))
    span = services.add_span(
        claim=claim, span=span_of(source, "Okafor", SpanRole.SPEAKER), by=reviewer
    )
    assert span.review == "accepted"


def test_a_proposed_span_does_not_link_the_made_up_source_to_the_claim(
    api, contributor, accepted_claim
):
    mine = api(contributor)
    fake = submit_fake_source(mine)
    mine.post(claims_url(accepted_claim.pk, "spans"), anchor_of(fake), format="json")
    claims = api().get(f"/api/v1/sources/{fake}/").json()["claims"]
    assert accepted_claim.pk not in [c["id"] for c in claims]


def test_a_proposed_span_is_not_found_by_anonymous_search(
    api, contributor, accepted_claim, other_reviewer
):
    mine = api(contributor)
    fake = submit_fake_source(mine)

    body = anchor(Source.objects.get(pk=fake), "zebrafish hatchery")
    response = mine.post(claims_url(accepted_claim.pk, "spans"), body, format="json")
    assert response.status_code == 201
    span = Span.objects.get(claim=accepted_claim, source_id=fake)
    found = api().get(claims_url(), {"q": "zebrafish"}).json()["results"]
    assert accepted_claim.pk not in [c["id"] for c in found]
    review_contribution(item=span, decision="accept", by=other_reviewer)
    found = api().get(claims_url(), {"q": "zebrafish"}).json()["results"]
    assert accepted_claim.pk in [c["id"] for c in found]


# --- 2. evidence with a note --------------------------------------------------


def test_proposed_and_rejected_evidence_never_shows(
    api, client, contributor, accepted_claim, source, other_reviewer
):
    claim = accepted_claim
    mine = api(contributor)
    note = "The bridge is a hoax, says my cousin."
    response = mine.post(
        claims_url(claim.pk, "evidence"),
        {"source": source.pk, "stance": "refutes", "note": note},
        format="json",
    )
    assert response.status_code == 201, response.content
    item = Evidence.objects.get(claim=claim, note=note)
    assert item.review == "proposed"

    def anonymous_sees_note():
        anonymous = api()
        detail = json.dumps(anonymous.get(claims_url(claim.pk)).json())
        listed = json.dumps(anonymous.get(claims_url()).json())
        history = json.dumps(anonymous.get(claims_url(claim.pk, "history")).json())
        page = client.get(f"/claims/{claim.pk}/").content.decode()
        return [
            where
            for where, text in (
                ("detail", detail),
                ("list", listed),
                ("history", history),
                ("page", page),
            )
            if "hoax" in text
        ]

    assert anonymous_sees_note() == []
    own = mine.get(claims_url(claim.pk)).json()["evidence"]
    assert [(e["note"], e["review"]) for e in own] == [(note, "proposed")]

    desk = api(other_reviewer)
    url = claims_url(claim.pk, "evidence", item.pk, "review")
    no_note = desk.post(url, {"decision": "reject"}, format="json")
    assert no_note.status_code == 400
    assert "note" in errors(no_note)
    assert Evidence.objects.get(pk=item.pk).review == "proposed"
    rejected = desk.post(
        url, {"decision": "reject", "note": "Not a source."}, format="json"
    )
    assert rejected.status_code == 200, rejected.content
    assert Evidence.objects.get(pk=item.pk).review == "rejected"
    assert anonymous_sees_note() == []
    # Rejected once is rejected for good.
    again = desk.post(url, {"decision": "accept"}, format="json")
    assert again.status_code == 400
    assert anonymous_sees_note() == []


def test_accepted_evidence_shows_to_anonymous_readers(
    api, client, contributor, accepted_claim, source, other_reviewer
):
    note = "The council minutes say the works slipped to autumn."
    mine = api(contributor)
    mine.post(
        claims_url(accepted_claim.pk, "evidence"),
        {"source": source.pk, "stance": "refutes", "note": note},
        format="json",
    )
    item = Evidence.objects.get(note=note)
    response = api(other_reviewer).post(
        claims_url(accepted_claim.pk, "evidence", item.pk, "review"),
        {"decision": "accept"},
        format="json",
    )
    assert response.status_code == 200
    evidence = api().get(claims_url(accepted_claim.pk)).json()["evidence"]
    assert [(e["note"], e["review"]) for e in evidence] == [(note, "accepted")]
    assert (
        "slipped to autumn"
        in client.get(f"/claims/{accepted_claim.pk}/").content.decode()
    )


# --- 3. withdrawal -----------------------------------------------------------


@pytest.fixture
def two_source_claim(propose, reviewer, source, ferry_source):
    """An accepted, refuted claim anchored in two sources."""
    claim = propose(spans=[span_of(source, WORDS), span_of(ferry_source, WORDS)])
    claim = accept(claim, reviewer)
    return refute(claim, reviewer, source)


def test_a_withdrawn_span_leaves_every_public_surface(
    api, client, two_source_claim, ferry_source, other_reviewer
):
    claim = two_source_claim
    span = Span.objects.get(claim=claim, source=ferry_source)
    anonymous = api()
    assert ferry_source.pk in span_sources(anonymous.get(claims_url(claim.pk)).json())
    assert FERRY_TITLE in client.get(f"/claims/{claim.pk}/").content.decode()
    review = json.dumps(anonymous.get(claims_url(claim.pk, "claimreview")).json())
    assert FERRY_TITLE in review

    desk = api(other_reviewer)
    url = claims_url(claim.pk, "spans", span.pk, "withdraw")
    no_reason = desk.post(url, {}, format="json")
    assert no_reason.status_code == 400
    assert error_codes(no_reason)["reason"] == ["required"]
    blank = desk.post(url, {"reason": "  "}, format="json")
    assert blank.status_code == 400
    assert "reason" in errors(blank)
    assert Span.objects.get(pk=span.pk).withdrawn_at is None

    response = desk.post(url, {"reason": "The bulletin misquoted her."}, format="json")
    assert response.status_code == 200, response.content

    detail = anonymous.get(claims_url(claim.pk)).json()
    assert ferry_source.pk not in span_sources(detail)
    listed = anonymous.get(claims_url()).json()["results"]
    assert ferry_source.pk not in span_sources(listed[0])
    page = client.get(f"/claims/{claim.pk}/").content.decode()
    assert FERRY_TITLE not in page
    assert f"/sources/{ferry_source.pk}/" not in page
    review = json.dumps(anonymous.get(claims_url(claim.pk, "claimreview")).json())
    assert f"/sources/{ferry_source.pk}/" not in review
    assert FERRY_TITLE not in review

    # Reviewers still see it, struck through, with who-knows-why.
    seen = desk.get(claims_url(claim.pk)).json()
    withdrawn = [s for s in seen["spans"] if s["id"] == span.pk]
    assert withdrawn[0]["withdrawn_at"] is not None
    assert withdrawn[0]["withdrawn_reason"] == "The bulletin misquoted her."

    # The withdrawal itself is public news.
    feed = anonymous.get("/api/v1/changes/").json()["results"]
    assert [e["type"] for e in feed if e["claim"] == claim.pk][-1] == "span_withdrawn"
    history = anonymous.get(claims_url(claim.pk, "history")).json()
    assert any("withdrawn" in (e["reason"] or "") for e in history["edits"])

    # Twice is refused; so is the last content span.
    assert desk.post(url, {"reason": "again"}, format="json").status_code == 400
    last = Span.objects.get(claim=claim, withdrawn_at__isnull=True)
    refused = desk.post(
        claims_url(claim.pk, "spans", last.pk, "withdraw"),
        {"reason": "wrong too"},
        format="json",
    )
    assert refused.status_code == 400
    assert Span.objects.get(pk=last.pk).withdrawn_at is None


def test_a_proposed_span_cannot_be_withdrawn_only_rejected(
    contributor, accepted_claim, other_reviewer, ferry_source
):
    span = services.add_span(
        claim=accepted_claim, span=span_of(ferry_source, WORDS), by=contributor
    )
    with pytest.raises(ValidationError) as error:
        withdraw_contribution(item=span, reason="nope", by=other_reviewer)
    assert "item" in error.value.message_dict


def test_withdrawn_evidence_leaves_the_public_record(
    api, client, contributor, accepted_claim, source, other_reviewer
):
    note = "Photographs of the closed bridge in July."
    item = services.add_evidence(
        claim=accepted_claim,
        evidence=services.EvidenceInput(source=source, stance="refutes", note=note),
        by=other_reviewer,
    )
    assert item.review == "accepted"
    assert (
        "closed bridge" in client.get(f"/claims/{accepted_claim.pk}/").content.decode()
    )
    url = claims_url(accepted_claim.pk, "evidence", item.pk, "withdraw")
    desk = api(other_reviewer)
    no_reason = desk.post(url, {}, format="json")
    assert error_codes(no_reason)["reason"] == ["required"]
    assert desk.post(url, {"reason": "Wrong bridge."}, format="json").status_code == 200
    assert api().get(claims_url(accepted_claim.pk)).json()["evidence"] == []
    assert (
        "closed bridge"
        not in client.get(f"/claims/{accepted_claim.pk}/").content.decode()
    )


def raw(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def refused_by_database(sql, params):
    with pytest.raises(DatabaseError), transaction.atomic():
        raw(sql, params)


def test_the_database_refuses_any_change_but_a_forward_decision(
    two_source_claim, ferry_source, source, other_reviewer
):
    claim = two_source_claim
    span = Span.objects.get(claim=claim, source=source)
    before = Span.objects.filter(pk=span.pk).values().get()
    for sql in (
        "UPDATE claims_span SET exact = 'will reopen by july' WHERE id = %s",
        "UPDATE claims_span SET review = 'proposed' WHERE id = %s",
        "UPDATE claims_span SET review = 'rejected' WHERE id = %s",
        "UPDATE claims_span SET role = 'cue' WHERE id = %s",
        "UPDATE claims_span SET review_note = 'rewritten' WHERE id = %s",
    ):
        refused_by_database(sql, [span.pk])
    if connection.vendor == "postgresql":  # SQLite has no delete guard on spans
        refused_by_database("DELETE FROM claims_span WHERE id = %s", [span.pk])
    assert Span.objects.filter(pk=span.pk).values().get() == before

    withdrawn = withdraw_contribution(
        item=Span.objects.get(claim=claim, source=ferry_source),
        reason="Misquoted.",
        by=other_reviewer,
    )
    before = Span.objects.filter(pk=withdrawn.pk).values().get()
    for sql in (
        # Un-withdrawing, whole (the row's own check would pass it).
        "UPDATE claims_span SET withdrawn_at = NULL, withdrawn_by_id = NULL, "
        "withdrawn_reason = '' WHERE id = %s",
        "UPDATE claims_span SET withdrawn_at = NULL WHERE id = %s",
        "UPDATE claims_span SET withdrawn_reason = 'a nicer reason' WHERE id = %s",
    ):
        refused_by_database(sql, [withdrawn.pk])
    assert Span.objects.filter(pk=withdrawn.pk).values().get() == before


def test_the_database_lets_a_proposed_item_be_decided_once(
    contributor, accepted_claim, ferry_source, other_reviewer
):
    span = services.add_span(
        claim=accepted_claim, span=span_of(ferry_source, WORDS), by=contributor
    )
    raw(
        "UPDATE claims_span SET review = 'rejected', review_note = 'no', "
        "reviewed_by_id = %s WHERE id = %s",
        [other_reviewer.pk, span.pk],
    )
    assert Span.objects.get(pk=span.pk).review == "rejected"
    refused_by_database(
        "UPDATE claims_span SET review = 'accepted' WHERE id = %s", [span.pk]
    )
    refused_by_database(
        "UPDATE claims_span SET review = 'proposed' WHERE id = %s", [span.pk]
    )


def test_the_database_refuses_to_rewrite_evidence(
    contributor, accepted_claim, source, other_reviewer
):
    item = services.add_evidence(
        claim=accepted_claim,
        evidence=services.EvidenceInput(source=source, stance="refutes", note="x"),
        by=contributor,
    )
    refused_by_database(
        "UPDATE claims_evidence SET note = 'rewritten' WHERE id = %s", [item.pk]
    )
    review_contribution(item=item, decision="accept", by=other_reviewer)
    refused_by_database(
        "UPDATE claims_evidence SET review = 'proposed' WHERE id = %s", [item.pk]
    )
    refused_by_database(
        "UPDATE claims_evidence SET stance = 'supports' WHERE id = %s", [item.pk]
    )


# --- 4. four eyes ------------------------------------------------------------


def test_a_reviewer_cannot_accept_their_own_claim(api, propose, reviewer):
    claim = propose(by=reviewer)
    response = api(reviewer).post(
        claims_url(claim.pk, "review"), {"decision": "accept"}, format="json"
    )
    assert response.status_code == 403
    assert "four eyes" in detail(response)
    assert error_codes(response) == {None: ["permission_denied"]}
    assert (fresh(claim).review, fresh(claim).version) == ("proposed", claim.version)


def test_without_four_eyes_a_reviewer_accepts_their_own_claim(
    api, propose, reviewer, settings
):
    settings.CLAIMTRACK_FOUR_EYES = False
    claim = propose(by=reviewer)
    response = api(reviewer).post(
        claims_url(claim.pk, "review"), {"decision": "accept"}, format="json"
    )
    assert response.status_code == 200
    assert fresh(claim).review == "accepted"


def test_a_span_proposed_before_becoming_a_reviewer_needs_other_eyes(
    api, contributor, accepted_claim, ferry_source, settings
):
    span = services.add_span(
        claim=accepted_claim, span=span_of(ferry_source, WORDS), by=contributor
    )
    assert span.review == "proposed"
    contributor.groups.add(role_group("reviewer"))  # promoted later
    response = api(contributor).post(
        claims_url(accepted_claim.pk, "spans", span.pk, "review"),
        {"decision": "accept"},
        format="json",
    )
    assert response.status_code == 403
    assert "four eyes" in detail(response)
    assert error_codes(response) == {None: ["permission_denied"]}
    assert Span.objects.get(pk=span.pk).review == "proposed"
    assert fresh(accepted_claim).version == accepted_claim.version + 1
    settings.CLAIMTRACK_FOUR_EYES = False
    allowed = api(contributor).post(
        claims_url(accepted_claim.pk, "spans", span.pk, "review"),
        {"decision": "accept"},
        format="json",
    )
    assert allowed.status_code == 200
    assert Span.objects.get(pk=span.pk).review == "accepted"


def test_four_eyes_holds_for_evidence_in_the_service(
    contributor, accepted_claim, source, settings
):
    item = services.add_evidence(
        claim=accepted_claim,
        evidence=services.EvidenceInput(source=source, stance="supports"),
        by=contributor,
    )
    with pytest.raises(PermissionDenied, match="four eyes"):
        review_contribution(item=item, decision="accept", by=contributor)
    assert Evidence.objects.get(pk=item.pk).review == "proposed"
    settings.CLAIMTRACK_FOUR_EYES = False
    review_contribution(item=item, decision="accept", by=contributor)
    assert Evidence.objects.get(pk=item.pk).review == "accepted"


# --- 5. the sweep ------------------------------------------------------------


def test_the_sweep_moves_only_accepted_claims(api, api_user, propose, reviewer, source):
    # Three pending predictions due in June 2025, long past.
    public = accept(propose(text="The harbour bridge will reopen by June."), reviewer)
    proposed = propose(text="The bridge works finish by June.")
    rejected = services.review_claim(
        claim=propose(text="The bridge will surely reopen by June."),
        decision="reject",
        note="Duplicate.",
        by=reviewer,
    )
    out = io.StringIO()
    call_command("mark_overdue", "--dry-run", "--workers", "1", stdout=out)
    listed = out.getvalue()
    assert f"claim {public.pk}:" in listed
    assert f"claim {proposed.pk}:" not in listed
    assert f"claim {rejected.pk}:" not in listed
    assert "1 claim(s) would move" in listed

    desk = api(api_user("reviewer", username="rex-reviewer"))
    overdue = desk.get(claims_url(), {"overdue": "true"}).json()["results"]
    assert [c["id"] for c in overdue] == [public.pk]

    call_command("mark_overdue", "--workers", "1", stdout=io.StringIO())
    assert fresh(public).status == "overdue"
    assert (fresh(proposed).status, fresh(rejected).status) == ("pending", "pending")
    overdue = desk.get(claims_url(), {"overdue": "true"}).json()["results"]
    assert [c["id"] for c in overdue] == [public.pk]
    dry = services.mark_overdue(dry_run=True)
    assert dry == []


# --- 6. limits ----------------------------------------------------------------


def evidence_body(source, n):
    return [{"source": source.pk, "stance": "refutes"} for _ in range(n)]


def test_a_status_change_with_too_much_evidence_is_refused(
    api, accepted_claim, other_reviewer, source
):
    before = snapshot()
    response = api(other_reviewer).post(
        claims_url(accepted_claim.pk, "status"),
        {
            "status": "refuted",
            "rationale": "It did not reopen.",
            "evidence": evidence_body(source, 51),
        },
        format="json",
        HTTP_IF_MATCH=f'"{accepted_claim.version}"',
    )
    assert response.status_code == 400
    # the list is too long: DRF puts that on the list, flattened by dots
    assert error_codes(response) == {"evidence": ["max_length"]}
    assert snapshot() == before


def test_the_evidence_limit_is_checked_by_the_service_too(
    api, accepted_claim, other_reviewer, source, settings
):
    settings.CLAIMTRACK_MAX_EVIDENCE_PER_CHANGE = 2
    before = snapshot()
    response = api(other_reviewer).post(
        claims_url(accepted_claim.pk, "status"),
        {
            "status": "refuted",
            "rationale": "It did not reopen.",
            "evidence": evidence_body(source, 3),
        },
        format="json",
        HTTP_IF_MATCH=f'"{accepted_claim.version}"',
    )
    assert response.status_code == 400
    assert "evidence" in errors(response)
    assert snapshot() == before
    ok = api(other_reviewer).post(
        claims_url(accepted_claim.pk, "status"),
        {
            "status": "refuted",
            "rationale": "It did not reopen.",
            "evidence": evidence_body(source, 2),
        },
        format="json",
        HTTP_IF_MATCH=f'"{accepted_claim.version}"',
    )
    assert ok.status_code == 200, ok.content


def test_proposing_a_claim_with_too_many_spans_is_refused(api, contributor, source):
    span = anchor(source)
    body = {
        "text": "The harbour bridge will reopen by June 2025.",
        "attribution": "direct_quote",
        "kind": "prediction",
        "spans": [span] * 201,
    }
    before = snapshot()
    response = api(contributor).post(claims_url(), body, format="json")
    assert response.status_code == 400
    # the list is too long: DRF puts that on the list, flattened by dots
    assert error_codes(response) == {"spans": ["max_length"]}
    assert snapshot() == before


def test_the_span_limit_is_checked_by_the_services(
    api, propose, reviewer, contributor, source, settings
):
    settings.CLAIMTRACK_MAX_SPANS_PER_CLAIM = 2
    with pytest.raises(ValidationError) as error:
        propose(
            spans=[
                span_of(source, WORDS),
                span_of(source, "Okafor", SpanRole.SPEAKER),
                span_of(source, "said", SpanRole.CUE),
            ]
        )
    assert "spans" in error.value.message_dict
    claim = accept(
        propose(
            spans=[span_of(source, WORDS), span_of(source, "Okafor", SpanRole.SPEAKER)]
        ),
        reviewer,
    )
    before = snapshot()
    response = api(contributor).post(
        claims_url(claim.pk, "spans"),
        {**anchor(source, "said"), "role": "cue"},
        format="json",
    )
    assert response.status_code == 400
    assert "span" in errors(response)
    assert snapshot() == before


# --- 7. review notes and the desk's past stay internal -------------------------


@pytest.fixture
def reviewed_claim(propose, proposer, reviewer, contributor, other_reviewer, source):
    """A claim edited before acceptance, accepted with a note, then given a
    proposed span and a rejected piece of evidence."""
    claim = propose()
    claim = services.edit_claim(
        claim=claim,
        expected_version=claim.version,
        by=proposer,
        reason="Tightened the wording before review",
        text="The harbour bridge will reopen by June 2025, the mayor said.",
    )
    claim = services.review_claim(
        claim=claim, decision="accept", note=REVIEW_NOTE, by=reviewer
    )
    services.add_span(
        claim=claim,
        span=span_of(source, "lifeline", SpanRole.CUE),
        by=contributor,
    )
    item = services.add_evidence(
        claim=claim,
        evidence=services.EvidenceInput(source=source, stance="refutes", note="meh"),
        by=contributor,
    )
    review_contribution(
        item=item,
        decision="reject",
        note=REVIEW_NOTE + " (evidence)",
        by=other_reviewer,
    )
    return fresh(claim)


def accepted_at_version(claim):
    return ClaimEvent.objects.get(claim=claim, kind="reviewed").version


def test_anonymous_history_holds_no_review_note_and_nothing_before_acceptance(
    api, reviewed_claim
):
    history = api().get(claims_url(reviewed_claim.pk, "history")).json()
    text = json.dumps(history)
    assert "Desk-only" not in text
    assert "Tightened the wording" not in text
    since = accepted_at_version(reviewed_claim)
    assert history["edits"]
    assert all(e["version"] >= since for e in history["edits"])
    for edit in history["edits"]:
        assert "review_note" not in edit["changes"]
        assert "reviewed_by" not in edit["changes"]


def test_anonymous_history_names_no_proposed_or_rejected_item(api, reviewed_claim):
    history = api().get(claims_url(reviewed_claim.pk, "history")).json()
    reasons = [e["reason"] or "" for e in history["edits"]]
    assert not [r for r in reasons if "proposed" in r or "rejected" in r]


def test_insiders_read_the_whole_history(api, reviewed_claim, proposer, reviewer):
    for user in (proposer, reviewer):
        history = api(user).get(claims_url(reviewed_claim.pk, "history")).json()
        text = json.dumps(history)
        assert "Desk-only" in text
        assert "Tightened the wording" in text
        assert min(e["version"] for e in history["edits"]) == 1


def test_the_anonymous_change_feed_holds_nothing_internal(
    api, reviewed_claim, reviewer
):
    events = api().get("/api/v1/changes/", {"page_size": 100}).json()["results"]
    assert events
    internal = set(
        ClaimEvent.objects.filter(internal=True).values_list("id", flat=True)
    )
    assert len(internal) >= 2  # the proposed span, the rejection (and evidence)
    assert not internal & {e["id"] for e in events}
    since = accepted_at_version(reviewed_claim)
    assert all(e["version"] >= since for e in events)
    assert all(e["state"]["review"] == "accepted" for e in events)
    assert "Desk-only" not in json.dumps(events)
    kinds = [e["type"] for e in events]
    assert "created" not in kinds
    assert "span_added" not in kinds
    # A reviewer reads them all.
    desk = api(reviewer).get("/api/v1/changes/", {"page_size": 100}).json()
    assert internal <= {e["id"] for e in desk["results"]}


# --- 8. query counts -----------------------------------------------------------


@pytest.fixture
def crowded_claim(two_source_claim, ferry_source, contributor, other_reviewer, source):
    """Proposed, rejected and withdrawn spans and evidence on one claim."""
    claim = two_source_claim
    services.add_span(
        claim=claim, span=span_of(source, "lifeline", SpanRole.CUE), by=contributor
    )
    rejected = services.add_span(
        claim=claim, span=span_of(source, "Okafor", SpanRole.SPEAKER), by=contributor
    )
    review_contribution(item=rejected, decision="reject", note="no", by=other_reviewer)
    withdraw_contribution(
        item=Span.objects.get(claim=claim, source=ferry_source),
        reason="Misquoted.",
        by=other_reviewer,
    )
    services.add_evidence(
        claim=claim,
        evidence=services.EvidenceInput(source=source, stance="refutes"),
        by=contributor,
    )
    return claim


def test_the_anonymous_claim_list_keeps_its_query_count(
    api, crowded_claim, django_assert_max_num_queries
):
    client = api()
    client.get(claims_url())  # warm caches (content types, throttle)
    # SQLite: the ids, the claims, their spans, evidence and relations.
    with django_assert_max_num_queries(1 if connection.vendor == "postgresql" else 5):
        response = client.get(claims_url())
    assert response.status_code == 200
    [claim] = response.json()["results"]
    assert [s["review"] for s in claim["spans"]] == ["accepted"]


def test_the_anonymous_claim_detail_keeps_its_query_count(
    api, crowded_claim, django_assert_max_num_queries
):
    client = api()
    client.get(claims_url(crowded_claim.pk))
    with django_assert_max_num_queries(1 if connection.vendor == "postgresql" else 4):
        response = client.get(claims_url(crowded_claim.pk))
    assert response.status_code == 200
    assert len(response.json()["spans"]) == 1
    assert len(response.json()["evidence"]) == 1  # the verdict's


# --- 9. the SQL rule and the queryset rule agree ------------------------------


def test_the_sql_visibility_rule_matches_the_queryset_rule(
    crowded_claim, contributor, api_user, other_reviewer, ferry_source
):
    # One more author, whose proposed span a contributor must not see.
    other = api_user("contributor", username="cyril-contributor")
    services.add_span(
        claim=crowded_claim,
        span=span_of(ferry_source, "the bridge", SpanRole.CUE),
        by=other,
    )
    states = {
        (review, withdrawn_at is None)
        for review, withdrawn_at in Span.objects.values_list("review", "withdrawn_at")
    }
    assert states == {
        ("accepted", True),
        ("accepted", False),
        ("proposed", True),
        ("rejected", True),
    }
    outsider = UserFactory(username="no-role-reader")
    for user in (None, AnonymousUser(), contributor, other, outsider, other_reviewer):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT x.id FROM claims_span x WHERE "
                + contribution_visible_sql(user, "x")
            )
            by_sql = {row[0] for row in cursor.fetchall()}
        by_queryset = set(Span.objects.visible_to(user).values_list("id", flat=True))
        assert by_sql == by_queryset, user
    everything = set(Span.objects.values_list("id", flat=True))
    assert (
        set(Span.objects.visible_to(other_reviewer).values_list("id", flat=True))
        == everything
    )
    public = set(Span.objects.public().values_list("id", flat=True))
    assert set(Span.objects.visible_to(None).values_list("id", flat=True)) == public
    mine = set(Span.objects.filter(created_by=contributor).values_list("id", flat=True))
    assert (
        set(Span.objects.visible_to(contributor).values_list("id", flat=True))
        == public | mine
    )


# --- more surfaces ------------------------------------------------------------


def test_the_public_pages_of_the_made_up_source_and_search_ignore_a_proposal(
    api, client, contributor, accepted_claim, other_reviewer
):
    mine = api(contributor)
    fake = submit_fake_source(mine)
    body = anchor(Source.objects.get(pk=fake), "zebrafish hatchery")
    assert (
        mine.post(
            claims_url(accepted_claim.pk, "spans"), body, format="json"
        ).status_code
        == 201
    )
    mine.post(
        claims_url(accepted_claim.pk, "evidence"),
        {"source": fake, "stance": "refutes", "note": "see my transcript"},
        format="json",
    )
    link = f"/claims/{accepted_claim.pk}/"
    assert link not in client.get(f"/sources/{fake}/").content.decode()
    assert link not in client.get("/search/", {"q": "zebrafish"}).content.decode()
    span = Span.objects.get(source_id=fake)
    review_contribution(item=span, decision="accept", by=other_reviewer)
    assert link in client.get(f"/sources/{fake}/").content.decode()
    assert link in client.get("/search/", {"q": "zebrafish"}).content.decode()


def test_anonymous_history_hides_withdrawn_verdict_evidence(
    api, two_source_claim, ferry_source, reviewer, other_reviewer, source
):
    claim = two_source_claim
    verdict = StatusChange.objects.filter(claim=claim).latest("id")
    # A second piece of evidence for the verdict, so that one may go.
    extra = services.change_status(
        claim=claim,
        to_status="confirmed",
        rationale="It reopened after all.",
        by=reviewer,
        expected_version=fresh(claim).version,
        evidence=[
            services.EvidenceInput(source=ferry_source, stance="supports"),
            services.EvidenceInput(source=source, stance="supports", note="keep"),
        ],
    )
    assert verdict.pk != extra.pk
    gone = Evidence.objects.get(status_change=extra, source=ferry_source)
    withdraw_contribution(item=gone, reason="Wrong bulletin.", by=other_reviewer)
    ledger = api().get(claims_url(claim.pk, "history")).json()["ledger"]
    shown = [e["id"] for entry in ledger for e in entry["evidence"]]
    assert gone.pk not in shown
    assert len(shown) == 2
    desk = api(other_reviewer).get(claims_url(claim.pk, "history")).json()["ledger"]
    assert gone.pk in [e["id"] for entry in desk for e in entry["evidence"]]


def test_a_contributor_cannot_withdraw(api, contributor, two_source_claim):
    span = Span.objects.filter(claim=two_source_claim).first()
    response = api(contributor).post(
        claims_url(two_source_claim.pk, "spans", span.pk, "withdraw"),
        {"reason": "I do not like it."},
        format="json",
    )
    assert response.status_code == 403
    assert Span.objects.get(pk=span.pk).withdrawn_at is None


def test_the_last_verdict_evidence_cannot_be_withdrawn(
    api, two_source_claim, other_reviewer
):
    [item] = Evidence.objects.filter(claim=two_source_claim)
    response = api(other_reviewer).post(
        claims_url(two_source_claim.pk, "evidence", item.pk, "withdraw"),
        {"reason": "Weak."},
        format="json",
    )
    assert response.status_code == 400
    assert "item" in errors(response)
    assert Evidence.objects.get(pk=item.pk).withdrawn_at is None
