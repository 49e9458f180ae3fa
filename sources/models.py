from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.http import HttpResponse
from simple_history.models import HistoricalRecords

from .review import Review, is_reviewer
from .text import bidi_control_problem, content_hash, normalize_text

# BCP 47 in the shape claimtrack accepts: a 2–3 letter primary language and
# optional subtags ("en", "ur", "en-GB", "zh-Hans-CN").
BCP47_PATTERN = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$"
SHA256_PATTERN = r"^[0-9a-f]{64}$"


# Newest publication first, unknown dates last, then newest source: the order
# of lists of sources and of the index that serves them
# (``source_publication_order_idx``; one definition for both, so that the
# database recognises the expression). Not ``nulls_last``, which SQLite refuses
# in an index, nor ``Coalesce`` with a date, a parameter SQLite cannot match
# to its index.
PUBLICATION_ORDER = (
    models.ExpressionWrapper(
        Q(published_on__isnull=True), output_field=models.BooleanField()
    ).asc(),
    F("published_on").desc(),
    F("id").desc(),
)


class Publisher(models.Model):
    name = models.CharField(max_length=200, unique=True)
    url = models.URLField(blank=True, help_text="The publisher's home page.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        problem = bidi_control_problem(self.name or "")
        if problem:
            raise ValidationError({"name": problem})


class SourceKind(models.TextChoices):
    NEWS_ARTICLE = "news_article", "News article"
    TRANSCRIPT = "transcript", "Transcript"
    PRESS_RELEASE = "press_release", "Press release"
    OFFICIAL_DOCUMENT = "official_document", "Official document"
    SOCIAL_POST = "social_post", "Social post"
    RESEARCH_NOTE = "research_note", "Research note"
    # The words a fact-checker's ClaimReview gives as the claim it reviewed
    # (claims/services/claimreview_import.py).
    FACT_CHECK = "fact_check", "Fact check"


# Who reviews: the claims app's reviewer permission, named as a string so that
class SourceQuerySet(models.QuerySet):
    def with_text(self):
        return self.exclude(text="")

    def accepted_revisions_of(self, source):
        """Later versions of ``source`` whose link a reviewer accepted: the only
        ones a reader is told about."""
        return self.filter(revises=source, revises_review=Review.ACCEPTED)


class Source(models.Model):
    """A document that claims are found in, with its immutable normalized text."""

    title = models.CharField(max_length=500, blank=True)
    url = models.URLField(max_length=2000, blank=True)
    publisher = models.ForeignKey(
        Publisher,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sources",
    )
    kind = models.CharField(
        max_length=32, choices=SourceKind, default=SourceKind.NEWS_ARTICLE
    )
    language = models.CharField(
        max_length=35,
        blank=True,
        validators=[RegexValidator(BCP47_PATTERN, "Enter a BCP 47 tag such as en-GB.")],
        help_text="BCP 47 language tag of the text (e.g. en, ur, en-GB); blank if unknown.",
    )
    published_on = models.DateField(
        null=True, blank=True, help_text="Publication date; blank if unknown."
    )
    retrieved_at = models.DateTimeField(
        null=True, blank=True, help_text="When claimtrack's copy of the text was taken."
    )
    text = models.TextField(
        blank=True,
        help_text=(
            "The full text, normalized (Unicode NFC, \\n newlines) and immutable once "
            "stored. Blank for a source without text (a video, a paywalled page), "
            "which can be cited as evidence by URL but cannot carry spans."
        ),
    )
    content_hash = models.CharField(  # noqa: DJ001 (NULL: unique among texts only)
        max_length=64,
        null=True,
        blank=True,
        editable=False,
        help_text="SHA-256 of the normalized text; empty for a source without text.",
    )
    text_length = models.PositiveIntegerField(
        default=0, editable=False, help_text="Length of the text in code points."
    )
    revises = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="revisions",
        help_text="The earlier version of this document, if this is a changed copy. "
        "Shown to readers once a reviewer accepts the link.",
    )
    revises_review = models.CharField(
        max_length=16,
        choices=Review.choices,
        blank=True,
        default="",
        db_default="",  # bulk loads (bench/corpus.py) name no link
        help_text="The review state of the revises link: proposed, accepted or "
        "rejected; blank when there is no link.",
    )
    revises_proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who set the revises link; blank for links older than review.",
    )
    revises_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who accepted or rejected the revises link.",
    )
    revises_reviewed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the revises link was reviewed."
    )
    revises_review_note = models.TextField(
        blank=True,
        default="",
        db_default="",
        help_text="The reviewer's note on the link (required to reject).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    # The text is immutable and can be large: history records everything else.
    history = HistoricalRecords(excluded_fields=["text"])

    objects = SourceQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_hash"], name="source_unique_content_hash"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=SourceKind.values), name="source_kind_valid"
            ),
            models.CheckConstraint(
                condition=(
                    Q(text="", content_hash__isnull=True)
                    | (~Q(text="") & Q(content_hash__regex=SHA256_PATTERN))
                ),
                name="source_hash_iff_text",
            ),
            models.CheckConstraint(
                condition=~Q(text="") | ~Q(url=""), name="source_has_text_or_url"
            ),
            models.CheckConstraint(
                condition=~Q(text__contains="\r"),
                name="source_text_newlines_normalized",
            ),
            models.CheckConstraint(
                condition=Q(language="") | Q(language__regex=BCP47_PATTERN),
                name="source_language_bcp47",
            ),
            models.CheckConstraint(
                condition=~Q(revises=F("id")), name="source_not_revising_itself"
            ),
            models.CheckConstraint(
                condition=Q(text_length=Length("text")), name="source_text_length"
            ),
            models.CheckConstraint(
                condition=Q(revises__isnull=True, revises_review="")
                | Q(revises__isnull=False, revises_review__in=Review.values),
                name="source_revises_review_iff_link",
            ),
            models.CheckConstraint(
                condition=~Q(revises_review=Review.REJECTED)
                | ~Q(revises_review_note=""),
                name="source_revises_rejection_has_note",
            ),
        ]
        indexes = [
            models.Index(fields=["published_on"], name="source_published_on_idx"),
            models.Index(*PUBLICATION_ORDER, name="source_publication_order_idx"),
        ]

    def __str__(self):
        label = self.title or self.url or f"Source {self.pk}"
        return f"{label} ({self.published_on})" if self.published_on else label

    def save(self, *args, **kwargs):
        if self._state.adding:
            self.text = normalize_text(self.text or "")
            self.content_hash = content_hash(self.text) if self.text else None
            self.text_length = len(self.text)
        else:
            self.ensure_text_unchanged()
        super().save(*args, **kwargs)
        self._stored_text: str | None = self.text

    def clean(self):
        # The text keeps whatever the source has; the title is ours to show.
        problem = bidi_control_problem(self.title or "")
        if problem:
            raise ValidationError({"title": problem})

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        instance = super().from_db(db, field_names, values, **kwargs)
        # Remember the stored text so save() can refuse to change it.
        instance._stored_text = instance.__dict__.get("text")
        return instance

    @property
    def has_text(self) -> bool:
        return bool(self.text)

    @property
    def revision_accepted(self) -> bool:
        """Whether readers are told that this source revises ``revises``."""
        return self.revises_id is not None and self.revises_review == Review.ACCEPTED

    def revision_visible_to(self, user) -> bool:
        """Whether ``user`` may see the revises link: everyone once accepted;
        before that (or once rejected), those who see its review."""
        return self.revision_accepted or self.revision_review_visible_to(user)

    def revision_review_visible_to(self, user) -> bool:
        """Whether ``user`` may see the link's review state: reviewers, and
        whoever proposed the link."""
        if self.revises_id is None:
            return False
        if is_reviewer(user):
            return True
        return bool(
            user is not None
            and user.is_authenticated
            and self.revises_proposed_by_id == user.pk
        )

    def ensure_text_unchanged(self):
        stored = getattr(self, "_stored_text", None)
        current = self.__dict__.get("text")
        if stored is not None and current is not None and current != stored:
            raise ValidationError(
                {
                    "text": "A source's text is immutable once stored; add a new "
                    "source that revises this one instead."
                }
            )


