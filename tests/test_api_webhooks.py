"""/api/v1/webhooks/ (issue 25): register, read, change, replay and resend,
each endpoint its owner's (and readable by reviewers)."""

import pytest

from claims import services, webhooks
from claims.models import WebhookDelivery, WebhookEndpoint

from .test_webhooks import Receiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver(httpserver, settings):
    settings.CLAIMTRACK_FETCH_ALLOW_PRIVATE = True
    settings.CLAIMTRACK_WEBHOOK_CONCURRENCY = 1
    return Receiver(httpserver)


def test_a_contributor_registers_reads_and_changes_an_endpoint(
    api, api_user, receiver, propose_accepted
):
    owner = api_user("contributor")
    client = api(owner)
    created = client.post(
        "/api/v1/webhooks/",
        {"url": receiver.url, "event_types": ["claim.accepted"]},
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["secret"].startswith("whsec_")
    assert body["enabled"] is True
    read = client.get(f"/api/v1/webhooks/{body['id']}/").json()
    assert "secret" not in read
    assert read["event_types"] == ["claim.accepted"]
    assert [w["id"] for w in client.get("/api/v1/webhooks/").json()["results"]] == [
        body["id"]
    ]
    claim = propose_accepted()
    webhooks.deliver_due()
    log = client.get(f"/api/v1/webhooks/{body['id']}/deliveries/").json()
    assert [(d["event_type"], d["outcome"], d["status_code"]) for d in log] == [
        ("claim.accepted", "delivered", 200)
    ]
    resent = client.post(
        f"/api/v1/webhooks/{body['id']}/deliveries/{log[0]['id']}/resend/"
    )
    assert resent.status_code == 201
    assert resent.json()["attempt"] == 2
    assert len(receiver.got) == 2
    replay = client.post(
        f"/api/v1/webhooks/{body['id']}/replay/",
        {"from_event": log[0]["event"]},
        format="json",
    )
    assert replay.status_code == 202
    webhooks.deliver_due()
    assert len(receiver.got) == 3
    assert receiver.verified(body["secret"])[2]["data"]["claim"] == claim.pk
    off = client.patch(
        f"/api/v1/webhooks/{body['id']}/", {"enabled": False}, format="json"
    )
    assert off.json()["enabled"] is False
    assert off.json()["disabled_reason"] == "disabled by its owner"
    assert client.delete(f"/api/v1/webhooks/{body['id']}/").status_code == 204
    assert not WebhookEndpoint.objects.exists()
    assert not WebhookDelivery.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"url": "file:///etc/passwd"}, "url"),
        (
            {"url": "https://example.org/", "event_types": ["claim.sneezed"]},
            "event_types",
        ),
        ({"url": "https://example.org/", "statuses": ["maybe"]}, "statuses"),
        ({"url": "https://example.org/", "claims": "all"}, "claims"),
        ({"url": "https://example.org/", "position_id": 0}, "position_id"),
    ],
)
def test_a_bad_registration_is_a_400_naming_the_field(api, api_user, payload, field):
    answer = api(api_user("contributor")).post(
        "/api/v1/webhooks/", payload, format="json"
    )
    assert answer.status_code == 400
    assert field in str(answer.json())
    assert not WebhookEndpoint.objects.exists()


def test_an_endpoint_is_its_owner_s_to_change_and_the_reviewers_to_read(
    api, api_user, reviewer_api
):
    owner = api_user("contributor")
    endpoint = services.create_endpoint(owner=owner, url="https://example.org/hook")
    other = api(api_user("contributor", username="someone-else"))
    assert other.get(f"/api/v1/webhooks/{endpoint.pk}/").status_code == 404
    assert other.get("/api/v1/webhooks/").json()["results"] == []
    assert other.delete(f"/api/v1/webhooks/{endpoint.pk}/").status_code == 404
    desk = reviewer_api
    assert desk.get(f"/api/v1/webhooks/{endpoint.pk}/").status_code == 200
    changed = desk.patch(
        f"/api/v1/webhooks/{endpoint.pk}/", {"enabled": False}, format="json"
    )
    assert changed.status_code == 403
    anonymous = api(None)
    assert anonymous.post(
        "/api/v1/webhooks/", {"url": "https://example.org/"}, format="json"
    ).status_code in (401, 403)
    assert WebhookEndpoint.objects.get().disabled_at is None
