"""Webhook endpoints and their delivery log (docs/NOTIFICATIONS.md).

An endpoint follows the change feed from its own position: claims/webhooks.py
delivers each event it wants, in feed order, at least once, signed as the
Standard Webhooks specification says, and moves the position on only when
the receiver has answered 2xx.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from sources.review import is_reviewer

# The types an event can be delivered as, and what each means.
EVENT_TYPES = {
    "claim.proposed": "a claim was proposed",
    "claim.accepted": "a claim was accepted: it is public",
    "claim.rejected": "a claim was rejected",
    "claim.edited": "a claim's text, speaker, dates or kind changed",
    "claim.status_changed": "a claim's status moved (with the verdict's rationale)",
    "claim.overdue": "a prediction or promise passed its deadline unresolved",
    "claim.appearance_added": "words a claim rests on were added and are public",
    "claim.evidence_added": "evidence for a claim was added and is public",
    "claim.relation_added": "a claim was related to another",
    "claim.withdrawn_item": "a span, evidence item or relation was withdrawn",
}


class WebhookEndpointQuerySet(models.QuerySet):
    def visible_to(self, user):
        """An endpoint is its owner's, and any reviewer's, to read."""
        if is_reviewer(user):
            return self
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(owner=user)


class WebhookEndpoint(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    url = models.URLField(max_length=2000, help_text="Where events are POSTed.")
    description = models.CharField(
        max_length=200, blank=True, help_text="What it is for, in words."
    )
    event_types = models.JSONField(
        default=list, blank=True, help_text="The types wanted; empty: all of them."
    )
    claims = models.JSONField(
        default=list, blank=True, help_text="Only these claims' events; empty: any."
    )
    speakers = models.JSONField(
        default=list, blank=True, help_text="Only these speakers' claims; empty: any."
    )
    statuses = models.JSONField(
        default=list,
        blank=True,
        help_text="Only claims that have one of these statuses after the event; "
        "empty: any.",
    )
    # The signing key, as the receiver is given it (whsec_…). Kept readable,
    # not hashed like a token: every delivery is signed with it.
    secret = models.CharField(max_length=100, editable=False)
    # The feed position of the last event handled: delivered, or not wanted.
    position_txid = models.BigIntegerField(default=0)
    position_id = models.BigIntegerField(default=0)
    # The event being retried: how many attempts failed, since when, and when
    # the next one is due.
    failed_attempts = models.PositiveSmallIntegerField(
        default=0, help_text="Failed attempts at the event being retried."
    )
    failing_since = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text="When the next retry is due, if one is."
    )
    # Until when a worker holds it (claims/webhooks.py: no transaction is held
    # while a receiver answers).
    leased_until = models.DateTimeField(null=True, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(
        max_length=300, blank=True, help_text="Why it was disabled, if it was."
    )
    created_at = models.DateTimeField(auto_now_add=True, help_text="When registered.")
    updated_at = models.DateTimeField(auto_now=True)

    objects = WebhookEndpointQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [
            # The deliverer's question: which enabled endpoints are due.
            models.Index(
                fields=["next_attempt_at"],
                name="webhook_due_idx",
                condition=Q(disabled_at__isnull=True),
            ),
        ]

    def __str__(self):
        return f"webhook {self.pk}: {self.url}"

    @property
    def position(self) -> tuple[int, int]:
        return self.position_txid, self.position_id

    def reset_failures(self) -> None:
        """No event being retried (not saved)."""
        self.failed_attempts = 0
        self.failing_since = self.next_attempt_at = None


# What enabling, disabling and failing change (beside the position): the
# fields a write that must not touch a worker's position or lease saves.
RETRY_STATE = (
    "failed_attempts",
    "failing_since",
    "next_attempt_at",
    "disabled_at",
    "disabled_reason",
)


class DeliveryOutcome(models.TextChoices):
    DELIVERED = "delivered", "delivered"
    FAILED = "failed", "failed (to be retried)"
    GAVE_UP = "gave_up", "failed; the endpoint was disabled"


class WebhookDelivery(models.Model):
    """One attempt to deliver one event to one endpoint."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey(
        "claims.ClaimEvent",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The change-feed event delivered.",
    )
    event_type = models.CharField(max_length=40, help_text="What it was sent as.")
    message_id = models.CharField(
        max_length=40, help_text="The webhook-id header: the same on every attempt."
    )
    attempt = models.PositiveSmallIntegerField(
        help_text="1 for the first try of this event, then 2, 3…"
    )
    outcome = models.CharField(
        max_length=16,
        choices=DeliveryOutcome,
        help_text="delivered, failed (to be retried) or gave_up.",
    )
    status_code = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The receiver's HTTP status; null if none."
    )
    latency_ms = models.PositiveIntegerField(
        null=True, blank=True, help_text="How long the receiver took, in ms."
    )
    response_head = models.CharField(
        max_length=500, blank=True, help_text="The answer's first bytes."
    )
    error = models.CharField(
        max_length=300, blank=True, help_text="Why it failed, if it did."
    )
    created_at = models.DateTimeField(auto_now_add=True, help_text="When it was tried.")

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["endpoint", "-id"], name="delivery_log_idx")]

    def __str__(self):
        return f"{self.event_type} #{self.event_id} → webhook {self.endpoint_id}"
