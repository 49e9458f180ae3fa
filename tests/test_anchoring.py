"""Anchoring spans in source text: select, find_quote, count_occurrences, and
anchor/locate, which resolve what a client gives (a place, a quote, or both).

Plain Python: nothing here touches the database. Offsets are Unicode code points
into the normalized text.
"""

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sources.anchoring import (
    CONTEXT_LENGTH,
    AnchorError,
    Selector,
    anchor,
    count_occurrences,
    find_quote,
    locate,
    select,
)
from sources.text import normalize_text

# Written with a decomposed é ("e" + U+0301), which NFC folds into one code point.
# After normalization, with hand-counted code point offsets:
#   0 C, 1 a, 2 f, 3 é, 4 ' ', 5-8 said, 9 ' ', 10 “, 11-15 hello, 16 ”, 17 ' ',
#   18-19 to, 20 ' ', 21 q, 22 U+0307 (no precomposed q-dot), 23 ' ', 24-26 and,
#   27 ' ', 28 🚀 (outside the BMP), 29 ' ', 30-33 then, 34 ' ',
#   35 👩, 36 ZWJ, 37 💻, 38 ' ', 39-43 wrote, 44 ' ', 45 “, 46-49 done, 50 ”,
#   51 '.'   (52 code points; UTF-16 would count 55 units)
RAW = (
    "Cafe\u0301 said \u201chello\u201d to q\u0307 and \U0001f680 then "
    "\U0001f469\u200d\U0001f4bb wrote \u201cdone\u201d."
)
TEXT = normalize_text(RAW)

LONG = "The first sentence is here. " * 3 + "TARGET" + " and the tail goes on." * 3


# --- select: the happy path ---------------------------------------------------


def test_normalized_example_text_has_hand_counted_length():
    assert len(RAW) == 53
    assert len(TEXT) == 52
    assert len(TEXT.encode("utf-16-le")) // 2 == 55


@pytest.mark.parametrize(
    ("start", "end", "exact"),
    [
        (0, 4, "Caf\u00e9"),
        (3, 4, "\u00e9"),
        (11, 16, "hello"),
        (10, 17, "\u201chello\u201d"),
        (21, 23, "q\u0307"),
        (28, 29, "\U0001f680"),
        (35, 38, "\U0001f469\u200d\U0001f4bb"),
        (39, 44, "wrote"),
        (46, 50, "done"),
        (45, 51, "\u201cdone\u201d"),
        (51, 52, "."),
    ],
)
def test_offsets_are_code_points(start, end, exact):
    selector = select(TEXT, start, end)
    assert selector.exact == exact
    assert (selector.start, selector.end) == (start, end)


def test_select_returns_exact_prefix_and_suffix():
    selector = select(TEXT, 46, 50)
    assert selector == Selector(
        start=46,
        end=50,
        exact="done",
        # The 32 code points before 46 start at 14: "lo” to q̇ and 🚀 then 👩‍💻 wrote “".
        prefix="lo\u201d to q\u0307 and \U0001f680 then \U0001f469\u200d\U0001f4bb wrote \u201c",
        suffix="\u201d.",
    )


def test_select_prefix_after_emoji_and_combining_mark():
    selector = select(TEXT, 30, 34)
    assert selector.exact == "then"
    # 30 code points before "then": from index 0 (the text's start).
    assert (
        selector.prefix == "Caf\u00e9 said \u201chello\u201d to q\u0307 and \U0001f680 "
    )
    assert selector.suffix == " \U0001f469\u200d\U0001f4bb wrote \u201cdone\u201d."


def test_select_checks_given_exact():
    selector = select(TEXT, 11, 16, exact="hello")
    assert selector.exact == "hello"


def test_context_is_at_most_32_characters():
    assert CONTEXT_LENGTH == 32
    start = LONG.index("TARGET")
    selector = select(LONG, start, start + len("TARGET"))
    assert selector.exact == "TARGET"
    assert len(selector.prefix) == 32
    assert len(selector.suffix) == 32
    assert selector.prefix == LONG[start - 32 : start]
    assert selector.prefix == "e is here. The first sentence is here. "[-32:]
    assert selector.suffix == " and the tail goes on. and the t"


def test_context_is_shorter_at_the_text_edges():
    at_start = select(LONG, 0, 3)
    assert at_start.exact == "The"
    assert at_start.prefix == ""
    assert len(at_start.suffix) == 32

    at_end = select(LONG, len(LONG) - 3, len(LONG))
    assert at_end.exact == "on."
    assert at_end.suffix == ""
    assert len(at_end.prefix) == 32

    whole = select("short", 0, 5)
    assert (whole.prefix, whole.exact, whole.suffix) == ("", "short", "")

    near = select("abcdef", 2, 4)
    assert (near.prefix, near.exact, near.suffix) == ("ab", "cd", "ef")


