"""A claim's additions through the API: add a span or an evidence item, and
review or withdraw one (docs/API.md, "Additions to an accepted claim are
reviewed"). A mixin of ``ClaimViewSet``, whose ``claim``, ``valid`` and
``represent`` it uses."""

from collections.abc import Callable

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from ... import services
from ...models import Claim, Evidence, Span
from .. import inputs
from .. import serializers as s
from .common import OPTIONAL_IF_MATCH, VERSIONED_ERRORS, expected_version

CONTRIBUTION_VERBS = {
    "review": (
        inputs.ReviewSerializer,
        "Accept or reject a proposed {noun} (reviewers; not your own)",
    ),
    "withdraw": (
        inputs.WithdrawSerializer,
        "Withdraw an accepted {noun} from the public record (reviewers)",
    ),
}


def contribution_action(model, verb: str):
    """The ``review`` or ``withdraw`` action on one of a claim's spans or
    evidence items: ``POST /claims/{id}/spans/{span_id}/review`` and its three
    siblings, one definition for the four."""
    serializer, summary = CONTRIBUTION_VERBS[verb]
    noun, segment = (
        ("span", "spans") if model is Span else ("evidence item", "evidence")
    )
    key = f"{model._meta.model_name}_id"

    def view(self, request, pk=None, **kwargs):
        item = self.contribution(request.user, pk, model, kwargs[key])
        data = self.valid(serializer, request.data)
        version = expected_version(request, required=False)
        if verb == "review":
            services.review_contribution(
                item=item,
                decision=data["decision"],
                note=data.get("note", ""),
                by=request.user,
                expected_version=version,
            )
        else:
            services.withdraw_contribution(
                item=item,
                reason=data["reason"],
                by=request.user,
                expected_version=version,
            )
        return self.represent(Claim(pk=item.claim_id))

    # DRF names the route and maps the method from the function's name.
    view.__name__ = view.__qualname__ = f"{verb}_{model._meta.model_name}"
    documented = extend_schema(
        summary=summary.format(noun=noun),
        request=serializer,
        parameters=[OPTIONAL_IF_MATCH],
        responses={200: s.ClaimSerializer, **VERSIONED_ERRORS},
    )
    routed = action(
        detail=True,
        methods=["post"],
        url_path=rf"{segment}/(?P<{key}>\d{{1,18}})/{verb}",
    )
    return documented(routed(view))


class ClaimAdditionsMixin:
    # ClaimViewSet's, which this is part of (declared for the type checker).
    claim: Callable[..., Claim]
    valid: Callable[..., dict]
    represent: Callable[..., Response]

    @extend_schema(
        summary="Anchor a claim in one more place (another appearance, a cue, the speaker)",
        request=inputs.SpanInputSerializer,
        responses={201: s.ClaimSerializer, **VERSIONED_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def spans(self, request, pk=None):
        claim = self.claim(pk)
        data = self.valid(inputs.SpanInputSerializer, request.data)
        services.add_span(
            claim=claim,
            span=services.SpanInput(**data),
            by=request.user,
            expected_version=expected_version(request, required=False),
        )
        return self.represent(claim, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Attach evidence without moving the status",
        request=inputs.EvidenceInputSerializer,
        responses={201: s.ClaimSerializer, **VERSIONED_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def evidence(self, request, pk=None):
        claim = self.claim(pk)
        data = self.valid(inputs.EvidenceInputSerializer, request.data)
        services.add_evidence(
            claim=claim,
            evidence=services.EvidenceInput(**data),
            by=request.user,
            expected_version=expected_version(request, required=False),
        )
        return self.represent(claim, status.HTTP_201_CREATED)

    def contribution(self, user, claim_pk, model, item_pk):
        """A span or evidence item of a claim ``user`` (the requester) may see."""
        claim = self.claim(claim_pk)
        item = model.objects.visible_to(user).filter(claim=claim, pk=item_pk).first()
        if item is None:
            raise NotFound(
                f"Claim {claim.pk} has no {model._meta.verbose_name} {item_pk}."
            )
        return item

    review_span = contribution_action(Span, "review")
    review_evidence = contribution_action(Evidence, "review")
    withdraw_span = contribution_action(Span, "withdraw")
    withdraw_evidence = contribution_action(Evidence, "withdraw")
