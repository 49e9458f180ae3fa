"""Properties of normalization and anchoring, for any text and any span.

tests/test_text_normalization.py and tests/test_anchoring.py hold the worked
examples and the first properties over ``st.text()``, which rarely draws what
normalization changes. Here texts are built from the troublesome pieces
(``\\r``, ``\\r\\n``, combining marks, Hangul jamo, characters outside the BMP,
a ZWJ sequence) mixed with any other character; the selectors are checked the
way the services and ``verify_provenance`` check them (``Span.verify``); and
stored spans are held to the database's own arithmetic (PostgreSQL's and
SQLite's ``substr`` count code points, as Python does).
"""

import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from claims import services
from claims.models import Attribution, ClaimKind, Span
from sources.anchoring import CONTEXT_LENGTH, AnchorError, select
from sources.services import create_source
from sources.text import content_hash, normalize_text, text_problem

PIECES = st.sampled_from(
    [
        "\r",
        "\n",
        "\r\n",
        "\n\r",
        "e",
        "\u0301",  # combining acute
        "\u0327",  # combining cedilla
        "A\u030a",  # A + ring: Å once composed
        "\u212b",  # ANGSTROM SIGN: Å once composed
        "\u1100",  # Hangul jamo: L, V, T compose into one syllable
        "\u1161",
        "\u11a8",
        "q\u0307",  # no precomposed form: stays two code points
        "\U0001f680",  # outside the BMP: two UTF-16 units, one code point
        "\U0001f469\u200d\U0001f4bb",  # a ZWJ sequence: three code points
        "\u201c",
        " ",
    ]
)
# Anything a source text may hold (no NUL, no lone surrogate).
ANY_CHARACTER = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")
RAW_TEXTS = st.lists(st.one_of(PIECES, ANY_CHARACTER), max_size=80).map("".join)


def fold_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --- normalization ----------------------------------------------------------------


@settings(max_examples=300)
@given(RAW_TEXTS)
def test_normalized_text_is_nfc_with_only_newlines_and_otherwise_the_same(raw):
    text = normalize_text(raw)
    assert unicodedata.is_normalized("NFC", text)
    assert "\r" not in text
    assert normalize_text(text) == text  # idempotent
    # Every line break kept as one \n (a \r\n is one break, not two).
    assert text.count("\n") == raw.count("\n") + raw.count("\r") - raw.count("\r\n")
    # Nothing else changed: the same characters up to canonical equivalence.
    assert unicodedata.normalize("NFD", text) == unicodedata.normalize(
        "NFD", fold_newlines(raw)
    )


@settings(max_examples=200)
@given(RAW_TEXTS)
def test_every_spelling_of_a_text_hashes_alike(raw):
    """Composed or decomposed, \\n or \\r\\n: one normalized text, one hash, so
    one source (create_source deduplicates by this hash)."""
    spellings = [
        raw,
        unicodedata.normalize("NFD", raw),
        unicodedata.normalize("NFC", raw),
        fold_newlines(raw).replace("\n", "\r\n"),
    ]
    assert len({content_hash(normalize_text(s)) for s in spellings}) == 1


# --- any valid span ---------------------------------------------------------------


@st.composite
def text_and_span(draw, texts=RAW_TEXTS):
    text = normalize_text(draw(texts))
    assume(text)
    start = draw(st.integers(0, len(text) - 1))
    end = draw(st.integers(start + 1, len(text)))
    return text, start, end


def span_from(selector) -> Span:
    return Span(
        start=selector.start,
        end=selector.end,
        exact=selector.exact,
        prefix=selector.prefix,
        suffix=selector.suffix,
    )


