import datetime
from typing import cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from sources.review import is_reviewer
from sources.text import bidi_control_problem, shorten

from .choices import (
    KINDS_WITH_DEADLINE,
    Attribution,
    ClaimKind,
    DatePrecision,
    RejectionReason,
    Review,
    Status,
    has_precision,
)
from .speaker import Speaker

# Which statuses each kind of claim may hold (DESIGN.md, "Status and its ledger").
STATUSES_BY_KIND = {
    ClaimKind.FACT: frozenset(
        {
            Status.UNVERIFIED,
            Status.CONFIRMED,
            Status.PARTLY_CONFIRMED,
            Status.REFUTED,
            Status.UNVERIFIABLE,
            Status.RETRACTED,
        }
    ),
    ClaimKind.PREDICTION: frozenset(
        {
            Status.PENDING,
            Status.CONFIRMED,
            Status.PARTLY_CONFIRMED,
            Status.REFUTED,
            Status.OVERDUE,
            Status.UNVERIFIABLE,
            Status.RETRACTED,
        }
    ),
    ClaimKind.OPINION: frozenset({Status.UNVERIFIABLE, Status.RETRACTED}),
}
STATUSES_BY_KIND[ClaimKind.PROMISE] = STATUSES_BY_KIND[ClaimKind.PREDICTION]

# Where each kind of claim starts.
INITIAL_STATUS = {
    ClaimKind.FACT: Status.UNVERIFIED,
    ClaimKind.PREDICTION: Status.PENDING,
    ClaimKind.PROMISE: Status.PENDING,
    ClaimKind.OPINION: Status.UNVERIFIABLE,
}


def _kind_status_condition() -> Q:
    condition = Q()
    for kind, statuses in STATUSES_BY_KIND.items():
        condition |= Q(kind=kind, status__in=sorted(statuses))
    return condition


def claim_visible_to(user, *, review: str, created_by_id: int | None) -> bool:
    """The visibility rule for one claim's row, as ``ClaimQuerySet.visible_to``
    states it for a queryset (a test holds the two to the same answers)."""
    if review == Review.ACCEPTED or is_reviewer(user):
        return True
    return bool(user and user.is_authenticated and created_by_id == user.pk)


def past_deadline_q(today) -> Q:
    """Accepted pending predictions and promises past their deadline: what the
    sweep moves. A proposal or a rejected claim never moves (its deadline
    counts once a reviewer accepts it, at the next sweep)."""
    return Q(
        review=Review.ACCEPTED,
        status=Status.PENDING,
        kind__in=KINDS_WITH_DEADLINE,
        due_on__lt=today,
    )


def overdue_q(today) -> Q:
    """The one definition of "overdue" the lists filter by: the status, or a
    pending deadline already behind us (the sweep has not run yet)."""
    return Q(status=Status.OVERDUE) | past_deadline_q(today)


class ClaimQuerySet(models.QuerySet):
    def accepted(self):
        return self.filter(review=Review.ACCEPTED)

    def visible_to(self, user):
        """What ``user`` may read: accepted claims, plus their own proposals;
        reviewers and superusers everything. Anonymous users: accepted only.
        (``claim_visible_to`` is the same rule for one row.)"""
        if is_reviewer(user):
            return self
        if user is not None and user.is_authenticated:
            return self.filter(Q(review=Review.ACCEPTED) | Q(created_by=user))
        return self.accepted()

    def past_deadline(self, today):
        """Pending predictions and promises whose deadline has passed: the
        sweep's candidates. (``due_on`` is stored as the last day of its
        period, so ``due_on < today`` is "the deadline is behind us".)"""
        return self.filter(past_deadline_q(today))

    def overdue(self, today):
        """Overdue, or past the deadline and waiting for the next sweep."""
        return self.filter(overdue_q(today))

    def with_relations(self):
        return self.select_related("speaker")


