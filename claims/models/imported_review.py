from django.conf import settings
from django.db import models
from django.db.models import Q

from .choices import Status


class ImportedReview(models.Model):
    """A fact-checker's ClaimReview that ``manage.py import_claimreview`` made
    into a proposed claim: the original rating as the fact-checker gave it,
    the whole item as it came, and the status it was mapped to (none when
    the rating could not be mapped). Its ``key`` makes a re-import a no-op.
    """

    claim = models.ForeignKey(
        "claims.Claim",
        on_delete=models.PROTECT,
        related_name="imported_reviews",
    )
    key = models.CharField(
        max_length=64,
        unique=True,
        help_text="SHA-256 of the review's URL, the words reviewed, their "
        "author, the fact-checker and the review's date: the same review "
        "imported again is recognised by it.",
    )
    review_url = models.URLField(
        max_length=2000, blank=True, help_text="The fact-check's own page."
    )
    fact_checker = models.CharField(
        max_length=300, blank=True, help_text="Who published the review."
    )
    rating = models.JSONField(
        help_text="The review's reviewRating, as the fact-checker gave it."
    )
    item = models.JSONField(help_text="The whole ClaimReview, as imported.")
    mapped_status = models.CharField(
        max_length=16,
        choices=Status.choices,
        blank=True,
        help_text="The status the rating was mapped to; empty when it could "
        "not be mapped (the claim kept its starting status).",
    )
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(mapped_status__in=["", *Status.values]),
                name="importedreview_mapped_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(key=""), name="importedreview_key_not_empty"
            ),
        ]

    def __str__(self):
        rating = (
            self.rating.get("alternateName") if isinstance(self.rating, dict) else ""
        )
        return f"{self.fact_checker or 'review'}: {rating or 'rating'}"
