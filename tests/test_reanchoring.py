"""Re-anchoring spans onto a revised text (sources.reanchoring): worked revisions
of a short news story of our own, and two properties: edits outside the spans
keep every span exact, and edits anywhere never give a broken anchor. Plain
Python, no database.

Offsets are code points. Expected offsets are taken from the revised text with
``span_of`` (which insists that the words occur exactly once there), so each
test states the words it expects to find, and where.
"""

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import Levenshtein

from sources.anchoring import CONTEXT_LENGTH, AnchorError
from sources.reanchoring import MIN_SIMILARITY, Anchor, reanchor

# Written for these tests (a made-up town, council and people).
PARAGRAPHS = (
    "Millbrook’s town council voted on Tuesday to close the Elm Street library for "
    "eight months while its roof is replaced. The council’s treasurer, Hana "
    "Kowalczyk, said the repairs would cost “about €2.4 million, most of it from the "
    "regional fund”. Residents who use the reading room will be offered space at the "
    "community centre on Quay Road.",
    "Opposition councillor Tomás Reyes called the plan rushed. “We were told in March "
    "that the roof could last another five winters,” he said, adding that the council "
    "had not published the surveyor’s report. Kowalczyk said the report would be "
    "released before the next meeting.",
    "The library lent 61,000 books last year, up from 48,000 in 2023, according to "
    "figures from the county. Staff will run a pop-up service from a converted bus on "
    "Saturday mornings, and the library’s website will stay open for renewals.",
)
TEXT = "\n\n".join(PARAGRAPHS)

# The spans the tests carry over, by name: each quote occurs once in TEXT.
QUOTES = {
    "closure": "close the Elm Street library for eight months",
    "cost": "“about €2.4 million, most of it from the regional fund”",
    "residents": "Residents who use the reading room",
    "winters": "the roof could last another five winters",
    "report": "had not published the surveyor’s report",
    "books": "61,000 books",
    "bus": "Staff will run a pop-up service from a converted bus on Saturday mornings",
}


def span_of(text: str, words: str) -> tuple[int, int]:
    assert text.count(words) == 1, words
    start = text.index(words)
    return start, start + len(words)


def revise(text: str, old: str, new: str) -> str:
    """``text`` with its one occurrence of ``old`` replaced by ``new``."""
    assert text.count(old) == 1, old
    return text.replace(old, new)


def carry(old_text: str, new_text: str, *names: str) -> dict[str, Anchor | None]:
    names = names or tuple(QUOTES)
    spans = [span_of(old_text, QUOTES[name]) for name in names]
    return dict(zip(names, reanchor(old_text, new_text, spans), strict=True))


def assert_exact(anchor: Anchor | None, new_text: str, words: str, method: str):
    assert anchor == Anchor(*span_of(new_text, words), method, 1.0)


def assert_fuzzy(anchor: Anchor | None, new_text: str, words: str):
    assert anchor is not None
    assert (anchor.start, anchor.end, anchor.method) == (
        *span_of(new_text, words),
        "fuzzy",
    )
    assert MIN_SIMILARITY <= anchor.score < 1


# --- worked revisions ---------------------------------------------------------------


def test_unchanged_text_keeps_every_span_by_position():
    anchors = carry(TEXT, TEXT)
    for name, words in QUOTES.items():
        assert_exact(anchors[name], TEXT, words, "position")


def test_typo_fixed_inside_a_span_is_found_fuzzily():
    # 32 code points: one bitap pattern.
    old = revise(TEXT, "for eight months", "for eigth months")
    anchor = reanchor(old, TEXT, [span_of(old, "the Elm Street library for eigth")])[0]
    assert_fuzzy(anchor, TEXT, "the Elm Street library for eight")


