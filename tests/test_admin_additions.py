"""The review desk's queues of proposed spans and evidence, and withdrawal."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

from claims import services
from claims.models import Evidence, Span

from .conftest import role_group, span_of
from .factories import UserFactory

pytestmark = pytest.mark.django_db

SPANS = "/admin/claims/queuedspan/"
EVIDENCE = "/admin/claims/queuedevidence/"


def desk(client, username, role):
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(role_group(role))
    client.force_login(user)
    return user


@pytest.fixture
def accepted(propose, reviewer):
    return services.review_claim(claim=propose(), decision="accept", by=reviewer)


def test_the_queue_lists_proposed_additions_and_accepts_them(client, accepted, source):
    contributor = UserFactory(username="cato-contributor")
    proposed = services.add_span(
        claim=accepted, span=span_of(source, "Okafor added", role="cue"), by=contributor
    )
    desk(client, "rhea-reviewer", "reviewer")
    page = client.get(SPANS).text
    assert "Okafor added" in page
    assert "cato-contributor" in page
    response = client.post(
        SPANS,
        {"action": "accept_selected", ACTION_CHECKBOX_NAME: [proposed.pk]},
        follow=True,
    )
    assert "Accepted 1 item(s)." in response.text
    proposed.refresh_from_db()
    assert proposed.review == "accepted"
    assert "Okafor added" not in client.get(SPANS).text


def test_rejecting_from_the_queue_asks_for_a_note(client, accepted, source):
    contributor = UserFactory(username="cato-contributor")
    item = services.add_evidence(
        claim=accepted,
        evidence=services.EvidenceInput(source=source, stance="refutes", note="No."),
        by=contributor,
    )
    desk(client, "rhea-reviewer", "reviewer")
    selected = {"action": "reject_selected", ACTION_CHECKBOX_NAME: [item.pk]}
    form = client.post(EVIDENCE, selected)
    assert form.status_code == 200
    assert "Reject selected" in form.text
    assert Evidence.objects.get(pk=item.pk).review == "proposed"
    client.post(EVIDENCE, {**selected, "apply": "1", "note": "Not about the bridge."})
    item.refresh_from_db()
    assert (item.review, item.review_note) == ("rejected", "Not about the bridge.")


def test_four_eyes_marks_and_skips_a_reviewers_own_proposal(client, accepted, source):
    author = desk(client, "rhea-reviewer", "contributor")  # proposes as contributor
    proposed = services.add_span(
        claim=accepted, span=span_of(source, "Okafor added", role="cue"), by=author
    )
    author.groups.add(role_group("reviewer"))  # later becomes a reviewer
    assert "yours: another reviewer decides" in client.get(SPANS).text
    response = client.post(
        SPANS,
        {"action": "accept_selected", ACTION_CHECKBOX_NAME: [proposed.pk]},
        follow=True,
    )
    assert "four eyes" in response.text
    assert Span.objects.get(pk=proposed.pk).review == "proposed"


def test_contributors_do_not_see_the_queues(client):
    desk(client, "cato-contributor", "contributor")
    assert client.get(SPANS).status_code == 403
    assert client.get(EVIDENCE).status_code == 403


def test_a_reviewer_withdraws_a_span_from_the_span_list(
    client, accepted, source, reviewer
):
    second = services.add_span(
        claim=accepted, span=span_of(source, "reportedly spent"), by=reviewer
    )
    desk(client, "rhea-reviewer", "reviewer")
    selected = {"action": "withdraw_selected", ACTION_CHECKBOX_NAME: [second.pk]}
    assert "Withdraw selected" in client.post("/admin/claims/span/", selected).text
    client.post("/admin/claims/span/", {**selected, "apply": "1", "note": "Misread."})
    second.refresh_from_db()
    assert second.withdrawn_reason == "Misread."
    assert second.withdrawn_at is not None
    page = client.get(f"/admin/claims/claim/{accepted.pk}/change/").text
    assert "<del>" in page
    assert "Misread." in page
