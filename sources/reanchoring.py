"""Carrying spans over to a revised text, the way Hypothesis anchors annotations.

Each span ``(start, end)`` of the old text becomes an :class:`Anchor` in the new
text, or ``None`` (an orphan). The selectors are tried in Hypothesis's order:

1. position: the old words still sit at the same offsets (and no other place
   fits their context better);
2. quote: the exact words elsewhere; among several places, the one whose
   ``CONTEXT_LENGTH`` code points on each side agree best with the old ones,
   then the one nearest to where the old offsets fall in the new text;
3. fuzzy: diff-match-patch's ``match_main`` (bitap) near that place, the ends
   on word boundaries, kept only if the words found are similar enough.

Where the old offsets fall in the new text (for step 3, and ties in step 2)
comes from a diff of the two texts' lines, made once, when first needed.

The bound of the fuzzy step: bitap scores a place ``errors / len(pattern) +
distance / MATCH_DISTANCE`` and accepts it up to ``MATCH_THRESHOLD``, so a match
starts at most 0.4 x 200 = 80 code points from where the old words are
expected, 8 fewer for each tenth of the pattern in error. Bitap holds a pattern
in a machine word (``MATCH_MAX_BITS``): a longer quote is looked for as its
first and last 32 code points, as Hypothesis does. Quotes shorter than
``MIN_FUZZY_LENGTH`` are only ever found exactly.
"""

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from diff_match_patch import diff_match_patch
from rapidfuzz.distance import Levenshtein

from .anchoring import CONTEXT_LENGTH, Selector, occurrences, select

MATCH_THRESHOLD = 0.4
MATCH_DISTANCE = 200
MATCH_MAX_BITS = 32
# A bitap match may start this far (code points) from the expected place.
MATCH_REACH = int(MATCH_THRESHOLD * MATCH_DISTANCE)
# A rewording keeps three quarters of the quote's characters (a typo fixed, a
# word or two added or changed, quote marks restyled: 0.84 and up in the tests),
# where other words of the same story put in its place score 0.6 at most.
MIN_SIMILARITY = 0.75
# Shorter quotes are never matched fuzzily: too few letters to tell a rewording
# from another word ("cost" and "most" are 0.75 alike).
MIN_FUZZY_LENGTH = 12
# How far (code points) a fuzzy match's ends may move to fit the quote's words.
FIT_REACH = 24
# The diff of lines that carries offsets over gives up refining after this many
# seconds; its answer is then coarser (more lines changed), never wrong.
DIFF_TIMEOUT = 0.05

_ZERO_WIDTH_JOINER = "\u200d"


@dataclass(frozen=True)
class Anchor:
    """Where a span's words are in the new text, and how they were found.

    ``method`` is "position", "quote" or "fuzzy"; ``score`` is 1.0 for the first
    two and, for "fuzzy", the similarity (0 to 1) of ``new_text[start:end]`` to
    the old words: 1 - Levenshtein distance / the longer length (rapidfuzz)."""

    start: int
    end: int
    method: str
    score: float


_MATCHER = diff_match_patch()
_MATCHER.Match_Threshold = MATCH_THRESHOLD
_MATCHER.Match_Distance = MATCH_DISTANCE
_MATCHER.Diff_Timeout = DIFF_TIMEOUT


class _Revision:
    """Old offsets carried into the new text. A diff of the two texts' lines,
    made when first needed, gives the stretches of lines that changed; inside
    one, an offset is carried exactly through the words the old and new lines
    begin and end with, and in the changed middle goes as far into the new
    words as it was into the old (at most to their end)."""

    def __init__(self, old_text: str, new_text: str):
        self.old_text = old_text
        self.new_text = new_text

    @cached_property
    def changes(self) -> list[tuple[int, int, int, int]]:
        """(old start, new start, old end, new end) of each changed stretch."""
        diffs = _paragraph_diff(self.old_text, self.new_text)
        changes, old, new, starts = [], 0, 0, None
        for operation, words in [*diffs, (diff_match_patch.DIFF_EQUAL, "")]:
            if operation == diff_match_patch.DIFF_EQUAL:
                if starts:
                    changes.append((*starts, old, new))
                old, new, starts = old + len(words), new + len(words), None
            else:
                starts = starts or (old, new)
                if operation == diff_match_patch.DIFF_DELETE:
                    old += len(words)
                else:
                    new += len(words)
        return changes

    def expected(self, offset: int) -> int:
        shift = 0
        for old_start, new_start, old_end, new_end in self.changes:
            if offset < old_start:
                break
            if offset < old_end:
                old = self.old_text[old_start:old_end]
                new = self.new_text[new_start:new_end]
                return new_start + _carry(old, new, offset - old_start)
            shift = new_end - old_end
        return offset + shift


