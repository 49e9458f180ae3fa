"""Source text normalization: plain Python, no ORM.

A source's text is stored normalized so that offsets mean the same thing to every
client: Unicode NFC, and ``\\r\\n`` / ``\\r`` turned into ``\\n``. Nothing else is
changed (no trimming, no whitespace collapsing), so a quote copied from the
original still matches.
"""

import hashlib
import unicodedata


def normalize_text(text: str) -> str:
    """Return ``text`` in claimtrack's canonical form (newlines, then NFC)."""
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


def content_hash(normalized_text: str) -> str:
    """SHA-256 hex digest of the UTF-8 bytes of an already normalized text."""
    return hashlib.sha256(normalized_text.encode("utf-8")).hexdigest()


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be stored as a source text, or ``None`` if it can."""
    if "\x00" in text:
        return "contains a NUL character (\\x00), which no database text column holds"
    for index, char in enumerate(text):
        if 0xD800 <= ord(char) <= 0xDFFF:
            return f"contains an unpaired surrogate at position {index}"
    return None
