"""What changed between two versions of a text: the sentences, and the words
to show (NewsDiffs-style: removed words struck through, added ones marked)."""

import difflib
import re
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

_SENTENCE_END = re.compile(r"(?<=[.!?…”\"’'])\s+|\n+")
_WORDS = re.compile(r"\s+|[^\s]+")
# Past this many code points in either text the words are not diffed on a
# page (difflib may take quadratic time); the sentence count still is.
MAX_DIFF_CHARS = 100_000


@dataclass(frozen=True)
class Change:
    sentences: int  # changed, added or removed, counted in the larger side
    words: SafeString | None  # the word diff as HTML, or None past MAX_DIFF_CHARS


def change(old: str, new: str) -> Change:
    """How ``new`` differs from ``old``."""
    return Change(_changed_sentences(old, new), _word_diff(old, new))


def _sentences(text: str) -> list[str]:
    return [" ".join(s.split()) for s in _SENTENCE_END.split(text) if s.strip()]


def _changed_sentences(old: str, new: str) -> int:
    matcher = difflib.SequenceMatcher(None, _sentences(old), _sentences(new), False)
    return sum(
        max(i2 - i1, j2 - j1)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    )


def _word_diff(old: str, new: str) -> SafeString | None:
    if max(len(old), len(new)) > MAX_DIFF_CHARS:
        return None
    before, after = _WORDS.findall(old), _WORDS.findall(new)
    matcher = difflib.SequenceMatcher(None, before, after, False)
    parts: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            parts.append(("{}", "".join(before[i1:i2])))
            continue
        if i2 > i1:
            parts.append(("<del>{}</del>", "".join(before[i1:i2])))
        if j2 > j1:
            parts.append(("<ins>{}</ins>", "".join(after[j1:j2])))
    return format_html_join("", "{}", ((format_html(f, w),) for f, w in parts))
