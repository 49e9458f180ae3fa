"""What the extractor takes and gives: plain frozen dataclasses."""

import datetime
from dataclasses import dataclass

Span = tuple[int, int]

ATTRIBUTIONS = ("direct_quote", "indirect", "narrator", "hedged")
KINDS = ("fact", "prediction", "promise", "opinion")


@dataclass(frozen=True)
class KnownSpeaker:
    """A speaker already in the database, so its aliases are recognised."""

    name: str
    aliases: tuple[str, ...] = ()
    kind: str = "person"


@dataclass(frozen=True)
class Proposal:
    """One suggested claim, with its provenance as (start, end) code point spans."""

    content_spans: tuple[Span, ...]
    cue_span: Span | None
    speaker_span: Span | None
    speaker_name: str | None
    speaker_title: str
    speaker_kind: str | None
    attribution: str
    kind: str
    stated_on: datetime.date | None
    stated_on_precision: str
    due_on: datetime.date | None
    due_on_precision: str
    due_text: str
    text: str
    confidence: float
    rule: str
    # How much the words give a fact-checker to check, 0 to 1 (worth.py).
    checkworthiness: float = 0.0
