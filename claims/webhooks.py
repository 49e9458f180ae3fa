"""Webhooks: the change feed's events, POSTed to the endpoints that want them
(docs/NOTIFICATIONS.md).

Each endpoint follows the feed from its own position (``claims/changes.py``),
as its owner may read it. The events it wants go out one at a time, in feed
order, signed as the Standard Webhooks specification says (the
``standardwebhooks`` package: ``webhook-id``, ``webhook-timestamp``,
``webhook-signature``); the position moves on only when the receiver answers
2xx, so every event is delivered at least once and none is skipped. A failed
attempt is tried again after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h
(Standard Webhooks' schedule, give or take a fifth), then the endpoint is
disabled with the reason and its owner told.

A recorded change queues ``deliver_webhooks`` at commit (claims/notify.py): the
worker runs it with ``CLAIMTRACK_TASKS=database``, otherwise it runs at once.
No transaction is held while a receiver answers (that would hold back the
feed's horizon for every reader): a worker leases an endpoint for a while,
and another takes it over only once the lease has run out.
"""

import datetime
import json
import logging
import random
import smtplib
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import close_old_connections, connection, transaction
from django.db.models import Q
from django.tasks import task
from django.utils import timezone
from standardwebhooks import Webhook

from sources.fetching import FetchRefused, post

from .changes import FEED_COLUMNS, feed_page, position
from .models import (
    ClaimEvent,
    DeliveryOutcome,
    EventKind,
    Review,
    Status,
    WebhookDelivery,
    WebhookEndpoint,
)
from .models.webhook import RETRY_STATE

logger = logging.getLogger(__name__)

RETRY_DELAYS = (5, 300, 1800, 7200, 18000, 36000, 36000)  # seconds
PAGE = 100  # events read at a time
KEEP_BYTES = 500  # of each answer, for the log
# How long a worker holds an endpoint without writing to it.
LEASE = datetime.timedelta(minutes=2)


# --- which events, as what ---------------------------------------------------------


def types_of(row: dict) -> list[str]:
    """The types an event row (``claims.changes.FEED_COLUMNS``) is, the most
    specific first."""
    kind, state = row["kind"], row["state"]
    if kind == EventKind.STATUS_CHANGED:
        if state.get("status") == Status.OVERDUE:
            return ["claim.overdue", "claim.status_changed"]
        return ["claim.status_changed"]
    if kind == EventKind.REVIEWED:
        return {
            Review.ACCEPTED: ["claim.accepted"],
            Review.REJECTED: ["claim.rejected"],
        }.get(state.get("review"), [])
    return KIND_TYPES.get(kind, [])


KIND_TYPES = {
    EventKind.CREATED: ["claim.proposed"],
    EventKind.EDITED: ["claim.edited"],
    EventKind.SPAN_ADDED: ["claim.appearance_added"],
    EventKind.SPAN_REVIEWED: ["claim.appearance_added"],
    EventKind.EVIDENCE_ADDED: ["claim.evidence_added"],
    EventKind.EVIDENCE_REVIEWED: ["claim.evidence_added"],
    EventKind.RELATION_ADDED: ["claim.relation_added"],
    EventKind.SPAN_WITHDRAWN: ["claim.withdrawn_item"],
    EventKind.EVIDENCE_WITHDRAWN: ["claim.withdrawn_item"],
    EventKind.RELATION_WITHDRAWN: ["claim.withdrawn_item"],
}


def wanted(endpoint: WebhookEndpoint, row: dict) -> str | None:
    """The type ``row`` goes to ``endpoint`` as, or None if it does not want
    it. (A proposed span or evidence item's events are the desk's: the
    feed shows its owner only those it may read.)"""
    state = row["state"]
    if endpoint.claims and row["claim_id"] not in endpoint.claims:
        return None
    if endpoint.speakers and state.get("speaker") not in endpoint.speakers:
        return None
    if endpoint.statuses and state.get("status") not in endpoint.statuses:
        return None
    for name in types_of(row):
        if not endpoint.event_types or name in endpoint.event_types:
            return name
    return None