def test_typo_fixed_inside_a_long_quote_is_found_fuzzily():
    # 46 code points: past bitap's 32, so found by its head and tail.
    old = revise(TEXT, "for eight months", "for eigth months")
    spans = [span_of(old, QUOTES["closure"].replace("eight", "eigth"))]
    assert_fuzzy(reanchor(old, TEXT, spans)[0], TEXT, QUOTES["closure"])


def test_typo_fixed_elsewhere_moves_later_spans_by_quote():
    old = revise(TEXT, "Opposition councillor", "Opposition councilor")
    anchors = carry(old, TEXT)
    for name in ("closure", "cost", "residents"):
        assert_exact(anchors[name], TEXT, QUOTES[name], "position")
    for name in ("winters", "report", "books", "bus"):
        start, end = span_of(old, QUOTES[name])
        assert anchors[name] == Anchor(start + 1, end + 1, "quote", 1.0)


def test_sentence_inserted_before_a_span():
    added = "A spokesperson confirmed the dates on Wednesday. "
    new = revise(TEXT, "Residents who", added + "Residents who")
    anchors = carry(TEXT, new)
    assert_exact(anchors["closure"], new, QUOTES["closure"], "position")
    assert_exact(anchors["cost"], new, QUOTES["cost"], "position")
    for name in ("residents", "winters", "report", "books", "bus"):
        start, end = span_of(TEXT, QUOTES[name])
        assert anchors[name] == Anchor(
            start + len(added), end + len(added), "quote", 1.0
        )
        assert_exact(anchors[name], new, QUOTES[name], "quote")


def test_quote_reworded_slightly_is_found_fuzzily():
    new = revise(TEXT, "another five winters", "another five or six winters")
    anchors = carry(TEXT, new)
    assert_fuzzy(
        anchors["winters"], new, "the roof could last another five or six winters"
    )
    assert_exact(anchors["report"], new, QUOTES["report"], "quote")


def test_long_quote_reworded_near_its_start():
    # Its first 32 code points no longer match within bitap's threshold: the
    # quote is found by its last 32, and its start fitted to the words.
    new = revise(TEXT, "Staff will run a pop-up", "Library crews drive a pop-up")
    anchors = carry(TEXT, new, "bus")
    assert_fuzzy(
        anchors["bus"],
        new,
        "Library crews drive a pop-up service from a converted bus on Saturday mornings",
    )


def test_quote_reworded_completely_is_an_orphan():
    new = revise(
        TEXT, QUOTES["bus"], "Until then, a mobile lending van will call at the market"
    )
    anchors = carry(TEXT, new)
    assert anchors["bus"] is None
    assert_exact(anchors["books"], new, QUOTES["books"], "position")


def test_removed_paragraph_orphans_its_spans_only():
    new = revise(TEXT, PARAGRAPHS[1] + "\n\n", "")
    anchors = carry(TEXT, new)
    assert anchors["winters"] is None
    assert anchors["report"] is None
    for name in ("closure", "cost", "residents"):
        assert_exact(anchors[name], new, QUOTES[name], "position")
    for name in ("books", "bus"):
        assert_exact(anchors[name], new, QUOTES[name], "quote")


def test_whitespace_changes():
    new = TEXT.replace("\n\n", "\n").replace("pop-up service", "pop-up  service")
    anchors = carry(TEXT, new)
    assert_exact(anchors["closure"], new, QUOTES["closure"], "position")
    for name in ("winters", "report", "books"):
        assert_exact(anchors[name], new, QUOTES[name], "quote")
    assert_fuzzy(anchors["bus"], new, QUOTES["bus"].replace(" service", "  service"))


def test_curly_quotes_made_straight():
    new = TEXT.replace("“", '"').replace("”", '"')
    anchors = carry(TEXT, new)
    # Same length: words without the marks stay where they were, "winters"
    # too, though its context (“We were told…”) has changed.
    for name in ("closure", "residents", "winters", "report", "books", "bus"):
        assert_exact(anchors[name], new, QUOTES[name], "position")
    assert_fuzzy(
        anchors["cost"], new, '"about €2.4 million, most of it from the regional fund"'
    )


