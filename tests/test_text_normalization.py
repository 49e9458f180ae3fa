"""Source text normalization: NFC, newline folding, hashing and storability.

Plain Python: nothing here touches the database.
"""

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sources.text import (
    BIDI_CONTROLS,
    content_hash,
    name_key,
    normalize_name,
    normalize_text,
    shorten,
    text_problem,
)

# --- normalize_text -----------------------------------------------------------


def test_decomposed_e_acute_becomes_precomposed():
    assert normalize_text("Cafe\u0301") == "Caf\u00e9"
    assert len(normalize_text("Cafe\u0301")) == 4


def test_hangul_jamo_compose_into_syllables():
    # ᄀ + ᅡ -> 가 ; ᄀ + ᅡ + ᆨ -> 각
    assert normalize_text("\u1100\u1161") == "\uac00"
    assert normalize_text("\u1100\u1161\u11a8") == "\uac01"


def test_combining_mark_without_precomposed_form_is_kept():
    # q + combining dot above has no precomposed code point: two code points stay.
    assert normalize_text("q\u0307") == "q\u0307"


def test_precomposed_text_is_unchanged():
    assert normalize_text("na\u00efve caf\u00e9") == "na\u00efve caf\u00e9"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("one\r\ntwo", "one\ntwo"),
        ("one\rtwo", "one\ntwo"),
        ("one\ntwo", "one\ntwo"),
        ("a\r\n\r\nb", "a\n\nb"),
        ("a\r\rb", "a\n\nb"),
        ("a\n\rb", "a\n\nb"),
        ("mixed\r\nand\rand\nend\r", "mixed\nand\nand\nend\n"),
        ("\r\n", "\n"),
    ],
)
def test_carriage_returns_become_newlines(raw, expected):
    assert normalize_text(raw) == expected


@pytest.mark.parametrize(
    "text",
    [
        "tab\tseparated\tcolumns",
        "trailing spaces   ",
        "   leading spaces",
        "double  spaces  inside",
        "\u201ccurly double\u201d and it\u2019s curly single",
        "rocket \U0001f680 and coder \U0001f469\u200d\U0001f4bb",
        "non\u00a0breaking\u00a0space",
        "\n\nblank lines around\n\n",
        "",
        "\u00e9l\u00e8ve \u2014 dash \u2013 en dash \u2026",
        "ligature \ufb01 and full-width \uff21 stay (NFC, not NFKC)",
    ],
)
def test_nothing_else_changes(text):
    assert normalize_text(text) == text


def test_only_newlines_and_composition_change_in_a_mixed_text():
    raw = "\u201cCafe\u0301\u201d\t \r\nsaid\u00a0\U0001f680\r"
    assert normalize_text(raw) == "\u201cCaf\u00e9\u201d\t \nsaid\u00a0\U0001f680\n"


@settings(max_examples=200)
@given(st.text())
def test_normalize_is_idempotent(text):
    once = normalize_text(text)
    assert normalize_text(once) == once


@settings(max_examples=200)
@given(st.text())
def test_normalized_text_has_no_carriage_returns(text):
    assert "\r" not in normalize_text(text)


# --- content_hash -------------------------------------------------------------


def test_content_hash_of_abc_is_the_known_sha256_digest():
    assert (
        content_hash("abc")
        == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )


def test_content_hash_is_sha256_hex_of_utf8():
    text = "Caf\u00e9 \u201cquoted\u201d \U0001f680\n"
    expected = hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert content_hash(text) == expected
    assert len(content_hash(text)) == 64
    assert content_hash(text) == content_hash(text).lower()


def test_content_hash_differs_for_different_texts():
    assert content_hash("abc") != content_hash("abd")


def test_crlf_and_lf_versions_hash_the_same_after_normalization():
    lf = "first line\nsecond line\n"
    crlf = "first line\r\nsecond line\r\n"
    cr = "first line\rsecond line\r"
    assert content_hash(normalize_text(crlf)) == content_hash(normalize_text(lf))
    assert content_hash(normalize_text(cr)) == content_hash(normalize_text(lf))
    # Without normalization they differ: the hash itself does not fold newlines.
    assert content_hash(crlf) != content_hash(lf)


def test_decomposed_and_precomposed_hash_the_same_after_normalization():
    assert content_hash(normalize_text("Cafe\u0301")) == content_hash(
        normalize_text("Caf\u00e9")
    )


