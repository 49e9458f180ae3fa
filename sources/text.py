"""Source text normalization: plain Python, no ORM.

A source's text is stored normalized so that offsets mean the same thing to every
client: Unicode NFC, and ``\\r\\n`` / ``\\r`` turned into ``\\n``. Nothing else is
changed (no trimming, no whitespace collapsing), so a quote copied from the
original still matches.
"""

import hashlib
import re
import unicodedata

from disarm import skeleton_key


def normalize_text(text: str) -> str:
    """Return ``text`` in claimtrack's canonical form (newlines, then NFC)."""
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


def content_hash(normalized_text: str) -> str:
    """SHA-256 hex digest of the UTF-8 bytes of an already normalized text."""
    return hashlib.sha256(normalized_text.encode("utf-8")).hexdigest()


# The longest source text stored, in characters (a long report is ~500,000).
MAX_TEXT_CHARS = 2_000_000

# Characters that reorder the text displayed after them (embeddings, overrides,
# isolates): the "Trojan Source" characters, U+202A-U+202E and U+2066-U+2069.
# Refused in short fields (titles, names): "Okafor" could be stored as letters
# that only look like it. Source texts keep them (the exact words).
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def bidi_control_problem(value: str) -> str | None:
    """Why a short field cannot hold ``value`` (a bidirectional control), or None."""
    for index, char in enumerate(value):
        if char in BIDI_CONTROLS:
            return (
                f"must not contain bidirectional control characters (U+{ord(char):04X} "
                f"at position {index}): type the words in their natural order."
            )
    return None


# Characters that show nothing and reorder nothing: zero-width space, non-joiner
# and joiner, word joiner, byte-order mark; and the direction marks (LRM, RLM,
# ALM). In a name they only make two spellings of one name differ.
INVISIBLE_IN_NAMES = frozenset("\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u061c")
# A name key is at most this long: NFKC can expand a 200-character name many
# times over, and a B-tree entry has a size limit (PostgreSQL's is ~2,700 bytes).
NAME_KEY_LENGTH = 400


def normalize_name(value: str) -> str:
    """A name (a speaker's, an alias) as stored: no invisible characters, NFKC,
    each run of whitespace one space, none at either end.

    The invisible characters go before NFKC, so that one between a letter and
    its accent does not keep the two from composing. Embeddings, overrides and
    isolates (``BIDI_CONTROLS``) stay, for ``bidi_control_problem`` to refuse:
    removing them would store the letters in an order no reader saw.
    """
    visible = "".join(char for char in value if char not in INVISIBLE_IN_NAMES)
    return " ".join(unicodedata.normalize("NFKC", visible).split())


def name_key(value: str) -> str:
    """What names that look the same share: the Unicode TR39 confusable
    skeleton of the normalized, case-folded name, whitespace collapsed
    (``disarm.skeleton_key``). "Shaza Fatima Khawaja", "SHAZA  fatima
    khawaja", "Sh\u0430za Fatima Khawaja" (a Cyrillic a) and one with a
    zero-width space share a key; "" for a name of nothing visible.

    Case is folded first, or a capital I would be an l (skeleton_key treats
    the two as one on cased text) and "FATIMA" would not be "Fatima"; the
    price is that a lower-case l typed for a capital I ("lqbal") is not
    caught. For matching only, never for display.
    """
    return skeleton_key(normalize_name(value).casefold())[:NAME_KEY_LENGTH]


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be stored as a source text, or ``None`` if it can."""
    if len(text) > MAX_TEXT_CHARS:
        return f"is {len(text):,} characters long; the limit is {MAX_TEXT_CHARS:,}."
    if "\x00" in text:
        return "contains a NUL character (\\x00), which no database text column holds"
    for index, char in enumerate(text):
        if 0xD800 <= ord(char) <= 0xDFFF:
            return f"contains an unpaired surrogate at position {index}"
    return None


ELLIPSIS = "…"
# Where a cut may fall: before or after a run of white space.
_LAST_SPACE = re.compile(r"\s(?=\S*\Z)")
# Left at a cut edge, these read as the text going on: they go before the "…".
_EDGE = " \t\n,;:-–—"


def shorten(
    text: str, limit: int | None = None, *, side: str = "end", cut: bool = False
) -> str:
    """``text`` in at most ``limit`` characters, the "…" included, cut between
    words: the one way claimtrack shortens text anywhere (titles, lists,
    ClaimReview, quotes in context).

    ``side="end"`` keeps the beginning and cuts the end; ``side="start"``
    keeps the end (the words just before a quote). ``cut=True`` says that
    ``text`` was already cut on that side from a longer text (a window of a
    source), so a word broken there is dropped and "…" marks the cut even
    when ``text`` fits. A single word longer than the room is cut inside it.
    """
    if side == "start":
        return shorten(text[::-1], limit, cut=cut)[::-1]
    if side != "end":
        raise ValueError(f"side must be 'start' or 'end', not {side!r}")
    if not cut and (limit is None or len(text) <= limit):
        return text
    room = len(text) if limit is None else max(limit - len(ELLIPSIS), 0)
    kept = text[:room]
    going_on = text[room : room + 1]
    inside_word = (going_on and not going_on.isspace()) or (not going_on and cut)
    if inside_word and kept and not kept[-1].isspace():
        space = _LAST_SPACE.search(kept)
        if space is not None:
            kept = kept[: space.start()]
    return kept.rstrip(_EDGE) + ELLIPSIS
