"""Tokens: words (with their inner apostrophes, hyphens and periods) and single
punctuation marks, each with its code point offsets in the text."""

import re
from typing import NamedTuple

from .lexicon import NAME_PARTICLES, TITLE_ABBREVIATIONS, TITLE_WORDS, WORD

# Invisible format characters (a zero-width space) separate words like spaces.
TOKEN_RE = re.compile(rf"{WORD}|[^\s\u200b\u2060\ufeff]")


class Token(NamedTuple):
    """One token; its lower-case form and shape are computed once, as the rules
    look at them many times (a named tuple: cheap to build by the hundred
    thousand)."""

    start: int
    end: int
    text: str
    lower: str
    is_word: bool
    is_capitalized: bool


def _capitalized(word: str) -> bool:
    """ "Ørsted", "al-Sisi" (a particle before a capitalised name)."""
    if word[0].isupper():
        return True
    head, _, tail = word.partition("-")
    return bool(tail) and head.lower() in NAME_PARTICLES and tail[:1].isupper()


def tokenize(text: str, lo: int, hi: int) -> list[Token]:
    tokens = []
    for match in TOKEN_RE.finditer(text, lo, hi):
        word = match.group()
        first = word[0]
        tokens.append(
            Token(
                match.start(),
                match.end(),
                word,
                word.lower(),
                first.isalnum() or first == "_",
                first.isupper() or ("-" in word and _capitalized(word)),
            )
        )
    return tokens


def join_tokens(tokens: list[Token]) -> str:
    """The tokens' words with single spaces where the text had any."""
    parts = []
    for previous, token in zip([None, *tokens], tokens, strict=False):
        if previous is not None and previous.end != token.start:
            parts.append(" ")
        parts.append(token.text)
    return "".join(parts)


def is_title(token: Token) -> bool:
    return token.lower in TITLE_WORDS or token.lower in TITLE_ABBREVIATIONS


def inner_possessive(tokens: list[Token], i: int) -> bool:
    """The apostrophe of "Northern Freight Carriers' Association": a plural
    possessive inside a name, between capitalised words."""
    if tokens[i].text not in ("'", "’") or not 0 < i < len(tokens) - 1:
        return False
    before, after = tokens[i - 1], tokens[i + 1]
    return (
        before.is_capitalized
        and before.lower.endswith("s")
        and before.end == tokens[i].start
        and after.is_capitalized
    )


_QUOTES = frozenset("\"'“”‘’")


def short_form_end(tokens: list[Token], i: int) -> int:
    """Past the bracketed short form a name may be followed by, "(PTA)",
    '("Tamarind")' or "(MoITT)", or 0. Its words are tokens[i+1:end-1]
    without the quotes."""
    if i >= len(tokens) or tokens[i].text != "(":
        return 0
    j = i + 1
    while j < len(tokens) and j - i <= 5 and tokens[j].text != ")":
        token = tokens[j]
        if not (token.is_capitalized or token.text in _QUOTES):
            return 0
        j += 1
    words = [t for t in tokens[i + 1 : j] if t.text not in _QUOTES]
    if j >= len(tokens) or tokens[j].text != ")" or not 0 < len(words) <= 2:
        return 0
    return j + 1
