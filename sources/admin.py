"""The source admin, as the sources app alone offers it.

The claims app replaces this registration with a subclass
(``claims.admin.source_page.SourceAdmin``) that highlights each visible
claim's spans in the text, proposes claims from it and fetches pages again
as background jobs: sources never imports claims.
"""

from typing import cast

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from .admin_web import WebSourceAdmin, versions_of
from .models import Publisher, Source
from .review import Review, four_eyes_problem, is_reviewer
from .services import (
    LINK_FIELDS,
    create_source,
    review_revision,
    revision_link_problem,
    set_revision_link,
)
from .text import content_hash, normalize_text, text_problem


@admin.register(Publisher)
class PublisherAdmin(admin.ModelAdmin):
    list_display = ("name", "url")
    search_fields = ("name",)


# What describes a source, editable after it is stored; its text is not.
DESCRIBING_FIELDS = (
    "title",
    "url",
    "publisher",
    "kind",
    "language",
    "published_on",
    "retrieved_at",
    "revises",
)


class SourceAddForm(forms.ModelForm):
    """Adding a source: paste the text; it is normalized and checked for a twin."""

    class Meta:
        model = Source
        fields = (*DESCRIBING_FIELDS, "text")

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


class SourceChangeForm(forms.ModelForm):
    """Editing a source: its text is immutable; its revises link goes through
    ``set_revision_link`` (see ``SourceAdmin.save_model``), refused here with
    the same rule when it would revise itself or close a cycle."""

    class Meta:
        model = Source
        fields = DESCRIBING_FIELDS

    def clean_revises(self):
        revises = self.cleaned_data.get("revises")
        problem = revision_link_problem(self.instance, revises)
        if problem:
            raise forms.ValidationError(problem[0].upper() + problem[1:])
        return revises


def revision_controls(user, source) -> dict:
    """What the source page offers ``user`` for its revises link: accept and
    reject for a reviewer, unless four eyes forbids (then only why)."""
    if source.revises_id is None or not is_reviewer(user):
        return {"can_accept": False, "can_reject": False, "four_eyes": ""}
    problem = four_eyes_problem(
        reviewer=user, proposed_by_id=source.revises_proposed_by_id
    )
    return {
        "can_accept": not problem and source.revises_review != Review.ACCEPTED,
        "can_reject": not problem and source.revises_review != Review.REJECTED,
        "four_eyes": problem,
    }


@admin.register(Source)
class SourceAdmin(WebSourceAdmin, SimpleHistoryAdmin):
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
    list_filter = ("kind", "language", "published_on", "revises_review")
    search_fields = ("title", "url", "=content_hash")
    list_select_related = ("publisher",)
    autocomplete_fields = ("publisher", "revises")
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    date_hierarchy = "published_on"
    readonly_fields = (
        "content_hash",
        "created_at",
        "created_by",
        "text_display",
        "revises_review",
        "revises_proposed_by",
        "revises_reviewed_by",
        "revises_reviewed_at",
        "revises_review_note",
        "snapshots_display",
    )
    change_form_template = "admin/sources/source/change_form.html"
    change_list_template = "admin/sources/source/change_list.html"
    add_form = SourceAddForm

    def get_form(self, request, obj=None, **kwargs):
        kwargs["form"] = self.add_form if obj is None else SourceChangeForm
        return super().get_form(request, obj, **kwargs)

    def _fields(self, obj):
        if obj is None:
            return SourceAddForm.Meta.fields
        return (
            *DESCRIBING_FIELDS,
            "revises_review",
            "revises_proposed_by",
            "revises_reviewed_by",
            "revises_reviewed_at",
            "revises_review_note",
            "content_hash",
            "snapshots_display",
            "created_at",
            "created_by",
        )

    def save_model(self, request, obj, form, change):
        if change:
            # The link and its review state change only through the service:
            # the other fields are saved with the stored link (whatever a
            # history revert brought back), then the form's link is set.
            stored = Source.objects.get(pk=obj.pk)
            revises = form.cleaned_data.get("revises", stored.revises)
            for name in LINK_FIELDS:
                # LINK_FIELDS are columns, not a relation's reverse side.
                attname = cast(models.Field, Source._meta.get_field(name)).attname
                setattr(obj, attname, getattr(stored, attname))
            obj._history_user = request.user
            super().save_model(request, obj, form, change)
            if getattr(revises, "pk", None) != stored.revises_id:
                set_revision_link(
                    source=obj,
                    revises=revises,
                    by=request.user,
                    note="set in the admin",
                )
                obj.refresh_from_db()
            return
        data = {name: form.cleaned_data.get(name) for name in SourceAddForm.Meta.fields}
        result = create_source(**data, by=request.user)
        obj.pk = result.source.pk
        obj._state.adding = False
        self.source_added(request, result.source, form)

    def source_added(self, request, source, form):
        """What follows adding ``source`` through ``form`` (nothing here)."""

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<int:object_id>/text/",
                view(self.text_view),
                name="sources_source_text",
            ),
            path(
                "<int:object_id>/revision/review/",
                view(self.revision_review_view),
                name="sources_source_revision_review",
            ),
            *self.web_urls(),
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

    def revision_review_view(self, request, object_id):
        """Accept or reject the source's revises link (POST, reviewers)."""
        if request.method != "POST" or not is_reviewer(request.user):
            raise PermissionDenied
        source = get_object_or_404(Source, pk=object_id)
        back = HttpResponseRedirect(
            reverse("admin:sources_source_change", args=[source.pk])
        )
        decision = request.POST.get("revision_decision")
        if decision not in ("accept", "reject"):
            messages.error(request, "Choose Accept or Reject for the revision link.")
            return back
        try:
            review_revision(
                source=source,
                decision=decision,
                note=request.POST.get("revision_note", ""),
                by=request.user,
            )
        except (ValidationError, PermissionDenied) as error:
            reasons = error.messages if isinstance(error, ValidationError) else [error]
            messages.error(
                request,
                "The revision link was not reviewed: "
                + "; ".join(str(reason) for reason in reasons),
            )
            return back
        done = "accepted" if decision == "accept" else "rejected"
        messages.success(request, f"The revision link of source {source.pk} {done}.")
        return back

    def change_view(self, request, object_id, form_url="", extra_context=None):
        source = self.get_object(request, object_id)
        context = dict(extra_context or {})
        if source is not None:
            context.update(self.page_context(request, source))
        return super().change_view(request, object_id, form_url, context)

    def page_context(self, request, source) -> dict:
        """What the change page of ``source`` shows ``request.user`` beside
        the form: the revision link's review controls."""
        return {
            "versions": versions_of(source),
            "revision": revision_controls(request.user, source),
            "revision_shown": source.revision_review_visible_to(request.user),
            "revision_review_url": reverse(
                "admin:sources_source_revision_review", args=[source.pk]
            ),
        }

    def get_fields(self, request, obj=None):
        fields = self._fields(obj)
        if obj is not None:
            # As in the API: an unaccepted link, and any link's review, only
            # for reviewers and whoever proposed it.
            hidden = set()
            if obj.revises_id is not None and not obj.revision_visible_to(request.user):
                hidden.add("revises")
            if not obj.revision_review_visible_to(request.user):
                hidden.update(name for name in LINK_FIELDS if name != "revises")
            fields = tuple(name for name in fields if name not in hidden)
        return fields

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
