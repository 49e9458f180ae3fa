"""Relating two claims from the claim page, and withdrawing a relation, with
the test client (claims/admin/relate.py). The services' own rules are in
test_repeats.py; here, what the desk's forms do with them."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from claims import services
from claims.models import Claim, ClaimRelation, EventKind

from .conftest import snapshot, span_of
from .factories import UserFactory

pytestmark = pytest.mark.django_db


def claim_page(claim) -> str:
    return reverse("admin:claims_claim_change", args=[claim.pk])


def relate_page(claim) -> str:
    return reverse("admin:claims_claim_relate", args=[claim.pk])


def withdraw_page(claim, relation) -> str:
    return reverse("admin:claims_claim_withdraw_relation", args=[claim.pk, relation.pk])


@pytest.fixture
def as_role(client):
    """as_role("reviewer"): the test client, logged in as a new desk user of
    that role (never the proposer of the fixtures' claims)."""

    def log_in(role):
        user = UserFactory(username=f"desk-{role}", is_staff=True)
        user.groups.add(Group.objects.get(name=role))
        client.force_login(user)
        client.user = user
        return client

    return log_in


@pytest.fixture
def two_claims(propose_accepted, repeat, follow_up, reviewer):
    """The mayor's promise (June), and a later, accepted claim that moves its
    deadline (September), from the follow-up article."""
    original = propose_accepted()
    later = repeat(
        text="The harbour bridge will reopen by September.",
        due_on=datetime.date(2025, 9, 1),
        due_text="by September",
        spans=[span_of(follow_up, "the bridge would now reopen by September")],
    )
    later = services.review_claim(claim=later, decision="accept", by=reviewer)
    return Claim.objects.get(pk=later.pk), Claim.objects.get(pk=original.pk)


def relate(client, claim, **fields):
    """POST the relate form as a reviewer fills it in."""
    return client.post(
        relate_page(claim), {"expected_version": claim.version, **fields}
    )


def test_only_reviewers_are_offered_relate(as_role, two_claims):
    later, _ = two_claims
    assert "Relate to another claim…" in as_role("reviewer").get(claim_page(later)).text
    contributor = as_role("contributor")
    assert "Relate to another claim…" not in contributor.get(claim_page(later)).text
    assert contributor.get(relate_page(later)).status_code == 403


def test_a_reviewer_relates_two_claims_from_the_claim_page(as_role, two_claims):
    later, original = two_claims
    client = as_role("reviewer")
    later_span, original_span = later.spans.get(), original.spans.get()

    # The form lists this claim's words; the other claim's once it is named.
    form = client.get(relate_page(later)).text
    assert "the bridge would now reopen by September" in form
    assert "will reopen by June" not in form
    shown = relate(client, later, other=original.pk, kind="updates", show="1")
    assert shown.status_code == 200
    assert not shown.context["form"].errors  # nothing asked for yet
    assert f"#{original.pk}: {original.text}" in shown.text
    assert "“will reopen by June”" in shown.text

    response = relate(
        client,
        later,
        other=original.pk,
        kind="updates",
        rationale="A new deadline for the same promise.",
        spans=[later_span.pk, original_span.pk],
    )
    assert response.status_code == 302
    assert response.url == claim_page(later)
    relation = ClaimRelation.objects.get()
    assert (relation.claim, relation.other, relation.kind) == (
        later,
        original,
        "updates",
    )
    assert relation.created_by == client.user
    assert set(relation.spans.all()) == {later_span, original_span}
    for claim in (later, original):
        assert claim.events.latest("id").kind == EventKind.RELATION_ADDED
        page = client.get(claim_page(claim)).text
        related = page.split("Related claims")[1].split("</section>")[0]
        assert f"#{later.pk}</a> updates <a" in related
        assert "A new deadline for the same promise." in related


def no_spans(later, original):
    return {}


@pytest.mark.parametrize(
    ("fill_in", "field", "message"),
    [
        (no_spans, "spans", "give the ids of the spans"),
        (lambda later, original: {"rationale": ""}, "rationale", "required"),
        (lambda later, original: {"other": 999_999_999}, "other", "no claim #"),
        (lambda later, original: {"other": "two"}, "other", "whole number"),
        (lambda later, original: {"other": later.pk}, "other", "itself"),
        (lambda later, original: {"kind": "rhymes"}, "kind", "valid choice"),
        (
            lambda later, original: {"spans": [original.spans.get().pk + 1000]},
            "spans",
            "valid choice",
        ),
        (lambda later, original: {"expected_version": 1}, None, "Someone else"),
    ],
    ids=[
        "no words",
        "no rationale",
        "no such claim",
        "not a number",
        "itself",
        "no such kind",
        "words not offered",
        "stale",
    ],
)
def test_a_refused_relation_shows_on_its_field_and_changes_nothing(
    as_role, two_claims, fill_in, field, message
):
    later, original = two_claims
    client = as_role("reviewer")
    fields = {
        "other": original.pk,
        "kind": "updates",
        "rationale": "A new deadline for the same promise.",
        "spans": [later.spans.get().pk],
    }
    fields = {**fields, **fill_in(later, original)}
    if fill_in is no_spans:
        del fields["spans"]
    before = snapshot()
    response = relate(client, later, **fields)
    assert response.status_code == 200
    errors = response.context["form"].errors
    shown = " ".join(errors.get(field or "__all__", []))
    assert message in shown, errors
    if field:
        assert f"errors field-{field}" in response.text
    assert snapshot() == before


def test_a_relation_to_a_rejected_claim_is_refused(as_role, two_claims, reviewer):
    later, _ = two_claims
    client = as_role("reviewer")
    closed = services.propose_claim(
        text="The ferry will run hourly.",
        kind="fact",
        attribution="hedged",
        spans=[span_of(later.spans.get().source, "A spokesman said")],
        by=UserFactory(username="pat-again"),
    )
    services.review_claim(
        claim=closed, decision="reject", note="Not said.", by=reviewer
    )
    before = snapshot()
    response = relate(
        client,
        later,
        other=closed.pk,
        kind="contradicts",
        rationale="They disagree.",
        spans=[later.spans.get().pk],
    )
    assert "is rejected" in " ".join(response.context["form"].errors["other"])
    assert snapshot() == before


@pytest.fixture
def related(two_claims, reviewer):
    later, original = two_claims
    relation = services.relate_claims(
        claim=later,
        other=original,
        kind="updates",
        rationale="A new deadline for the same promise.",
        spans=[later.spans.get()],
        by=reviewer,
    )
    return later, original, relation


def test_a_reviewer_withdraws_a_relation_with_a_reason(as_role, related):
    _, original, relation = related
    client = as_role("reviewer")
    page = client.get(claim_page(original)).text
    assert withdraw_page(original, relation) in page  # a form per relation

    response = client.post(
        withdraw_page(original, relation), {"reason": "It is another bridge."}
    )
    assert response.status_code == 302
    assert response.url == claim_page(original)
    relation.refresh_from_db()
    assert relation.withdrawn_by == client.user
    assert relation.withdrawn_reason == "It is another bridge."
    assert original.events.latest("id").kind == EventKind.RELATION_WITHDRAWN
    # Struck through for reviewers, with why; no longer to be withdrawn.
    page = client.get(claim_page(original)).text
    assert "<del>" in page.split("Related claims")[1].split("</section>")[0]
    assert "It is another bridge." in page
    assert withdraw_page(original, relation) not in page
    # Gone for a contributor.
    contributor = as_role("contributor")
    page = contributor.get(claim_page(original)).text
    assert "A new deadline for the same promise." not in page


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_withdrawal_without_a_reason_is_refused_on_its_field(
    as_role, related, reason
):
    later, _, relation = related
    client = as_role("reviewer")
    before = snapshot()
    response = client.post(withdraw_page(later, relation), {"reason": reason})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    assert "errors field-reason" in response.text
    assert snapshot() == before
    assert ClaimRelation.objects.get().withdrawn_at is None


def test_a_withdrawn_relation_cannot_be_withdrawn_again(as_role, related, reviewer):
    later, _, relation = related
    services.withdraw_relation(relation=relation, reason="Misread.", by=reviewer)
    client = as_role("reviewer")
    before = snapshot()
    response = client.post(withdraw_page(later, relation), {"reason": "Again."})
    assert "already withdrawn" in " ".join(response.context["form"].non_field_errors())
    assert snapshot() == before


def test_withdrawing_is_for_reviewers_and_this_claims_relations(
    as_role, related, propose_accepted
):
    later, _, relation = related
    unrelated = propose_accepted(text="The ferry runs daily.")
    as_role("contributor")  # made before the snapshot; logged in again below
    reviewer = as_role("reviewer")
    before = snapshot()
    response = reviewer.post(withdraw_page(unrelated, relation), {"reason": "Wrong."})
    assert response.status_code == 404
    contributor = as_role("contributor")
    response = contributor.post(withdraw_page(later, relation), {"reason": "Wrong."})
    assert response.status_code == 403
    assert snapshot() == before
