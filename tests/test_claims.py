import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from claims import services
from claims.models import (
    Attribution,
    Claim,
    ClaimKind,
    Span,
    SpanRole,
    Status,
    StatusChange,
)
from sources.services import create_source

from .conftest import SAMPLE_TEXT, span_of

pytestmark = pytest.mark.django_db


def counts():
    return (Claim.objects.count(), Span.objects.count(), StatusChange.objects.count())


@pytest.mark.parametrize(
    ("kind", "start"),
    [
        (ClaimKind.FACT, Status.UNVERIFIED),
        (ClaimKind.PREDICTION, Status.PENDING),
        (ClaimKind.PROMISE, Status.PENDING),
        (ClaimKind.OPINION, Status.UNVERIFIABLE),
    ],
)
def test_a_proposed_claim_starts_in_its_kinds_status_with_one_ledger_entry(
    propose, kind, start
):
    claim = propose(kind=kind)
    assert claim.review == "proposed"
    assert claim.status == start
    assert claim.version == 1
    entry = claim.ledger.get()
    assert (entry.from_status, entry.to_status, entry.claim_version) == ("", start, 1)
    assert claim.history.count() == 1


def test_spans_are_stored_with_both_selectors_in_code_points(propose, source):
    claim = propose(
        spans=[
            span_of(source, "will reopen by June"),
            span_of(source, "Mayor Zoë Okafor", role=SpanRole.SPEAKER),
            span_of(source, "said", role=SpanRole.CUE),
        ]
    )
    content = claim.spans.get(role="content")
    assert (content.start, content.end) == (57, 76)
    assert content.exact == "will reopen by June"
    assert content.prefix == SAMPLE_TEXT[25:57]
    assert content.prefix.endswith("harbour bridge “")
    assert content.suffix == SAMPLE_TEXT[76:108]
    assert content.suffix.startswith("”.\nThe")
    assert [s.role for s in claim.spans.all()] == ["content", "speaker", "cue"]


def test_spans_after_an_emoji_count_code_points_not_utf16_units(propose, source):
    # "🚧" is one code point (two UTF-16 units): "last year" starts right after it.
    claim = propose(
        kind=ClaimKind.FACT,
        attribution=Attribution.HEDGED,
        speaker=None,
        due_on=None,
        due_on_precision="",
        due_text="",
        text="The council spent €4 million on bridge repairs in 2024.",
        spans=[span_of(source, "repairs 🚧 last year")],
    )
    span = claim.spans.get()
    assert span.start == SAMPLE_TEXT.index("repairs")
    assert SAMPLE_TEXT[span.start : span.end] == "repairs 🚧 last year"
    assert span.end - span.start == 19


def test_a_span_on_combining_marks_verifies_after_normalization(reviewer, propose):
    # "q̇" has no precomposed form: two code points even in NFC.
    source = create_source(
        text="Ali said: \u201cq\u0307 wins\u201d.", by=reviewer
    ).source
    claim = propose(spans=[services.SpanInput(source=source, start=11, end=18)])
    assert claim.spans.get().exact == "q\u0307 wins"


@pytest.mark.parametrize(
    ("start", "end", "exact", "field", "words"),
    [
        (57, 76, "will open by June", "spans.0.exact", "'will reopen by June'"),
        (57, 999, None, "spans.0.end", "past the end"),
        (-1, 5, None, "spans.0.start", "0 or more"),
        (60, 60, None, "spans.0.end", "greater than start"),
        (60, 50, None, "spans.0.end", "greater than start"),
        ("57", 76, None, "spans.0.start", "integer"),
    ],
)
def test_a_bad_span_is_refused_naming_the_field_and_nothing_is_written(
    propose, source, start, end, exact, field, words
):
    before = counts()
    with pytest.raises(ValidationError) as error:
        propose(spans=[services.SpanInput(source, start, end, exact=exact)])
    assert field in error.value.message_dict
    assert words in error.value.message_dict[field][0]
    assert counts() == before


def test_a_bad_second_span_leaves_no_half_written_claim(propose, source):
    before = counts()
    with pytest.raises(ValidationError) as error:
        propose(
            spans=[
                span_of(source, "will reopen by June"),
                services.SpanInput(source, 0, 5, role=SpanRole.SPEAKER, exact="Major"),
            ]
        )
    assert "spans.1.exact" in error.value.message_dict
    assert counts() == before


