from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length

from sources.anchoring import CONTEXT_LENGTH, AnchorError, select
from sources.models import Source

from .choices import SpanRole


class AnchorFields(models.Model):
    """The W3C Web Annotation selectors of one anchor in a source's text."""

    start = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="First code point of the words (included) in the normalized text.",
    )
    end = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Code point after the last one of the words (excluded).",
    )
    exact = models.TextField(blank=True, help_text="The words between start and end.")
    prefix = models.CharField(
        max_length=CONTEXT_LENGTH,
        blank=True,
        help_text=f"Up to {CONTEXT_LENGTH} characters before the words.",
    )
    suffix = models.CharField(
        max_length=CONTEXT_LENGTH,
        blank=True,
        help_text=f"Up to {CONTEXT_LENGTH} characters after the words.",
    )

    class Meta:
        abstract = True

    @property
    def has_position(self) -> bool:
        return self.start is not None

    def verify(self, text: str):
        """Raise ``ValidationError`` unless the selectors fit ``text`` exactly."""
        try:
            selector = select(text, self.start, self.end, self.exact)
        except AnchorError as error:
            raise ValidationError({error.field: error.message}) from None
        if (selector.prefix, selector.suffix) != (self.prefix, self.suffix):
            raise ValidationError(
                {"prefix": "prefix and suffix must be the text around the words."}
            )

    def words_in_context(self, text: str) -> tuple[str, str, str]:
        return text[: self.start], text[self.start : self.end], text[self.end :]


def anchor_constraints(prefix: str, *, optional: bool) -> list[models.CheckConstraint]:
    """Named constraints that hold a position and quote selector together."""
    # isnull=False spelled out: a CHECK whose result is NULL passes.
    fits = Q(
        start__isnull=False,
        end__isnull=False,
        start__gte=0,
        end__gt=F("start"),
        end=F("start") + Length("exact"),
    )
    if optional:
        fits |= Q(start__isnull=True, end__isnull=True, exact="", prefix="", suffix="")
    return [
        models.CheckConstraint(condition=fits, name=f"{prefix}_selectors_consistent"),
    ]


class Span(AnchorFields):
    """A claim's anchor in a source text. Immutable once written."""

    start = models.PositiveIntegerField(
        help_text="First code point of the words (included) in the normalized text."
    )
    end = models.PositiveIntegerField(
        help_text="Code point after the last one of the words (excluded)."
    )
    claim = models.ForeignKey(
        "claims.Claim", on_delete=models.PROTECT, related_name="spans"
    )
    # span_source_start_idx (source, start) serves the key's lookups.
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="spans", db_index=False
    )
    role = models.CharField(
        max_length=10,
        choices=SpanRole.choices,
        default=SpanRole.CONTENT,
        help_text="content (the claimed words), speaker (where the speaker is "
        'named) or cue ("said", "told").',
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            *anchor_constraints("span", optional=False),
            models.CheckConstraint(
                condition=Q(role__in=SpanRole.values), name="span_role_valid"
            ),
            models.UniqueConstraint(
                fields=["claim", "source", "role", "start", "end"],
                name="span_unique_per_claim",
            ),
        ]
        indexes = [
            models.Index(fields=["source", "start"], name="span_source_start_idx"),
        ]

    def __str__(self):
        return f"{self.role} {self.start}–{self.end} of source {self.source_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError("A span is immutable once written.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("A span is provenance and cannot be deleted.")
