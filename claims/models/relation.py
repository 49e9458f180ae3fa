"""How claims relate: repeats found by claimtrack (candidates the desk decides
on) and links a reviewer draws between two claims (relations)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from sources.review import is_reviewer

from .claim import Claim
from .span import Span


def relation_visible_sql(user, alias: str) -> str:
    """``RelationQuerySet.visible_to`` as a SQL condition over ``alias`` (for
    the API's one-statement payloads; a test holds the two to the same
    answers)."""
    if is_reviewer(user):
        return "TRUE"
    hidden = "o.review <> 'accepted'"
    if user is not None and user.is_authenticated:
        hidden += f" AND o.created_by_id <> {int(user.pk)}"
    return (
        f"NOT EXISTS (SELECT 1 FROM claims_claim o WHERE o.id IN "
        f"({alias}.claim_id, {alias}.other_id) AND {hidden})"
    )


class CandidateDecision(models.TextChoices):
    OPEN = "", "Not decided"
    REPEAT = "repeat", "Repeat"
    NOT_REPEAT = "not_repeat", "Not a repeat"


class RepeatCandidate(models.Model):
    """An existing claim that ``claim`` may repeat, with the score and the
    reasons it matched; the desk's decision on the pair is kept, so that a
    pair found not to be a repeat is never suggested again."""

    claim = models.ForeignKey(
        Claim, on_delete=models.PROTECT, related_name="repeat_candidates"
    )
    candidate = models.ForeignKey(
        Claim, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    score = models.FloatField(help_text="0 to 1: how alike the two claims are.")
    reasons = models.JSONField(
        default=list, help_text='Why they matched: "same speaker", "same deadline"…'
    )
    decision = models.CharField(
        max_length=12,
        choices=CandidateDecision,
        blank=True,
        default="",
        db_default="",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["claim", "-score", "candidate"]
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "candidate"], name="repeatcandidate_unique_pair"
            ),
            models.CheckConstraint(
                condition=~Q(claim=F("candidate")),
                name="repeatcandidate_not_itself",
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0, score__lte=1),
                name="repeatcandidate_score_range",
            ),
            models.CheckConstraint(
                condition=Q(decision="", decided_by__isnull=True)
                | Q(
                    decision__in=[
                        CandidateDecision.REPEAT,
                        CandidateDecision.NOT_REPEAT,
                    ],
                    decided_by__isnull=False,
                    decided_at__isnull=False,
                ),
                name="repeatcandidate_decision_complete",
            ),
        ]

    def __str__(self):
        return f"#{self.claim_id} may repeat #{self.candidate_id} ({self.score:.2f})"


class RelationKind(models.TextChoices):
    REPEATS = "repeats", "Repeats"
    CONTRADICTS = "contradicts", "Contradicts"
    UPDATES = "updates", "Updates"
    SUPPORTS = "supports", "Supports"


class RelationQuerySet(models.QuerySet):
    def current(self):
        return self.filter(withdrawn_at__isnull=True)

    def visible_to(self, user):
        """Relations both of whose claims ``user`` may see
        (``relation_visible_sql`` states the same rule in SQL)."""
        if is_reviewer(user):
            return self
        visible = Claim.objects.visible_to(user)
        return self.filter(claim__in=visible, other__in=visible)

    def of(self, claim_id: int):
        """The relations either end of which is ``claim_id``."""
        return self.filter(Q(claim_id=claim_id) | Q(other_id=claim_id))


class ClaimRelation(models.Model):
    """A reviewer's link from ``claim`` to ``other``: "claim contradicts
    other". Sourced like a verdict (a rationale and the spans that show it)
    and append-only: a wrong link is withdrawn with a reason, never deleted."""

    claim = models.ForeignKey(
        Claim, on_delete=models.PROTECT, related_name="relations_from"
    )
    other = models.ForeignKey(
        Claim, on_delete=models.PROTECT, related_name="relations_to"
    )
    kind = models.CharField(max_length=12, choices=RelationKind)
    rationale = models.TextField(help_text="Why the two claims relate so.")
    spans = models.ManyToManyField(
        Span,
        related_name="relations",
        help_text="The words (spans of either claim) that show the relation.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    withdrawn_reason = models.TextField(blank=True, default="", db_default="")

    objects = RelationQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(claim=F("other")), name="claimrelation_not_itself"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=RelationKind.values),
                name="claimrelation_kind_valid",
            ),
            models.CheckConstraint(
                condition=~Q(rationale=""), name="claimrelation_has_rationale"
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True, withdrawn_by__isnull=True)
                | Q(withdrawn_at__isnull=False, withdrawn_by__isnull=False)
                & ~Q(withdrawn_reason=""),
                name="claimrelation_withdrawal_complete",
            ),
            models.UniqueConstraint(
                fields=["claim", "other", "kind"],
                condition=Q(withdrawn_at__isnull=True),
                name="claimrelation_unique_current",
            ),
        ]
        indexes = [models.Index(fields=["other"], name="claimrelation_other_idx")]

    def __str__(self):
        return f"#{self.claim_id} {self.kind} #{self.other_id}"
