from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from sources.review import is_reviewer

from .choices import Review
from .claim import Claim


class EventKind(models.TextChoices):
    CREATED = "created", "Created"
    EDITED = "edited", "Edited"
    REVIEWED = "reviewed", "Reviewed"
    STATUS_CHANGED = "status_changed", "Status changed"
    SPAN_ADDED = "span_added", "Span added"
    EVIDENCE_ADDED = "evidence_added", "Evidence added"
    SPAN_REVIEWED = "span_reviewed", "Span reviewed"
    EVIDENCE_REVIEWED = "evidence_reviewed", "Evidence reviewed"
    SPAN_WITHDRAWN = "span_withdrawn", "Span withdrawn"
    EVIDENCE_WITHDRAWN = "evidence_withdrawn", "Evidence withdrawn"
    RELATION_ADDED = "relation_added", "Relation added"
    RELATION_WITHDRAWN = "relation_withdrawn", "Relation withdrawn"


def sees_desk_side(user, claim: Claim) -> bool:
    """Whether ``user`` reads what happened to ``claim`` on the desk's side:
    its review notes, what came before it was public, proposed additions
    and their rejection. Reviewers do, and the claim's author."""
    return is_reviewer(user) or bool(
        user is not None and user.is_authenticated and claim.created_by_id == user.pk
    )


class ClaimEventQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The events ``user`` may read: those of the claims they may see, and
        of those, for anyone but reviewers and the claim's author, only the
        public side (``sees_desk_side``, the same rule for one claim)."""
        events = self.filter(claim__in=Claim.objects.visible_to(user))
        if is_reviewer(user):
            return events
        public = Q(internal=False, state__review=Review.ACCEPTED)
        if user is not None and user.is_authenticated:
            public |= Q(claim__created_by=user)
        return events.filter(public)


class ClaimEvent(models.Model):
    """One change to a claim, in the order the change feed serves them.

    Written by the services in the same transaction as the change. On PostgreSQL
    a trigger stamps ``txid`` with the writing transaction's id: the feed orders
    by (txid, id) and serves only transactions older than every one still
    running, so an event that commits late can never land behind a cursor a
    client already holds. On SQLite writers are serialized, so id order is
    commit order and ``txid`` stays empty.
    """

    # Indexed by claimevent_unique_version (claim, version).
    claim = models.ForeignKey(
        "claims.Claim", on_delete=models.PROTECT, related_name="events", db_index=False
    )
    kind = models.CharField(max_length=20, choices=EventKind)
    version = models.PositiveIntegerField(help_text="The claim's version after it.")
    state = models.JSONField(help_text="The claim's state after the change.")
    detail = models.CharField(max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    txid = models.BigIntegerField(null=True, blank=True, editable=False)
    internal = models.BooleanField(
        default=False,
        db_default=False,
        help_text="The desk's side: a proposed addition, or a decision on one "
        "other than acceptance. Only reviewers and the claim's author see it.",
    )

    objects = ClaimEventQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=EventKind.values), name="claimevent_kind_valid"
            ),
            models.UniqueConstraint(
                fields=["claim", "version"], name="claimevent_unique_version"
            ),
        ]
        indexes = [
            models.Index(fields=["txid", "id"], name="claimevent_feed_idx"),
        ]

    def __str__(self):
        return f"{self.kind} claim {self.claim_id} v{self.version}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError("Change feed events are never edited.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Change feed events are never deleted.")