def test_straight_quotes_made_curly_with_a_sentence_inserted():
    old = TEXT.replace("“", '"').replace("”", '"')
    new = "Updated on Thursday. " + TEXT
    spans = [span_of(old, '"about €2.4 million'), span_of(old, "Residents who use")]
    cost, residents = reanchor(old, new, spans)
    assert_fuzzy(cost, new, "“about €2.4 million")
    assert_exact(residents, new, "Residents who use", "quote")


def test_duplicated_sentence_the_context_picks_the_right_copy():
    # The revision puts a copy of the words just before their sentence, nearer
    # the span's old offset than the original, whose prefix changes a little.
    copy = "Reyes has long said the roof could last another five winters. "
    new = revise(TEXT, "rushed. “We", "rushed. " + copy + "“We")
    old_start, old_end = span_of(TEXT, QUOTES["winters"])
    anchor = reanchor(TEXT, new, [(old_start, old_end)])[0]
    places = [new.index(QUOTES["winters"]), new.rindex(QUOTES["winters"])]
    assert abs(places[0] - old_start) < abs(places[1] - old_start)
    prefix = TEXT[old_start - CONTEXT_LENGTH : old_start]
    assert not new.endswith(prefix, 0, places[1])
    assert anchor == Anchor(places[1], places[1] + old_end - old_start, "quote", 1.0)


def test_duplicated_sentence_with_changed_surroundings():
    # Both copies in the old text, each with a span; the revision rewrites the
    # words right before the second, so its span's whole context is nowhere: it
    # goes to the copy whose context agrees best, its own, not the first.
    sentence = "The vote was seven to four."
    old = revise(TEXT, "on Quay Road.", f"on Quay Road. {sentence}")
    old = revise(old, "for renewals.", f"for renewals. {sentence}")
    first = old.index(sentence)
    second = old.rindex(sentence)
    new = revise(old, "for renewals. The", "for renewals and e-books. The")
    anchors = reanchor(
        old, new, [(first, first + len(sentence)), (second, second + len(sentence))]
    )
    assert anchors[0] == Anchor(first, first + len(sentence), "position", 1.0)
    moved = new.rindex(sentence)
    assert anchors[1] == Anchor(moved, moved + len(sentence), "quote", 1.0)


def test_anchor_never_cuts_a_combining_sequence():
    # q + U+0307 has no precomposed form: NFC keeps the mark apart.
    old = "She said the word naq twice."
    new = "She said the word naq\u0307 twice."
    start, end = span_of(old, "said the word naq")
    (anchor,) = reanchor(old, new, [(start, end)])
    assert anchor is not None
    assert (anchor.start, anchor.end, anchor.method) == (start, end + 1, "fuzzy")


@pytest.mark.parametrize(("filler", "found"), [(40, True), (100, False)])
def test_fuzzy_search_reaches_80_code_points_from_the_expected_place(filler, found):
    # The quote, with a typo fixed, moves from after ``filler`` code points of
    # its paragraph to before them: the line diff expects it where it was.
    quote = "the roof could last another five winters."
    words = ("The council met again. " * 5)[:filler]
    old = f"{PARAGRAPHS[0]}\n\n{words}{quote.replace('five', 'fiev')}\n\nThe end."
    new = f"{PARAGRAPHS[0]}\n\n{quote}{words}\n\nThe end."
    (anchor,) = reanchor(old, new, [span_of(old, "the roof could last another fiev")])
    if found:
        assert_fuzzy(anchor, new, "the roof could last another five")
    else:
        assert anchor is None


def test_exact_quote_is_found_however_far_it_moved():
    moved = revise(TEXT, QUOTES["bus"] + ",", "Meanwhile,")
    new = QUOTES["bus"] + ". " + moved
    assert_exact(carry(TEXT, new, "bus")["bus"], new, QUOTES["bus"], "quote")


