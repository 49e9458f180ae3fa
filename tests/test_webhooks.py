"""Webhooks (issue 25): the change feed's events POSTed to a receiver of our
own on 127.0.0.1, signed as Standard Webhooks says and verified with the
standardwebhooks package; in order, at least once, retried, then given up
on with the owner told."""

import datetime
import json
import time

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db.models import F, Max
from django.utils import timezone
from standardwebhooks import Webhook
from werkzeug import Response

from claims import services, webhooks
from claims.changes import horizon
from claims.models import (
    ClaimEvent,
    DeliveryOutcome,
    Status,
    WebhookDelivery,
    WebhookEndpoint,
)

from .test_status import move

pytestmark = pytest.mark.django_db


class Receiver:
    """A receiver on the local test server: it records what it is sent and
    answers ``status`` (changed by the test)."""

    def __init__(self, server):
        self.status = 200
        self.got: list[tuple[dict, bytes]] = []
        server.expect_request("/hook", method="POST").respond_with_handler(self.answer)
        self.url = server.url_for("/hook")

    def answer(self, request):
        self.got.append((dict(request.headers), request.get_data()))
        headers = {"Location": "/elsewhere"} if 300 <= self.status < 400 else {}
        return Response("thanks", status=self.status, headers=headers)

    def verified(self, secret):
        """Each body, verified with the endpoint's secret, as a receiver would."""
        hook = Webhook(secret)
        return [
            hook.verify(body, {k.lower(): v for k, v in headers.items()})
            for headers, body in self.got
        ]


def wait_for_the_feed(timeout: float = 240) -> None:
    """Wait until the feed serves every committed event. On PostgreSQL it
    serves an event once every transaction older than the event's has ended,
    on the whole server (claims/changes.py), and another test process (CI
    runs two at once) may hold one open for a while."""
    last = ClaimEvent.objects.aggregate(Max("txid"))["txid__max"] or 0
    deadline = time.monotonic() + timeout
    while horizon()[0] < last:
        assert time.monotonic() < deadline, "another transaction held the feed back"
        time.sleep(0.5)


@pytest.fixture
def receiver(httpserver, settings):
    settings.CLAIMTRACK_FETCH_ALLOW_PRIVATE = True
    # Threads have connections of their own, which cannot see a test's
    # uncommitted rows: one endpoint at a time (but in the committing test).
    settings.CLAIMTRACK_WEBHOOK_CONCURRENCY = 1
    return Receiver(httpserver)


def endpoint_for(user, receiver, **fields):
    return services.create_endpoint(owner=user, url=receiver.url, **fields)


def test_a_status_change_reaches_the_receiver_signed(
    propose_accepted, reviewer, receiver
):
    before = propose_accepted(
        kind="fact", due_on=None, due_on_precision="", due_text=""
    )
    endpoint = endpoint_for(reviewer, receiver, event_types=["claim.status_changed"])
    assert endpoint.secret.startswith("whsec_")
    move(before, Status.UNVERIFIABLE, reviewer, rationale="No record exists.")
    assert webhooks.deliver_due() == 1
    (delivered,) = receiver.verified(endpoint.secret)
    assert delivered["type"] == "claim.status_changed"
    assert delivered["data"]["claim"] == before.pk
    assert delivered["data"]["state"]["status"] == "unverifiable"
    headers = receiver.got[0][0]
    assert headers["Webhook-Id"] == f"msg_event_{delivered['data']['event']}"
    log = WebhookDelivery.objects.get()
    assert (log.outcome, log.status_code, log.attempt) == ("delivered", 200, 1)
    assert log.response_head == "thanks"
    assert log.latency_ms is not None
    # Nothing new: nothing sent again.
    assert webhooks.deliver_due() == 0
    assert len(receiver.got) == 1


def test_only_what_the_endpoint_asks_for_and_its_owner_may_read(
    propose, propose_accepted, proposer, reviewer, receiver, api_user
):
    stranger = api_user("contributor")
    mine = endpoint_for(stranger, receiver)
    accepted_only = endpoint_for(
        reviewer, receiver, event_types=["claim.accepted"], statuses=["pending"]
    )
    propose()  # a proposal: the desk's, not the stranger's to read
    propose_accepted()  # proposed, then accepted
    webhooks.deliver_due()
    by_endpoint = {}
    for headers, body in receiver.got:
        for endpoint in (mine, accepted_only):
            try:
                Webhook(endpoint.secret).verify(
                    body, {k.lower(): v for k, v in headers.items()}
                )
            except Exception:
                continue
            by_endpoint.setdefault(endpoint.pk, []).append(json.loads(body)["type"])
    assert by_endpoint[mine.pk] == ["claim.accepted"]
    assert by_endpoint[accepted_only.pk] == ["claim.accepted"]


