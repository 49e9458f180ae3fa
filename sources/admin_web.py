"""The source admin's web part: "Add from URL", and each source's snapshots
with their WARC files for download. Mixed into ``sources.admin.SourceAdmin``."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from .diffing import change
from .models import Snapshot, Source, SourceKind
from .web import fetch_source


class FetchForm(forms.Form):
    url = forms.URLField(
        max_length=2000,
        assume_scheme="https",
        help_text="A public http(s) page: its response is kept as a snapshot and "
        "its article text becomes the source.",
    )
    title = forms.CharField(
        max_length=500, required=False, help_text="Blank: the page's own title."
    )
    kind = forms.ChoiceField(
        choices=SourceKind.choices, initial=SourceKind.NEWS_ARTICLE
    )


class WebSourceAdmin:
    """Mixed into a ModelAdmin of Source."""

    def web_urls(self) -> list:
        view = self.admin_site.admin_view  # type: ignore[attr-defined]
        return [
            path(
                "add-from-url/",
                view(self.add_from_url_view),
                name="sources_source_add_from_url",
            ),
            path(
                "<int:object_id>/snapshots/<int:snapshot_id>/warc/",
                view(self.snapshot_view),
                name="sources_source_snapshot",
            ),
        ]

    def add_from_url_view(self, request):
        if not self.has_add_permission(request):  # type: ignore[attr-defined]
            raise PermissionDenied
        form = FetchForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            source = self._fetch(request, form)
            if source is not None:
                return HttpResponseRedirect(
                    reverse("admin:sources_source_change", args=[source.pk])
                )
        context = {
            **self.admin_site.each_context(request),  # type: ignore[attr-defined]
            "form": form,
            "opts": Source._meta,
            "title": "Add a source from a URL",
        }
        return TemplateResponse(
            request, "admin/sources/source/add_from_url.html", context
        )

    def _fetch(self, request, form: FetchForm) -> Source | None:
        data = form.cleaned_data
        try:
            result = fetch_source(
                data["url"], by=request.user, title=data["title"], kind=data["kind"]
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
            return None
        source = result.source
        if result.created:
            messages.success(request, f"Source {source.pk} fetched: {source}.")
        else:
            messages.info(
                request, f"That page's text is already source {source.pk}: {source}."
            )
        return source

    def snapshot_view(self, request, object_id, snapshot_id):
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        if not self.has_view_permission(request):  # type: ignore[attr-defined]
            raise PermissionDenied
        snapshot = get_object_or_404(Snapshot, pk=snapshot_id, source_id=object_id)
        return snapshot.download()

    @admin.display(description="fetched from the web")
    def snapshots_display(self, obj):
        snapshots = obj.snapshots.listed()
        rows = [
            (
                s.final_url,
                f"{s.fetched_at:%Y-%m-%d %H:%M:%S} UTC",
                s.status,
                s.media_type,
                f"{s.size:,}",
                s.sha256,
                reverse("admin:sources_source_snapshot", args=[obj.pk, s.pk]),
            )
            for s in snapshots
        ]
        if not rows:
            return "Not fetched: its text was given."
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                '<li><a href="{0}" rel="noreferrer noopener">{0}</a>, fetched {1}: '
                "{2} {3}, {4} bytes, SHA-256 <code>{5}</code> · "
                '<a href="{6}">download the snapshot (WARC)</a></li>',
                rows,
            ),
        )


def versions_of(source: Source) -> list[dict]:
    """The versions next to ``source`` (whatever their link's review) and how
    each differs from it."""
    rows = []
    earlier = source.revises
    if earlier is not None:
        rows.append(
            {
                "source": earlier,
                "later": False,
                "revision": source,
                "change": change(earlier.text, source.text),
            }
        )
    for newer in source.revisions.order_by("id")[:10]:
        rows.append(
            {
                "source": newer,
                "later": True,
                "revision": newer,
                "change": change(source.text, newer.text),
            }
        )
    return rows
