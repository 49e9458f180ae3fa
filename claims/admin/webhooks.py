"""Webhook endpoints in the admin: register one (its secret shown once), read
its delivery log, enable it again or deliver now (docs/NOTIFICATIONS.md).
Every write goes through claims/services/webhooks.py, as the API's do; an
endpoint is its owner's to change and the reviewers' to read."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join

from .. import services, webhooks
from ..models import EVENT_TYPES, Status, WebhookEndpoint

LOG = 50  # deliveries shown; the API's …/deliveries/ lists 100
FORM_FIELDS = ("url", "description", "event_types", "statuses", "claims", "speakers")


class IdsField(forms.CharField):
    """Ids, comma-separated: "12, 40"."""

    def to_python(self, value):
        text = super().to_python(value)
        try:
            return [int(part) for part in text.replace(",", " ").split()]
        except ValueError:
            raise ValidationError("Give ids, separated by commas.") from None


class WebhookForm(forms.ModelForm):
    url = forms.URLField(max_length=2000, assume_scheme="https")
    event_types = forms.MultipleChoiceField(
        choices=[(name, f"{name}: {text}") for name, text in EVENT_TYPES.items()],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="None ticked: all of them.",
    )
    statuses = forms.MultipleChoiceField(
        choices=Status.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Only claims with one of these statuses after the event.",
    )
    claims = IdsField(required=False, help_text="Claim ids; empty: any.")
    speakers = IdsField(required=False, help_text="Speaker ids; empty: any.")

    class Meta:
        model = WebhookEndpoint
        fields = FORM_FIELDS


@admin.register(WebhookEndpoint)
class WebhookAdmin(admin.ModelAdmin):
    form = WebhookForm
    list_display = (
        "url",
        "owner",
        "types",
        "enabled",
        "failed_attempts",
        "next_attempt_at",
    )
    list_select_related = ("owner",)
    readonly_fields = (
        "owner",
        "failed_attempts",
        "failing_since",
        "next_attempt_at",
        "disabled_at",
        "disabled_reason",
        "created_at",
        "log",
    )
    actions = ("enable_selected", "deliver_now")
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER

    # Anyone with a role registers endpoints (Job-like: no permissions of
    # its own in the role groups); only the owner changes one.
    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("claims.view_claim")

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return request.user.has_perm("claims.add_claim")

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return self.has_add_permission(request)
        return obj.owner_id == request.user.pk

    def has_delete_permission(self, request, obj=None):
        return obj is not None and obj.owner_id == request.user.pk

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def get_fields(self, request, obj=None):
        return FORM_FIELDS if obj is None else (*FORM_FIELDS, *self.readonly_fields)

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in FORM_FIELDS}
        if change:
            services.update_endpoint(endpoint=obj, **fields)
            return
        created = services.create_endpoint(owner=request.user, **fields)
        obj.pk = created.pk
        self.message_user(
            request,
            format_html(
                "Copy its signing secret now, it is not shown again: <code>{}</code>",
                created.secret,
            ),
            messages.WARNING,
        )

    @admin.display(description="the last 50 deliveries")
    def log(self, obj):
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
            "<td>{}</td><td>{}</td></tr>",
            (
                (
                    f"{d.created_at:%Y-%m-%d %H:%M:%S}",
                    d.event_id,
                    d.event_type,
                    d.attempt,
                    d.get_outcome_display(),
                    d.status_code or "—",
                    f"{d.latency_ms} ms" if d.latency_ms is not None else "—",
                    d.error or d.response_head[:80],
                )
                for d in obj.deliveries.order_by("-id")[:LOG]
            ),
        )
        if not rows:
            return "none yet"
        return format_html(
            "<table><thead><tr><th>when (UTC)</th><th>event</th><th>type</th>"
            "<th>attempt</th><th>outcome</th><th>status</th><th>latency</th>"
            "<th>error or answer</th></tr></thead><tbody>{}</tbody></table>",
            rows,
        )

    @admin.display(description="types")
    def types(self, obj):
        return ", ".join(obj.event_types) or "all"

    @admin.display(description="enabled", boolean=True)
    def enabled(self, obj):
        return obj.disabled_at is None

    @admin.action(description="Enable the selected endpoints again")
    def enable_selected(self, request, queryset):
        for endpoint in queryset.filter(owner=request.user):
            services.update_endpoint(endpoint=endpoint, enabled=True)
        self.message_user(request, "Enabled; each resumes from where it stopped.")

    @admin.action(description="Deliver what the selected endpoints have waiting")
    def deliver_now(self, request, queryset):
        delivered = sum(
            webhooks.deliver_endpoint(pk)
            for pk in queryset.values_list("pk", flat=True)
        )
        self.message_user(request, f"{delivered} event(s) delivered.")
