"""Anchoring claims in source text: W3C Web Annotation selectors, plain Python.

Positions are Unicode code points into the normalized text (Python ``str``
indices): ``start`` included, ``end`` excluded. A quote selector carries the
exact words and up to ``CONTEXT_LENGTH`` characters of context on each side.
"""

import unicodedata
from dataclasses import dataclass

CONTEXT_LENGTH = 32


class AnchorError(ValueError):
    """A selector that does not fit its text; ``field`` names the culprit."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


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


def select(text: str, start: int, end: int, exact: str | None = None) -> Selector:
    """Build the selector for ``text[start:end]``, checking every invariant.

    ``exact``, when given, must equal the words at that position. Raises
    :class:`AnchorError` naming ``start``, ``end`` or ``exact``.
    """
    if isinstance(start, bool) or not isinstance(start, int):
        raise AnchorError("start", "must be an integer (a code point offset).")
    if isinstance(end, bool) or not isinstance(end, int):
        raise AnchorError("end", "must be an integer (a code point offset).")
    if not text:
        raise AnchorError(
            "source", "this source has no text, so it cannot carry spans."
        )
    if start < 0:
        raise AnchorError("start", f"must be 0 or more, not {start}.")
    if end > len(text):
        raise AnchorError(
            "end", f"is past the end of the text ({end} > {len(text)} code points)."
        )
    if end <= start:
        raise AnchorError("end", f"must be greater than start ({end} <= {start}).")
    words = text[start:end]
    if exact is not None and exact != words:
        raise AnchorError(
            "exact",
            f"does not match the text at {start}–{end}: the text there is "
            f"{_shorten(words)!r}, exact is {_shorten(exact)!r}; they differ "
            f"{_difference(words, exact, what='exact')}.",
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
                    "exact", f"{_shorten(exact)!r} does not occur in the text."
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
