"""A status move may cite a relation ("#41 contradicts this claim"): the
relation's words become the move's evidence, each row pointing at it. Through
the service, the API, the desk's status form and the public claim page."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from claims import services
from claims.api.payloads import payload_for, python_payloads
from claims.models import Claim, Evidence, StatusChange

from .conftest import snapshot, span_of
from .errors import errors
from .factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def contradiction(propose_accepted, repeat, follow_up, reviewer):
    """The mayor's June promise, and a later accepted claim from the follow-up
    that contradicts it ("by September instead"), related by a reviewer."""
    original = propose_accepted()
    later = repeat(
        text="The harbour bridge will reopen by September.",
        due_on=datetime.date(2025, 9, 1),
        due_text="by September",
        spans=[span_of(follow_up, "the bridge would now reopen by September")],
    )
    later = services.review_claim(claim=later, decision="accept", by=reviewer)
    relation = services.relate_claims(
        claim=later,
        other=original,
        kind="contradicts",
        rationale="The spokesman moved the date to September.",
        spans=[later.spans.get().pk],
        by=reviewer,
    )
    return Claim.objects.get(pk=original.pk), relation


def move_url(claim) -> str:
    return f"/api/v1/claims/{claim.pk}/status/"


def test_a_cited_contradiction_is_the_verdicts_evidence(
    reviewer_api, contradiction, follow_up
):
    claim, relation = contradiction
    response = reviewer_api.post(
        move_url(claim),
        {"status": "refuted", "rationale": "Not by June.", "relations": [relation.pk]},
        format="json",
        HTTP_IF_MATCH=f'"{claim.version}"',
    )
    assert response.status_code == 200, response.json()
    (cited,) = response.json()["evidence"]
    assert cited["relation"] == relation.pk
    assert (cited["source"], cited["stance"], cited["exact"]) == (
        follow_up.pk,
        "refutes",
        "the bridge would now reopen by September",
    )
    assert cited["note"].startswith(f"#{relation.claim_id} contradicts #{claim.pk}")
    entry = StatusChange.objects.filter(claim=claim).latest()
    assert entry.to_status == "refuted"
    assert list(entry.evidence.values_list("relation", flat=True)) == [relation.pk]


def test_both_payload_paths_show_the_cited_relation(contradiction, reviewer):
    claim, relation = contradiction
    services.change_status(
        claim=claim,
        to_status="refuted",
        rationale="Not by June.",
        by=reviewer,
        expected_version=claim.version,
        relations=[relation.pk],
    )
    (python,) = python_payloads(Claim.objects.all(), [claim.pk], None)
    assert python["evidence"] == payload_for(claim.pk, None)["evidence"]
    assert [e["relation"] for e in python["evidence"]] == [relation.pk]


@pytest.mark.parametrize(
    "problem", ["unknown", "another claim's", "withdrawn", "to a proposed claim"]
)
def test_a_relation_that_cannot_be_cited_names_why_and_changes_nothing(
    reviewer_api, contradiction, propose, reviewer, problem
):
    claim, relation = contradiction
    cited = relation.pk
    if problem == "unknown":
        cited = 999999
    elif problem == "another claim's":
        stranger = propose(text="The ferry runs daily.", kind="fact")
        cited = services.relate_claims(
            claim=stranger,
            other=Claim.objects.get(pk=relation.claim_id),
            kind="supports",
            rationale="Both about transport.",
            spans=[stranger.spans.get().pk],
            by=reviewer,
        ).pk
    elif problem == "withdrawn":
        services.withdraw_relation(relation=relation, reason="Wrong.", by=reviewer)
    else:
        hidden = propose(text="The ferry runs daily.", kind="fact")
        cited = services.relate_claims(
            claim=hidden,
            other=claim,
            kind="contradicts",
            rationale="A proposal disagrees.",
            spans=[hidden.spans.get().pk],
            by=reviewer,
        ).pk
    claim.refresh_from_db()
    before = snapshot()
    response = reviewer_api.post(
        move_url(claim),
        {"status": "refuted", "rationale": "Not by June.", "relations": [cited]},
        format="json",
        HTTP_IF_MATCH=f'"{claim.version}"',
    )
    assert response.status_code == 400
    assert f"relation {cited}" in errors(response)["relations.0"][0]
    assert snapshot() == before


def test_a_relation_is_cited_once(contradiction, reviewer):
    claim, relation = contradiction
    with pytest.raises(ValidationError) as raised:
        services.change_status(
            claim=claim,
            to_status="refuted",
            rationale="Not by June.",
            by=reviewer,
            expected_version=claim.version,
            relations=[relation.pk, relation.pk],
        )
    assert "relations" in raised.value.message_dict


def test_the_database_keeps_a_cited_relation_as_given(contradiction, reviewer):
    claim, relation = contradiction
    services.change_status(
        claim=claim,
        to_status="refuted",
        rationale="Not by June.",
        by=reviewer,
        expected_version=claim.version,
        relations=[relation.pk],
    )
    cited = Evidence.objects.get(relation=relation)
    with (
        pytest.raises(IntegrityError, match="only a review"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE claims_evidence SET relation_id = NULL WHERE id = %s", [cited.pk]
        )
    assert Evidence.objects.get(pk=cited.pk).relation_id == relation.pk


@pytest.fixture
def desk(client):
    user = UserFactory(username="desk-reviewer", is_staff=True)
    user.groups.add(Group.objects.get(name="reviewer"))
    client.force_login(user)
    return client


def test_the_desk_cites_a_relation_from_the_status_form(desk, contradiction):
    claim, relation = contradiction
    url = reverse("admin:claims_claim_status", args=[claim.pk])
    page = desk.get(url).content.decode()
    assert f"#{relation.claim_id} contradicts #{claim.pk}" in page
    response = desk.post(
        url,
        {
            "status": "refuted",
            "rationale": "Not by June.",
            "expected_version": claim.version,
            "evidence_stance": "supports",
            "relations": [relation.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Claim.objects.get(pk=claim.pk).status == "refuted"
    assert Evidence.objects.filter(claim=claim, relation=relation).count() == 1


def test_the_status_form_offers_no_relations_when_there_are_none(
    desk, propose_accepted
):
    claim = propose_accepted()
    page = desk.get(reverse("admin:claims_claim_status", args=[claim.pk]))
    assert "Cite relations" not in page.content.decode()


def test_the_public_page_links_the_cited_claim(client, contradiction, reviewer):
    claim, relation = contradiction
    services.change_status(
        claim=claim,
        to_status="refuted",
        rationale="Not by June.",
        by=reviewer,
        expected_version=claim.version,
        relations=[relation.pk],
    )
    page = client.get(reverse("public:claim", args=[claim.pk])).content.decode()
    assert "Cited from the relation with" in page
    assert reverse("public:claim", args=[relation.claim_id]) in page
