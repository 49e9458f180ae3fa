from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from sources.models import Source

from .choices import Stance, Status
from .span import (
    DECISION_FIELDS,
    AnchorFields,
    ContributionFields,
    anchor_constraints,
    contribution_constraints,
)


class StatusChange(models.Model):
    """One entry of a claim's append-only status ledger."""

    # Indexed by statuschange_unique_version (claim, claim_version).
    claim = models.ForeignKey(
        "claims.Claim", on_delete=models.PROTECT, related_name="ledger", db_index=False
    )
    from_status = models.CharField(
        max_length=20,
        choices=Status.choices,
        blank=True,
        help_text="Empty for the first entry, written when the claim was proposed.",
    )
    to_status = models.CharField(max_length=20, choices=Status.choices)
    rationale = models.TextField(help_text="Why the status moved; always required.")
    claim_version = models.PositiveIntegerField(
        help_text="The claim's version once this change was made."
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        get_latest_by = "id"
        constraints = [
            models.CheckConstraint(
                condition=Q(to_status__in=Status.values),
                name="statuschange_to_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(from_status="") | Q(from_status__in=Status.values),
                name="statuschange_from_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(from_status=F("to_status")),
                name="statuschange_moves",
            ),
            models.CheckConstraint(
                condition=~Q(rationale=""), name="statuschange_rationale_required"
            ),
            models.UniqueConstraint(
                fields=["claim", "claim_version"], name="statuschange_unique_version"
            ),
        ]
        indexes = [
            # The reviewers' digest: what went overdue since the last one.
            models.Index(
                fields=["changed_at"],
                name="statuschange_overdue_idx",
                condition=Q(to_status="overdue"),
            ),
        ]

    def __str__(self):
        return f"{self.from_status or '∅'} → {self.to_status}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError("Status ledger entries are never edited.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Status ledger entries are never deleted.")


class Evidence(ContributionFields, AnchorFields):
    """A source (optionally its exact words) that bears on a claim's verdict."""

    claim = models.ForeignKey(
        "claims.Claim", on_delete=models.PROTECT, related_name="evidence"
    )
    status_change = models.ForeignKey(
        StatusChange,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evidence",
        help_text="The ledger entry this evidence was given for, if any.",
    )
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="evidence_for"
    )
    stance = models.CharField(max_length=10, choices=Stance.choices)
    note = models.TextField(blank=True)
    relation = models.ForeignKey(
        "claims.ClaimRelation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cited_as",
        help_text="The relation whose words this evidence cites, if a status "
        'move cited one ("#41 contradicts this claim").',
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "evidence"
        constraints = [
            *anchor_constraints("evidence", optional=True),
            *contribution_constraints("evidence"),
            models.CheckConstraint(
                condition=Q(stance__in=Stance.values), name="evidence_stance_valid"
            ),
        ]
        indexes = [
            # The review desk's queue of proposed additions, oldest first.
            models.Index(
                fields=["id"],
                name="evidence_proposed_idx",
                condition=Q(review="proposed"),
            ),
        ]

    def __str__(self):
        where = f" {self.start}–{self.end}" if self.has_position else ""
        return f"{self.stance}: source {self.source_id}{where}"

    @property
    def cited_claim_id(self) -> int | None:
        """The claim at the other end of the relation this evidence cites."""
        relation = self.relation
        if relation is None:
            return None
        return (
            relation.other_id
            if relation.claim_id == self.claim_id
            else relation.claim_id
        )

    def save(self, *args, **kwargs):
        # Only the review and withdrawal columns move, through the services.
        fields = kwargs.get("update_fields")
        if not self._state.adding and (
            fields is None or set(fields) - set(DECISION_FIELDS)
        ):
            raise ValidationError("Evidence is never edited.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Evidence is provenance and cannot be deleted.")


class QueuedEvidence(Evidence):
    """Evidence proposed for accepted claims, waiting for a reviewer. A view of
    Evidence for the admin."""

    class Meta:
        proxy = True
        verbose_name = "evidence to review"
        verbose_name_plural = "evidence to review"