def test_a_span_on_a_source_without_text_is_refused(propose, reviewer):
    video = create_source(url="https://video.example.org/9", by=reviewer).source
    with pytest.raises(ValidationError) as error:
        propose(spans=[services.SpanInput(video, 0, 4)])
    assert "has no text" in error.value.message_dict["spans.0.source"][0]
    assert Claim.objects.count() == 0


def test_a_claim_needs_a_content_span(propose, source):
    with pytest.raises(ValidationError) as error:
        propose(spans=[span_of(source, "said", role=SpanRole.CUE)])
    assert "content span" in error.value.message_dict["spans"][0]
    with pytest.raises(ValidationError):
        propose(spans=[])
    assert counts() == (0, 0, 0)


def test_an_unknown_role_is_refused(propose, source):
    span = services.SpanInput(source, 57, 76, role="headline")
    with pytest.raises(ValidationError) as error:
        propose(spans=[span_of(source, "will reopen by June"), span])
    assert "spans.1.role" in error.value.message_dict


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "rumour"}, "kind"),
        ({"attribution": "overheard"}, "attribution"),
        ({"stated_on_precision": "week"}, "stated_on_precision"),
        ({"due_on_precision": "decade"}, "due_on_precision"),
        ({"stated_on_precision": ""}, "stated_on_precision"),
        ({"text": "   "}, "text"),
        ({"attribution": Attribution.NARRATOR}, "speaker"),
        ({"speaker": None, "attribution": Attribution.INDIRECT}, "speaker"),
        (
            {"kind": ClaimKind.FACT, "due_on": datetime.date(2025, 6, 30)},
            "due_on",
        ),
        ({"kind": ClaimKind.FACT, "due_on": None, "due_text": "by June"}, "due_text"),
    ],
)
def test_bad_claim_fields_are_refused_naming_the_field(propose, overrides, field):
    if overrides.get("kind") == ClaimKind.FACT:
        overrides.setdefault("due_on_precision", "month" if overrides["due_on"] else "")
        overrides.setdefault("due_text", "")
    with pytest.raises(ValidationError) as error:
        propose(**overrides)
    assert field in error.value.message_dict, error.value.message_dict
    assert counts() == (0, 0, 0)


def test_month_and_year_precision_dates_are_stored_at_their_period_edges(propose):
    claim = propose(
        stated_on=datetime.date(2025, 4, 17),
        stated_on_precision="month",
        due_on=datetime.date(2025, 11, 3),
        due_on_precision="year",
    )
    assert claim.stated_on == datetime.date(2025, 4, 1)
    assert claim.due_on == datetime.date(2025, 12, 31)
    assert claim.deadline == datetime.date(2025, 12, 31)


@pytest.mark.parametrize(
    ("update", "constraint"),
    [
        ({"kind": "rumour"}, "claim_kind_valid|claim_status_fits_kind"),
        ({"attribution": "overheard"}, "claim_attribution_valid"),
        ({"review": "maybe"}, "claim_review_valid"),
        # A status write breaks the ledger rule, and here the CHECK too: SQLite's
        # ledger trigger runs before the row is written, PostgreSQL's after the
        # statement, so the CHECK may speak first.
        ({"status": "overdue"}, "last status ledger entry|claim_status_fits_kind"),
        (
            {"status": "confirmed", "kind": "opinion"},
            "last status ledger entry|claim_status_fits_kind",
        ),
        ({"kind": "prediction"}, "claim_status_fits_kind"),
        ({"status": "bogus"}, "last status ledger entry|claim_status_fits_kind"),
        # A status the kind allows, but no ledger entry moved it there.
        ({"status": "retracted"}, "status must equal its last status ledger entry"),
        ({"stated_on_precision": ""}, "claim_stated_on_has_precision"),
        ({"due_on_precision": "week"}, "claim_due_on_has_precision"),
        ({"due_text": "soon"}, "claim_deadline_only_for_predictions_and_promises"),
        ({"attribution": "narrator"}, "claim_speaker_fits_attribution"),
        ({"speaker": None}, "claim_speaker_fits_attribution"),
        ({"version": 0}, "claim_version_positive"),
        ({"text": ""}, "claim_text_not_empty"),
    ],
)
def test_the_database_refuses_a_raw_write_that_breaks_a_claim_invariant(
    propose, update, constraint
):
    claim = propose(kind=ClaimKind.FACT)
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(**update)
    # Both databases name the violated constraint in the error.
    assert any(name in str(error.value) for name in constraint.split("|"))
    claim.refresh_from_db()
    assert (claim.kind, claim.status, claim.version) == ("fact", "unverified", 1)


