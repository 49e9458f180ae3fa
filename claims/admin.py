from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .models import Claim, Evidence, Span, Speaker, StatusChange


def words_in_context(anchor) -> str:
    """The anchored words, highlighted between their stored prefix and suffix.

    Built with format_html over the stored (escaped) pieces: source text is never
    trusted as HTML.
    """
    if anchor.start is None:
        return "—"
    return format_html(
        '<span style="white-space: pre-wrap">…{}<mark>{}</mark>{}…</span>',
        anchor.prefix,
        anchor.exact,
        anchor.suffix,
    )


class ReadOnlyMixin:
    """Provenance rows: shown, never added, changed or deleted in the admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SpanInline(ReadOnlyMixin, admin.TabularInline):
    model = Span
    fields = ("role", "source", "start", "end", "words")
    readonly_fields = fields
    extra = 0

    @admin.display(description="words in context")
    def words(self, obj):
        return words_in_context(obj)


class StatusChangeInline(ReadOnlyMixin, admin.TabularInline):
    model = StatusChange
    fields = ("changed_at", "changed_by", "from_status", "to_status", "rationale")
    readonly_fields = fields
    extra = 0


class EvidenceInline(ReadOnlyMixin, admin.TabularInline):
    model = Evidence
    fields = ("status_change", "stance", "source", "words", "note", "created_by")
    readonly_fields = fields
    extra = 0

    @admin.display(description="words in context")
    def words(self, obj):
        return words_in_context(obj)


class _DryRun(Exception):
    """Raised inside a savepoint to roll back a trial run of a service."""


class ClaimForm(forms.ModelForm):
    """Edits a claim through ``edit_claim``, the one home of the claim rules.

    The model's own validation is skipped here: the service decides (a kind
    change, for one, may move the status), and its errors are shown on the form
    by running it once in a savepoint that is rolled back.
    """

    expected_version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Claim
        fields = services.EDITABLE_FIELDS

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version

    def changes(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in self.changed_data
            if name in services.EDITABLE_FIELDS
        }

    def clean(self):
        cleaned = super().clean()
        if self.errors or not self.instance.pk:
            return cleaned
        try:
            with transaction.atomic():
                services.edit_claim(
                    claim=Claim.objects.get(pk=self.instance.pk),
                    expected_version=cleaned["expected_version"],
                    by=self.user,
                    **self.changes(),
                )
                raise _DryRun
        except _DryRun:
            pass
        except ValidationError as error:
            for field, messages_ in error.message_dict.items():
                target = field if field in self.fields else None
                if field == "version":
                    messages_ = [
                        "Someone else changed this claim while you were editing "
                        f"(version {messages_[0]}). Reload the page to see their change."
                    ]
                for message in messages_:
                    self.add_error(target, message)
        return cleaned

    def _post_clean(self):
        # Copy the cleaned values onto the instance, without model validation.
        self.instance = forms.models.construct_instance(
            self, self.instance, self._meta.fields, self._meta.exclude
        )


@admin.register(Claim)
class ClaimAdmin(SimpleHistoryAdmin):
    form = ClaimForm
    list_display = (
        "id",
        "__str__",
        "speaker",
        "kind",
        "attribution",
        "status",
        "review",
        "stated",
        "due",
        "version",
    )
    list_display_links = ("id", "__str__")
    list_filter = ("review", "status", "kind", "attribution")
    search_fields = ("text", "speaker__name", "speaker_title", "due_text")
    list_select_related = ("speaker",)
    autocomplete_fields = ("speaker",)
    show_full_result_count = False
    readonly_fields = (
        "status",
        "review",
        "review_note",
        "reviewed_by",
        "reviewed_at",
        "version",
        "created_at",
        "created_by",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("text", "kind", "attribution", "expected_version")}),
        ("Speaker", {"fields": ("speaker", "speaker_title")}),
        (
            "Dates",
            {
                "fields": (
                    ("stated_on", "stated_on_precision"),
                    ("due_on", "due_on_precision"),
                    "due_text",
                )
            },
        ),
        (
            "Verdict and review (changed through their own actions, never edited)",
            {"fields": readonly_fields},
        ),
    )
    inlines = (SpanInline, StatusChangeInline, EvidenceInline)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)

        class RequestClaimForm(form):
            def __init__(self, *args, **form_kwargs):
                super().__init__(*args, user=request.user, **form_kwargs)

        return RequestClaimForm

    @admin.display(description="stated", ordering="stated_on")
    def stated(self, obj):
        return obj.stated_display

    @admin.display(description="due", ordering="due_on")
    def due(self, obj):
        return obj.due_display

    def has_add_permission(self, request):
        # Claims are proposed with their spans (seeds, API); the admin's
        # propose-from-a-selection form belongs to the review desk.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        services.edit_claim(
            claim=obj,
            expected_version=form.cleaned_data["expected_version"],
            by=request.user,
            reason="edited in the admin",
            **form.changes(),
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                for problem in problems:
                    messages.error(request, f"Not saved: {field} {problem}")
            return HttpResponseRedirect(request.path)


class MergeSpeakersForm(forms.Form):
    into = forms.ModelChoiceField(
        queryset=Speaker.objects.none(),
        widget=forms.RadioSelect,
        label="Keep this speaker; merge the others into it",
    )
    reason = forms.CharField(required=False, widget=forms.TextInput(attrs={"size": 60}))


@admin.register(Speaker)
class SpeakerAdmin(SimpleHistoryAdmin):
    list_display = ("name", "kind", "description", "wikidata_id", "merged_into")
    list_filter = ("kind", ("merged_into", admin.EmptyFieldListFilter))
    search_fields = ("name", "aliases", "wikidata_id")
    list_select_related = ("merged_into",)
    readonly_fields = ("merged_into", "created_at")
    actions = ("merge_speakers",)
    show_full_result_count = False

    def get_search_results(self, request, queryset, search_term):
        # Merged speakers stay for history but are not offered in autocompletes.
        queryset, distinct = super().get_search_results(request, queryset, search_term)
        if request.path.endswith("/autocomplete/"):
            queryset = queryset.filter(merged_into__isnull=True)
        return queryset, distinct

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    @admin.action(description="Merge selected speakers…", permissions=["change"])
    def merge_speakers(self, request, queryset):
        speakers = list(queryset.filter(merged_into__isnull=True))
        if len(speakers) < 2:
            self.message_user(
                request,
                "Select at least two unmerged speakers to merge.",
                messages.ERROR,
            )
            return None
        form = MergeSpeakersForm(request.POST if "apply" in request.POST else None)
        form.fields["into"].queryset = queryset.filter(merged_into__isnull=True)
        if form.is_bound and form.is_valid():
            into = form.cleaned_data["into"]
            try:
                for speaker in speakers:
                    if speaker.pk != into.pk:
                        services.merge_speakers(
                            merged=speaker,
                            into=into,
                            by=request.user,
                            reason=form.cleaned_data["reason"],
                        )
            except ValidationError as error:
                self.message_user(request, "; ".join(error.messages), messages.ERROR)
                return None
            self.message_user(
                request,
                f"Merged {len(speakers) - 1} speaker(s) into {into}.",
                messages.SUCCESS,
            )
            return None
        return TemplateResponse(
            request,
            "admin/claims/speaker/merge.html",
            {
                **self.admin_site.each_context(request),
                "title": "Merge speakers",
                "form": form,
                "speakers": speakers,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )


@admin.register(Span)
class SpanAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("id", "claim", "source", "role", "start", "end", "words")
    list_filter = ("role",)
    search_fields = ("exact",)
    list_select_related = ("claim", "source")
    show_full_result_count = False

    def has_view_permission(self, request, obj=None):
        return request.user.is_staff

    @admin.display(description="words in context")
    def words(self, obj):
        return words_in_context(obj)


@admin.register(StatusChange)
class StatusChangeAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = (
        "id",
        "claim",
        "from_status",
        "to_status",
        "changed_by",
        "changed_at",
    )
    list_filter = ("to_status", "from_status")
    search_fields = ("rationale",)
    list_select_related = ("claim", "changed_by")
    show_full_result_count = False
    date_hierarchy = "changed_at"

    def has_view_permission(self, request, obj=None):
        return request.user.is_staff


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("id", "claim", "stance", "source", "words", "created_by")
    list_filter = ("stance",)
    search_fields = ("note", "exact")
    list_select_related = ("claim", "source", "created_by")
    show_full_result_count = False

    def has_view_permission(self, request, obj=None):
        return request.user.is_staff

    @admin.display(description="words in context")
    def words(self, obj):
        return words_in_context(obj)
