"""Anchoring claims in source text: W3C Web Annotation selectors, plain Python.

Positions are Unicode code points into the normalized text (Python ``str``
indices): ``start`` included, ``end`` excluded. A quote selector carries the
exact words and up to ``CONTEXT_LENGTH`` characters of context on each side.
"""

import unicodedata
from dataclasses import dataclass

from .text import normalize_text

CONTEXT_LENGTH = 32
# How many places of an ambiguous quote its error lists.
PLACES_SHOWN = 5
# Past this many places, a quote's error says "more than" instead of counting.
COUNT_LIMIT = 1_000


class AnchorError(ValueError):
    """A selector that does not fit its text; ``field`` names the culprit."""

    # The API's error codes for these (docs/API.md lists them).
    CODES = frozenset(
        {
            "invalid",
            "no_text",
            "out_of_range",
            "quote_mismatch",
            "quote_not_found",
            "quote_ambiguous",
        }
    )

    def __init__(self, field: str, message: str, code: str = "invalid"):
        assert code in self.CODES, code
        super().__init__(message)
        self.field = field
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Selector:
    """Both selectors of one anchor: position (start, end) and quote."""

    start: int
    end: int
    exact: str
    prefix: str
    suffix: str


def _shorten(words: str, limit: int = 60) -> str:
    return words if len(words) <= limit else words[: limit - 1] + "…"


def _code_point(char: str) -> str:
    name = unicodedata.name(char, "")
    return f"{char!r} (U+{ord(char):04X}{' ' + name if name else ''})"


def _difference(found: str, given: str, *, what: str, context: int = 12) -> str:
    """Where ``given`` first departs from ``found`` (the text's words), told so
    that two strings that look alike can be told apart: the character index,
    the words both share just before it, and the code points that differ."""
    index = 0
    for index, (a, b) in enumerate(zip(found, given, strict=False)):  # noqa: B007
        if a != b:
            break
    else:
        index = min(len(found), len(given))
    before = found[max(0, index - context) : index]
    where = f"at character {index} of {what}"
    if before:
        shown = ("…" if index > context else "") + before
        where += f", after {shown!r}"
    if index == len(given):
        return f"{where}: {what} ends, but the text goes on with {_code_point(found[index])}"
    if index == len(found):
        return f"{where}: the text's words end, but {what} goes on with {_code_point(given[index])}"
    return (
        f"{where}: the text has {_code_point(found[index])}, "
        f"{what} has {_code_point(given[index])}"
    )


def select(
    text: str, start: int | None, end: int | None, exact: str | None = None
) -> Selector:
    """Build the selector for ``text[start:end]``, checking every invariant.

    ``exact``, when given, must equal the words at that position. Raises
    :class:`AnchorError` naming ``start``, ``end`` or ``exact`` (a missing
    position, None, included).
    """
    if isinstance(start, bool) or not isinstance(start, int):
        raise AnchorError("start", "must be an integer (a code point offset).")
    if isinstance(end, bool) or not isinstance(end, int):
        raise AnchorError("end", "must be an integer (a code point offset).")
    if not text:
        raise AnchorError(
            "source", "this source has no text, so it cannot carry spans.", "no_text"
        )
    if start < 0:
        raise AnchorError("start", f"must be 0 or more, not {start}.", "out_of_range")
    if end > len(text):
        raise AnchorError(
            "end",
            f"is past the end of the text ({end} > {len(text)} code points).",
            "out_of_range",
        )
    if end <= start:
        raise AnchorError(
            "end", f"must be greater than start ({end} <= {start}).", "out_of_range"
        )
    words = text[start:end]
    if exact is not None and exact != words:
        raise AnchorError(
            "exact",
            f"does not match the text at {start}–{end}: the text there is "
            f"{_shorten(words)!r}, exact is {_shorten(exact)!r}; they differ "
            f"{_difference(words, exact, what='exact')}.",
            "quote_mismatch",
        )
    return Selector(
        start=start,
        end=end,
        exact=words,
        prefix=text[max(0, start - CONTEXT_LENGTH) : start],
        suffix=text[end : end + CONTEXT_LENGTH],
    )


def find_quote(text: str, exact: str, occurrence: int = 1) -> Selector:
    """Locate the ``occurrence``-th (1-based) appearance of ``exact`` in ``text``.

    Used wherever spans are written as words rather than offsets (the seed files).
    An ambiguous quote, one that appears more than once with no occurrence given,
    is the caller's to disambiguate: :func:`count_occurrences` tells.
    """
    if not exact:
        raise AnchorError("exact", "must not be empty.")
    if occurrence < 1:
        raise AnchorError("occurrence", f"must be 1 or more, not {occurrence}.")
    position = -1
    for seen in range(occurrence):
        position = text.find(exact, position + 1)
        if position == -1:
            if seen == 0:
                raise AnchorError(
                    "exact",
                    f"{_shorten(exact)!r} does not occur in the text.",
                    "quote_not_found",
                )
            raise AnchorError(
                "occurrence",
                f"{_shorten(exact)!r} occurs only {seen} time(s), not {occurrence}.",
            )
    return select(text, position, position + len(exact))


