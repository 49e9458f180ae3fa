"""/api/v1/webhooks/: endpoints the change feed's events are POSTed to, their
delivery log, a replay from an event and a resend (docs/NOTIFICATIONS.md).

An endpoint is its owner's and the reviewers' (``visible_to``); registering
one needs a role. The secret that signs its deliveries is in the answer to
its creation only."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from ... import services, webhooks
from ...models import EVENT_TYPES, Status, WebhookDelivery, WebhookEndpoint
from .common import WRITE_ERRORS, StrictQueryMixin

# How many deliveries the log shows, newest first.
LOG = 100


class WhatFields(serializers.Serializer):
    """Where an endpoint is and what it wants: shown, and given."""

    url = serializers.CharField(help_text="Where events are POSTed (http or https).")
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=sorted(EVENT_TYPES)),
        required=False,
        help_text="The types wanted; empty: all of them.",
    )
    claims = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="Only these claims' events; empty: any.",
    )
    speakers = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="Only these speakers' claims; empty: any.",
    )
    statuses = serializers.ListField(
        child=serializers.ChoiceField(choices=Status.values),
        required=False,
        help_text="Only claims with one of these statuses after the event.",
    )


class WebhookSerializer(WhatFields, serializers.ModelSerializer):
    """An endpoint: where, what, and how its deliveries stand."""

    enabled = serializers.SerializerMethodField(
        help_text="False once disabled (by its owner, or after its retries ran out)."
    )
    owner = serializers.CharField(
        source="owner.username", read_only=True, help_text="Whose endpoint it is."
    )

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "owner",
            "url",
            "description",
            "event_types",
            "claims",
            "speakers",
            "statuses",
            "enabled",
            "disabled_reason",
            "failed_attempts",
            "next_attempt_at",
            "created_at",
        ]
        read_only_fields = fields

    def get_enabled(self, endpoint) -> bool:
        return endpoint.disabled_at is None


class WebhookCreatedSerializer(WebhookSerializer):
    secret = serializers.CharField(
        help_text="The signing secret (whsec_…): shown in this answer only."
    )

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class DeliverySerializer(serializers.ModelSerializer):
    """One attempt to deliver one event."""

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event",
            "event_type",
            "message_id",
            "attempt",
            "outcome",
            "status_code",
            "latency_ms",
            "response_head",
            "error",
            "created_at",
        ]
        read_only_fields = fields


class WebhookInputSerializer(WhatFields):
    """What a registration or a change may give (the services check it)."""

    description = serializers.CharField(
        required=False, help_text="What it is for, in words."
    )
    enabled = serializers.BooleanField(
        required=False,
        help_text="false disables it; true resumes it from the event it stopped at.",
    )


@extend_schema_view(
    list=extend_schema(summary="Your webhook endpoints"),
    retrieve=extend_schema(summary="A webhook endpoint"),
    destroy=extend_schema(summary="Delete a webhook endpoint and its log"),
)
class WebhookViewSet(
    StrictQueryMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    resource = "webhook"
    lookup_value_regex = r"\d{1,18}"
    serializer_class = WebhookSerializer
    filterset_class = None

    def get_queryset(self):
        return (
            WebhookEndpoint.objects.visible_to(self.request.user)
            .select_related("owner")
            .order_by("id")
        )

    def owned(self) -> WebhookEndpoint:
        """The endpoint, if the user may change it: reviewers read every
        endpoint, but only its owner changes one."""
        endpoint = self.get_object()
        if endpoint.owner_id != self.request.user.pk:
            raise PermissionDenied("Only its owner changes a webhook endpoint.")
        return endpoint

    def perform_destroy(self, instance):
        self.owned().delete()

    @extend_schema(
        summary="Register a webhook endpoint",
        request=WebhookInputSerializer,
        responses={201: WebhookCreatedSerializer, **WRITE_ERRORS},
    )
    def create(self, request):
        endpoint = services.create_endpoint(owner=request.user, **_fields(request))
        body = WebhookCreatedSerializer(endpoint).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a webhook endpoint (enabled: true resumes a disabled one)",
        request=WebhookInputSerializer,
        responses={200: WebhookSerializer, **WRITE_ERRORS},
    )
    def partial_update(self, request, pk=None):
        endpoint = self.owned()
        services.update_endpoint(endpoint=endpoint, **_fields(request))
        return Response(WebhookSerializer(endpoint).data)

    @extend_schema(
        summary="Its delivery log, newest first (the last 100 attempts)",
        responses={200: DeliverySerializer(many=True)},
    )
    @action(detail=True, methods=["get"])
    def deliveries(self, request, pk=None):
        endpoint = self.get_object()
        log = endpoint.deliveries.order_by("-id")[:LOG]
        return Response(DeliverySerializer(log, many=True).data)

    @extend_schema(
        summary="Deliver again every wanted event from one on, in order",
        request=inline_serializer(
            "WebhookReplay",
            {
                "from_event": serializers.IntegerField(
                    help_text="The id of the first event to deliver again."
                )
            },
        ),
        responses={202: WebhookSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def replay(self, request, pk=None):
        endpoint = self.owned()
        services.replay_from(endpoint=endpoint, event=request.data.get("from_event"))
        webhooks.queue()  # deliver from there at once, or in the worker
        return Response(
            WebhookSerializer(endpoint).data, status=status.HTTP_202_ACCEPTED
        )

    @extend_schema(
        summary="Send one logged delivery's event again, now",
        request=None,
        responses={201: DeliverySerializer, **WRITE_ERRORS},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"deliveries/(?P<delivery>\d{1,18})/resend",
    )
    def resend(self, request, pk=None, delivery=None):
        endpoint = self.owned()
        logged = get_object_or_404(endpoint.deliveries, pk=delivery)
        attempt = webhooks.resend(delivery=logged)
        return Response(
            DeliverySerializer(attempt).data, status=status.HTTP_201_CREATED
        )


def _fields(request) -> dict:
    if not isinstance(request.data, dict):
        raise ValidationError({"body": "must be a JSON object."})
    return dict(request.data)