def message(row: dict, event_type: str) -> tuple[str, datetime.datetime, bytes]:
    """The delivery of ``row``: its webhook-id (the same on every attempt and
    every endpoint, for receivers to drop repeats), timestamp and body."""
    body = {
        "type": event_type,
        "timestamp": row["created_at"].isoformat(),
        "data": {
            "event": row["id"],
            "claim": row["claim_id"],
            "kind": row["kind"],
            "version": row["version"],
            "detail": row["detail"],
            "actor": row["actor__username"],
            "state": row["state"],
        },
    }
    return f"msg_event_{row['id']}", timezone.now(), json.dumps(body).encode()


# --- delivering ------------------------------------------------------------------


def queue(run_after: datetime.datetime | None = None) -> None:
    """Deliver what is waiting (after a commit that recorded a change: see
    ``claims/notify.py``), or schedule a retry for ``run_after``."""
    if not WebhookEndpoint.objects.filter(disabled_at__isnull=True).exists():
        return
    if settings.CLAIMTRACK_TASKS != "database":
        if run_after is None:
            deliver_webhooks.enqueue()  # at once
        return  # a retry waits for the next change or the scheduler
    if run_after is None:
        deliver_webhooks.enqueue()
    else:
        deliver_webhooks.using(run_after=run_after).enqueue()


@task()
def deliver_webhooks() -> int:
    return deliver_due()


def deliver_due() -> int:
    """Deliver what every due endpoint has waiting, a few endpoints at once
    (``CLAIMTRACK_WEBHOOK_CONCURRENCY``), each in order; how many were
    delivered."""
    now = timezone.now()
    due = list(
        WebhookEndpoint.objects.filter(disabled_at__isnull=True)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .values_list("pk", flat=True)
    )
    workers = min(settings.CLAIMTRACK_WEBHOOK_CONCURRENCY, len(due))
    if workers <= 1 or connection.vendor == "sqlite":  # SQLite: one writer
        return sum(deliver_endpoint(pk) for pk in due)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return sum(pool.map(_in_thread, due))


def _in_thread(pk: int) -> int:
    try:
        return deliver_endpoint(pk)
    finally:
        close_old_connections()
        connection.close()


def deliver_endpoint(pk: int) -> int:
    """Deliver one endpoint's waiting events in order, unless another worker
    holds it or it is not due; how many were delivered."""
    now = timezone.now()
    if not _leased(pk, now):
        return 0
    endpoint = WebhookEndpoint.objects.select_related("owner").get(pk=pk)
    delivered = 0
    started = time.monotonic()
    try:
        while time.monotonic() - started < LEASE.total_seconds() / 2:
            rows = feed_page(
                ClaimEvent.objects.visible_to(endpoint.owner), endpoint.position, PAGE
            )
            if not rows:
                break
            for row in rows:
                event_type = wanted(endpoint, row)
                if event_type is not None:
                    if not _attempt(endpoint, row, event_type):
                        return delivered
                    delivered += 1
                else:
                    endpoint.position_txid, endpoint.position_id = position(row)
            _save_position(endpoint)
    finally:
        WebhookEndpoint.objects.filter(pk=pk).update(leased_until=None)
    return delivered


def _leased(pk: int, now: datetime.datetime) -> bool:
    free = Q(leased_until__isnull=True) | Q(leased_until__lt=now)
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    return bool(
        WebhookEndpoint.objects.filter(
            free, due, pk=pk, disabled_at__isnull=True
        ).update(leased_until=now + LEASE)
    )


def _save_position(endpoint: WebhookEndpoint) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        position_txid=endpoint.position_txid,
        position_id=endpoint.position_id,
        leased_until=timezone.now() + LEASE,
    )


def _attempt(endpoint: WebhookEndpoint, row: dict, event_type: str) -> bool:
    """POST one event; log it, and move on (True) or schedule the retry."""
    sent = _post(endpoint, row, event_type)
    with transaction.atomic():
        attempt = endpoint.failed_attempts + 1
        if sent.ok:
            endpoint.position_txid, endpoint.position_id = position(row)
            endpoint.reset_failures()
            outcome = DeliveryOutcome.DELIVERED
        else:
            outcome = _failed(endpoint, sent.error)
        sent.log(endpoint, row, event_type, attempt, outcome)
        endpoint.leased_until = timezone.now() + LEASE
        endpoint.save(
            update_fields=[
                "position_txid",
                "position_id",
                *RETRY_STATE,
                "leased_until",
                "updated_at",
            ]
        )
    if outcome == DeliveryOutcome.GAVE_UP:
        _tell_owner(endpoint)
    elif outcome == DeliveryOutcome.FAILED:
        when = endpoint.next_attempt_at
        transaction.on_commit(lambda: queue(when))
    return sent.ok


