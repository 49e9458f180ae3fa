from django.db import models
from django.db.models import Q


class ClaimExtraction(models.Model):
    """How the extractor came to propose a claim: the rule and its confidence.

    One row per claim the extractor proposed (claims typed in by people have
    none). A table of its own, so the claim table is not rebuilt to add it,
    and reviewers can sort the queue by confidence.
    """

    claim = models.OneToOneField(
        "claims.Claim",
        on_delete=models.PROTECT,
        related_name="extraction",
        primary_key=True,
    )
    rule = models.CharField(
        max_length=60, help_text="The extractor rule that produced the proposal."
    )
    confidence = models.FloatField(help_text="The extractor's confidence, 0 to 1.")
    checkworthiness = models.FloatField(
        null=True,
        blank=True,
        help_text="How check-worthy the extractor found the words, 0 to 1 "
        "(numbers, dates, named actors, comparisons, causes, the future); "
        "empty for claims proposed before it was scored.",
    )
    extractor_version = models.CharField(max_length=20)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(confidence__gte=0) & Q(confidence__lte=1),
                name="claimextraction_confidence_0_to_1",
            ),
            models.CheckConstraint(
                condition=~Q(rule=""), name="claimextraction_rule_not_empty"
            ),
            models.CheckConstraint(
                condition=Q(checkworthiness__gte=0) & Q(checkworthiness__lte=1),
                name="claimextraction_checkworthiness_0_to_1",
            ),
        ]
        indexes = [
            models.Index(fields=["confidence"], name="claimextraction_conf_idx"),
            models.Index(fields=["checkworthiness"], name="claimextraction_worth_idx"),
            models.Index(fields=["rule"], name="claimextraction_rule_idx"),
        ]

    def __str__(self):
        return f"{self.rule} ({self.confidence:.2f})"