def test_span_that_does_not_fit_the_old_text_is_refused():
    with pytest.raises(AnchorError):
        reanchor(TEXT, TEXT, [(10, len(TEXT) + 1)])


@pytest.mark.parametrize("name", list(QUOTES))
@pytest.mark.parametrize("replacement", ["", "and so on"])
def test_words_that_are_gone_leave_an_orphan(name, replacement):
    new = revise(TEXT, QUOTES[name], replacement)
    assert carry(TEXT, new, name) == {name: None}


def test_empty_new_text_orphans_everything():
    assert set(carry(TEXT, "").values()) == {None}


# --- property: edits outside the spans ------------------------------------------------

# Anything but combining marks, which would join the words next to them.
INSERTED = st.text(alphabet="abcdefghij XYZ,.’“”é\n", max_size=40)
SPANS = [span_of(TEXT, words) for words in QUOTES.values()]


def gaps() -> list[tuple[int, int]]:
    """The stretches of TEXT outside every span."""
    covered = sorted(SPANS)
    stretches, start = [], 0
    for span_start, span_end in covered:
        if span_start > start:
            stretches.append((start, span_start))
        start = max(start, span_end)
    return [*stretches, (start, len(TEXT))]


GAPS = gaps()
EDITS = st.lists(
    st.tuples(st.floats(0, 1), st.floats(0, 1), INSERTED),
    min_size=len(GAPS),
    max_size=len(GAPS),
)


@settings(max_examples=200, deadline=None)
@given(EDITS)
def test_edits_outside_the_spans_keep_every_span_exact(edits):
    # In each gap, the stretch between two drawn points is replaced by drawn
    # words (a deletion, an insertion, or both); spans are copied unchanged.
    pieces, cursor = [], 0
    for (gap_start, gap_end), (a, b, words) in zip(GAPS, edits, strict=True):
        low, high = sorted(gap_start + round(x * (gap_end - gap_start)) for x in (a, b))
        pieces += [TEXT[cursor:low], words]
        cursor = high
    new = "".join([*pieces, TEXT[cursor:]])
    for (start, end), anchor in zip(SPANS, reanchor(TEXT, new, SPANS), strict=True):
        assert anchor is not None
        assert anchor.method in {"position", "quote"}
        assert new[anchor.start : anchor.end] == TEXT[start:end]


# Any edits anywhere, with combining marks and joiners among the words put in.
ANYWHERE = st.lists(
    st.tuples(
        st.integers(0, len(TEXT)),
        st.integers(0, 30),
        st.text(alphabet="ab \u0301\u0327\u200d’é", max_size=8),
    ),
    max_size=6,
)


def whole(text: str, cut: int) -> bool:
    """Whether a cut at ``cut`` leaves every combining sequence whole."""
    if cut in (0, len(text)):
        return True
    return not unicodedata.category(text[cut]).startswith("M") and (
        "\u200d" not in text[cut - 1 : cut + 1]
    )


@settings(max_examples=200, deadline=None)
@given(ANYWHERE)
def test_every_anchor_is_whole_and_says_how_it_was_found(edits):
    new = TEXT
    for at, cut, words in edits:
        at = min(at, len(new))
        new = new[:at] + words + new[at + cut :]
    for (start, end), anchor in zip(SPANS, reanchor(TEXT, new, SPANS), strict=True):
        if anchor is None:
            continue
        assert 0 <= anchor.start < anchor.end <= len(new)
        assert whole(new, anchor.start)
        assert whole(new, anchor.end)
        found = new[anchor.start : anchor.end]
        if anchor.method == "fuzzy":
            score = Levenshtein.normalized_similarity(found, TEXT[start:end])
            assert MIN_SIMILARITY <= anchor.score == score < 1
        else:
            assert (found, anchor.score) == (TEXT[start:end], 1.0)