def count_occurrences(text: str, exact: str) -> int:
    """How many times ``exact`` occurs in ``text`` (overlaps included)."""
    count, position = 0, text.find(exact)
    while exact and position != -1:
        count += 1
        position = text.find(exact, position + 1)
    return count


def occurrences(text: str, exact: str, prefix: str = "", suffix: str = "") -> list[int]:
    """Where ``exact`` starts with ``prefix`` right before and ``suffix`` right
    after it (overlaps included), the first ``COUNT_LIMIT + 1`` of them.

    One literal, ``prefix + exact + suffix``, searched by ``str.find``: its
    scan stays linear however long the words (a regular expression's
    lookarounds would try every position, and a one-letter quote in a
    two-million-character text must not cost a Python loop per letter)."""
    needle = prefix + exact + suffix
    places: list[int] = []
    position = text.find(needle)
    while position != -1 and len(places) <= COUNT_LIMIT:
        places.append(position + len(prefix))
        position = text.find(needle, position + 1)
    return places


def _times(places: list[int]) -> str:
    if len(places) > COUNT_LIMIT:
        return f"more than {COUNT_LIMIT:,} times"
    return "once" if len(places) == 1 else f"{len(places)} times"


def locate(text: str, exact: str, prefix: str = "", suffix: str = "") -> Selector:
    """The one place ``exact`` occurs in ``text`` where ``prefix`` ends just
    before it and ``suffix`` starts just after it (either may be empty).

    Raises :class:`AnchorError` when there is no such place, or more than one:
    the message gives the count and the first places, so that the caller can
    add context or give the offsets.
    """
    if not text:
        raise AnchorError(
            "source", "this source has no text, so it cannot carry spans.", "no_text"
        )
    if not exact:
        raise AnchorError("exact", "must not be empty.")
    places = occurrences(text, exact, prefix, suffix)
    if len(places) == 1:
        return select(text, places[0], places[0] + len(exact))
    quote = _shorten(exact)
    if not places:
        anywhere = occurrences(text, exact) if prefix or suffix else []
        if not anywhere:
            raise AnchorError(
                "exact", f"{quote!r} does not occur in the text.", "quote_not_found"
            )
        after_prefix = occurrences(text, exact, prefix) if prefix else anywhere
        if not after_prefix:
            raise AnchorError(
                "prefix",
                f"does not fit: {quote!r} occurs {_times(anywhere)} in the text, "
                "never right after these words.",
                "quote_mismatch",
            )
        raise AnchorError(
            "suffix",
            f"does not fit: {quote!r} occurs {_times(after_prefix)} in the text"
            f"{' after the prefix' if prefix else ''}, never right before these "
            "words.",
            "quote_mismatch",
        )
    shown = ", ".join(str(p) for p in places[:PLACES_SHOWN])
    more = ", …" if len(places) > PLACES_SHOWN else ""
    context = " and ".join(
        words
        for words, given in (
            ("after this prefix", prefix),
            ("before this suffix", suffix),
        )
        if given
    )
    context = f" {context}" if context else ""
    raise AnchorError(
        "exact",
        f"{quote!r} occurs {_times(places)} in the text{context} (at "
        f"{shown}{more}): say which with prefix or suffix (the words just "
        "before or after it), or with start and end.",
        "quote_ambiguous",
    )


def anchor(
    text: str,
    *,
    start: int | None = None,
    end: int | None = None,
    exact: str | None = None,
    prefix: str | None = None,
    suffix: str | None = None,
) -> Selector:
    """Resolve the selector a client gives into a checked :class:`Selector`.

    ``exact``, ``prefix`` and ``suffix`` are normalized as source texts are
    (NFC, ``\\n`` newlines) first, so that words copied from anywhere compare
    with the stored text; empty or None means not given. With ``start`` and
    ``end``, the words there are checked against whatever quote is given;
    with neither, ``exact`` is looked up (:func:`locate`) and must occur in
    exactly one place that ``prefix`` and ``suffix`` allow.
    """
    exact, prefix, suffix = (
        normalize_text(value) if value else "" for value in (exact, prefix, suffix)
    )
    if start is None and end is None:
        if not exact:
            raise AnchorError(
                "exact",
                "is required without start and end: quote the words, or give "
                "their place.",
            )
        return locate(text, exact, prefix, suffix)
    if start is None or end is None:
        missing, given = ("start", "end") if start is None else ("end", "start")
        raise AnchorError(
            missing,
            f"is needed with {given}; or give neither and quote the words (exact).",
        )
    selector = select(text, start, end, exact or None)
    if prefix and not text.endswith(prefix, 0, start):
        if len(prefix) > start:
            raise AnchorError(
                "prefix",
                f"is {len(prefix)} characters long, but the words start at {start}.",
                "quote_mismatch",
            )
        before = text[start - len(prefix) : start]
        raise AnchorError(
            "prefix",
            f"does not fit the text before {start} ({_shorten(before)!r}); they "
            f"differ {_difference(before, prefix, what='prefix')}.",
            "quote_mismatch",
        )
    if suffix and not text.startswith(suffix, end):
        after = text[end : end + len(suffix)]
        raise AnchorError(
            "suffix",
            f"does not fit the text after {end} ({_shorten(after)!r}); they "
            f"differ {_difference(after, suffix, what='suffix')}.",
            "quote_mismatch",
        )
    return selector