def test_context_counts_code_points_not_utf16_units():
    text = "\U0001f680" * 40 + "X" + "\U0001f680" * 40
    selector = select(text, 40, 41)
    assert selector.exact == "X"
    assert selector.prefix == "\U0001f680" * 32
    assert selector.suffix == "\U0001f680" * 32


# --- select: refusals -----------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        (-1, 4, "start"),
        (-10, -5, "start"),
        (0, 53, "end"),
        (50, 100, "end"),
        (5, 5, "end"),
        (0, 0, "end"),
        (52, 52, "end"),
        (10, 4, "end"),
    ],
)
def test_select_refuses_bad_offsets(start, end, field):
    with pytest.raises(AnchorError) as excinfo:
        select(TEXT, start, end)
    assert excinfo.value.field == field
    assert excinfo.value.message


def test_select_accepts_the_full_text():
    assert select(TEXT, 0, 52).exact == TEXT


def test_select_refuses_mismatched_exact_and_names_the_words_there():
    with pytest.raises(AnchorError) as excinfo:
        select(TEXT, 11, 16, exact="goodbye")
    error = excinfo.value
    assert error.field == "exact"
    assert "'hello'" in error.message
    assert "'goodbye'" in error.message
    assert "11" in error.message
    assert "16" in error.message
    assert str(error) == error.message


def test_select_exact_mismatch_is_case_and_normalization_sensitive():
    with pytest.raises(AnchorError) as excinfo:
        select(TEXT, 11, 16, exact="Hello")
    assert excinfo.value.field == "exact"
    # A decomposed é is not the stored (NFC) é.
    with pytest.raises(AnchorError) as excinfo:
        select(TEXT, 0, 4, exact="Cafe\u0301")
    assert excinfo.value.field == "exact"


@pytest.mark.parametrize(("start", "end"), [(0, 1), (0, 0)])
def test_select_refuses_empty_text(start, end):
    with pytest.raises(AnchorError) as excinfo:
        select("", start, end)
    assert excinfo.value.field == "source"


def test_anchor_error_is_a_value_error():
    with pytest.raises(ValueError, match="0 or more"):
        select(TEXT, -1, 2)


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        (1.0, 4, "start"),
        ("1", 4, "start"),
        (True, 4, "start"),
        (None, 4, "start"),
        (1, 4.0, "end"),
        (1, "4", "end"),
        (0, True, "end"),
        (1, None, "end"),
    ],
)
def test_select_refuses_non_integer_offsets(start, end, field):
    with pytest.raises(AnchorError) as excinfo:
        select(TEXT, start, end)
    assert excinfo.value.field == field


# --- find_quote -----------------------------------------------------------------

REPEATED = "the cat saw the dog and the cat ran"
#           0   4   8   12  16  20  24  28  32


def test_find_quote_returns_first_occurrence_by_default():
    selector = find_quote(REPEATED, "the cat")
    assert (selector.start, selector.end) == (0, 7)
    assert selector.exact == "the cat"
    assert selector.prefix == ""
    assert selector.suffix == " saw the dog and the cat ran"


def test_find_quote_occurrence_two_finds_the_second():
    selector = find_quote(REPEATED, "the cat", occurrence=2)
    assert (selector.start, selector.end) == (24, 31)
    assert selector.prefix == "the cat saw the dog and "
    assert selector.suffix == " ran"


def test_find_quote_counts_code_points_after_astral_characters():
    selector = find_quote(TEXT, "done")
    assert (selector.start, selector.end) == (46, 50)
    selector = find_quote(TEXT, "\u201chello\u201d")
    assert (selector.start, selector.end) == (10, 17)


@pytest.mark.parametrize("occurrence", [1, 2, 3])
def test_find_quote_each_occurrence_of_the(occurrence):
    expected_start = [0, 12, 24][occurrence - 1]
    selector = find_quote(REPEATED, "the", occurrence=occurrence)
    assert (selector.start, selector.end) == (expected_start, expected_start + 3)


def test_find_quote_finds_overlapping_occurrences():
    assert find_quote("aaaa", "aaa", occurrence=2).start == 1


def test_find_quote_refuses_missing_quote():
    with pytest.raises(AnchorError) as excinfo:
        find_quote(REPEATED, "the bird")
    assert excinfo.value.field == "exact"
    assert "'the bird'" in excinfo.value.message


def test_find_quote_refuses_occurrence_past_the_count():
    with pytest.raises(AnchorError) as excinfo:
        find_quote(REPEATED, "the cat", occurrence=3)
    assert excinfo.value.field == "occurrence"
    assert "2" in excinfo.value.message