class SnapshotQuerySet(models.QuerySet):
    def listed(self):
        """Newest first, without the bodies: what a list of fetches shows."""
        return self.defer("warc", "headers").order_by("-fetched_at", "-id")


class Snapshot(models.Model):
    """What a server sent when claimtrack fetched a page, kept as it came: the
    body's bytes in a WARC record (request and response), the final URL after
    redirects, when, and from which address. Never changed nor deleted (the
    model refuses, and so does the database); the source its article text
    became is what spans anchor in."""

    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="snapshots"
    )
    url = models.URLField(max_length=2000, help_text="The URL as asked for.")
    final_url = models.URLField(
        max_length=2000, help_text="The URL that answered, after redirects."
    )
    status = models.PositiveSmallIntegerField()
    media_type = models.CharField(max_length=100)
    charset = models.CharField(
        max_length=64, blank=True, help_text="The encoding read, and from where."
    )
    headers = models.JSONField(
        default=dict, help_text="The response headers that matter, lower-case."
    )
    address = models.GenericIPAddressField(
        null=True,
        blank=True,
        help_text="The address connected to; empty when an archive did not say.",
    )
    fetched_at = models.DateTimeField()
    sha256 = models.CharField(max_length=64, help_text="SHA-256 of the body.")
    size = models.PositiveIntegerField(help_text="The body's length in bytes.")
    warc = models.BinaryField(help_text="The request and response, as WARC/1.1.")
    metadata = models.JSONField(
        default=dict,
        help_text="What the page said about itself: title, author, date, site, language.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = SnapshotQuerySet.as_manager()

    class Meta:
        ordering = ["-fetched_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sha256__regex=SHA256_PATTERN), name="snapshot_sha256"
            ),
        ]
        indexes = [
            # "the same URL with the same body": the fetch's first question.
            models.Index(fields=["final_url", "sha256"], name="snapshot_final_url_idx"),
            models.Index(fields=["url", "sha256"], name="snapshot_url_idx"),
        ]

    def __str__(self):
        return f"{self.final_url} at {self.fetched_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError("A snapshot is immutable once stored.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("A snapshot is never deleted.")

    def download(self) -> HttpResponse:
        """Its WARC file, as stored, for the admin's and the public pages."""
        response = HttpResponse(bytes(self.warc), content_type="application/warc")
        filename = f"claimtrack-snapshot-{self.pk}.warc"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


def set_history_context(
    instance: models.Model, *, by: User | None, reason: str | None = None
) -> None:
    """Who made, and why, the change that ``instance.save()`` records next.

    simple_history reads these two attributes from the instance at save; it
    adds them at run time, so the type checker cannot see them on the model.
    """
    instance._history_user = by  # type: ignore[attr-defined]  # simple_history's
    if reason is not None:
        instance._change_reason = reason  # type: ignore[attr-defined]  # likewise