def test_a_receiver_that_fails_gets_every_event_in_order_once_back(
    propose_accepted, reviewer, receiver
):
    endpoint = endpoint_for(reviewer, receiver)
    receiver.status = 503
    first = propose_accepted()
    second = propose_accepted(text="The tram will run by May 2026.")
    assert webhooks.deliver_due() == 0
    endpoint.refresh_from_db()
    assert endpoint.failed_attempts == 1
    assert timezone.now() < endpoint.next_attempt_at
    assert endpoint.next_attempt_at < timezone.now() + datetime.timedelta(seconds=7)
    assert webhooks.deliver_due() == 0  # not due yet: nothing sent
    assert len(receiver.got) == 1
    receiver.status = 200
    endpoint.next_attempt_at = timezone.now()
    endpoint.save()
    assert webhooks.deliver_due() == 4  # two proposals, two acceptances
    types = [
        (m["type"], m["data"]["claim"]) for m in receiver.verified(endpoint.secret)
    ]
    assert types[1:] == [
        ("claim.proposed", first.pk),
        ("claim.accepted", first.pk),
        ("claim.proposed", second.pk),
        ("claim.accepted", second.pk),
    ]
    assert types[0] == types[1]  # the failed attempt, the same message again
    assert receiver.got[0][0]["Webhook-Id"] == receiver.got[1][0]["Webhook-Id"]
    outcomes = list(
        WebhookDelivery.objects.order_by("id").values_list("outcome", "attempt")
    )
    assert outcomes == [("failed", 1), ("delivered", 2)] + [("delivered", 1)] * 3


def test_after_the_last_retry_the_endpoint_is_disabled_and_its_owner_told(
    propose_accepted, reviewer, receiver
):
    reviewer.email = "rita@example.org"
    reviewer.save()
    endpoint = endpoint_for(reviewer, receiver)
    receiver.status = 302  # a redirect is never followed
    propose_accepted()
    for _ in range(len(webhooks.RETRY_DELAYS) + 1):
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(next_attempt_at=None)
        webhooks.deliver_due()
    endpoint.refresh_from_db()
    assert endpoint.disabled_at is not None
    assert "8 attempts failed" in endpoint.disabled_reason
    assert "a redirect, which is never followed" in endpoint.disabled_reason
    assert WebhookDelivery.objects.filter(outcome=DeliveryOutcome.GAVE_UP).count() == 1
    assert len(receiver.got) == 8
    (told,) = mail.outbox
    assert told.to == ["rita@example.org"]
    assert f"webhook {endpoint.pk} was disabled" in told.subject
    # Enabled again, it resumes from the event that failed.
    receiver.status = 200
    services.update_endpoint(endpoint=endpoint, enabled=True)
    assert webhooks.deliver_due() == 2


def test_a_private_receiver_is_refused_unless_allowed(
    propose_accepted, reviewer, receiver, settings
):
    settings.CLAIMTRACK_FETCH_ALLOW_PRIVATE = False
    endpoint = endpoint_for(reviewer, receiver)
    created_at = endpoint.position
    propose_accepted()
    webhooks.deliver_due()
    assert receiver.got == []
    log = WebhookDelivery.objects.get()
    assert log.outcome == "failed"
    assert "loopback address" in log.error
    endpoint.refresh_from_db()
    assert endpoint.position == created_at


def test_replay_from_an_event_sends_it_and_what_follows_again(
    propose_accepted, reviewer, receiver
):
    endpoint = endpoint_for(reviewer, receiver)
    propose_accepted()
    propose_accepted(text="The tram will run by May 2026.")
    assert webhooks.deliver_due() == 4
    third = receiver.verified(endpoint.secret)[2]["data"]["event"]
    services.replay_from(endpoint=endpoint, event=third)
    assert webhooks.deliver_due() == 2
    again = [m["data"]["event"] for m in receiver.verified(endpoint.secret)[4:]]
    assert again[0] == third
    with pytest.raises(ValidationError) as error:
        services.replay_from(endpoint=endpoint, event=10**9)
    assert "event" in error.value.message_dict


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"url": "ftp://example.org/"}, "url"),
        ({"url": ""}, "url"),
        ({"event_types": ["claim.exploded"]}, "event_types"),
        ({"statuses": "pending"}, "statuses"),
        ({"claims": [1, "2"]}, "claims"),
        ({"secret": "whsec_mine"}, "secret"),
    ],
)
def test_a_bad_endpoint_is_refused_naming_the_field(reviewer, fields, field):
    with pytest.raises(ValidationError) as error:
        services.create_endpoint(
            owner=reviewer, **{"url": "https://example.org/", **fields}
        )
    assert field in error.value.message_dict
    assert not WebhookEndpoint.objects.exists()


