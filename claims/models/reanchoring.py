from django.conf import settings
from django.db import models
from django.db.models import Q

from sources.models import Source


class ReanchorMethod(models.TextChoices):
    POSITION = "position", "at the same place"
    QUOTE = "quote", "the same words elsewhere"
    FUZZY = "fuzzy", "words close to them"
    ORPHAN = "orphan", "not found"


class Reanchoring(models.Model):
    """Where a span's words went in a revision of its source: the span made
    there (how found, how alike), or nothing, an **orphan**, shown to the desk
    and on the claim's pages, never dropped. Written once, never changed."""

    span = models.ForeignKey(
        "claims.Span", on_delete=models.PROTECT, related_name="reanchorings"
    )
    revision = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="reanchorings"
    )
    new_span = models.OneToOneField(
        "claims.Span",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reanchored_from",
        help_text="The span on the revision; empty for an orphan.",
    )
    method = models.CharField(max_length=8, choices=ReanchorMethod)
    score = models.FloatField(help_text="How alike the words found are, 0 to 1.")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["span", "revision"], name="reanchoring_once_per_revision"
            ),
            models.CheckConstraint(
                condition=Q(method=ReanchorMethod.ORPHAN, new_span__isnull=True)
                | (~Q(method=ReanchorMethod.ORPHAN) & Q(new_span__isnull=False)),
                name="reanchoring_orphan_iff_no_span",
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0, score__lte=1), name="reanchoring_score_0_1"
            ),
        ]
        indexes = [
            # The desk's queue of orphans, newest first.
            models.Index(
                fields=["-id"],
                name="reanchoring_orphan_idx",
                condition=Q(method=ReanchorMethod.ORPHAN),
            ),
        ]

    def __str__(self):
        if self.new_span_id is None:
            return f"span {self.span_id}: orphaned in source {self.revision_id}"
        return f"span {self.span_id} → span {self.new_span_id} ({self.method})"

    @property
    def is_orphan(self) -> bool:
        return self.method == ReanchorMethod.ORPHAN


class Orphan(Reanchoring):
    """The desk's queue of orphans (an admin list of its own)."""

    class Meta:
        proxy = True
        verbose_name = "orphaned span"