_PARAGRAPH = re.compile(r"\n*[^\n]+\n*|\n+")


def _paragraph_diff(old_text: str, new_text: str) -> list[tuple[int, str]]:
    """diff-match-patch's diff of whole lines, each with the blank lines after
    it: a blank line alone would be the likeliest line in common, and align
    the wrong paragraphs when one is inserted before the others."""
    chunks: dict[str, str] = {}
    pieces: list[str] = []

    def encode(text: str) -> str:
        codes = []
        for chunk in _PARAGRAPH.findall(text):
            if chunk not in chunks:
                chunks[chunk] = chr(len(pieces) + 1)
                pieces.append(chunk)
            codes.append(chunks[chunk])
        return "".join(codes)

    diffs = _MATCHER.diff_main(encode(old_text), encode(new_text), False)
    return [(op, "".join(pieces[ord(c) - 1] for c in codes)) for op, codes in diffs]


def _carry(old: str, new: str, offset: int) -> int:
    """``offset`` into ``old`` carried into ``new``, which replaced it."""
    before = _MATCHER.diff_commonPrefix(old, new)
    after = min(_MATCHER.diff_commonSuffix(old, new), min(len(old), len(new)) - before)
    if offset < before:
        return offset
    if offset >= len(old) - after:
        return offset + len(new) - len(old)
    return before + min(offset - before, len(new) - after - before)


def _is_word(char: str) -> bool:
    return char.isalnum() or unicodedata.category(char).startswith("M")


def _splits_cluster(text: str, index: int) -> bool:
    """Whether a cut at ``index`` parts a combining mark from its base, or the
    pieces of a ZWJ sequence."""
    return 0 < index < len(text) and (
        unicodedata.category(text[index]).startswith("M")
        or _ZERO_WIDTH_JOINER in text[index - 1 : index + 1]
    )


def _is_boundary(text: str, index: int) -> bool:
    """Whether ``index`` is a place a fuzzy match may start or end: not inside
    a word, not inside a combining sequence."""
    if not 0 <= index <= len(text) or _splits_cluster(text, index):
        return False
    return not (
        0 < index < len(text) and _is_word(text[index - 1]) and _is_word(text[index])
    )


def _snap(text: str, index: int, step: int) -> int:
    """The nearest boundary from ``index`` going by ``step`` (-1 or 1)."""
    index = max(0, min(len(text), index))
    while not _is_boundary(text, index):
        index += step
    return index


def _context_agreement(text: str, place: int, selector: Selector) -> float:
    end = place + len(selector.exact)
    before = text[max(0, place - CONTEXT_LENGTH) : place]
    after = text[end : end + CONTEXT_LENGTH]
    return Levenshtein.normalized_similarity(
        before, selector.prefix
    ) + Levenshtein.normalized_similarity(after, selector.suffix)


def _by_quote(new_text: str, selector: Selector, revision: _Revision) -> Anchor | None:
    """The exact words: where their whole context is, else where it agrees best;
    between equals, nearest to where the old offsets fall."""
    exact = selector.exact

    def whole(places: list[int]) -> list[int]:
        return [
            p
            for p in places
            if not _splits_cluster(new_text, p)
            and not _splits_cluster(new_text, p + len(exact))
        ]

    places = whole(occurrences(new_text, exact, selector.prefix, selector.suffix))
    if not places:
        agreement = {
            p: _context_agreement(new_text, p, selector)
            for p in whole(occurrences(new_text, exact))
        }
        best = max(agreement.values(), default=0.0)
        places = [p for p, value in agreement.items() if value == best]
    if not places:
        return None
    expected = revision.expected(selector.start) if len(places) > 1 else 0
    place = min(places, key=lambda p: abs(p - expected))
    method = "position" if place == selector.start else "quote"
    return Anchor(place, place + len(exact), method, 1.0)


def _match(text: str, pattern: str, expected: int) -> int:
    """``match_main`` on the stretch of ``text`` where a match can score within
    the threshold (no farther than ``MATCH_REACH``), so bitap scans no more."""
    low = max(0, expected - MATCH_REACH)
    high = min(len(text), expected + MATCH_REACH + 2 * len(pattern))
    found = _MATCHER.match_main(text[low:high], pattern, expected - low)
    return -1 if found == -1 else low + found


