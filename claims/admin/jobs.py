"""The desk's list of background jobs: what the admin's actions and the API
queued, and how each stands (docs/SOURCES.md). Read-only; a job is its
asker's, and any reviewer's, to read (``Job.objects.visible_to``)."""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from ..models import Job, JobKind, JobState
from .provenance import ReadOnlyMixin


@admin.register(Job)
class JobAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = (
        "kind",
        "state",
        "progress",
        "source_link",
        "created_by",
        "created_at",
    )
    list_filter = ("state", "kind")
    list_select_related = ("created_by",)
    fields = (
        "kind",
        "state",
        "progress",
        "attempts",
        "params",
        "result",
        "error",
        "created_by",
        "created_at",
        "updated_at",
    )
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER

    # Anyone with a role queues jobs from the source list (Job has no
    # permissions of its own in the role groups).
    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("claims.view_claim")

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    @admin.display(description="source")
    def source_link(self, obj):
        pk = (obj.result or {}).get("source") or obj.params.get("source")
        if not isinstance(pk, int):
            return "—"
        url = reverse("admin:sources_source_change", args=[pk])
        return format_html('<a href="{}">source {}</a>', url, pk)


def report_job(modeladmin, request, job: Job) -> None:
    """Tell the desk how a job it queued stands: its outcome if it ran at
    once, else where to follow it."""
    link = format_html(
        '<a href="{}">job</a>', reverse("admin:claims_job_change", args=[job.pk])
    )
    if job.state in (JobState.QUEUED, JobState.RUNNING):
        text = format_html(
            "{}: queued ({}).", job.get_kind_display().capitalize(), link
        )
        modeladmin.message_user(request, text, messages.INFO)
    elif job.state == JobState.FAILED:
        problems = "; ".join(
            f"{field}: {' '.join(texts)}" for field, texts in (job.error or {}).items()
        )
        text = format_html(
            "{} failed: {} ({}).", job.get_kind_display().capitalize(), problems, link
        )
        modeladmin.message_user(request, text, messages.ERROR)
    else:
        level, outcome = _outcome(job)
        modeladmin.message_user(request, format_html("{} ({}).", outcome, link), level)


def _outcome(job: Job) -> tuple[int, str]:
    result = job.result or {}
    source = result.get("source")
    if job.kind == JobKind.REFETCH:
        if result.get("revised"):
            return messages.WARNING, (
                f"Source {source} changed after publication: source "
                f"{result['revision']} revises it; its claims' spans were re-anchored"
            )
        if result.get("changed"):
            return messages.INFO, f"Source {source}: a new snapshot, the same text"
        return messages.INFO, f"Source {source}: no change to its text"
    proposals = result.get("proposals") or {}
    created, skipped = len(proposals.get("created", [])), proposals.get("skipped", 0)
    return (
        messages.SUCCESS if created else messages.WARNING,
        f"Source {source}: {created} claim(s) proposed for review"
        + (f", {skipped} skipped" if skipped else ""),
    )