def test_the_database_refuses_a_deadline_on_a_fact(propose):
    claim = propose(kind=ClaimKind.FACT, due_on=None, due_on_precision="", due_text="")
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(
            due_on=datetime.date(2025, 1, 1), due_on_precision="day"
        )


def test_a_span_is_immutable(propose):
    span = propose().spans.get()
    span.start = 0
    with pytest.raises(ValidationError):
        span.save()
    with pytest.raises(ValidationError):
        span.delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        Span.objects.filter(pk=span.pk).update(role="cue")
    span.refresh_from_db()
    assert span.start == 57
    assert span.role == "content"


def test_the_database_refuses_a_span_whose_words_differ_from_the_text(propose, source):
    claim = propose()
    with pytest.raises(IntegrityError), transaction.atomic():
        Span.objects.create(
            claim=claim,
            source=source,
            start=57,
            end=76,
            exact="will reopen in June",
            prefix=SAMPLE_TEXT[25:57],
            suffix=SAMPLE_TEXT[76:108],
            created_by=claim.created_by,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Span.objects.create(
            claim=claim,
            source=source,
            start=57,
            end=76,
            exact="will reopen by June",
            prefix="wrong context",
            suffix=SAMPLE_TEXT[76:108],
            created_by=claim.created_by,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Span.objects.create(
            claim=claim,
            source=source,
            start=200,
            end=210,
            exact="x" * 10,
            created_by=claim.created_by,
        )
    assert claim.spans.count() == 1


@pytest.mark.postgresql
def test_postgresql_refuses_deleting_provenance_rows(propose):
    claim = propose()
    for table in ("claims_span", "claims_statuschange"):
        with (
            pytest.raises(IntegrityError),
            transaction.atomic(),
            connection.cursor() as c,
        ):
            c.execute(f"DELETE FROM {table} WHERE claim_id = %s", [claim.pk])
    assert claim.spans.count() == 1
    assert claim.ledger.count() == 1


def test_add_span_records_another_appearance_and_bumps_the_version(propose, reviewer):
    claim = propose()
    later = create_source(
        text="Weeks later the mayor repeated that the bridge will reopen by June.",
        by=reviewer,
    ).source
    words = "the bridge will reopen by June"
    start = later.text.index(words)
    services.add_span(
        claim=claim,
        span=services.SpanInput(later, start, start + len(words), exact=words),
        by=reviewer,
        expected_version=1,
    )
    claim.refresh_from_db()
    assert claim.version == 2
    assert sorted(claim.spans.values_list("source_id", flat=True)) == sorted(
        [claim.spans.first().source_id, later.pk]
    )
    assert claim.history.first().history_change_reason.startswith("content span added")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"stated_on": "22 April"}, "stated_on"),
        ({"stated_on": 20250422}, "stated_on"),
        ({"due_on": "2025-13-01"}, "due_on"),
        ({"speaker_title": 7}, "speaker_title"),
        ({"due_text": ["by", "June"]}, "due_text"),
        ({"text": 42}, "text"),
    ],
)
def test_wrong_types_are_field_errors_not_crashes(propose, overrides, field):
    with pytest.raises(ValidationError) as error:
        propose(**overrides)
    assert field in error.value.message_dict
    assert counts() == (0, 0, 0)


def test_iso_date_strings_are_accepted(propose):
    claim = propose(stated_on="2025-03-10", due_on="2025-06-01")
    assert claim.stated_on == datetime.date(2025, 3, 10)
    assert claim.due_on == datetime.date(2025, 6, 30)


def test_the_database_refuses_a_span_without_offsets(propose, source):
    claim = propose()
    for start, end in ((None, None), (None, 5), (3, None)):
        with pytest.raises(IntegrityError), transaction.atomic():
            Span.objects.create(
                claim=claim,
                source=source,
                start=start,
                end=end,
                exact="",
                created_by=claim.created_by,
            )
    assert claim.spans.count() == 1


def test_the_database_refuses_half_anchored_evidence(propose, source):
    from claims.models import Evidence

    claim = propose()
    with pytest.raises(IntegrityError), transaction.atomic():
        Evidence.objects.create(
            claim=claim,
            source=source,
            stance="context",
            start=None,
            end=5,
            exact="ZZZZZ",
            created_by=claim.created_by,
        )
    assert not Evidence.objects.exists()