def _fit(
    text: str, exact: str, found: tuple[int, int], expected: tuple[int, int]
) -> Anchor | None:
    """The stretch between boundaries near ``found`` that the fewest edits turn
    into ``exact`` (between equals, the one nearest its length, then with its
    ends nearest ``expected``), each end in turn moved within ``FIT_REACH``;
    None unless similar enough."""

    def fitness(low: int, high: int) -> tuple[int, int, int]:
        edits = Levenshtein.distance(text[low:high], exact)
        off = abs(low - expected[0]) + abs(high - expected[1])
        return -edits, -abs(high - low - len(exact)), -off

    def near(index: int, low: int, high: int) -> list[int]:
        low, high = max(low, index - FIT_REACH), min(high, index + FIT_REACH)
        return [i for i in range(low, high + 1) if _is_boundary(text, i)]

    start, end = _snap(text, found[0], -1), _snap(text, found[1], 1)
    for _ in range(2):
        ends = near(end, start + 1, len(text))
        end = max(((fitness(start, e), e) for e in ends), default=(None, end))[1]
        starts = near(start, 0, end - 1)
        start = max(((fitness(s, end), s) for s in starts), default=(None, start))[1]
    return _scored(text, exact, start, end)


def _scored(text: str, exact: str, start: int, end: int) -> Anchor | None:
    if start >= end:
        return None
    score = Levenshtein.normalized_similarity(text[start:end], exact)
    return Anchor(start, end, "fuzzy", score) if score >= MIN_SIMILARITY else None


def _bitap(text: str, exact: str, expected: tuple[int, int]) -> tuple[int, int] | None:
    """Where ``match_main`` finds ``exact`` near ``expected``. A quote past
    ``MATCH_MAX_BITS`` is looked for as its head and its tail, either enough:
    the end, or the start, not found is put at the expected length."""
    start, end = expected
    if len(exact) <= MATCH_MAX_BITS:
        found = _match(text, exact, start)
        return None if found == -1 else (found, found + end - start)
    head = _match(text, exact[:MATCH_MAX_BITS], start)
    tail = _match(text, exact[-MATCH_MAX_BITS:], end - MATCH_MAX_BITS)
    if head == -1 and tail == -1:
        return None
    found_end = tail + MATCH_MAX_BITS if tail != -1 else head + end - start
    return head if head != -1 else found_end - (end - start), found_end


def _by_fuzzy(new_text: str, selector: Selector, revision: _Revision) -> Anchor | None:
    """The words found by bitap near where the diff puts them. When bitap
    agrees with the diff, the diff's ends are kept if the words between them
    are similar enough: it aligned the whole texts, so it knows where a
    rewording begins and ends better than a fit of the quote alone, which
    would rather drop words added at an edge than count them as edits."""
    exact = selector.exact
    if len(exact) < MIN_FUZZY_LENGTH:
        return None
    start = revision.expected(selector.start)
    expected = start, max(start + 1, revision.expected(selector.end - 1) + 1)
    found = _bitap(new_text, exact, expected)
    if found is None:
        return None
    if all(abs(f - e) <= FIT_REACH for f, e in zip(found, expected, strict=True)):
        ends = _snap(new_text, expected[0], -1), _snap(new_text, expected[1], 1)
        anchor = _scored(new_text, exact, *ends)
        if anchor is not None:
            return anchor
    return _fit(new_text, exact, found, expected)


def _reanchor_one(
    new_text: str, selector: Selector, revision: _Revision
) -> Anchor | None:
    start, end = selector.start, selector.end
    in_context = selector.prefix + selector.exact + selector.suffix
    if (
        new_text.startswith(in_context, start - len(selector.prefix))
        and not _splits_cluster(new_text, start)
        and not _splits_cluster(new_text, end)
    ):
        return Anchor(start, end, "position", 1.0)
    return _by_quote(new_text, selector, revision) or _by_fuzzy(
        new_text, selector, revision
    )


def reanchor(
    old_text: str, new_text: str, spans: Sequence[tuple[int, int]]
) -> list[Anchor | None]:
    """Each span of ``old_text`` found in ``new_text`` (None: an orphan), in
    the order of ``spans``.

    Offsets are code points, as everywhere in claimtrack; both texts are
    normalized source texts. A span that does not fit ``old_text`` raises
    :class:`~sources.anchoring.AnchorError`, as :func:`select` does.
    """
    revision = _Revision(old_text, new_text)
    return [
        _reanchor_one(new_text, select(old_text, start, end), revision)
        for start, end in spans
    ]
