"""Rule-based claim extraction: plain Python, no ORM, no network.

``extract(text, published_on, known_speakers)`` reads a source's normalized
text and proposes claims — direct quotes, reported speech, the narrator's own
assertions and hedges — each with its spans, speaker, kind and dates. See
docs/EXTRACTION.md for the rules.
"""

import datetime
from collections.abc import Sequence

from .build import BASE_CONFIDENCE
from .extractor import extract_text
from .proposal import KnownSpeaker, Proposal
from .speakers import KnownSpeakers

__all__ = [
    "EXTRACTOR_VERSION",
    "RULES",
    "KnownSpeaker",
    "KnownSpeakers",
    "Proposal",
    "extract",
]

# The names of the rules, as proposals and ClaimExtraction record them.
RULES = tuple(sorted(BASE_CONFIDENCE))

# Recorded beside each proposed claim; raise it when the rules change output.
EXTRACTOR_VERSION = "rules-3"


def extract(
    text: str,
    published_on: datetime.date | None = None,
    known_speakers: Sequence[KnownSpeaker] | KnownSpeakers = (),
) -> list[Proposal]:
    """Proposed claims of ``text``, in reading order; never raises on bad text.
    ``known_speakers``: speakers to recognise, or an index of them built once
    for many texts."""
    if not isinstance(text, str) or not text.strip():
        return []
    if published_on is not None and not isinstance(published_on, datetime.date):
        published_on = None
    if isinstance(published_on, datetime.datetime):
        published_on = published_on.date()
    if not isinstance(known_speakers, KnownSpeakers):
        known_speakers = tuple(known_speakers)
    return extract_text(text, published_on, known_speakers)
