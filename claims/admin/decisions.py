"""Decisions on spans and evidence from admin lists: each item through its
service, what was skipped reported with why (four eyes included)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse

from sources.review import four_eyes_problem

from .. import services


def four_eyes_column(request, render, description: str):
    """A list column for ``request``'s reviewer: ``render(row)``, or a note on
    the rows they proposed themselves (four eyes). Made per request: a list
    column gets no request, and the admin instance is shared between them."""

    @admin.display(description=description)
    def column(row):
        if four_eyes_problem(reviewer=request.user, proposed_by_id=row.created_by_id):
            return "yours: another reviewer decides"
        return render(row)

    column.__name__ = description.replace(" ", "_")  # its CSS class: field-<name>
    return column


class NoteForm(forms.Form):
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 70}),
        help_text="Why: kept in the claim's history, shown to reviewers and the "
        "author.",
    )


def decide_each(
    modeladmin, request, queryset, verb: str, decide, noun: str = "item"
) -> None:
    """``decide(row)`` (a service call) on every selected row, each in its own
    transaction; report what was done and what was skipped, and why (four
    eyes included). The claim lists' bulk actions use it too."""
    done, skipped = 0, []
    for row in queryset.order_by("id"):
        try:
            decide(row)
            done += 1
        except ValidationError as error:
            skipped.append(f"#{row.pk}: {'; '.join(error.messages)}")
        except PermissionDenied as error:
            skipped.append(f"#{row.pk}: {error}")
    if done:
        modeladmin.message_user(request, f"{verb} {done} {noun}(s).", messages.SUCCESS)
    if skipped:
        modeladmin.message_user(
            request, f"Skipped {len(skipped)}: " + " · ".join(skipped), messages.WARNING
        )


def ask_for_note(modeladmin, request, queryset, form, title: str, action: str):
    """The bulk form: the selected rows, and ``form`` (a note, a reviewer)."""
    return TemplateResponse(
        request,
        "admin/claims/claim/bulk_form.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": title,
            "form": form,
            "items": queryset.order_by("id")[:200],
            "action": action,
            "opts": modeladmin.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
        },
    )


@admin.action(
    description="Withdraw selected from the public record…", permissions=["review"]
)
def withdraw_selected(modeladmin, request, queryset):
    form = NoteForm(request.POST if "apply" in request.POST else None)
    form.fields["note"].label = "Reason"
    form.fields[
        "note"
    ].help_text = "Why the item leaves the public record: shown in the claim's history."
    if form.is_bound and form.is_valid():
        reason = form.cleaned_data["note"]
        decide_each(
            modeladmin,
            request,
            queryset,
            "Withdrew",
            lambda item: services.withdraw_contribution(
                item=item, reason=reason, by=request.user
            ),
        )
        return None
    return ask_for_note(
        modeladmin, request, queryset, form, "Withdraw selected", "withdraw_selected"
    )
