from collections import Counter

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html

from claims.admin.history import GuardedHistoryAdmin
from claims.admin.source_page import source_page_context
from claims.services.proposals import propose_claims

from .models import Publisher, Source
from .services import create_source
from .text import content_hash, normalize_text, text_problem


@admin.register(Publisher)
class PublisherAdmin(admin.ModelAdmin):
    list_display = ("name", "url")
    search_fields = ("name",)


class SourceAddForm(forms.ModelForm):
    """Adding a source: paste the text; it is normalized and checked for a twin."""

    propose_claims = forms.BooleanField(
        required=False,
        label="Propose its claims",
        help_text="Run the claim extractor over the text: its proposals join the "
        "review queue.",
    )

    class Meta:
        model = Source
        fields = (
            "title",
            "url",
            "publisher",
            "kind",
            "language",
            "published_on",
            "retrieved_at",
            "revises",
            "text",
        )

    def clean_text(self):
        text = normalize_text(self.cleaned_data.get("text") or "")
        problem = text_problem(text)
        if problem:
            raise forms.ValidationError(f"The text {problem}.")
        if text:
            twin = Source.objects.filter(content_hash=content_hash(text)).first()
            if twin is not None:
                raise forms.ValidationError(
                    format_html(
                        'This exact text is already stored as <a href="{}">source {}: {}</a>.',
                        f"../{twin.pk}/change/",
                        twin.pk,
                        str(twin),
                    )
                )
        return text


@admin.register(Source)
class SourceAdmin(GuardedHistoryAdmin):
    list_display = (
        "id",
        "title",
        "publisher",
        "kind",
        "language",
        "published_on",
        "text_length",
    )
    list_display_links = ("id", "title")
    list_filter = ("kind", "language", "published_on")
    search_fields = ("title", "url", "=content_hash")
    list_select_related = ("publisher",)
    autocomplete_fields = ("publisher", "revises")
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    date_hierarchy = "published_on"
    readonly_fields = ("content_hash", "created_at", "created_by", "text_display")
    actions = ("propose_selected",)
    change_form_template = "admin/sources/source/change_form.html"

    class Media:
        css = {"all": ["claims/admin/desk.css"]}
        js = ["claims/admin/selection.js"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = SourceAddForm
        return super().get_form(request, obj, **kwargs)

    def _fields(self, obj):
        if obj is None:
            return SourceAddForm.Meta.fields
        return (
            "title",
            "url",
            "publisher",
            "kind",
            "language",
            "published_on",
            "retrieved_at",
            "revises",
            "content_hash",
            "created_at",
            "created_by",
        )

    def save_model(self, request, obj, form, change):
        if change:
            obj._history_user = request.user
            super().save_model(request, obj, form, change)
            return
        data = {name: form.cleaned_data.get(name) for name in SourceAddForm.Meta.fields}
        result = create_source(**data, by=request.user)
        obj.pk = result.source.pk
        obj._state.adding = False
        if form.cleaned_data.get("propose_claims") and result.source.text:
            self.report(request, propose_claims(source=result.source))

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<int:object_id>/text/",
                view(self.text_view),
                name="sources_source_text",
            ),
            *super().get_urls(),
        ]

    def text_view(self, request, object_id):
        """The text as JSON, for the status form's evidence selection."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        source = get_object_or_404(Source, pk=object_id)
        return JsonResponse(
            {"id": source.pk, "title": str(source), "text": source.text}
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        source = self.get_object(request, object_id)
        context = dict(extra_context or {})
        if source is not None:
            context.update(source_page_context(request, source))
            context["propose_url"] = reverse("admin:claims_claim_add")
        return super().change_view(request, object_id, form_url, context)

    def get_fields(self, request, obj=None):
        fields = self._fields(obj)
        if obj is None and request.user.has_perm("claims.add_claim"):
            fields = (*fields, "propose_claims")
        return fields

    def has_propose_permission(self, request):
        return request.user.has_perm("claims.add_claim")

    @admin.action(
        description="Propose claims from the selected sources' text",
        permissions=["propose"],
    )
    def propose_selected(self, request, queryset):
        for source in queryset.exclude(text="").order_by("id"):
            self.report(request, propose_claims(source=source))

    def report(self, request, run):
        reasons = Counter(why.split(";")[0] for _, why in run.skipped)
        skipped = ", ".join(f"{n} {why}" for why, n in reasons.most_common())
        self.message_user(
            request,
            f"Source {run.source.pk}: {len(run.created)} claim(s) proposed for review"
            + (f"; skipped: {skipped}" if skipped else "")
            + ".",
            messages.SUCCESS if run.created else messages.WARNING,
        )

    def has_delete_permission(self, request, obj=None):
        # Sources are provenance; only a superuser may remove one, and PROTECT
        # foreign keys still refuse it while a claim or evidence rests on it.
        return request.user.is_superuser

    @admin.display(description="length")
    def text_length(self, obj):
        return f"{len(obj.text):,} chars" if obj.text else "no text"

    @admin.display(description="text (immutable)")
    def text_display(self, obj):
        if not obj.text:
            return "This source has no text; it can be cited as evidence by URL."
        return format_html(
            '<div style="white-space: pre-wrap; max-width: 60em">{}</div>', obj.text
        )