class Claim(models.Model):
    """One checkable statement, anchored to the exact words of its sources."""

    text = models.TextField(
        help_text="The claim as a short, self-contained statement, in the editor's words."
    )
    speaker = models.ForeignKey(
        Speaker,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claims",
        # claim_speaker_idx (speaker, id) serves the key's lookups; a second
        # index on speaker alone would only slow every write of a claim.
        db_index=False,
        help_text="Who made the claim; empty when the source asserts it in its own voice.",
    )
    speaker_title = models.CharField(
        max_length=300,
        blank=True,
        help_text="The speaker's title as this source gives it.",
    )
    attribution = models.CharField(
        max_length=16,
        choices=Attribution.choices,
        help_text="direct quote (quotation marks); indirect (reported speech); "
        "narrator (the source's own assertion, no speaker); hedged "
        '("reportedly", "according to sources").',
    )
    kind = models.CharField(max_length=16, choices=ClaimKind.choices)
    stated_on = models.DateField(
        null=True,
        blank=True,
        help_text="When the claim was made (the first day of the period at month "
        "or year precision).",
    )
    stated_on_precision = models.CharField(
        max_length=8, choices=DatePrecision.choices, blank=True
    )
    due_on = models.DateField(
        null=True,
        blank=True,
        help_text="Predictions and promises: the deadline (the last day of the "
        "period at month or year precision).",
    )
    due_on_precision = models.CharField(
        max_length=8, choices=DatePrecision.choices, blank=True
    )
    due_text = models.CharField(
        max_length=200,
        blank=True,
        help_text='The source\'s own words for the deadline, e.g. "by November or December".',
    )
    status = models.CharField(
        max_length=20,
        choices=Status.choices,
        editable=False,
        help_text="The verdict; always the last entry of the status ledger.",
    )
    review = models.CharField(
        max_length=10,
        choices=Review.choices,
        default=Review.PROPOSED,
        editable=False,
        help_text="Whether this record faithfully captures the source; only accepted "
        "claims are public.",
    )
    review_note = models.TextField(blank=True, editable=False)
    rejection_reason = models.CharField(
        max_length=16,
        choices=RejectionReason.choices,
        blank=True,
        default="",
        db_default="",
        editable=False,
        help_text="Why a rejected claim was rejected.",
    )
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="duplicates",
        db_index=False,  # claim_duplicate_of_idx below: most claims have none
        help_text="The claim a proposal rejected as a duplicate repeats.",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True, editable=False)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        db_index=False,  # claim_assigned_idx below serves "assigned to me"
        help_text="The reviewer this claim waits for in the review queue.",
    )
    version = models.PositiveIntegerField(
        default=1, editable=False, help_text="Increases on every change (the ETag)."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    updated_at = models.DateTimeField(auto_now=True)

    # The history is read per claim (id) and by date; its foreign keys are never
    # filtered on, so they carry no index to update on every write (0010).
    history = HistoricalRecords(
        no_db_index=["speaker", "assigned_to", "created_by", "reviewed_by"]
    )

    objects = ClaimQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        permissions = [
            ("review_claim", "Can accept or reject claims"),
            ("change_claim_status", "Can move a claim's status"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="claim_text_not_empty"),
            models.CheckConstraint(
                condition=Q(attribution__in=Attribution.values),
                name="claim_attribution_valid",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ClaimKind.values), name="claim_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(review__in=Review.values), name="claim_review_valid"
            ),
            models.CheckConstraint(
                condition=_kind_status_condition(), name="claim_status_fits_kind"
            ),
            models.CheckConstraint(
                condition=Q(speaker__isnull=False)
                & ~Q(attribution=Attribution.NARRATOR)
                | Q(
                    speaker__isnull=True,
                    attribution__in=[Attribution.NARRATOR, Attribution.HEDGED],
                ),
                name="claim_speaker_fits_attribution",
            ),
            models.CheckConstraint(
                condition=has_precision("stated_on"),
                name="claim_stated_on_has_precision",
            ),
            models.CheckConstraint(
                condition=has_precision("due_on"),
                name="claim_due_on_has_precision",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=KINDS_WITH_DEADLINE)
                | Q(due_on__isnull=True, due_text=""),
                name="claim_deadline_only_for_predictions_and_promises",
            ),
            models.CheckConstraint(
                condition=Q(version__gte=1), name="claim_version_positive"
            ),
            models.CheckConstraint(
                condition=Q(rejection_reason="")
                | Q(
                    review=Review.REJECTED, rejection_reason__in=RejectionReason.values
                ),
                name="claim_rejection_reason_when_rejected",
            ),
            models.CheckConstraint(
                condition=Q(duplicate_of__isnull=True)
                | Q(rejection_reason=RejectionReason.DUPLICATE)
                & ~Q(duplicate_of=F("id")),
                name="claim_duplicate_of_when_duplicate",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "id"], name="claim_status_idx"),
            # Accepted claims by status: the tracker's capped counts
            # (public.queries.status_counts) read this index alone, not a
            # tenth of the table (docs/PERFORMANCE.md, "Fixed for scale", 19),
            # and the public and anonymous lists by status read no proposals.
            models.Index(
                fields=["status", "id"],
                name="claim_accepted_status_idx",
                condition=Q(review="accepted"),
            ),
            models.Index(fields=["review", "id"], name="claim_review_idx"),
            models.Index(fields=["due_on"], name="claim_due_on_idx"),
            models.Index(fields=["stated_on"], name="claim_stated_on_idx"),
            # The desk's counts per rejection reason, each a short index range.
            models.Index(
                fields=["rejection_reason"],
                name="claim_rejection_reason_idx",
                condition=~Q(rejection_reason=""),
            ),
            models.Index(
                fields=["duplicate_of"],
                name="claim_duplicate_of_idx",
                condition=Q(duplicate_of__isnull=False),
            ),
            models.Index(fields=["kind", "id"], name="claim_kind_idx"),
            models.Index(fields=["attribution", "id"], name="claim_attribution_idx"),
            models.Index(fields=["speaker", "id"], name="claim_speaker_idx"),
            # A speaker's newest claims but the rejected, repeat detection's
            # window (claims/similar.py), read from this index alone: a tenth of
            # the time of reading each row for its review (docs/REPEATS.md).
            models.Index(
                fields=["speaker", "id"],
                name="claim_live_speaker_idx",
                condition=~Q(review="rejected"),
            ),
            # A speaker's accepted claims by status: the capped counts of their
            # public page (status_counts) read this index alone, not up to a
            # tenth of the table (docs/PERFORMANCE.md, "Fixed for scale", 20).
            models.Index(
                fields=["speaker", "status"],
                name="claim_accepted_speaker_idx",
                condition=Q(review="accepted"),
            ),
            models.Index(
                fields=["assigned_to", "review", "id"], name="claim_assigned_idx"
            ),
            # The deadline sweep's candidates (past_deadline) and the deadlines
            # view's due-soon rows: pending predictions and promises by due date.
            models.Index(
                fields=["due_on", "id"],
                name="claim_pending_deadline_idx",
                condition=Q(status="pending", kind__in=["prediction", "promise"]),
            ),
        ]

    def __str__(self):
        return shorten(self.text, 80)

    def clean(self):
        # Later checks may overwrite an earlier message for the same field.
        errors = {}
        for check in (
            self._status_errors,
            self._speaker_errors,
            self._precision_errors,
            self._deadline_errors,
            self._text_errors,
        ):
            errors.update(check())
        if errors:
            raise ValidationError(errors)

    def _status_errors(self) -> dict[str, str]:
        if self.kind not in ClaimKind.values or not self.status:
            return {}
        if self.status in STATUSES_BY_KIND[ClaimKind(self.kind)]:
            return {}
        return {
            "kind": f"a {self.kind} cannot have the status {self.status!r}; change "
            "the status first."
        }

    def _speaker_errors(self) -> dict[str, str]:
        if self.attribution == Attribution.NARRATOR and self.speaker_id is not None:
            return {
                "speaker": "a narrator claim is the source's own assertion and has "
                "no speaker."
            }
        if self.speaker_id is None and self.attribution in (
            Attribution.DIRECT_QUOTE,
            Attribution.INDIRECT,
        ):
            return {"speaker": f"a {self.attribution} claim needs a speaker."}
        return {}

    def _precision_errors(self) -> dict[str, str]:
        errors = {}
        for field in ("stated_on", "due_on"):
            date, precision = getattr(self, field), getattr(self, f"{field}_precision")
            if date is None and precision:
                errors[f"{field}_precision"] = f"is set but {field} is empty."
            if date is not None and not precision:
                errors[f"{field}_precision"] = f"is required when {field} is set."
        return errors

    def _deadline_errors(self) -> dict[str, str]:
        if self.kind in KINDS_WITH_DEADLINE:
            return {}
        message = f"only predictions and promises have a deadline, not a {self.kind}."
        if self.due_on is not None:
            return {"due_on": message}
        if self.due_text:
            return {"due_text": message}
        return {}

    def _text_errors(self) -> dict[str, str]:
        errors = {}
        for field in ("text", "speaker_title", "due_text"):
            problem = bidi_control_problem(getattr(self, field) or "")
            if problem:
                errors[field] = problem
        return errors

    @property
    def deadline(self):
        """The last day on which the claim can still come true on time."""
        if self.due_on is None:
            return None
        return DatePrecision(self.due_on_precision or "day").period_end(self.due_on)

    @property
    def stated_display(self) -> str:
        """The date it was said, as precise as it is known ("April 2025")."""
        if self.stated_on is None:
            return ""
        return DatePrecision(self.stated_on_precision).format(self.stated_on)

    @property
    def due_display(self) -> str:
        if self.due_on is None:
            return ""
        return DatePrecision(self.due_on_precision).format(self.due_on)

    @property
    def verdict_entry(self):
        """The ledger entry that set the current status."""
        return self.ledger.order_by("-id").first()

    @property
    def is_public(self) -> bool:
        return self.review == Review.ACCEPTED


