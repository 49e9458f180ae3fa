"""Watch lists and email preferences (docs/NOTIFICATIONS.md, "Watch lists and
email").

A signed-in user watches a claim, a speaker or a source; claims/watching.py
emails them when a watched claim's status changes. Reviewers also get a daily
digest (claims/digest.py) unless they turned it off. A watch is a reader's
own preference, not provenance: stopping one deletes it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

# A watch's targets, the most specific first: an email names the watch that
# brought it by this order.
TARGETS = ("claim", "speaker", "source")


class Watch(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    claim = models.ForeignKey(
        "claims.Claim",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="The claim watched, if a claim is.",
    )
    speaker = models.ForeignKey(
        "claims.Speaker",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="The speaker whose claims are watched, if a speaker is.",
    )
    source = models.ForeignKey(
        "sources.Source",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="The source whose claims are watched, if a source is.",
    )
    created_at = models.DateTimeField(auto_now_add=True, help_text="Since when.")

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(claim__isnull=False, speaker__isnull=True, source__isnull=True)
                    | Q(claim__isnull=True, speaker__isnull=False, source__isnull=True)
                    | Q(claim__isnull=True, speaker__isnull=True, source__isnull=False)
                ),
                name="watch_one_target",
            ),
            *(
                models.UniqueConstraint(
                    fields=["user", target],
                    condition=Q(**{f"{target}__isnull": False}),
                    name=f"watch_unique_{target}",
                )
                for target in TARGETS
            ),
        ]

    def __str__(self):
        return f"{self.user} watches {self.target_kind} {self.target_id}"

    @property
    def target_kind(self) -> str:
        return next(name for name in TARGETS if getattr(self, f"{name}_id"))

    @property
    def target_id(self) -> int:
        return getattr(self, f"{self.target_kind}_id")


class MailPreference(models.Model):
    """A user's email settings; without a row, the defaults."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    daily_digest = models.BooleanField(
        default=True,
        help_text="Reviewers: the daily email of claims coming due and gone overdue.",
    )
    digest_sent_at = models.DateTimeField(
        null=True, blank=True, help_text="When the last digest was sent."
    )

    def __str__(self):
        return f"email settings of {self.user}"


class MailCursor(models.Model):
    """Where a mailer is in the change feed (claims/changes.py): the watchers'
    emails follow it as webhooks do, so no status change is missed."""

    name = models.CharField(max_length=40, primary_key=True)
    position_txid = models.BigIntegerField(default=0)
    position_id = models.BigIntegerField(default=0)
    # Until when a worker holds it: no transaction is held while mail is sent.
    leased_until = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.name} at {self.position_txid}/{self.position_id}"

    @property
    def position(self) -> tuple[int, int]:
        return self.position_txid, self.position_id
