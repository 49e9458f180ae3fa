"""Every endpoint by every role of DESIGN.md, against the expected status code."""

import pytest
from django.contrib.auth.models import Group

from claims import services
from claims.models import Claim

from .conftest import SAMPLE_TEXT
from .factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "contributor", "reviewer", "staff")


@pytest.fixture
def claims_for_roles(propose, reviewer, source):
    """An accepted (and refuted) claim, and another contributor's proposal."""
    accepted = propose(text="Accepted claim.")
    services.review_claim(claim=accepted, decision="accept", by=reviewer)
    services.change_status(
        claim=accepted,
        to_status="refuted",
        rationale="No.",
        by=reviewer,
        expected_version=2,
        evidence=[services.EvidenceInput(source=source, stance="refutes")],
    )
    others = propose(text="Another contributor's proposal.")
    return {
        "accepted": Claim.objects.get(pk=accepted.pk),
        "others": others,
        "source": source,
    }


def client_for(role, api):
    if role == "anonymous":
        return api()
    if role == "staff":
        return api(StaffFactory(username="staff-sam"))
    user = UserFactory(username=f"{role}-matrix")
    user.groups.add(Group.objects.get(name=role))
    return api(user)


def cue(source):
    start = SAMPLE_TEXT.index("Okafor added")
    return {"source": source.pk, "start": start, "end": start + 12, "role": "cue"}


# (name, method, path(world), body(world), headers(world), expected per role)
CASES = [
    ("list claims", "get", lambda w: "/api/v1/claims/", None, {}, (200, 200, 200, 200)),
    (
        "read accepted",
        "get",
        lambda w: f"/api/v1/claims/{w['accepted'].pk}/",
        None,
        {},
        (200, 200, 200, 200),
    ),
    (
        "read another's proposal",
        "get",
        lambda w: f"/api/v1/claims/{w['others'].pk}/",
        None,
        {},
        (404, 404, 200, 200),
    ),
    (
        "history of a proposal",
        "get",
        lambda w: f"/api/v1/claims/{w['others'].pk}/history/",
        None,
        {},
        (404, 404, 200, 200),
    ),
    (
        "claimreview",
        "get",
        lambda w: f"/api/v1/claims/{w['accepted'].pk}/claimreview/",
        None,
        {},
        (200, 200, 200, 200),
    ),
    (
        "list sources",
        "get",
        lambda w: "/api/v1/sources/",
        None,
        {},
        (200, 200, 200, 200),
    ),
    (
        "read source",
        "get",
        lambda w: f"/api/v1/sources/{w['source'].pk}/",
        None,
        {},
        (200, 200, 200, 200),
    ),
    ("speakers", "get", lambda w: "/api/v1/speakers/", None, {}, (200, 200, 200, 200)),
    ("changes", "get", lambda w: "/api/v1/changes/", None, {}, (200, 200, 200, 200)),
    (
        "submit source",
        "post",
        lambda w: "/api/v1/sources/",
        lambda w: {"text": "Fresh text."},
        {},
        (401, 201, 201, 201),
    ),
    (
        "propose claim",
        "post",
        lambda w: "/api/v1/claims/",
        lambda w: {
            "text": "New.",
            "attribution": "hedged",
            "kind": "fact",
            "spans": [{"source": w["source"].pk, "start": 0, "end": 5}],
        },
        {},
        (401, 201, 201, 201),
    ),
    (
        "add span",
        "post",
        lambda w: f"/api/v1/claims/{w['accepted'].pk}/spans/",
        lambda w: cue(w["source"]),
        {},
        (401, 201, 201, 201),
    ),
    (
        "add evidence",
        "post",
        lambda w: f"/api/v1/claims/{w['accepted'].pk}/evidence/",
        lambda w: {"source": w["source"].pk, "stance": "context"},
        {},
        (401, 201, 201, 201),
    ),
    (
        "edit",
        "patch",
        lambda w: f"/api/v1/claims/{w['accepted'].pk}/",
        lambda w: {"speaker_title": "Dr"},
        {"HTTP_IF_MATCH": '"3"'},
        (401, 403, 200, 200),
    ),
    (
        "review",
        "post",
        lambda w: f"/api/v1/claims/{w['others'].pk}/review/",
        lambda w: {"decision": "accept"},
        {},
        (401, 403, 200, 200),
    ),
    (
        "move status",
        "post",
        lambda w: f"/api/v1/claims/{w['accepted'].pk}/status/",
        lambda w: {"status": "retracted", "rationale": "Withdrawn."},
        {"HTTP_IF_MATCH": '"3"'},
        (401, 403, 200, 200),
    ),
    (
        "delete claim",
        "delete",
        lambda w: f"/api/v1/claims/{w['accepted'].pk}/",
        None,
        {},
        (405, 405, 405, 405),
    ),
    (
        "put claim",
        "put",
        lambda w: f"/api/v1/claims/{w['accepted'].pk}/",
        lambda w: {},
        {},
        (405, 405, 405, 405),
    ),
    (
        "delete source",
        "delete",
        lambda w: f"/api/v1/sources/{w['source'].pk}/",
        None,
        {},
        (405, 405, 405, 405),
    ),
]


@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
@pytest.mark.parametrize(
    ("name", "method", "path", "body", "headers", "expected"),
    CASES,
    ids=[c[0] for c in CASES],
)
def test_endpoint_by_role(
    api, claims_for_roles, role_index, name, method, path, body, headers, expected
):
    client = client_for(ROLES[role_index], api)
    before = list(Claim.objects.values_list("id", "version").order_by("id"))
    kwargs = {"format": "json", **headers}
    if body is not None:
        kwargs["data"] = body(claims_for_roles)
    response = getattr(client, method)(path(claims_for_roles), **kwargs)
    assert response.status_code == expected[role_index], (
        ROLES[role_index],
        response.content[:300],
    )
    if response.status_code >= 400:
        assert list(Claim.objects.values_list("id", "version").order_by("id")) == before