@pytest.mark.parametrize("occurrence", [0, -1])
def test_find_quote_refuses_occurrence_below_one(occurrence):
    with pytest.raises(AnchorError) as excinfo:
        find_quote(REPEATED, "the cat", occurrence=occurrence)
    assert excinfo.value.field == "occurrence"


def test_find_quote_refuses_empty_quote():
    with pytest.raises(AnchorError) as excinfo:
        find_quote(REPEATED, "")
    assert excinfo.value.field == "exact"


def test_find_quote_in_empty_text_reports_the_missing_quote():
    with pytest.raises(AnchorError) as excinfo:
        find_quote("", "anything")
    assert excinfo.value.field == "exact"


# --- count_occurrences ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "exact", "count"),
    [
        ("aaaa", "aaa", 2),
        ("aaaa", "aa", 3),
        ("aaaa", "a", 4),
        ("abababa", "aba", 3),
        (REPEATED, "the cat", 2),
        (REPEATED, "the", 3),
        (REPEATED, "bird", 0),
        (TEXT, "\u201c", 2),
        (TEXT, "\U0001f680", 1),
        ("", "a", 0),
        ("abc", "", 0),
    ],
)
def test_count_occurrences(text, exact, count):
    assert count_occurrences(text, exact) == count


# --- properties -----------------------------------------------------------------


@st.composite
def text_and_span(draw):
    text = normalize_text(draw(st.text(min_size=1)))
    assume(text)
    start = draw(st.integers(min_value=0, max_value=len(text) - 1))
    end = draw(st.integers(min_value=start + 1, max_value=len(text)))
    return text, start, end


@settings(max_examples=200)
@given(text_and_span())
def test_select_round_trips(case):
    text, start, end = case
    selector = select(text, start, end)
    assert (selector.start, selector.end) == (start, end)
    assert selector.exact == text[start:end]
    assert selector.prefix == text[max(0, start - CONTEXT_LENGTH) : start]
    assert selector.suffix == text[end : end + CONTEXT_LENGTH]
    assert len(selector.prefix) <= CONTEXT_LENGTH
    assert len(selector.suffix) <= CONTEXT_LENGTH
    assert selector.prefix + selector.exact + selector.suffix in text
    assert select(text, start, end, exact=selector.exact) == selector


@settings(max_examples=200)
@given(text_and_span())
def test_find_quote_finds_the_quote_at_the_right_occurrence(case):
    text, start, end = case
    exact = text[start:end]
    # This span is the k-th occurrence, counting overlapping matches before it.
    k = count_occurrences(text[: end - 1], exact) + 1
    assert k <= count_occurrences(text, exact)
    selector = find_quote(text, exact, k)
    assert selector.exact == exact
    assert (selector.start, selector.end) == (start, end)


@st.composite
def text_and_bad_span(draw):
    text = normalize_text(draw(st.text(min_size=1)))
    assume(text)
    length = len(text)
    kind = draw(st.sampled_from(["negative start", "end past text", "end <= start"]))
    if kind == "negative start":
        start = draw(st.integers(max_value=-1))
        end = draw(st.integers())
        field = "start"
    elif kind == "end past text":
        start = draw(st.integers(min_value=0))
        end = draw(st.integers(min_value=length + 1))
        field = "end"
    else:
        start = draw(st.integers(min_value=0))
        end = draw(st.integers(max_value=min(start, length)))
        field = "end"
    return text, start, end, field


@settings(max_examples=200)
@given(text_and_bad_span())
def test_select_refuses_any_invalid_span(case):
    text, start, end, field = case
    with pytest.raises(AnchorError) as excinfo:
        select(text, start, end)
    assert excinfo.value.field == field


# --- a mismatch says where the two differ -------------------------------------


def test_a_mismatch_names_the_first_differing_code_points():
    text = "The ferry costs\u00a0€4 a trip."
    with pytest.raises(AnchorError) as excinfo:
        select(text, 4, 22, exact="ferry costs €4 a t")
    message = excinfo.value.message
    # Not two truncations that look the same: where and how they differ.
    assert "character 11" in message
    assert "after 'ferry costs'" in message
    assert "U+00A0 NO-BREAK SPACE" in message
    assert "U+0020 SPACE" in message


def test_a_mismatch_where_one_side_ends_says_which():
    with pytest.raises(AnchorError) as excinfo:
        select(REPEATED, 0, 7, exact="the ca")
    assert "exact ends, but the text goes on with 't' (U+0074" in excinfo.value.message


