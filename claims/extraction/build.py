"""Turning a located claim into a ``Proposal``: dates, kind, text, confidence."""

import datetime
import unicodedata
from dataclasses import dataclass

from .classify import classify
from .dates import DAY, find_due, find_stated
from .proposal import Proposal, Span
from .speakers import Resolved
from .worth import checkworthiness

BASE_CONFIDENCE = {
    "quote-cue-after": 0.9,
    "quote-cue-before": 0.9,
    "quote-inverted": 0.9,
    "quote-multi-paragraph": 0.8,
    "quote-continued": 0.7,
    "quote-unattributed": 0.3,
    "transcript-turn": 0.85,
    "reported-that": 0.8,
    "reported-speech": 0.75,
    "reported-final": 0.8,
    "reported-inverted": 0.8,
    "reported-mid": 0.75,
    "reported-adding": 0.7,
    "quote-partial": 0.75,
    "according-to": 0.8,
    "hedged-source": 0.6,
    "hedge": 0.6,
    "narrator": 0.5,
    "narrator-lead": 0.45,
}
_SPEAKER_FACTOR = {"pronoun": 0.9, "context": 0.85, "new": 0.95, "known": 1.05}
_JOINERS = frozenset("\u200c\u200d\ufe0e\ufe0f")


@dataclass(frozen=True)
class Said:
    """An attribution: who, by which verb, and where its words (and time) are."""

    speaker: Resolved | None
    mention_span: Span | None
    cue_span: Span | None
    lemma: str
    rule: str
    regions: list[Span]
    paragraph: int


def _attached(char: str) -> bool:
    """Characters that belong to the one before (accents, joiners, surrogates)."""
    return (
        unicodedata.category(char) in ("Mn", "Mc", "Me")
        or char in _JOINERS
        or 0xDC00 <= ord(char) <= 0xDFFF
    )


def snap(text: str, span: Span | None) -> Span | None:
    """``span`` widened so it cuts no character sequence; None if it is empty."""
    if span is None:
        return None
    start, end = max(0, span[0]), min(len(text), span[1])
    while 0 < start < len(text) and _attached(text[start]):
        start -= 1
    while end < len(text) and end > 0 and _attached(text[end]):
        end += 1
    return (start, end) if start < end else None


def suggested_text(words: str, speaker: str | None) -> str:
    words = words.strip().rstrip(",;:—–- ")
    if words and words[-1] not in '.!?…"”’)':
        words += "."
    return f"{speaker}: {words}" if speaker else words


def confidence(rule: str, speaker: Resolved | None, words: str) -> float:
    value = BASE_CONFIDENCE.get(rule, 0.5)
    if speaker is not None:
        value *= _SPEAKER_FACTOR.get(speaker.via, 1.0)
    if len(words.split()) < 5:
        value *= 0.8
    return round(min(value, 0.99), 2)


def build(
    text: str,
    spans: list[Span],
    said: Said | None,
    attribution: str,
    rule: str,
    regions: list[Span],
    published: datetime.date | None,
    cue_span: Span | None = None,
    attribution_if_unknown: str = "hedged",
) -> Proposal | None:
    """The proposal for ``spans`` of ``text`` (None if no span survives)."""
    content = tuple(s for s in (snap(text, span) for span in spans) if s)
    if not content:
        return None
    words = " … ".join(" ".join(text[s:e].split()) for s, e in content)
    speaker = said.speaker if said else None
    if speaker is None and attribution in ("direct_quote", "indirect"):
        attribution = attribution_if_unknown
    lemma = said.lemma if said else ""
    stated = find_stated(text, regions, published)
    if attribution in ("narrator", "hedged"):
        # The narrator's deadlines do not change the kind: look only if needed.
        kind = classify(words, attribution, lemma)
        due = find_due(text, list(content), published) if kind == "prediction" else None
    else:
        due = find_due(text, list(content), published)
        kind = classify(words, attribution, lemma, has_deadline=bool(due and due.firm))
    if kind not in ("prediction", "promise"):
        due = None
    if stated is not None:
        stated_on: datetime.date | None = stated.date
        stated_precision = stated.precision
    else:
        stated_on, stated_precision = published, DAY if published else ""
    return Proposal(
        content_spans=content,
        cue_span=snap(text, said.cue_span if said and said.cue_span else cue_span),
        speaker_span=snap(text, said.mention_span) if said and speaker else None,
        speaker_name=speaker.name if speaker else None,
        speaker_title=speaker.title if speaker else "",
        speaker_kind=speaker.kind if speaker else None,
        attribution=attribution,
        kind=kind,
        stated_on=stated_on,
        stated_on_precision=stated_precision,
        due_on=due.date if due else None,
        due_on_precision=due.precision if due else "",
        due_text=due.text if due else "",
        text=suggested_text(words, speaker.name if speaker else None),
        confidence=confidence(rule, speaker, words),
        rule=rule,
        checkworthiness=checkworthiness(words),
    )
