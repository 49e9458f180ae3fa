"""Transcripts: lines opened by a speaker label ("Q:", "A:", "MARÍA LÓPEZ:").

A text is read as a transcript when at least three paragraphs open with a label
and at least two labels differ. Interviewer turns ("Q", "HOST", …) and the
chair of a sitting ("Mr. Speaker", "The Chair") carry no claims; "A" is the
interviewee, the person the header introduces. A parliamentary record's label
gives the name and, in brackets, a title or seat ("Hon. Ana Ruiz (Minister of
Health):"), or the title and, in brackets, the name ("The Minister of State for
Energy (Ms Rana Qadir):").
"""

import re
from dataclasses import dataclass

from .lexicon import HONORIFICS, TITLE_WORDS, word_set

# An honorific, as "Hon." or in brackets in a label ("Hon. (Ms.) Ana Ruiz").
_HONORIFIC_WORD = "|".join(sorted([*HONORIFICS, "rt", "honourable", "honorable"]))
_LABEL_RE = re.compile(
    rf"([^\W\d_](?:[^\n:()]|\((?:{_HONORIFIC_WORD})\.?\)){{0,60}}?)"
    r"[ \t]*(?:\(([^\n():]{1,80})\))?[ \t]*:[ \t]+(?=\S)",
    re.IGNORECASE,
)
_BRACKETED_HONORIFIC = re.compile(rf"\((?:{_HONORIFIC_WORD})\.?\)\s*", re.I)
INTERVIEWERS = word_set(
    """
    q question interviewer moderator host reporter anchor presenter
    journalist audience caller chair questioner
    """
)
ANSWERS = frozenset({"a", "answer"})
# Labels that credit people in a header rather than open their turns.
HEADER_LABELS = word_set(
    "interviewee interviewer guest guests host hosts moderator presenter panel"
)
# The header's line that names who answers: "Guest: Ing. Ana Ruiz, …".
GUEST_LINE = re.compile(
    r"^(?:interviewee|guest|in\s+conversation\s+with|speaking\s+to)\s*:?\s+",
    re.IGNORECASE,
)
_NOT_LABELS = word_set(
    """
    note photo source update editor read watch related correction disclaimer
    clarification caption credit file video image listen subscribe see also
    warning tags topics guests guest panel participants present transcript
    date time location venue subject re recorded published posted updated
    aired broadcast filed sitting present in attendance agenda item
    """
)
# Who chairs a sitting: their lines keep order, they make no claims.
CHAIRS = re.compile(
    r"^(?:(?:mr|madam|madame|mister|hon)\.?\s+|the\s+)?(?:deputy\s+)?"
    r"(?:speaker|chair|chairman|chairwoman|chairperson|president|presiding\s+officer|"
    r"clerk)$",
    re.IGNORECASE,
)
# Lower-case words a label may hold: "Minister of State for Energy".
_LABEL_LINKS = word_set("of for and the to on de van von al bin da del di la le du")
_HONORIFIC = re.compile(
    rf"^(?:the\s+)?(?:rt\.?\s+)?(?:(?:{_HONORIFIC_WORD})\.?\s+)+", re.IGNORECASE
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
    name: str = ""  # who speaks, for a named turn
    title: str = ""


def _is_label_words(words: list[str]) -> bool:
    return bool(words) and all(
        w[0].isupper() or w.lower() in _LABEL_LINKS or w[0] in "-–(" for w in words
    )


def _looks_like_title(words: str) -> bool:
    """ "The Minister of State for Energy", "Cabinet Secretary": a title word
    among the first three ("Kootenay Lakes", a seat, has none)."""
    return any(w in TITLE_WORDS for w in words.lower().split()[:3])


def speaker_of_label(label: str, bracket: str) -> tuple[str, str]:
    """The name and title a label gives: "Hon. Ana Ruiz" (name) with
    "(Minister of Health)" (title), or "The Minister of Health" (title) with
    "(Ms Ana Ruiz)" (name). A bracket that is neither (a seat) is left out."""
    label = _BRACKETED_HONORIFIC.sub("", label).strip()
    bracket = (bracket or "").strip()
    if bracket and _looks_like_title(label) and not _looks_like_title(bracket):
        return _HONORIFIC.sub("", bracket), label
    name = _HONORIFIC.sub("", label)
    return name, bracket if bracket and _looks_like_title(bracket) else ""


def _label(text: str, lo: int, hi: int) -> re.Match | None:
    match = _LABEL_RE.match(text, lo, hi)
    if not match:
        return None
    words = match.group(1).split()
    if len(words) > 10 or match.group(1).lower().strip() in _NOT_LABELS:
        return None
    if not _is_label_words(words) or words[-1].lower() in _LABEL_LINKS:
        return None
    if len(words) > 5 and not match.group(2):
        return None  # a long capitalised run without a bracket is a heading
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
        if lower in HEADER_LABELS and text[hi - 1] not in ".!?…":
            continue  # "Interviewer: Tomás Okonkwo-Bell": the header's credits
        role = (
            "interviewer"
            if lower in INTERVIEWERS or CHAIRS.match(lower)
            else "answer"
            if lower in ANSWERS
            else "named"
        )
        name, title = speaker_of_label(label, match.group(2))
        end = match.end(2) + 1 if match.group(2) else match.start(1) + len(label)
        turns[index] = Turn(
            index, label, match.start(1), end, match.end(), role, name, title
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


_PUBLISHED = re.compile(
    r"\b(?:published|posted|updated|printed|uploaded)\b[^.\n]*", re.IGNORECASE
)


def session_regions(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """The header's words that may date the session: all but the parts that
    say when the record was published."""
    regions, position = [], lo
    for match in _PUBLISHED.finditer(text, lo, hi):
        if match.start() > position:
            regions.append((position, match.start()))
        position = match.end()
    if position < hi:
        regions.append((position, hi))
    return regions


def ends_turn(text: str, lo: int, hi: int) -> bool:
    """A paragraph that is no speaker's, after a turn: a heading in capitals
    or with no closing mark, or a bracketed note ("[Applause]")."""
    words = text[lo:hi].strip()
    letters = [c for c in words if c.isalpha()]
    return (
        words.startswith(("[", "("))
        or (bool(letters) and all(c.isupper() for c in letters))
        or words[-1:] not in tuple(".!?…\"”’')")
    )