# --- text_problem -------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["", "ordinary text", "Caf\u00e9 \u201cquote\u201d \U0001f680\tend\n", "\u00a0"],
)
def test_text_problem_accepts_ordinary_text(text):
    assert text_problem(text) is None


@pytest.mark.parametrize("text", ["\x00", "before\x00after"])
def test_text_problem_flags_nul(text):
    problem = text_problem(text)
    assert problem is not None
    assert "NUL" in problem


@pytest.mark.parametrize(
    ("text", "position"),
    [("\ud800", 0), ("ab\ud800cd", 2), ("x\udfff", 1), ("\U0001f680\udc00", 1)],
)
def test_text_problem_flags_unpaired_surrogates(text, position):
    problem = text_problem(text)
    assert problem is not None
    assert "surrogate" in problem
    assert f"position {position}" in problem


# --- speaker names ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("  Shaza   Fatima\tKhawaja \n", "Shaza Fatima Khawaja"),
        ("Shaza\u200b Fatima\u200d Khawaja\ufeff", "Shaza Fatima Khawaja"),
        ("\u200eShaza\u2060 Fatima\u200f Khawaja\u061c", "Shaza Fatima Khawaja"),
        ("\uff33\uff48\uff41\uff5a\uff41 Fatima", "Shaza Fatima"),  # fullwidth
        ("Zoe\u200b\u0308 Okafor", "Zo\u00eb Okafor"),  # the mark composes
        ("Ade\u3000Bello", "Ade Bello"),  # an ideographic space
    ],
)
def test_names_are_stored_normalized(raw, stored):
    assert normalize_name(raw) == stored
    assert normalize_name(stored) == stored


def test_names_keep_the_bidi_controls_that_are_refused():
    # Dropping an override would store letters in an order no reader saw.
    for char in BIDI_CONTROLS:
        assert char in normalize_name(f"{char}rofakO")


@pytest.mark.parametrize(
    "look_alike",
    [
        "Shaza Fatima Khawaja",
        "shaza fatima khawaja",
        "SHAZA  FATIMA KHAWAJA",
        "Sh\u0430za Fatima Khawaja",  # a Cyrillic a
        "Shaza\u200b Fatima Khawaja",
        "\u202eShaza Fatima Khawaja",
        "\uff33haza Fatima Khawaja",
    ],
)
def test_names_that_look_the_same_share_a_key(look_alike):
    assert name_key(look_alike) == name_key("Shaza Fatima Khawaja") != ""


@pytest.mark.parametrize("other", ["Shazia Fatima Khawaja", "Shaza Khawaja", "Kem"])
def test_names_that_differ_have_different_keys(other):
    assert name_key(other) not in (name_key("Shaza Fatima Khawaja"), name_key("Kern"))


def test_a_name_of_nothing_visible_has_no_key():
    assert name_key("\u200b \ufeff") == ""


# --- shortening (sources.text.shorten, the one helper) ------------------------


def test_shorten_cuts_between_words_with_an_ellipsis():
    text = "The harbour ferry will run every hour by December 2026, the mayor said."
    short = shorten(text, 40)
    assert short == "The harbour ferry will run every hour…"
    assert len(short) <= 40
    assert shorten(text, len(text)) == text  # it fits: untouched
    assert shorten("one two, three", 9) == "one two…"  # no comma before the "…"
    assert shorten("Unbreakablewordhere", 8) == "Unbreak…"  # one long word: cut in it


def test_shorten_drops_a_word_broken_by_an_earlier_cut():
    # A context window starting mid-word ("…ffective") shows whole words only.
    assert shorten("ffective response. The", side="start", cut=True) == (
        "…response. The"
    )
    assert shorten("the plan was most effe", cut=True) == "the plan was most…"
    assert shorten("ends on a space ", cut=True) == "ends on a space…"


@given(st.text(max_size=60), st.integers(min_value=1, max_value=70))
def test_shorten_never_exceeds_its_limit_and_keeps_an_end(text, limit):
    short = shorten(text, limit)
    assert len(short) <= max(limit, 1)
    assert text.startswith(short.removesuffix("…"))
    end = shorten(text, limit, side="start")
    assert text.endswith(end.removeprefix("…"))