@settings(max_examples=300)
@given(text_and_span())
def test_any_valid_span_selects_its_words_and_verifies(case):
    text, start, end = case
    selector = select(text, start, end)
    assert selector.exact == text[start:end]
    assert len(selector.exact) == end - start  # code points, not UTF-16 units
    assert text[start - len(selector.prefix) : start] == selector.prefix
    assert text[end : end + len(selector.suffix)] == selector.suffix
    assert len(selector.prefix) == min(start, CONTEXT_LENGTH)
    assert len(selector.suffix) == min(len(text) - end, CONTEXT_LENGTH)
    span_from(selector).verify(text)  # what the services and the audit run
    assert select(text, start, end, exact=text[start:end]) == selector


# --- any invalid span -------------------------------------------------------------


@st.composite
def text_and_invalid_span(draw):
    """A span that cannot be: (text, start, end, exact, field, words the error
    message must contain)."""
    text, start, end = draw(text_and_span())
    length = len(text)
    kind = draw(
        st.sampled_from(["negative start", "end <= start", "past the end", "exact"])
    )
    if kind == "negative start":
        start = draw(st.integers(max_value=-1))
        end = draw(st.integers(min_value=0, max_value=length))
        return text, start, end, None, "start", [str(start)]
    if kind == "end <= start":
        end = draw(st.integers(min_value=0, max_value=start))
        return text, start, end, None, "end", [str(end), str(start)]
    if kind == "past the end":
        end = draw(st.integers(min_value=length + 1))
        return text, start, end, None, "end", [str(end), str(length)]
    words = text[start:end]
    exact = draw(
        st.one_of(
            st.text(max_size=12),
            st.just(words + " "),
            st.just(words[1:]),
            st.just(unicodedata.normalize("NFD", words)),
            st.just(words.upper()),
        ).filter(lambda e: e != words)
    )
    return text, start, end, exact, "exact", ["does not match", f"{start}–{end}"]


@settings(max_examples=300)
@given(text_and_invalid_span())
def test_any_invalid_span_is_refused_naming_the_field_and_why(case):
    text, start, end, exact, field, words = case
    with pytest.raises(AnchorError) as refused:
        select(text, start, end, exact)
    assert refused.value.field == field
    for word in words:
        assert word in refused.value.message
    # The model check (the services, verify_provenance) says the same, as a
    # field error.
    span = Span(start=start, end=end, exact="" if exact is None else exact)
    with pytest.raises(ValidationError) as invalid:
        span.verify(text)
    assert invalid.value.message_dict == {field: [refused.value.message]}


@settings(max_examples=200)
@given(text_and_span(), st.text(min_size=1, max_size=3))
def test_context_that_is_not_the_texts_is_refused(case, extra):
    text, start, end = case
    span = span_from(select(text, start, end))
    span.prefix = (extra + span.prefix)[-CONTEXT_LENGTH:]
    assume(span.prefix != text[max(0, start - CONTEXT_LENGTH) : start])
    with pytest.raises(ValidationError) as invalid:
        span.verify(text)
    assert "prefix" in invalid.value.message_dict


# --- stored spans: the database counts as Python does ---------------------------------

STORABLE = RAW_TEXTS.map(normalize_text).filter(
    lambda text: text and text_problem(text) is None
)


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text_and_span(STORABLE))
def test_a_stored_span_is_the_same_words_to_the_database(reviewer, case):
    text, start, end = case
    source = create_source(text=text, url="https://example.org/a", by=reviewer).source
    claim = services.propose_claim(
        text="Any claim.",
        kind=ClaimKind.FACT,
        attribution=Attribution.NARRATOR,
        spans=[services.SpanInput(source=source, start=start, end=end)],
        by=reviewer,
    )
    span = claim.spans.get()
    assert (span.start, span.end, span.exact) == (start, end, text[start:end])
    # The database's own substr (1-based, in characters) finds the same words:
    # the guard triggers and Python agree on every offset.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT substr(s.text, sp.start + 1, sp.end - sp.start) = sp.exact, "
            "length(s.text) FROM claims_span sp JOIN sources_source s "
            "ON s.id = sp.source_id WHERE sp.id = %s",
            [span.pk],
        )
        same, length = cursor.fetchone()
    assert same
    assert length == len(text)
