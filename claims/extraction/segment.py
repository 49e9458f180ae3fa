"""Paragraphs, quotations and sentences: the layout the rules work on.

Everything here is a single left-to-right pass over the text (regular
expressions without nested ambiguity), so a 5 MB text costs a few passes.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .lexicon import ABBREVIATIONS, DATELINE, DISCOURSE_OPENERS, WORD
from .tokens import Token

TERMINAL = ".!?…"
CLOSING_MARKS = "\"”’»)]'"
# A sentence ends at terminal punctuation (plus closing marks) before a space.
_BOUNDARY_RE = re.compile(rf"[{TERMINAL}]+[{re.escape(CLOSING_MARKS)}]*(?=\s)")
_LAST_WORD_RE = re.compile(rf"({WORD})\.?$")
MIN_NARRATOR_WORDS = 5  # shorter sentences ("Residents were less sure.") are framing
_MARK_RE = re.compile("[“”„«»\"‘’']")
_OPENERS = {"“": "”", "„": "“”", "«": "»", '"': '"', "‘": "’", "'": "'"}
_DOUBLE_OPENERS = frozenset('“„«"')


@dataclass(frozen=True)
class Piece:
    """One stretch of a quotation inside one paragraph."""

    open: int  # the opening mark
    start: int  # first quoted character
    end: int  # end of the quoted characters (exclusive)
    close: int  # just after the closing mark; == end when the quote runs on
    paragraph: int


@dataclass(frozen=True)
class Quotation:
    pieces: tuple[Piece, ...]

    @property
    def runs_on(self) -> bool:
        return len(self.pieces) > 1


def paragraphs(text: str) -> list[tuple[int, int]]:
    """Non-blank lines, trimmed; a line soft-wrapped into the next (no closing
    punctuation, next line starting in lower case) is joined to it."""
    spans: list[tuple[int, int]] = []
    position = 0
    for line in text.split("\n"):
        start, end = position, position + len(line)
        position = end + 1
        stripped = line.strip()
        if not stripped:
            continue
        start += len(line) - len(line.lstrip())
        end -= len(line) - len(line.rstrip())
        if spans and _soft_wrapped(text, spans[-1], start):
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def _soft_wrapped(text: str, previous: tuple[int, int], start: int) -> bool:
    last = text[previous[1] - 1]
    return (
        last not in TERMINAL + CLOSING_MARKS + ":;“"
        and text[start].islower()
        and previous[1] - previous[0] > 40
    )


def _is_opening(text: str, i: int, lo: int) -> bool:
    before = text[i - 1] if i > lo else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return not before.isalnum() and not after.isspace()


def _is_closing(text: str, i: int, hi: int, lo: int) -> bool:
    before = text[i - 1] if i > lo else " "
    after = text[i + 1] if i + 1 < hi else " "
    return not before.isspace() and not after.isalnum()


def _closes_straight_single(text: str, i: int, hi: int) -> bool:
    """A straight single mark closes a quotation ('There is no delay,' she
    said) only after punctuation or before it: "the members' costs" is an
    apostrophe."""
    before = text[i - 1]
    after = text[i + 1] if i + 1 < hi else ""
    return before in ".,!?…—–-;:" or after in ("", *".,;:!?)—–")


def _starts_with_opener(text: str, span: tuple[int, int], family: str) -> bool:
    first = text[span[0]]
    if family in ("‘", "'"):
        return first == family
    return first in _DOUBLE_OPENERS


def quotations(text: str, paras: list[tuple[int, int]]) -> list[Quotation]:
    """Pair quotation marks, paragraph by paragraph.

    A quote left open at a paragraph's end continues only if the next paragraph
    opens with a quotation mark (the multi-paragraph convention); otherwise the
    stray mark is ignored. Marks inside an open double quote are nested quotes
    and stay part of it; a closing single mark followed by a letter is an
    apostrophe.
    """
    found: list[Quotation] = []
    carried: list[Piece] = []
    for index, (lo, hi) in enumerate(paras):
        # A carried quote reopens at the mark this paragraph starts with.
        opened, family = (lo, text[carried[0].open]) if carried else (None, "")
        for match in _MARK_RE.finditer(text, lo, hi):
            mark, i = match.group(), match.start()
            if opened is not None and i == opened:
                continue
            if opened is None:
                if mark in _OPENERS and _is_opening(text, i, lo):
                    opened, family = i, mark
                continue
            if (
                mark in _OPENERS[family]
                and _is_closing(text, i, hi, lo)
                and (family != "'" or _closes_straight_single(text, i, hi))
            ):
                piece = Piece(opened, opened + 1, i, i + 1, index)
                found.append(Quotation((*carried, piece)))
                carried, opened = [], None
            elif (mark in _DOUBLE_OPENERS or mark == family) and _is_opening(
                text, i, lo
            ):
                carried, opened, family = [], i, mark  # the earlier one was stray
        if opened is not None:
            if _runs_on(text, paras, index, family):
                carried = [*carried, Piece(opened, opened + 1, hi, hi, index)]
            else:
                carried = []
    return [q for q in found if all(p.start < p.end for p in q.pieces)]


def _runs_on(text: str, paras: list[tuple[int, int]], index: int, family: str) -> bool:
    """Whether a quote open at the end of paragraph ``index`` continues: only
    if the next paragraph opens with a quotation mark of its family."""
    if index + 1 >= len(paras):
        return False
    return _starts_with_opener(text, paras[index + 1], family)


def count_words(text: str) -> int:
    return len(text.split())


def is_speech(
    text: str, quotation: Quotation, para_start: int, cue_words=frozenset()
) -> bool:
    """A quotation of speech, as opposed to a scare-quoted word, a title or a
    phrase quoted inside a sentence ("called the bill “amnesty by another
    name,” while …")."""
    if quotation.runs_on:
        return True
    piece = quotation.pieces[0]
    inner = text[piece.start : piece.end].strip()
    words = count_words(inner)
    before = text[max(para_start, piece.open - 40) : piece.open].rstrip()
    if before.endswith(":"):
        return words >= 2
    if words >= 8:
        return True
    if words < 3 or inner[-1:] not in ".,!?…—–-:;":
        return False
    last = _LAST_WORD_RE.search(before)
    if last is None or not before[-1:].isalnum() or inner[:1].isupper():
        return True  # not inside a sentence
    return last.group(1).lower() in cue_words


def _is_abbreviation(text: str, lo: int, dot: int) -> bool:
    match = _LAST_WORD_RE.search(text, max(lo, dot - 24), dot + 1)
    if not match:
        return False
    word = match.group(1).lower()
    return word in ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def sentence_ends(
    text: str, lo: int, hi: int, masked: Sequence[tuple[int, int]] = ()
) -> list[int]:
    """Ends of the sentences in ``text[lo:hi]``; ``hi`` is always the last.

    A boundary inside a masked range (the inside of a quotation) does not count.
    """
    ends = []
    masks = iter(masked)
    mask = next(masks, None)
    for match in _BOUNDARY_RE.finditer(text, lo, hi):
        end = match.end()
        while mask is not None and mask[1] <= match.start():
            mask = next(masks, None)
        if mask is not None and mask[0] <= match.start() < mask[1] and end < mask[1]:
            continue
        following = _next_visible(text, end, hi)
        if following is None:
            continue
        if not (following.isupper() or following.isdigit() or following in "“\"‘«(['"):
            continue
        single_dot = text[match.start()] == "." and match.end() - match.start() == 1
        if single_dot and _is_abbreviation(text, lo, match.start()):
            continue
        ends.append(end)
    ends.append(hi)
    return ends


def _next_visible(text: str, i: int, hi: int) -> str | None:
    while i < hi and text[i].isspace():
        i += 1
    return text[i] if i < hi else None


def split_sentences(
    text: str, lo: int, hi: int, masked: Sequence[tuple[int, int]] = ()
) -> list[tuple[int, int]]:
    """Sentences of ``text[lo:hi]`` as trimmed (start, end) pairs."""
    spans, start = [], lo
    for end in sentence_ends(text, lo, hi, masked):
        span = trim(text, start, end)
        if span:
            spans.append(span)
        start = end
    return spans


def trim(text: str, start: int, end: int, strip: str = "") -> tuple[int, int] | None:
    """``(start, end)`` without surrounding white space (and ``strip`` chars)."""
    while start < end and (text[start].isspace() or text[start] in strip):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in strip):
        end -= 1
    return (start, end) if start < end else None


