from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length

from sources.anchoring import CONTEXT_LENGTH, AnchorError, select
from sources.models import Source
from sources.review import is_reviewer

from .choices import DatePrecision, Review, SpanRole, has_precision


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


class ContributionQuerySet(models.QuerySet):
    """Spans and evidence: what each reader may see of them."""

    def public(self):
        """Accepted and not withdrawn: what anonymous readers see, everywhere."""
        return self.filter(review=Review.ACCEPTED, withdrawn_at__isnull=True)

    def visible_to(self, user):
        """Public items, plus the reader's own; reviewers see every item.
        (``contribution_visible_sql`` states the same rule in SQL.)"""
        if is_reviewer(user):
            return self
        if user is not None and user.is_authenticated:
            return self.filter(
                Q(review=Review.ACCEPTED, withdrawn_at__isnull=True)
                | Q(created_by=user)
            )
        return self.public()

    def proposed(self):
        return self.filter(review=Review.PROPOSED)


def contribution_visible_sql(user, alias: str) -> str:
    """``ContributionQuerySet.visible_to`` as a SQL condition over the rows of
    ``alias`` (for the API's one-statement payloads; a test holds the two to
    the same answers)."""
    if is_reviewer(user):
        return "TRUE"
    public = f"({alias}.review = 'accepted' AND {alias}.withdrawn_at IS NULL)"
    if user is not None and user.is_authenticated:
        return f"({public} OR {alias}.created_by_id = {int(user.pk)})"
    return public


class ContributionFields(models.Model):
    """A span's or evidence item's review and withdrawal, and the claim
    version it was added at.

    The anchor itself never changes; these columns move forward only (the
    database refuses anything else): ``proposed`` to ``accepted`` or
    ``rejected`` once, and an accepted item may be withdrawn once, with a
    reason. What a reviewer adds, or what comes with a claim still under
    review, is accepted at once.
    """

    review = models.CharField(
        max_length=10,
        choices=Review.choices,
        default=Review.ACCEPTED,
        db_default=Review.ACCEPTED,
        help_text="proposed (waits for a reviewer; not public), accepted or rejected.",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True, default="", db_default="")
    withdrawn_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Set when a reviewer withdrew the item from the public record.",
    )
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    withdrawn_reason = models.TextField(blank=True, default="", db_default="")
    claim_version = models.PositiveIntegerField(
        null=True,
        blank=True,
        editable=False,
        help_text="The claim's version once the item was added: the version of "
        "the change-feed event that records its addition.",
    )

    objects = ContributionQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_public(self) -> bool:
        return self.review == Review.ACCEPTED and self.withdrawn_at is None

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


# The columns a review or a withdrawal writes; nothing else of a span or an
# evidence item ever changes.
DECISION_FIELDS = (
    "review",
    "reviewed_by",
    "reviewed_at",
    "review_note",
    "withdrawn_at",
    "withdrawn_by",
    "withdrawn_reason",
)


def contribution_constraints(prefix: str) -> list:
    """The review and withdrawal columns' rules, and the queue's index."""
    return [
        models.CheckConstraint(
            condition=Q(review__in=Review.values), name=f"{prefix}_review_valid"
        ),
        models.CheckConstraint(
            condition=Q(withdrawn_at__isnull=True, withdrawn_by__isnull=True)
            | Q(
                withdrawn_at__isnull=False,
                withdrawn_by__isnull=False,
                review=Review.ACCEPTED,
            )
            & ~Q(withdrawn_reason=""),
            name=f"{prefix}_withdrawal_complete",
        ),
    ]


class Span(ContributionFields, AnchorFields):
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
    # An appearance (a content span) says when and by whom the claim was said
    # in this source; empty means as the claim itself gives it.
    stated_on = models.DateField(
        null=True,
        blank=True,
        help_text="When the claim was said in this source (content spans; empty: "
        "the claim's date).",
    )
    stated_on_precision = models.CharField(
        max_length=8,
        choices=DatePrecision.choices,
        blank=True,
        default="",
        db_default="",
    )
    speaker = models.ForeignKey(
        "claims.Speaker",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appearances",
        db_index=False,  # span_speaker_idx below: most spans have none
        help_text="Who said it in this source (content spans; empty: the claim's "
        "speaker).",
    )
    speaker_title = models.CharField(
        max_length=300,
        blank=True,
        default="",
        db_default="",
        help_text="The speaker's title as this source gives it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            *anchor_constraints("span", optional=False),
            *contribution_constraints("span"),
            models.CheckConstraint(
                condition=Q(role__in=SpanRole.values), name="span_role_valid"
            ),
            models.CheckConstraint(
                condition=has_precision("stated_on"),
                name="span_stated_on_has_precision",
            ),
            models.CheckConstraint(
                condition=Q(role=SpanRole.CONTENT)
                | Q(stated_on__isnull=True, speaker__isnull=True, speaker_title=""),
                name="span_appearance_facts_on_content_only",
            ),
            models.UniqueConstraint(
                fields=["claim", "source", "role", "start", "end"],
                name="span_unique_per_claim",
            ),
        ]
        indexes = [
            models.Index(fields=["source", "start"], name="span_source_start_idx"),
            models.Index(
                fields=["speaker"],
                name="span_speaker_idx",
                condition=Q(speaker__isnull=False),
            ),
            # The review desk's queue of proposed additions, oldest first.
            models.Index(
                fields=["id"],
                name="span_proposed_idx",
                condition=Q(review="proposed"),
            ),
        ]

    def __str__(self):
        return f"{self.role} {self.start}–{self.end} of source {self.source_id}"

    def save(self, *args, **kwargs):
        # Only the review and withdrawal columns move, through the services.
        fields = kwargs.get("update_fields")
        if not self._state.adding and (
            fields is None or set(fields) - set(DECISION_FIELDS)
        ):
            raise ValidationError("A span is immutable once written.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("A span is provenance and cannot be deleted.")

    def said_on(self, claim) -> tuple:
        """When the claim was said here: this appearance's date and precision,
        else the claim's."""
        if self.stated_on is not None:
            return self.stated_on, self.stated_on_precision
        return claim.stated_on, claim.stated_on_precision


class QueuedSpan(Span):
    """Spans proposed for accepted claims, waiting for a reviewer. A view of
    Span for the admin (no table, no permissions of its own)."""

    class Meta:
        proxy = True
        verbose_name = "appearance to review"
        verbose_name_plural = "appearances to review"