def test_a_change_queues_a_delivery_at_commit(
    propose_accepted, reviewer, receiver, django_capture_on_commit_callbacks
):
    """Without a worker the delivery runs at once, after the commit."""
    endpoint_for(reviewer, receiver, event_types=["claim.accepted"])
    with django_capture_on_commit_callbacks(execute=True):
        claim = propose_accepted()
    assert len(receiver.got) == 1
    assert json.loads(receiver.got[0][1])["data"]["claim"] == claim.pk
    assert services  # the services record the change; webhooks.changed queues


@pytest.mark.django_db(transaction=True)
def test_endpoints_are_delivered_to_at_once_each_in_order(
    propose_accepted, reviewer, receiver, settings
):
    settings.CLAIMTRACK_WEBHOOK_CONCURRENCY = 4
    endpoints = [endpoint_for(reviewer, receiver) for _ in range(3)]
    # Committed, each change is delivered at once (no worker in the tests),
    # unless the feed holds it back (wait_for_the_feed): then now.
    claims = [propose_accepted(text=f"The tram will run by May {n}.") for n in (1, 2)]
    wait_for_the_feed()
    webhooks.deliver_due()
    assert WebhookDelivery.objects.filter(outcome="delivered").count() == 3 * 4
    for endpoint in endpoints:
        got = []
        for headers, body in receiver.got:
            try:
                Webhook(endpoint.secret).verify(
                    body, {k.lower(): v for k, v in headers.items()}
                )
            except Exception:
                continue
            message = json.loads(body)
            got.append((message["type"], message["data"]["claim"]))
        assert got == [
            ("claim.proposed", claims[0].pk),
            ("claim.accepted", claims[0].pk),
            ("claim.proposed", claims[1].pk),
            ("claim.accepted", claims[1].pk),
        ]


def test_the_admin_registers_an_endpoint_and_shows_its_log(
    client, api_user, receiver, propose_accepted
):
    owner = api_user("reviewer", username="desk-hooks")
    owner.is_staff = True
    owner.save()
    client.force_login(owner)
    added = client.post(
        "/admin/claims/webhookendpoint/add/",
        {
            "url": receiver.url,
            "description": "the newsroom's bot",
            "event_types": ["claim.accepted"],
            "claims": "",
            "speakers": "",
        },
        follow=True,
    )
    assert added.status_code == 200
    endpoint = WebhookEndpoint.objects.get()
    assert (endpoint.owner, endpoint.event_types) == (owner, ["claim.accepted"])
    assert endpoint.secret.encode() in added.content  # shown this once
    propose_accepted()
    webhooks.deliver_due()
    page = client.get(f"/admin/claims/webhookendpoint/{endpoint.pk}/change/")
    assert b"claim.accepted" in page.content
    assert b"delivered" in page.content
    assert endpoint.secret.encode() not in page.content
    refused = client.post(
        "/admin/claims/webhookendpoint/add/",
        {"url": "ftp://example.org/", "claims": "1, x", "speakers": ""},
    )
    assert refused.status_code == 200
    assert b"Give ids, separated by commas." in refused.content
    assert WebhookEndpoint.objects.count() == 1


def test_a_change_by_the_owner_leaves_a_worker_s_position_and_lease(reviewer):
    """An owner's edit, read before a worker moved on, must not move the
    position back or free the endpoint under the worker."""
    endpoint = services.create_endpoint(owner=reviewer, url="https://example.org/")
    stale = WebhookEndpoint.objects.get(pk=endpoint.pk)
    leased = timezone.now() + webhooks.LEASE
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        position_txid=F("position_txid") + 7, leased_until=leased
    )
    services.update_endpoint(endpoint=stale, description="the bot")
    endpoint.refresh_from_db()
    assert endpoint.description == "the bot"
    assert endpoint.position_txid == stale.position_txid + 7
    assert endpoint.leased_until == leased