def is_heading(text: str, lo: int, hi: int) -> bool:
    """A headline, standfirst label or byline: a short line with no closing
    punctuation. Its words teach names but carry no claim of their own."""
    last = text[hi - 1]
    return last not in TERMINAL + CLOSING_MARKS and count_words(text[lo:hi]) < 30


def tokens_span(tokens: list[Token]) -> tuple[int, int]:
    return (tokens[0].start, tokens[-1].end) if tokens else (0, 0)


def outside(span: tuple[int, int], content) -> list[tuple[int, int]]:
    """The parts of ``span`` not covered by ``content``: where the speech act
    (its verb, speaker and time) is described."""
    regions, position = [], span[0]
    for start, end in sorted(content):
        if start > position:
            regions.append((position, start))
        position = max(position, end)
    if position < span[1]:
        regions.append((position, span[1]))
    return regions


def without_relative_clauses(tokens: list[Token], regions):
    """``regions`` minus ", who took office in March," — its time is not the
    statement's."""
    cut = []
    for i, token in enumerate(tokens[:-1]):
        if token.text == "," and tokens[i + 1].lower in ("who", "whose", "which"):
            end = next(
                (t.start for t in tokens[i + 2 :] if t.text == ","), tokens[-1].end
            )
            cut.append((token.start, end))
    if not cut:
        return regions
    kept = []
    for lo, hi in regions:
        kept.extend(outside((lo, hi), [c for c in cut if c[0] < hi and c[1] > lo]))
    return kept


def first_content_token(text: str, tokens: list[Token], lo: int) -> int:
    """Index of the first token past a dateline ("RIVERTON —") and a discourse
    opener ("Moreover,")."""
    position = lo
    for pattern in (DATELINE, DISCOURSE_OPENERS):
        match = pattern.match(text, position)
        if match:
            position = match.end()
    for i, token in enumerate(tokens):
        if token.start >= position:
            return i
    return len(tokens)


def is_statement(text: str, tokens: list[Token], first: int) -> bool:
    """A declarative sentence worth proposing (not a heading, question or byline)."""
    words = [t for t in tokens[first:] if t.is_word]
    if len(words) < MIN_NARRATOR_WORDS or len(words) > 150:
        return False
    last = tokens[-1].text
    if last in ("?", ":") or last not in ".!…\"”’)'":
        return False
    if not any(c.islower() for c in text[tokens[first].start : tokens[-1].end]):
        return False
    return tokens[first].lower != "by" or len(words) > 6
