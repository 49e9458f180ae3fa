import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from sources.review import is_reviewer


class JobKind(models.TextChoices):
    FETCH = "fetch", "fetch a page into a source"
    PROPOSE = "propose", "propose claims from a source"
    REFETCH = "refetch", "fetch a source's page again"


class JobState(models.TextChoices):
    QUEUED = "queued", "queued"
    RUNNING = "running", "running"
    SUCCEEDED = "succeeded", "succeeded"
    FAILED = "failed", "failed"


class JobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A job is its asker's, and any reviewer's, to read."""
        if is_reviewer(user):
            return self
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(created_by=user)


class Job(models.Model):
    """Work asked for over the API that runs in the background (a fetch, the
    proposals from a long text): what was asked, by whom, how it stands, and
    its result or a clear error (docs/SOURCES.md). The task framework runs it
    (``claims/tasks.py``); this row is what the asker reads."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=16, choices=JobKind)
    state = models.CharField(max_length=16, choices=JobState, default=JobState.QUEUED)
    params = models.JSONField(default=dict, help_text="What was asked.")
    progress = models.CharField(max_length=200, blank=True, default="")
    result = models.JSONField(null=True, blank=True)
    error = models.JSONField(
        null=True, blank=True, help_text="The field errors of a failed job."
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=JobKind.values), name="job_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(state__in=JobState.values), name="job_state_valid"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.state}"
