"""The sources and speakers endpoints."""

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import (
    PermissionDenied,
)
from rest_framework.response import Response

from sources.models import Source
from sources.services import create_source, review_revision, set_revision_link

from ...jobs import start_fetch, start_proposals
from ...models import Claim, Span, Speaker
from ...services.proposals import propose_claims
from .. import inputs
from .. import serializers as s
from ..filters import SourceFilter
from .common import WRITE_ERRORS, StrictQueryMixin
from .jobs import JobSerializer, job_response

# A source's relations its representation reads (the revises link's review).
SOURCE_RELATED = ("publisher", "revises_proposed_by", "revises_reviewed_by")
LIMIT_RELATED = 100


@extend_schema_view(
    list=extend_schema(
        summary="List sources", responses={200: s.SourceSerializer(many=True)}
    ),
    retrieve=extend_schema(
        summary="A source with its text and claims",
        responses={200: s.SourceDetailSerializer},
    ),
    create=extend_schema(
        summary="Submit a source (an identical text answers 200 with the existing "
        "one); a url alone is fetched by a job (202)",
        request=inputs.SourceCreateSerializer,
        responses={
            201: s.SourceCreatedSerializer,
            200: s.SourceCreatedSerializer,
            202: JobSerializer,
            **WRITE_ERRORS,
        },
    ),
)
class SourceViewSet(
    StrictQueryMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    resource = "source"
    lookup_value_regex = r"\d{1,18}"
    serializer_class = s.SourceSerializer
    filterset_class = SourceFilter
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return Source.objects.select_related(*SOURCE_RELATED).defer("text")

    def source_detail(self, pk):
        source = get_object_or_404(
            Source.objects.select_related(*SOURCE_RELATED), pk=pk
        )
        claims = (
            Claim.objects.visible_to(self.request.user)
            .filter(
                pk__in=Span.objects.visible_to(self.request.user)
                .filter(source=source)
                .values("claim_id")
            )
            .order_by("-id")
        )
        # Read by the source serializer's claims and snapshots fields.
        source.visible_claims = list(claims[:LIMIT_RELATED])  # type: ignore[attr-defined]
        source.fetched = list(  # type: ignore[attr-defined]
            source.snapshots.listed()[:LIMIT_RELATED]
        )
        return source

    def represent(self, pk, status_code=status.HTTP_200_OK, **extra):
        source = self.source_detail(pk)
        body = s.SourceDetailSerializer(source, context={"request": self.request}).data
        response = Response({**body, **extra}, status=status_code)
        if status_code == status.HTTP_201_CREATED:
            response["Location"] = self.request.build_absolute_uri(
                reverse("source-detail", args=[source.pk])
            )
        return response

    def retrieve(self, request, pk=None):
        return self.represent(pk)

    @extend_schema(
        summary="Name the earlier version a source revises (a proposal unless "
        "you review)",
        request=inputs.RevisionLinkSerializer,
        responses={
            200: s.SourceDetailSerializer,
            **WRITE_ERRORS,
            403: OpenApiResponse(
                description="Your role does not allow this (only a reviewer "
                "replaces or clears an accepted link)."
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def revision(self, request, pk=None):
        source = get_object_or_404(Source, pk=pk)
        serializer = inputs.RevisionLinkSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        set_revision_link(
            source=source,
            revises=serializer.validated_data["revises"],
            note=serializer.validated_data.get("note", ""),
            by=request.user,
        )
        return self.represent(source.pk)

    @extend_schema(
        summary="Accept or reject a source's revises link",
        request=inputs.ReviewSerializer,
        responses={
            200: s.SourceDetailSerializer,
            **WRITE_ERRORS,
            403: OpenApiResponse(
                description="Not a reviewer, or four eyes: you proposed this "
                "link, so another reviewer must decide (CLAIMTRACK_FOUR_EYES)."
            ),
        },
    )
    @action(detail=True, methods=["post"], url_path="revision/review")
    def revision_review(self, request, pk=None):
        source = get_object_or_404(Source, pk=pk)
        serializer = inputs.ReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review_revision(
            source=source,
            decision=serializer.validated_data["decision"],
            note=serializer.validated_data.get("note", ""),
            by=request.user,
        )
        return self.represent(source.pk)

    def create(self, request):
        serializer = inputs.SourceCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        propose = data.pop("propose_claims")
        min_confidence = data.pop("min_confidence", 0.0)
        if propose and not request.user.has_perm("claims.add_claim"):
            raise PermissionDenied("Proposing claims needs the contributor role.")
        if data.pop("fetch"):
            job = start_fetch(
                url=data["url"],
                by=request.user,
                title=data.get("title", ""),
                kind=data["kind"],
                published_on=data.get("published_on"),
                publisher=data.get("publisher", ""),
                language=data.get("language", ""),
                propose_claims=propose,
                min_confidence=min_confidence,
            )
            return job_response(request, job)
        result = create_source(**data, by=request.user)
        if (
            propose
            and result.source.text_length > settings.CLAIMTRACK_MAX_PROPOSE_CHARS
        ):
            job = start_proposals(
                source=result.source, by=request.user, min_confidence=min_confidence
            )
            return job_response(request, job)
        proposals = None
        if propose:
            run = propose_claims(source=result.source, min_confidence=min_confidence)
            proposals = {
                "created": [claim.pk for claim in run.created],
                "skipped": len(run.skipped),
            }
        return self.represent(
            result.source.pk,
            status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
            proposals=proposals,
        )


@extend_schema_view(
    list=extend_schema(
        summary="List speakers",
        responses={200: s.SpeakerSerializer(many=True)},
    ),
    retrieve=extend_schema(
        summary="A speaker with their claims",
        responses={200: s.SpeakerDetailSerializer},
    ),
)
class SpeakerViewSet(StrictQueryMixin, viewsets.ReadOnlyModelViewSet):
    """Speakers by the claims' rule (``SpeakerQuerySet.visible_to``): anonymous
    readers see the public ones (an accepted claim names them), as the public
    pages do; a signed-in user also those of their own proposals; reviewers
    all. Any other id is a 404, as for a claim."""

    resource = "speaker"
    lookup_value_regex = r"\d{1,18}"
    serializer_class = s.SpeakerSerializer
    filterset_class = None

    def get_queryset(self):
        return Speaker.objects.visible_to(self.request.user)

    def retrieve(self, request, pk=None):
        speaker = get_object_or_404(self.get_queryset(), pk=pk)
        claims = (
            Claim.objects.visible_to(request.user)
            .filter(speaker=speaker)
            .order_by("-id")
        )
        speaker.visible_claims = list(claims[:LIMIT_RELATED])
        return Response(s.SpeakerDetailSerializer(speaker).data)
