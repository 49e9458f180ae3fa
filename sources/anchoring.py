"""Anchoring claims in source text: W3C Web Annotation selectors, plain Python.

Positions are Unicode code points into the normalized text (Python ``str``
indices): ``start`` included, ``end`` excluded. A quote selector carries the
exact words and up to ``CONTEXT_LENGTH`` characters of context on each side.
"""

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
            f"{_shorten(words)!r}, not {_shorten(exact)!r}.",
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
