"""Repeats and relations through the API: the review's duplicate decision and
reasons, similar claims, "not a repeat", relations and ``related``."""

import pytest
from django.db import connection

from claims import services
from claims.api.payloads import payload_for, python_payloads
from claims.models import Claim, ClaimRelation, RepeatCandidate, Review, Span
from claims.models.relation import relation_visible_sql
from tests.errors import error_codes, errors

pytestmark = pytest.mark.django_db


def claims_url(*parts):
    return "/api/v1/claims/" + "".join(f"{p}/" for p in parts)


def test_duplicate_closes_a_proposal_onto_the_claim_it_repeats(
    reviewer_api, propose_accepted, repeat
):
    original = propose_accepted()
    proposal = repeat()
    response = reviewer_api.post(
        claims_url(proposal.pk, "review"),
        {"decision": "duplicate", "of": original.pk},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["review"], body["rejection_reason"], body["duplicate_of"]) == (
        "rejected",
        "duplicate",
        original.pk,
    )
    shown = reviewer_api.get(claims_url(original.pk)).json()
    appearance = next(s for s in shown["spans"] if s["stated_on"] == "2025-04-02")
    assert (appearance["speaker"], appearance["speaker_title"]) == (
        proposal.speaker_id,
        "the mayor",
    )


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"decision": "duplicate"}, "of", "required"),
        ({"decision": "duplicate", "of": 999999}, "of", "invalid"),
        ({"decision": "accept", "of": 1}, "of", "invalid"),
        (
            {"decision": "reject", "note": "x", "reason": "boring"},
            "reason",
            "invalid_choice",
        ),
        (
            {"decision": "reject", "note": "x", "reason": "duplicate"},
            "reason",
            "invalid",
        ),
    ],
)
def test_a_wrong_decision_names_the_field_and_changes_nothing(
    reviewer_api, propose, body, field, code
):
    claim = propose()
    response = reviewer_api.post(claims_url(claim.pk, "review"), body, format="json")
    assert response.status_code == 400
    assert field in errors(response)
    assert code in error_codes(response)[field]
    assert Claim.objects.get(pk=claim.pk).version == 1


def test_a_rejection_reason_is_shown(reviewer_api, propose):
    claim = propose()
    response = reviewer_api.post(
        claims_url(claim.pk, "review"),
        {"decision": "reject", "reason": "misattributed", "note": "The mayor did not."},
        format="json",
    )
    assert response.json()["rejection_reason"] == "misattributed"


def test_similar_lists_candidates_with_score_and_reasons(
    reviewer_api, propose_accepted, repeat
):
    original = propose_accepted()
    proposal = repeat()
    (first, *_) = reviewer_api.get(claims_url(proposal.pk, "similar")).json()
    assert first["claim"]["id"] == original.pk
    assert first["candidate"] is True
    assert "same speaker" in first["reasons"]
    response = reviewer_api.post(
        claims_url(proposal.pk, "not-a-repeat"), {"of": original.pk}, format="json"
    )
    assert response.status_code == 200
    assert RepeatCandidate.objects.get(claim=proposal).decision == "not_repeat"
    listed = reviewer_api.get(claims_url(proposal.pk, "similar")).json()
    assert original.pk not in [item["claim"]["id"] for item in listed]


def test_similar_never_shows_a_claim_the_reader_may_not_see(
    api, reviewer_api, propose_accepted, propose
):
    hidden = propose()  # proposed: not public
    accepted = propose_accepted(text="The harbour bridge will reopen by June.")
    seen = [
        i["claim"]["id"] for i in api().get(claims_url(accepted.pk, "similar")).json()
    ]
    assert hidden.pk not in seen
    seen = [
        i["claim"]["id"]
        for i in reviewer_api.get(claims_url(accepted.pk, "similar")).json()
    ]
    assert hidden.pk in seen


@pytest.fixture
def related(propose_accepted, propose, reviewer):
    one = propose_accepted()
    two = propose_accepted(
        text="The ferry service is the city's lifeline.", kind="fact"
    )
    hidden = propose(text="The ferry runs daily.", kind="fact")
    services.relate_claims(
        claim=one,
        other=two,
        kind="contradicts",
        rationale="They disagree.",
        spans=[one.spans.get().pk],
        by=reviewer,
    )
    services.relate_claims(
        claim=one,
        other=hidden,
        kind="supports",
        rationale="The same.",
        spans=[one.spans.get().pk],
        by=reviewer,
    )
    return one, two, hidden


def test_related_shows_on_both_claims_to_those_who_may_see_both(
    api, reviewer_api, related
):
    one, two, _ = related
    public = api().get(claims_url(one.pk)).json()["related"]
    assert [(r["claim"], r["kind"], r["other"]) for r in public] == [
        (one.pk, "contradicts", two.pk)
    ]
    assert public[0]["spans"] == [one.spans.get().pk]
    other_end = api().get(claims_url(two.pk)).json()["related"]
    assert [r["id"] for r in other_end] == [public[0]["id"]]
    assert len(reviewer_api.get(claims_url(one.pk)).json()["related"]) == 2


def test_both_payload_paths_and_both_visibility_rules_agree_on_related(
    related, reviewer, proposer, django_user_model
):
    one, _, _ = related
    stranger = django_user_model.objects.create_user("stranger")
    for user in (None, stranger, proposer, reviewer):
        (python,) = python_payloads(Claim.objects.all(), [one.pk], user)
        assert payload_for(one.pk, user)["related"] == python["related"]
        expected = set(
            ClaimRelation.objects.visible_to(user).values_list("pk", flat=True)
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT r.id FROM claims_claimrelation r WHERE "
                + relation_visible_sql(user, "r")
            )
            assert {row[0] for row in cursor.fetchall()} == expected


def test_a_relation_through_the_api(reviewer_api, propose_accepted):
    one = propose_accepted()
    two = propose_accepted(
        text="The ferry service is the city's lifeline.", kind="fact"
    )
    response = reviewer_api.post(
        claims_url(one.pk, "relations"),
        {
            "other": two.pk,
            "kind": "updates",
            "rationale": "A new date.",
            "spans": [one.spans.get().pk],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["related"][0]["kind"] == "updates"
    refused = reviewer_api.post(
        claims_url(one.pk, "relations"),
        {"other": two.pk, "kind": "updates", "rationale": "Again.", "spans": [999999]},
        format="json",
    )
    assert refused.status_code == 400
    assert "spans" in errors(refused)
    assert Span.objects.filter(claim=one).count() == 1
    assert Claim.objects.get(pk=one.pk).review == Review.ACCEPTED
