"""The services' one-query constraint check agrees with Django's own."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st

from claims.constraints import Unsupported, evaluate
from claims.models import Attribution, Claim, ClaimKind, Evidence, Span, Status
from claims.services._base import _loaded_relations, validate_constraints
from sources.models import Source

pytestmark = pytest.mark.django_db


def errors_of(check, instance):
    try:
        check(instance)
    except ValidationError as error:
        return {k: [str(m) for m in v] for k, v in error.message_dict.items()}
    return {}


CASES = {
    "valid": {},
    "narrator with a speaker": {"attribution": Attribution.NARRATOR},
    "a fact with a deadline": {
        "kind": ClaimKind.FACT,
        "due_on": datetime.date(2026, 1, 1),
        "due_on_precision": "day",
    },
    "a date without precision": {"stated_on_precision": ""},
    "empty text and a bad status": {"text": "", "status": "pending", "kind": "opinion"},
    "three at once": {
        "attribution": Attribution.NARRATOR,
        "due_on_precision": "fortnight",
        "version": 0,
    },
}


@pytest.mark.parametrize("case", CASES)
def test_the_same_errors_as_django(case, speaker, reviewer):
    fields = {
        "text": "The tunnel will open in spring.",
        "speaker": speaker,
        "attribution": Attribution.DIRECT_QUOTE,
        "kind": ClaimKind.PREDICTION,
        "stated_on": datetime.date(2025, 3, 1),
        "stated_on_precision": "day",
        "status": "pending",
        "created_by": reviewer,
    }
    claim = Claim(**(fields | CASES[case]))
    ours = errors_of(validate_constraints, claim)
    assert ours == errors_of(Claim.validate_constraints, claim)
    assert bool(ours) == (case != "valid")


def test_plain_lookups_need_no_query_and_the_rest_one(speaker, reviewer):
    claim = Claim(
        text="x",
        speaker=speaker,
        attribution=Attribution.DIRECT_QUOTE,
        kind=ClaimKind.FACT,
        status="unverified",
        created_by=reviewer,
    )
    with CaptureQueriesContext(connection) as queries:
        validate_constraints(claim)
    assert len(queries) == 0
    # A regex condition is left to the database: one SELECT for all of them.
    source = Source(title="t", url="https://example.org/", language="en-GB")
    with CaptureQueriesContext(connection) as queries:
        validate_constraints(source)
    selects = [q for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    # The language's regex check (no text: no hash, so no unique lookup).
    assert len(selects) == 1
    assert "REGEXP" in selects[0]["sql"] or "~" in selects[0]["sql"]


def test_the_evaluator_refuses_what_it_cannot_mirror():
    with pytest.raises(Unsupported):
        evaluate(Q(language__regex="^[a-z]+$"), Source(language="en"))
    with pytest.raises(Unsupported):
        evaluate(Q(title__gt="m"), Source(title="x"))  # collation order


TEXTS = st.sampled_from(["", "word", "two words", "\r", "ünïcödé", "a" * 70])
MAYBE_INT = st.one_of(st.none(), st.integers(min_value=-3, max_value=12))


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(
    text=TEXTS,
    attribution=st.sampled_from([*Attribution.values, "rumour"]),
    kind=st.sampled_from([*ClaimKind.values, "guess"]),
    status=st.sampled_from([*Status.values, "", "maybe"]),
    review=st.sampled_from(["proposed", "accepted", "rejected", "lost"]),
    stated_on=st.sampled_from([None, datetime.date(2025, 1, 31)]),
    stated_on_precision=st.sampled_from(["", "day", "month", "year", "week"]),
    due_on=st.sampled_from([None, datetime.date(2026, 12, 31)]),
    due_on_precision=st.sampled_from(["", "day", "month", "year", "week"]),
    due_text=st.sampled_from(["", "by spring"]),
    version=st.integers(min_value=0, max_value=3),
    with_speaker=st.booleans(),
)
def test_claims_get_djangos_errors_for_any_values(
    django_db_blocker, with_speaker, **fields
):
    with django_db_blocker.unblock():
        claim = Claim(speaker_id=7 if with_speaker else None, **fields)
        assert errors_of(validate_constraints, claim) == errors_of(
            Claim.validate_constraints, claim
        )


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(start=MAYBE_INT, end=MAYBE_INT, exact=TEXTS, prefix=TEXTS, suffix=TEXTS)
def test_spans_and_evidence_get_djangos_errors_for_any_anchor(
    django_db_blocker, **anchor
):
    with django_db_blocker.unblock():
        for model, extra in ((Span, {"role": "content"}), (Evidence, {})):
            row = model(claim_id=1, source_id=1, **extra, **anchor)
            ours = errors_of(validate_constraints, row)
            assert ours == errors_of(model.validate_constraints, row), model


@pytest.mark.slow
@settings(max_examples=100, deadline=None)
@given(
    text=TEXTS,
    url=st.sampled_from(["", "https://example.org/a"]),
    language=st.sampled_from(["", "en", "en-GB", "english!", "zh-Hant-TW"]),
    revises_id=st.sampled_from([None, 1, 2]),
    pk=st.sampled_from([None, 1, 2]),
    text_length=MAYBE_INT,
    kind=st.sampled_from(["article", "report", "tweet-ish"]),
)
def test_sources_get_djangos_errors_for_any_values(django_db_blocker, pk, **fields):
    with django_db_blocker.unblock():
        source = Source(pk=pk, title="A title", **fields)
        source.content_hash = "0" * 64 if source.text else None
        assert errors_of(validate_constraints, source) == errors_of(
            Source.validate_constraints, source
        )


def test_only_keys_to_rows_read_from_the_database_skip_the_lookup(speaker, reviewer):
    claim = Claim(speaker=speaker, created_by=reviewer)
    assert sorted(_loaded_relations(claim)) == ["created_by", "speaker"]
    claim.speaker_id = speaker.pk + 1000  # changed behind the cached object
    assert _loaded_relations(claim) == ["created_by"]
    assert _loaded_relations(Span(claim_id=1, source_id=2)) == []
