"""The claims endpoints: read, propose, edit, review, move status, relate,
history and ClaimReview; adding and reviewing spans and evidence is
``additions.py``'s."""

from typing import cast

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
    NotFound,
    ValidationError,
)
from rest_framework.response import Response

from ... import exports, services
from ...claimreview import NoVerdict, claim_review
from ...history import claim_edits
from ...models import Claim, Evidence, Span, Speaker
from ...search import search_claims, uses_full_text
from ...similar import similar_for
from .. import inputs
from .. import serializers as s
from ..filters import ClaimFilter
from ..pagination import CursorPagination
from ..payloads import PagePayloads, payload_for, payloads_for, represent
from ..renderers import (
    BrowsableAPIRenderer,
    CSVRenderer,
    FastJSONRenderer,
    JSONLDRenderer,
    JSONLinesRenderer,
)
from .additions import ClaimAdditionsMixin
from .common import (
    IF_MATCH,
    OPTIONAL_IF_MATCH,
    VERSIONED_ERRORS,
    WRITE_ERRORS,
    StrictQueryMixin,
    etag_matches,
    expected_version,
)


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
        request=inputs.ProposeClaimSerializer,
        responses={201: s.ClaimSerializer, **WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Edit a claim",
        request=inputs.EditClaimSerializer,
        parameters=[IF_MATCH],
        responses={200: s.ClaimSerializer, **VERSIONED_ERRORS},
    ),
)
class ClaimViewSet(
    ClaimAdditionsMixin,
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

    def get_renderers(self):
        renderers = super().get_renderers()
        if self.action == "list":  # the whole list as a file
            renderers += [CSVRenderer(), JSONLinesRenderer()]
        return renderers

    def list(self, request):
        queryset = self.filter_queryset(self.get_queryset())
        if request.accepted_renderer.format in exports.FORMATS:
            # Every claim the pages would show, newest first, streamed.
            return exports.streamed(queryset, request.accepted_renderer.format)
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
            renderer = getattr(self.request, "accepted_renderer", None)
            ranked = "ordering" not in self.request.query_params and (
                getattr(renderer, "format", None) not in exports.FORMATS
            )
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
        data = self.valid(inputs.ProposeClaimSerializer, request.data)
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
        data = self.valid(inputs.EditClaimSerializer, request.data)
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
        summary="Accept, reject (with a reason) or close as a duplicate of "
        "another claim (reviewers; not your own proposal)",
        request=inputs.ClaimReviewInputSerializer,
        parameters=[OPTIONAL_IF_MATCH],
        responses={200: s.ClaimSerializer, **VERSIONED_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        claim = self.claim(pk)
        data = self.valid(inputs.ClaimReviewInputSerializer, request.data)
        version = expected_version(request, required=False)
        if data["decision"] == "duplicate":
            services.mark_repeat(
                claim=claim,
                of=self.other_claim(data["of"], "of"),
                note=data.get("note", ""),
                by=request.user,
                expected_version=version,
            )
        else:
            claim = services.review_claim(
                claim=claim,
                decision=data["decision"],
                note=data.get("note", ""),
                reason=data.get("reason", ""),
                by=request.user,
                expected_version=version,
            )
        return self.represent(claim)

    def other_claim(self, pk: int, field: str) -> Claim:
        other = Claim.objects.visible_to(self.request.user).filter(pk=pk).first()
        if other is None:
            raise ValidationError({field: f"there is no claim {pk} you may see."})
        return other

    @extend_schema(
        summary="Claims this one may repeat, with score and reasons",
        responses={200: s.SimilarSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def similar(self, request, pk=None):
        found = similar_for(self.claim(pk), request.user)
        return Response([s.SimilarSerializer.represent(*item) for item in found])

    @extend_schema(
        summary="Record that this claim does not repeat another (reviewers): the "
        "pair is not suggested again",
        request=inputs.NotARepeatSerializer,
        responses={200: s.ClaimSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="not-a-repeat")
    def not_a_repeat(self, request, pk=None):
        claim = self.claim(pk)
        data = self.valid(inputs.NotARepeatSerializer, request.data)
        services.dismiss_repeat(
            claim=claim, candidate=self.other_claim(data["of"], "of"), by=request.user
        )
        return self.represent(claim)

    @extend_schema(
        summary="Relate this claim to another: repeats, contradicts, updates, "
        "supports (reviewers)",
        request=inputs.RelationInputSerializer,
        parameters=[OPTIONAL_IF_MATCH],
        responses={201: s.ClaimSerializer, **VERSIONED_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def relations(self, request, pk=None):
        claim = self.claim(pk)
        data = self.valid(inputs.RelationInputSerializer, request.data)
        services.relate_claims(
            claim=claim,
            other=self.other_claim(data["other"], "other"),
            kind=data["kind"],
            rationale=data["rationale"],
            spans=data["spans"],
            by=request.user,
            expected_version=expected_version(request, required=False),
        )
        return self.represent(claim, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Move a claim's status (with evidence for verdicts)",
        request=inputs.StatusChangeSerializer,
        parameters=[IF_MATCH],
        responses={200: s.ClaimSerializer, **VERSIONED_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def status(self, request, pk=None):
        claim = self.claim(pk)
        version = expected_version(request, required=True)
        data = self.valid(inputs.StatusChangeSerializer, request.data)
        services.change_status(
            claim=claim,
            to_status=data["status"],
            rationale=data["rationale"],
            by=request.user,
            expected_version=version,
            evidence=[
                services.EvidenceInput(**item) for item in data.get("evidence", [])
            ],
            relations=data.get("relations", []),
        )
        return self.represent(claim)

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
