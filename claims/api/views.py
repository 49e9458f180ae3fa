import re
from typing import Literal, cast, overload

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import (
    ErrorDetail,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sources.models import Source
from sources.services import create_source, review_revision, set_revision_link

from .. import services
from ..claimreview import NoVerdict, claim_review
from ..history import claim_edits
from ..models import Claim, Evidence, Span, Speaker
from ..search import search_claims, uses_full_text
from ..services.proposals import propose_claims
from . import serializers as s
from .errors import PreconditionFailed, PreconditionRequired
from .filters import ClaimFilter, SourceFilter
from .pagination import CursorPagination
from .payloads import PagePayloads, payload_for, payloads_for, represent
from .renderers import BrowsableAPIRenderer, FastJSONRenderer, JSONLDRenderer
from .schema import documented_error

# drf-standardized-errors' AutoSchema documents 400, 401, 403, 404, 405, 415
# and 429 with their codes; these are the statuses it does not know.
WRITE_ERRORS = {
    409: documented_error("Conflicts with the current state."),
    413: documented_error("The body is over the size limit (config/middleware.py)."),
}
VERSIONED_ERRORS = {
    **WRITE_ERRORS,
    412: documented_error("Stale or malformed If-Match: the claim changed; reload it."),
    428: documented_error("If-Match is required for this change."),
}
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description='The ETag of the claim you read, e.g. "3".',
)
OPTIONAL_IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Optional: refuse the change if the claim changed.",
)
COMMON_PARAMETERS = {"cursor", "page_size", "format"}
# A source's relations its representation reads (the revises link's review).
SOURCE_RELATED = ("publisher", "revises_proposed_by", "revises_reviewed_by")
LIMIT_RELATED = 100


def etag_matches(if_none_match: str, etag: str) -> bool:
    """Whether an If-None-Match header names ``etag`` (weak comparison, as
    RFC 9110 asks of it), or is ``*``."""
    tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
    return "*" in tags or etag in tags


class StrictQueryMixin(APIView):
    """Unknown query parameters and NUL characters are refused with a 400."""

    extra_query_parameters: set[str] = set()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        allowed = COMMON_PARAMETERS | self.extra_query_parameters
        filterset = getattr(self, "filterset_class", None)
        if filterset is not None:
            allowed |= set(filterset.base_filters)
        errors: dict[str, str] = {}
        for name, values in request.query_params.lists():
            if name not in allowed:
                errors[name] = ErrorDetail(
                    "is not a parameter of this endpoint.", code="unknown_parameter"
                )
            elif any("\x00" in value for value in values):
                errors[name] = "must not contain NUL characters."
        if errors:
            raise ValidationError(errors)


@overload
def expected_version(request: Request, *, required: Literal[True]) -> int: ...
@overload
def expected_version(request: Request, *, required: bool) -> int | None: ...
def expected_version(request: Request, *, required: bool) -> int | None:
    """The version named by If-Match ("3", W/ is refused), or None if absent."""
    header = request.headers.get("If-Match")
    if header is None:
        if required:
            raise PreconditionRequired()
        return None
    match = re.fullmatch(r'\s*"?(\d{1,10})"?\s*', header)
    if not match:
        raise PreconditionFailed(
            f'If-Match must be the claim\'s ETag, like "3", not {header!r}.'
        )
    return int(match.group(1))


