"""Turning a located claim into a ``Proposal``: dates, kind, text, confidence."""

import datetime
import re
import unicodedata
from dataclasses import dataclass

from .classify import classify
from .dates import DAY, find_due, find_stated
from .lexicon import OFFICE_WORDS
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


_BEFORE = re.compile(r"\bhad\s+(?:(?:earlier|previously|already|once|also)\s+)?$")


def _said_before(text: str, cue: Span | None) -> bool:
    """ "had earlier claimed", "had promised": said at some time before the
    report, so a deadline already past at publication may still be one."""
    return cue is not None and bool(_BEFORE.search(text, max(0, cue[0] - 30), cue[0]))


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


# What may be left at the edges of claimed words: an opener cut in half ("to
# the license, Starlink …" of "In addition to the license"), "noting that", a
# label, a stray quotation mark.
_LEAD_JUNK = re.compile(
    r"^(?:(?:that|and|but|also|noting\s+that|adding\s+that|saying\s+that|"
    r"[\w’'.-]+(?:\s+[\w’'.-]+){0,3}:)\s+|[,;:—–\-\s\"“”‘’']+)+",
    re.IGNORECASE,
)
_TRAIL_JUNK = re.compile(r"[,;:—–\-\s\"“”‘’]+$")


def suggested_text(words: str) -> str:
    """The claim as a clean sentence of its own: no speaker label, no stray
    marks or linking words at its edges, a capital and a full stop. (The
    speaker is the claim's own field.)"""
    words = _TRAIL_JUNK.sub("", _LEAD_JUNK.sub("", words.strip()))
    if not words:
        return ""
    words = words[0].upper() + words[1:]
    if words[-1] not in ".!?…":
        words += "."
    return words


def in_charge(speaker: Resolved | None) -> str:
    """The name of an organisation, or of a person holding an office: what it
    says will be done is its own undertaking. Experts, researchers and critics
    hold none ("")."""
    if speaker is None:
        return ""
    title = set(speaker.title.lower().replace("-", " ").split())
    if speaker.kind != "person" or OFFICE_WORDS & title:
        return speaker.name
    return ""


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
    # Deadlines count from when the words were said: "by December 2024", told
    # a committee in September 2024, is a deadline even in a 2025 report.
    said_on = stated.date if stated else published
    if said and not stated and _said_before(text, said.cue_span):
        said_on = None  # "had earlier claimed … by December 2024": some time before
    if attribution in ("narrator", "hedged"):
        # The narrator's deadlines do not change the kind: look only if needed.
        kind = classify(words, attribution, lemma)
        due = find_due(text, list(content), said_on) if kind == "prediction" else None
    else:
        due = find_due(text, list(content), said_on)
        kind = classify(
            words,
            attribution,
            lemma,
            has_deadline=bool(due and due.firm),
            in_charge=in_charge(speaker),
        )
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
        text=suggested_text(words) or words,
        confidence=confidence(rule, speaker, words),
        rule=rule,
        # The kind already says whether the words speak of the future.
        checkworthiness=checkworthiness(
            words, future=kind in ("prediction", "promise")
        ),
    )
