"""The jobs endpoint: how background work asked for over the API stands."""

import uuid

from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.response import Response

from ...models import Job, JobKind, JobState
from .common import StrictQueryMixin


class JobSerializer(serializers.Serializer):
    """Background work and how it stands (docs/SOURCES.md)."""

    id = serializers.UUIDField(help_text="The job's id.")
    url = serializers.CharField(help_text="Where to ask how it stands.")
    kind = serializers.ChoiceField(
        choices=JobKind.values,
        help_text="fetch (a page), propose (claims) or refetch (a source's page).",
    )
    state = serializers.ChoiceField(
        choices=JobState.values, help_text="queued, running, succeeded or failed."
    )
    progress = serializers.CharField(help_text="What it is doing, in words.")
    attempts = serializers.IntegerField(help_text="How many times it was tried.")
    params = serializers.DictField(help_text="What was asked.")
    result = serializers.DictField(
        allow_null=True,
        help_text="When it succeeded: the source (and whether it was new, its "
        "snapshot) and the proposals made; for a refetch, whether the page "
        "changed and the revision that records it.",
    )
    error = serializers.DictField(
        allow_null=True,
        help_text="When it failed (or before a retry): field errors, as a 400 names them.",
    )
    created_at = serializers.DateTimeField(help_text="When it was asked for.")
    updated_at = serializers.DateTimeField(help_text="When it last moved.")

    def to_representation(self, job):
        request = self.context.get("request")
        path = reverse("job-detail", args=[job.pk])
        return {
            "id": str(job.pk),
            "url": request.build_absolute_uri(path) if request else path,
            "kind": job.kind,
            "state": job.state,
            "progress": job.progress,
            "attempts": job.attempts,
            "params": job.params,
            "result": job.result,
            "error": job.error,
            "created_at": job.created_at.isoformat(),
            "updated_at": job.updated_at.isoformat(),
        }


def job_response(request, job: Job) -> Response:
    """``202 Accepted`` with the job, its URL in ``Location``."""
    body = JobSerializer(job, context={"request": request}).data
    response = Response(body, status=status.HTTP_202_ACCEPTED)
    response["Location"] = body["url"]
    return response


class JobViewSet(StrictQueryMixin, viewsets.ViewSet):
    """A job is its asker's, and any reviewer's, to read: to anyone else it
    is a 404, as if it did not exist."""

    resource = "job"

    lookup_value_regex = "[0-9a-fA-F-]{36}"

    @extend_schema(
        summary="A background job",
        parameters=[OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH)],
        responses={200: JobSerializer},
    )
    def retrieve(self, request, pk=None):
        jobs = Job.objects.visible_to(request.user).select_related("created_by")
        job = get_object_or_404(jobs, pk=_uuid(pk))
        return Response(JobSerializer(job, context={"request": request}).data)


def _uuid(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None