def test_a_mismatch_shortens_long_context():
    words = "word " * 30 + "end"
    with pytest.raises(AnchorError) as excinfo:
        select(words, 0, len(words), exact=words[:-3] + "End")
    message = excinfo.value.message
    assert "after '…d word word '" in message
    assert "'e' (U+0065 LATIN SMALL LETTER E)" in message
    assert "'E' (U+0045 LATIN CAPITAL LETTER E)" in message


# --- anchor: what a client gives, normalized and resolved ----------------------


def test_anchor_reads_a_decomposed_quote_as_the_stored_nfc_words():
    # "Cafe" + U+0301 (NFD) is the stored "Café" (NFC): the same words.
    selector = anchor(TEXT, start=0, end=4, exact="Cafe\u0301")
    assert (selector.start, selector.end, selector.exact) == (0, 4, "Caf\u00e9")
    by_quote = anchor(TEXT, exact="Cafe\u0301 said", suffix=" \u201chello")
    assert (by_quote.start, by_quote.end) == (0, 9)
    assert anchor("a\nb c", exact="a\r\nb").exact == "a\nb"


def test_anchor_by_quote_finds_the_one_place():
    selector = anchor(REPEATED, exact="the dog")
    assert (selector.start, selector.end) == (12, 19)
    assert selector.prefix == "the cat saw "


def test_anchor_by_quote_refuses_a_repeated_quote_with_its_count():
    with pytest.raises(AnchorError) as excinfo:
        anchor(REPEATED, exact="the cat")
    assert excinfo.value.field == "exact"
    assert "occurs 2 times" in excinfo.value.message
    assert "at 0, 24" in excinfo.value.message
    assert "prefix or suffix" in excinfo.value.message


def test_a_very_common_quote_is_counted_up_to_a_limit():
    # A one-letter quote in a long text: counted to 1,000, not letter by letter.
    with pytest.raises(AnchorError) as excinfo:
        anchor("a" * 50_000, exact="a", prefix="a")
    assert "occurs more than 1,000 times" in excinfo.value.message
    assert "at 1, 2, 3, 4, 5, …" in excinfo.value.message


def test_prefix_and_suffix_tell_repeats_apart():
    assert anchor(REPEATED, exact="the cat", prefix="and ").start == 24
    assert anchor(REPEATED, exact="the cat", suffix=" saw").start == 0
    assert anchor(REPEATED, exact="the", prefix="saw ", suffix=" dog").start == 12
    with pytest.raises(AnchorError) as excinfo:
        anchor(REPEATED, exact="the", suffix=" cat")
    assert "occurs 2 times in the text before this suffix" in excinfo.value.message


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"exact": "the bird"}, "exact"),
        ({"exact": "the cat", "prefix": "a "}, "prefix"),
        ({"exact": "the cat", "prefix": "and ", "suffix": " sat"}, "suffix"),
        ({"start": 0}, "end"),
        ({"end": 7, "exact": "the cat"}, "start"),
        ({}, "exact"),
        ({"exact": "", "prefix": "", "suffix": None}, "exact"),
        ({"start": 4, "end": 7, "prefix": "the  "}, "prefix"),
        ({"start": 4, "end": 7, "prefix": "The "}, "prefix"),
        ({"start": 4, "end": 7, "suffix": " sow"}, "suffix"),
    ],
)
def test_anchor_refuses_what_does_not_fit_naming_the_field(given, field):
    with pytest.raises(AnchorError) as excinfo:
        anchor(REPEATED, **given)
    assert excinfo.value.field == field


def test_anchor_checks_prefix_and_suffix_given_with_offsets():
    selector = anchor(REPEATED, start=4, end=7, exact="cat", prefix="the ", suffix=" s")
    assert (selector.start, selector.end) == (4, 7)
    with pytest.raises(AnchorError) as excinfo:
        anchor(REPEATED, start=4, end=7, prefix="tha ")
    assert "U+0065" in excinfo.value.message
    assert "U+0061" in excinfo.value.message


def test_locate_in_a_source_without_text_names_the_source():
    with pytest.raises(AnchorError) as excinfo:
        locate("", "words")
    assert excinfo.value.field == "source"


@settings(max_examples=200)
@given(st.text(min_size=1), st.data())
def test_anchor_by_quote_agrees_with_count_occurrences(raw, data):
    text = normalize_text(raw)
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    exact = text[start:end]
    if count_occurrences(text, exact) == 1:
        assert (anchor(text, exact=exact).start, anchor(text, exact=exact).end) == (
            start,
            end,
        )
    else:
        with pytest.raises(AnchorError) as excinfo:
            anchor(text, exact=exact)
        assert f"occurs {count_occurrences(text, exact)} times" in str(excinfo.value)
