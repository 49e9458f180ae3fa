"""The jobs endpoint: how background work asked for over the API stands."""

import uuid

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.response import Response

from sources.review import is_reviewer

from ...models import Job
from .. import serializers as s
from .common import StrictQueryMixin


def job_response(request, job: Job) -> Response:
    """``202 Accepted`` with the job, its URL in ``Location``."""
    body = s.JobSerializer(job, context={"request": request}).data
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
        responses={200: s.JobSerializer},
    )
    def retrieve(self, request, pk=None):
        jobs = Job.objects.select_related("created_by")
        if not is_reviewer(request.user):
            if not request.user.is_authenticated:
                jobs = jobs.none()
            else:
                jobs = jobs.filter(created_by=request.user)
        job = get_object_or_404(jobs, pk=_uuid(pk))
        return Response(s.JobSerializer(job, context={"request": request}).data)


def _uuid(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None
