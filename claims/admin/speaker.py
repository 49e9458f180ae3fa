from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse

from sources.text import name_key

from .. import services
from ..models import Speaker
from ..models.speaker import look_alike_message
from .history import GuardedHistoryAdmin


class SpeakerForm(forms.ModelForm):
    """The admin's speaker form: a new name that looks the same as an active
    speaker's name or alias is refused with that speaker named, where the API
    and the extractor would match it (a reviewer adding a speaker by hand
    means a new person; if it is the same one, use it or merge)."""

    class Meta:
        model = Speaker
        fields = ("name", "kind", "aliases", "description", "wikidata_id")

    def clean(self):
        cleaned = super().clean()
        name = cleaned.get("name")
        stored = self.instance.name if self.instance.pk else None
        if name and (stored is None or name_key(name) != name_key(stored)):
            existing = Speaker(pk=self.instance.pk, name=name).look_alike()
            if existing is not None:
                self.add_error("name", look_alike_message(existing))
        return cleaned


class MergeSpeakersForm(forms.Form):
    into = forms.ModelChoiceField(
        queryset=Speaker.objects.none(),
        widget=forms.RadioSelect,
        label="Keep this speaker; merge the others into it",
    )
    reason = forms.CharField(required=False, widget=forms.TextInput(attrs={"size": 60}))


@admin.register(Speaker)
class SpeakerAdmin(GuardedHistoryAdmin):
    form = SpeakerForm
    list_display = ("name", "kind", "description", "wikidata_id", "merged_into")
    list_filter = ("kind", ("merged_into", admin.EmptyFieldListFilter))
    search_fields = ("name", "aliases", "wikidata_id")
    list_select_related = ("merged_into",)
    readonly_fields = ("merged_into", "created_at")
    actions = ("merge_speakers",)
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER

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
