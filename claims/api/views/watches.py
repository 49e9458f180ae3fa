"""/api/v1/watches/: what the signed-in user watches (docs/NOTIFICATIONS.md,
"Watch lists and email"). Each user sees and changes only their own; watching
needs no role beyond a sign-in, as it reveals nothing the user cannot read."""

from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from ...models import Watch
from ...models.watch import TARGETS
from ...services import watches
from .common import WRITE_ERRORS, StrictQueryMixin


class WatchSerializer(serializers.ModelSerializer):
    """One watch: a claim, a speaker or a source (the other two are null)."""

    kind = serializers.CharField(
        source="target_kind", help_text="claim, speaker or source."
    )

    class Meta:
        model = Watch
        fields = ["id", "kind", "claim", "speaker", "source", "created_at"]
        read_only_fields = fields


WatchInput = inline_serializer(
    "WatchInput",
    {
        name: serializers.IntegerField(
            required=False, help_text=f"The {name} to watch (give exactly one)."
        )
        for name in TARGETS
    },
)


@extend_schema_view(
    list=extend_schema(summary="What you watch, newest first"),
    retrieve=extend_schema(summary="One of your watches"),
    destroy=extend_schema(summary="Stop watching"),
)
class WatchViewSet(
    StrictQueryMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    resource = "watch"
    lookup_value_regex = r"\d{1,18}"
    serializer_class = WatchSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = None

    def get_queryset(self):
        if not self.request.user.is_authenticated:  # the schema's generation
            return Watch.objects.none()
        return Watch.objects.filter(user=self.request.user).order_by("-id")

    def perform_destroy(self, instance):
        # get_queryset holds the asker's watches only.
        watches.unwatch(user=instance.user, watch=instance)

    @extend_schema(
        summary="Watch a claim, a speaker or a source (again: the same watch, 200)",
        request=WatchInput,
        responses={201: WatchSerializer, 200: WatchSerializer, **WRITE_ERRORS},
    )
    def create(self, request):
        if not isinstance(request.data, dict):
            raise ValidationError({"body": "must be a JSON object."})
        given = [name for name in TARGETS if request.data.get(name) is not None]
        unknown = sorted(set(request.data) - set(TARGETS))
        if unknown:
            raise ValidationError(
                {name: "is not a field of a watch." for name in unknown}
            )
        if len(given) != 1:
            raise ValidationError(
                {"non_field_errors": "give exactly one of claim, speaker and source."}
            )
        kind = given[0]
        watch, created = watches.watch(
            user=request.user, kind=kind, pk=request.data[kind]
        )
        return Response(
            WatchSerializer(watch).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