# A claim's own facts, in the order the API and the change feed give them.
# Adding a field to the claim is adding it here (and its migration): the
# feed's state, the edit verb (for an editable field), the API's output, its
# SQL and its schema all read this tuple.
STATE_FIELDS = (
    "text",
    "speaker",
    "speaker_title",
    "attribution",
    "kind",
    "stated_on",
    "stated_on_precision",
    "due_on",
    "due_on_precision",
    "due_text",
    "status",
    "review",
    "rejection_reason",
    "duplicate_of",
    "version",
)
# What an edit may change: status, review and version have their own verbs.
EDITABLE_FIELDS = tuple(f for f in STATE_FIELDS if Claim._meta.get_field(f).editable)


def json_value(value):
    """A model value as JSON gives it: dates and times in ISO 8601."""
    if isinstance(value, datetime.date):  # datetimes too
        return value.isoformat()
    return value


def claim_state(claim) -> dict:
    """The claim's state as the change feed records it after a change; from
    a Claim or any object with its columns as attributes."""
    return {
        # get_field may answer a relation's reverse side; these are all columns.
        name: json_value(
            cast(models.Field, Claim._meta.get_field(name)).value_from_object(claim)
        )
        for name in STATE_FIELDS
    }


class QueuedClaim(Claim):
    """The review queue: proposed claims, oldest first. A view of Claim for the
    admin (no table, no permissions of its own: Claim's apply)."""

    class Meta:
        proxy = True
        verbose_name = "claim to review"
        verbose_name_plural = "review queue"


class DeadlineClaim(Claim):
    """Predictions and promises by deadline: overdue, and due within 30 days.
    A view of Claim for the admin."""

    class Meta:
        proxy = True
        verbose_name = "deadline"
        verbose_name_plural = "deadlines"
