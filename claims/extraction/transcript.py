"""Transcripts: lines opened by a speaker label ("Q:", "A:", "MARÍA LÓPEZ:").

A text is read as a transcript when at least three paragraphs open with a label
and at least two labels differ. Interviewer turns ("Q", "HOST", …) carry no
claims; "A" is the interviewee, the person the header introduces.
"""

import re
from dataclasses import dataclass

from .lexicon import word_set

_LABEL_RE = re.compile(r"([^\W\d_][^\n:]{0,40}?)[ \t]*:[ \t]+(?=\S)")
INTERVIEWERS = word_set(
    """
    q question interviewer moderator host reporter anchor presenter
    journalist audience caller chair questioner
    """
)
ANSWERS = frozenset({"a", "answer"})
_NOT_LABELS = word_set(
    """
    note photo source update editor read watch related correction disclaimer
    clarification caption credit file video image listen subscribe see also
    warning tags topics guests guest panel participants present transcript
    date time location venue subject re
    """
)
FILLERS = re.compile(
    r"^(?:thank you|thanks|good (?:morning|afternoon|evening)|well|yes|no|right|"
    r"okay|ok|look|sure|that'?s a good question|absolutely|of course)\b[\s,.!]*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Turn:
    paragraph: int
    label: str  # as written
    label_start: int
    label_end: int
    body_start: int
    role: str  # "interviewer", "answer" or "named"


def _label(text: str, lo: int, hi: int) -> re.Match | None:
    match = _LABEL_RE.match(text, lo, hi)
    if not match:
        return None
    words = match.group(1).split()
    if len(words) > 5 or match.group(1).lower().strip() in _NOT_LABELS:
        return None
    if not all(
        w[0].isupper() or w.lower() in ("de", "van", "von", "al", "bin") for w in words
    ):
        return None
    return match


def find_turns(text: str, paras: list[tuple[int, int]]) -> dict[int, Turn]:
    """Turns by paragraph index, or nothing if the text is not a transcript."""
    turns = {}
    for index, (lo, hi) in enumerate(paras):
        match = _label(text, lo, hi)
        if match is None:
            continue
        label = match.group(1).strip()
        lower = label.lower()
        role = (
            "interviewer"
            if lower in INTERVIEWERS
            else "answer"
            if lower in ANSWERS
            else "named"
        )
        turns[index] = Turn(
            index, label, match.start(1), match.start(1) + len(label), match.end(), role
        )
    labels = {t.label.lower() for t in turns.values()}
    if len(turns) < 3 or len(labels) < 2:
        return {}
    return turns


def label_as_name(label: str) -> str:
    """ "MARÍA LÓPEZ" → "María López"; labels in mixed case stay as written."""
    if label.isupper():
        return " ".join(w.capitalize() if len(w) > 2 else w for w in label.split())
    return label


def is_filler(words: str) -> bool:
    return bool(FILLERS.match(words.strip()))