def resend(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """POST a logged delivery's event again, now, out of turn: the endpoint's
    position and retries stay as they are. The new attempt is logged."""
    endpoint = delivery.endpoint
    row = (
        ClaimEvent.objects.visible_to(endpoint.owner)
        .filter(pk=delivery.event_id)
        .values(*FEED_COLUMNS)
        .first()
    )
    if row is None:
        raise ValidationError({"delivery": "its event is no longer yours to read."})
    sent = _post(endpoint, row, delivery.event_type)
    attempt = endpoint.deliveries.filter(event_id=delivery.event_id).count() + 1
    outcome = DeliveryOutcome.DELIVERED if sent.ok else DeliveryOutcome.FAILED
    return sent.log(endpoint, row, delivery.event_type, attempt, outcome)


@dataclass(frozen=True)
class _Sent:
    message_id: str
    status: int | None
    head: bytes
    error: str
    latency_ms: int

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    def log(self, endpoint, row, event_type, attempt, outcome) -> WebhookDelivery:
        return WebhookDelivery.objects.create(
            endpoint=endpoint,
            event_id=row["id"],
            event_type=event_type,
            message_id=self.message_id,
            attempt=attempt,
            outcome=outcome,
            status_code=self.status,
            latency_ms=self.latency_ms,
            response_head=self.head.decode("utf-8", "replace")[:KEEP_BYTES],
            error=self.error,
        )


def _post(endpoint: WebhookEndpoint, row: dict, event_type: str) -> _Sent:
    msg_id, at, body = message(row, event_type)
    headers = {
        "Content-Type": "application/json",
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(endpoint.secret).sign(msg_id, at, body),
    }
    started = time.monotonic()
    status, head, error = None, b"", ""
    try:
        answer = post(
            endpoint.url,
            body,
            headers,
            timeout=float(settings.CLAIMTRACK_WEBHOOK_TIMEOUT),
            keep=KEEP_BYTES,
        )
        status, head = answer.status, answer.head
    except FetchRefused as refused:
        error = str(refused)[:300]
    if status is not None and not 200 <= status < 300:
        error = f"answered {status}"
        if 300 <= status < 400:
            error += " (a redirect, which is never followed)"
    latency = round((time.monotonic() - started) * 1000)
    return _Sent(msg_id, status, head, error, latency)


def _failed(endpoint: WebhookEndpoint, error: str) -> DeliveryOutcome:
    now = timezone.now()
    endpoint.failed_attempts += 1
    endpoint.failing_since = endpoint.failing_since or now
    if endpoint.failed_attempts > len(RETRY_DELAYS):
        endpoint.disabled_at = now
        endpoint.disabled_reason = (
            f"{endpoint.failed_attempts} attempts failed since "
            f"{endpoint.failing_since:%Y-%m-%d %H:%M} UTC; the last: {error}"
        )[:300]
        endpoint.next_attempt_at = None
        return DeliveryOutcome.GAVE_UP
    delay = RETRY_DELAYS[endpoint.failed_attempts - 1] * random.uniform(0.8, 1.2)
    endpoint.next_attempt_at = now + datetime.timedelta(seconds=delay)
    return DeliveryOutcome.FAILED


def _tell_owner(endpoint: WebhookEndpoint) -> None:
    if not endpoint.owner.email:
        return
    email = EmailMessage(
        subject=f"claimtrack: webhook {endpoint.pk} was disabled",
        body=(
            f"Your webhook {endpoint.pk} ({endpoint.url}) was disabled: "
            f"{endpoint.disabled_reason}\n\nWhen the receiver is back, enable it "
            "again: it resumes from the event that failed."
        ),
        to=[endpoint.owner.email],
    )
    try:
        email.send()
    except (OSError, smtplib.SMTPException):
        # The endpoint's state is saved already; the desk sees why in the log.
        logger.warning(
            "could not tell %s that webhook %s was disabled",
            email.to,
            endpoint.pk,
            exc_info=True,
        )