@extend_schema_view(
    list=extend_schema(
        summary="List claims",
        parameters=[
            OpenApiParameter(
                "q", str, description="Full-text search (ranked on PostgreSQL)."
            ),
            OpenApiParameter(
                "ordering",
                str,
                enum=["-id", "id"],
                description="Default: newest first.",
            ),
        ],
        responses={200: s.ClaimSerializer(many=True)},
    ),
    retrieve=extend_schema(
        summary="A claim",
        parameters=[
            OpenApiParameter(
                "If-None-Match",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description='The ETag you hold, e.g. "3": 304 if it is still current.',
            )
        ],
        responses={
            200: s.ClaimSerializer,
            304: OpenApiResponse(description="Not modified: your copy is current."),
        },
    ),
    create=extend_schema(
        summary="Propose a claim with its spans",
        request=s.ProposeClaimSerializer,
        responses={201: s.ClaimSerializer, **WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Edit a claim",
        request=s.EditClaimSerializer,
        parameters=[IF_MATCH],
        responses={200: s.ClaimSerializer, **VERSIONED_ERRORS},
    ),
)
class ClaimViewSet(
    StrictQueryMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    resource = "claim"
    lookup_value_regex = r"\d{1,18}"
    serializer_class = s.ClaimSerializer
    filterset_class = ClaimFilter
    extra_query_parameters = {"q", "ordering"}
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return Claim.objects.visible_to(self.request.user)

    def list(self, request):
        queryset = self.filter_queryset(self.get_queryset())
        extra = ("rank_key",) if "rank_key" in queryset.query.annotations else ()
        payloads: list[dict] | None
        if extra:  # ranked search: the cursor needs each row's rank
            page = self.paginate_queryset(queryset.values("id", *extra)) or []
            payloads = payloads_for([row["id"] for row in page], request.user)
        else:  # the page's ids and payloads in one statement
            # PagePayloads stands in for the queryset: it orders, filters, slices.
            payloads = self.paginate_queryset(PagePayloads(queryset, request.user))  # type: ignore[arg-type]
        return self.get_paginated_response(payloads)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        q = self.request.query_params.get("q", "").strip()
        if self.action == "list" and q:
            ranked = "ordering" not in self.request.query_params
            queryset = search_claims(queryset, q, ranked=ranked)
        return queryset

    @property
    def paginator(self):
        if not hasattr(self, "_paginator"):
            self._paginator = CursorPagination()
            ordering: str | tuple[str, ...] = self.request.query_params.get(
                "ordering", "-id"
            )
            if ordering not in ("-id", "id"):
                raise ValidationError({"ordering": "must be -id or id."})
            q = self.request.query_params.get("q", "").strip()
            if q and uses_full_text() and "ordering" not in self.request.query_params:
                ordering = ("-rank_key", "-id")  # best matches first
            # DRF takes a tuple too; the stubs say str only.
            self._paginator.ordering = ordering  # type: ignore[assignment]
        return self._paginator

    def claim(self, pk):
        """One claim the requester may see (for the services to change)."""
        return get_object_or_404(Claim.objects.visible_to(self.request.user), pk=pk)

    def represent(self, claim, status_code=status.HTTP_200_OK):
        """The claim as the API shows it, with its ETag."""
        payload = payload_for(claim.pk, self.request.user)
        if payload is None:
            raise NotFound("No claim with this id is visible to you.")
        etag = f'"{payload["version"]}"'
        if status_code == status.HTTP_201_CREATED and self.action == "create":
            response = Response(payload, status=status_code)
            response["Location"] = self.request.build_absolute_uri(
                reverse("claim-detail", args=[claim.pk])
            )
        elif self.action == "retrieve" and etag_matches(
            self.request.headers.get("If-None-Match", ""), etag
        ):
            response = Response(status=status.HTTP_304_NOT_MODIFIED)
        else:
            response = Response(payload, status=status_code)
        response["ETag"] = etag
        return response

    def retrieve(self, request, pk=None):
        return self.represent(Claim(pk=int(pk)))

    # One transaction with the speaker a name creates: a refused proposal
    # leaves no new speaker behind.
    @transaction.atomic
    def create(self, request):
        data = self.valid(s.ProposeClaimSerializer, request.data)
        claim = services.propose_claim(
            **{k: v for k, v in data.items() if k not in ("spans", "speaker")},
            speaker=self.speaker(data.get("speaker")),
            spans=[services.SpanInput(**span) for span in data["spans"]],
            by=request.user,
        )
        return self.represent(claim, status.HTTP_201_CREATED)

    @transaction.atomic
    def partial_update(self, request, pk=None):
        claim = self.claim(pk)
        version = expected_version(request, required=True)
        data = self.valid(s.EditClaimSerializer, request.data)
        reason = data.pop("reason", "edited through the API")
        if "speaker" in data:
            data["speaker"] = self.speaker(data["speaker"])
        claim = services.edit_claim(
            claim=claim,
            expected_version=version,
            by=request.user,
            reason=reason,
            **data,
        )
        return self.represent(claim)

    @extend_schema(
        summary="Accept or reject a claim (reviewers; not your own proposal)",
        request=s.ReviewSerializer,
        parameters=[OPTIONAL_IF_MATCH],
        responses={200: s.ClaimSerializer, **VERSIONED_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        claim = self.claim(pk)
        data = self.valid(s.ReviewSerializer, request.data)
        claim = services.review_claim(
            claim=claim,
            decision=data["decision"],
            note=data.get("note", ""),
            by=request.user,
            expected_version=expected_version(request, required=False),
        )
        return self.represent(claim)

    @extend_schema(
        summary="Move a claim's status (with evidence for verdicts)",
        request=s.StatusChangeSerializer,
        parameters=[IF_MATCH],
        responses={200: s.ClaimSerializer, **VERSIONED_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def status(self, request, pk=None):
        claim = self.claim(pk)
        version = expected_version(request, required=True)
        data = self.valid(s.StatusChangeSerializer, request.data)
        services.change_status(
            claim=claim,
            to_status=data["status"],
            rationale=data["rationale"],
            by=request.user,
            expected_version=version,
            evidence=[
                services.EvidenceInput(**item) for item in data.get("evidence", [])
            ],
        )
        return self.represent(claim)

    @extend_schema(
        summary="Anchor a claim in one more place (another appearance, a cue, the speaker)",
        request=s.SpanInputSerializer,
        responses={201: s.ClaimSerializer, **VERSIONED_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def spans(self, request, pk=None):
        claim = self.claim(pk)
        data = self.valid(s.SpanInputSerializer, request.data)
        services.add_span(
            claim=claim,
            span=services.SpanInput(**data),
            by=request.user,
            expected_version=expected_version(request, required=False),
        )
        return self.represent(claim, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Attach evidence without moving the status",
        request=s.EvidenceInputSerializer,
        responses={201: s.ClaimSerializer, **VERSIONED_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def evidence(self, request, pk=None):
        claim = self.claim(pk)
        data = self.valid(s.EvidenceInputSerializer, request.data)
        services.add_evidence(
            claim=claim,
            evidence=services.EvidenceInput(**data),
            by=request.user,
            expected_version=expected_version(request, required=False),
        )
        return self.represent(claim, status.HTTP_201_CREATED)

    def contribution(self, claim_pk, model, item_pk):
        """A span or evidence item of a claim the requester may see."""
        claim = self.claim(claim_pk)
        item = (
            model.objects.visible_to(self.request.user)
            .filter(claim=claim, pk=item_pk)
            .first()
        )
        if item is None:
            raise NotFound(
                f"Claim {claim.pk} has no {model._meta.verbose_name} {item_pk}."
            )
        return item

    def review_item(self, request, pk, model, item_pk):
        item = self.contribution(pk, model, item_pk)
        data = self.valid(s.ReviewSerializer, request.data)
        services.review_contribution(
            item=item,
            decision=data["decision"],
            note=data.get("note", ""),
            by=request.user,
            expected_version=expected_version(request, required=False),
        )
        return self.represent(Claim(pk=item.claim_id))

    def withdraw_item(self, request, pk, model, item_pk):
        item = self.contribution(pk, model, item_pk)
        data = self.valid(s.WithdrawSerializer, request.data)
        services.withdraw_contribution(
            item=item,
            reason=data["reason"],
            by=request.user,
            expected_version=expected_version(request, required=False),
        )
        return self.represent(Claim(pk=item.claim_id))

    @extend_schema(
        summary="Accept or reject a proposed span (reviewers; not your own)",
        request=s.ReviewSerializer,
        parameters=[OPTIONAL_IF_MATCH],
        responses={200: s.ClaimSerializer, **VERSIONED_ERRORS},
    )
    @action(
        detail=True, methods=["post"], url_path=r"spans/(?P<span_id>\d{1,18})/review"
    )
    def review_span(self, request, pk=None, span_id=None):
        return self.review_item(request, pk, Span, span_id)

    @extend_schema(
        summary="Accept or reject a proposed evidence item (reviewers; not your own)",
        request=s.ReviewSerializer,
        parameters=[OPTIONAL_IF_MATCH],
        responses={200: s.ClaimSerializer, **VERSIONED_ERRORS},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"evidence/(?P<evidence_id>\d{1,18})/review",
    )
    def review_evidence(self, request, pk=None, evidence_id=None):
        return self.review_item(request, pk, Evidence, evidence_id)

    @extend_schema(
        summary="Withdraw an accepted span from the public record (reviewers)",
        request=s.WithdrawSerializer,
        parameters=[OPTIONAL_IF_MATCH],
        responses={200: s.ClaimSerializer, **VERSIONED_ERRORS},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"spans/(?P<span_id>\d{1,18})/withdraw",
    )
    def withdraw_span(self, request, pk=None, span_id=None):
        return self.withdraw_item(request, pk, Span, span_id)

    @extend_schema(
        summary="Withdraw an accepted evidence item from the public record (reviewers)",
        request=s.WithdrawSerializer,
        parameters=[OPTIONAL_IF_MATCH],
        responses={200: s.ClaimSerializer, **VERSIONED_ERRORS},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"evidence/(?P<evidence_id>\d{1,18})/withdraw",
    )
    def withdraw_evidence(self, request, pk=None, evidence_id=None):
        return self.withdraw_item(request, pk, Evidence, evidence_id)

    @extend_schema(
        summary="The status ledger and the edit history",
        responses={200: s.HistorySerializer},
    )
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        claim = get_object_or_404(Claim.objects.visible_to(request.user), pk=pk)
        visible_evidence = Evidence.objects.visible_to(request.user).order_by("id")
        ledger = claim.ledger.select_related("changed_by").prefetch_related(
            Prefetch("evidence", queryset=visible_evidence)
        )
        return Response(
            {
                "ledger": [
                    {
                        "id": entry.pk,
                        "from_status": entry.from_status,
                        "to_status": entry.to_status,
                        "rationale": entry.rationale,
                        "changed_by": entry.changed_by.get_username(),
                        "changed_at": entry.changed_at.isoformat(),
                        "claim_version": entry.claim_version,
                        "evidence": [
                            represent(s.EvidenceSerializer, e)
                            for e in entry.evidence.all()
                        ],
                    }
                    for entry in ledger
                ],
                "edits": claim_edits(claim, request.user),
            }
        )

    @extend_schema(
        summary="schema.org ClaimReview JSON-LD for a claim with a verdict",
        responses={
            (200, "application/ld+json"): OpenApiTypes.OBJECT,
            (200, "application/json"): OpenApiTypes.OBJECT,
            406: OpenApiResponse(
                description="Not acceptable: ?format= names one type and Accept "
                "another."
            ),
        },
    )
    @action(
        detail=True,
        methods=["get"],
        renderer_classes=[JSONLDRenderer, FastJSONRenderer, BrowsableAPIRenderer],
    )
    def claimreview(self, request, pk=None):
        claim = get_object_or_404(
            Claim.objects.visible_to(request.user)
            .select_related("speaker")
            .prefetch_related(
                Prefetch(
                    "spans", queryset=Span.objects.public().select_related("source")
                )
            ),
            pk=pk,
        )
        try:
            document = claim_review(claim, absolute_url=request.build_absolute_uri)
        except NoVerdict as reason:
            raise NotFound(str(reason)) from None
        return Response(document)

    def valid(self, serializer_class, data):
        serializer = serializer_class(data=data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def speaker(self, value):
        if value is None:
            return None
        if "id" in value:
            speaker = Speaker.objects.filter(pk=value["id"]).first()
            if speaker is None:
                raise ValidationError(
                    {"speaker": f"there is no speaker with id {value['id']}."}
                )
            return speaker
        return services.find_or_create_speaker(
            # A write: the permission classes let only a logged-in user here.
            name=value["name"],
            kind=value["kind"],
            by=cast(User, self.request.user),
        )


@extend_schema_view(
    list=extend_schema(
        summary="List sources", responses={200: s.SourceSerializer(many=True)}
    ),
    retrieve=extend_schema(
        summary="A source with its text and claims",
        responses={200: s.SourceDetailSerializer},
    ),
    create=extend_schema(
        summary="Submit a source (an identical text answers 200 with the existing one)",
        request=s.SourceCreateSerializer,
        responses={
            201: s.SourceCreatedSerializer,
            200: s.SourceCreatedSerializer,
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
        # Read by the source serializer's claims field.
        source.visible_claims = list(claims[:LIMIT_RELATED])  # type: ignore[attr-defined]
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
        request=s.RevisionLinkSerializer,
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
        serializer = s.RevisionLinkSerializer(data=request.data)
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
        request=s.ReviewSerializer,
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
        serializer = s.ReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review_revision(
            source=source,
            decision=serializer.validated_data["decision"],
            note=serializer.validated_data.get("note", ""),
            by=request.user,
        )
        return self.represent(source.pk)

    def create(self, request):
        serializer = s.SourceCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        propose = data.pop("propose_claims")
        if propose and not request.user.has_perm("claims.add_claim"):
            raise PermissionDenied("Proposing claims needs the contributor role.")
        result = create_source(**data, by=request.user)
        proposals = None
        if propose:
            run = propose_claims(source=result.source)
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


__all__ = ["ClaimViewSet", "SourceViewSet", "SpeakerViewSet"]
