"""The search form: every parameter of /search/ is checked here, so a bad one is
a 400 with the reason on its field, never a 500."""

from django import forms

from claims.models import Status

from .keyset import parse_source_cursor

ID_DIGITS = 18  # an id of more digits does not fit the database's bigint


# The date filters are named as the form labels them; links written with their
# first names still work.
RENAMED = {"stated_from": "said_from", "stated_to": "said_until"}


class DateInput(forms.DateInput):
    input_type = "date"


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Words",
        required=False,
        max_length=200,
        widget=forms.SearchInput,
        help_text="Words of the claim, the quoted source words or the speaker's name.",
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any status"), *Status.choices],
    )
    speaker = forms.CharField(
        label="Speaker",
        required=False,
        max_length=200,
        help_text="Part of the name, or the speaker's number.",
    )
    said_from = forms.DateField(
        label="Said from", required=False, widget=DateInput(format="%Y-%m-%d")
    )
    said_until = forms.DateField(
        label="Said until", required=False, widget=DateInput(format="%Y-%m-%d")
    )
    # The keyset cursor of the next page (public/keyset.py checks its shape).
    after = forms.CharField(required=False, widget=forms.HiddenInput, max_length=40)

    def __init__(self, data=None, **kwargs):
        if data is not None:
            data = data.copy()
            for old, new in RENAMED.items():
                if old in data and new not in data:
                    data.setlist(new, data.pop(old))
            self.ignored = sorted(set(data) - set(self.base_fields))
        else:
            self.ignored = []
        super().__init__(data, **kwargs)

    def clean_q(self):
        return " ".join(self.cleaned_data["q"].split())

    def clean_speaker(self):
        return self.cleaned_data["speaker"].strip()

    def clean(self):
        data = super().clean()
        start, end = data.get("said_from"), data.get("said_until")
        if start and end and end < start:
            self.add_error("said_until", "must not be before “Said from”.")
        return data

    @property
    def speaker_id(self) -> int | None:
        value = self.cleaned_data.get("speaker", "")
        digits = value.isascii() and value.isdigit()
        return int(value) if digits and len(value) <= ID_DIGITS else None


NOT_A_PAGE = "is not a page of this list."


class PageForm(forms.Form):
    """The one parameter of the speakers' and sources' lists: the keyset
    cursor of the next page; anything else is named on the page as ignored."""

    def __init__(self, data=None, **kwargs):
        self.ignored = sorted(set(data or ()) - set(self.base_fields))
        super().__init__(data, **kwargs)


class SpeakerPageForm(PageForm):
    """``after=<id>``: the last speaker of the page before."""

    after = forms.RegexField(
        regex=rf"^[0-9]{{1,{ID_DIGITS}}}$",
        required=False,
        max_length=40,
        error_messages={"invalid": NOT_A_PAGE},
    )


class SourcePageForm(PageForm):
    """``after=<YYYY-MM-DD>.<id>`` or ``after=undated.<id>``: the last source
    of the page before (``public.keyset.source_cursor``)."""

    after = forms.CharField(required=False, max_length=40)

    def clean_after(self):
        value = self.cleaned_data["after"]
        if value:
            try:
                parse_source_cursor(value)
            except ValueError:
                raise forms.ValidationError(NOT_A_PAGE) from None
        return value
