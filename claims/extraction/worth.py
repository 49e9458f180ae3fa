"""Check-worthiness: how much a sentence gives a fact-checker to check.

Scored from what makes a statement checkable in the fact-checking literature
(ClaimBuster's "check-worthy factual sentences"; Full Fact's claim types):
numbers and quantities, dates, named people and bodies doing something,
comparisons, causes and the future. What cannot be checked lowers it: a
question, a vague or procedural line, an empty phrase. 0 to 1; the narrator's
sentences are proposed only from ``NARRATOR_THRESHOLD`` up, while a named
speaker's words are always proposed (their saying so is the claim).
"""

import re

from .classify import is_future
from .lexicon import MONTH_SPELLINGS, NUMBER_WORDS, WEEKDAYS, word_set

NARRATOR_THRESHOLD = 0.5
# A transcript turn is a named speaker's, but read sentence by sentence, so
# its pleasantries and procedure ("I move that the bill be read") are left out.
TURN_THRESHOLD = 0.3

# Words are looked up in sets, one pass over the sentence's words: a regular
# expression of a hundred alternatives tried at every position cost a third of
# the extractor's time (bench/extraction.py).
_WORD = re.compile(r"[A-Za-z]+")
_DIGIT = re.compile(r"\d")
# The lexicon's numbers ("a" and "an" aside) and months ("may" aside: a verb
# as often as a month), with the words of size and time they leave out.
_NUMBER_WORDS = (frozenset(NUMBER_WORDS) - {"a", "an"}) | word_set(
    """
    forty fifty hundred hundreds thousand thousands million millions billion
    billions trillion dozen dozens half third quarter double doubled triple
    tripled percent
    """
)
_DATE_WORDS = (
    frozenset(WEEKDAYS)
    | {names.split()[0] for names in MONTH_SPELLINGS if names != "may"}
    | word_set("yesterday today tomorrow fiscal quarter week month year")
)
_COMPARISON_WORDS = word_set(
    """
    more less fewer than higher lower highest lowest largest smallest biggest
    record increase increased increases decrease decreased decreases rose
    risen fell fallen grew grown dropped declined surged jumped doubled halved
    cut raised compared first only most least
    """
)
_CAUSE_WORDS = word_set(
    "because due owing result led leads lead cause caused causes causing "
    "resulted results blamed thanks therefore hence"
)
# Verbs of doing and deciding: a named actor with one of these is news.
_ACTION_WORDS = word_set(
    """
    approved rejected signed launched opened closed announced awarded
    allocated spent paid fined banned raised cut built completed won lost
    hired fired sacked resigned appointed elected passed issued granted
    applied filed sued charged arrested imposed lifted suspended cancelled
    canceled delayed postponed acquired bought sold invested borrowed received
    recorded reported reached exceeded missed killed injured damaged collapsed
    flooded shut reopened agreed voted introduced cast cited presented showed
    shown serve serves served lapsed stalled expanded employ employs employed
    own owns owned operate operates operated control controls controlled
    accused admitted denied confirmed warned promised pledged ordered halted
    stopped started began ended blocked seized raided deported released
    published ratified vetoed overturned ruled convicted acquitted sentenced
    hit struck destroyed evacuated rescued died exported imported produced
    supplied delivered shipped connected installed deployed tested trained
    treated vaccinated enrolled attended
    """
)
# Bodies named by their common noun ("the council approved …") act too.
_BODY_WORDS = word_set(
    """
    council government ministry minister department agency authority regulator
    committee commission court police company firm operator board bank
    parliament assembly senate city state province mayor president governor
    utility union university hospital
    """
)
# Lines with nothing to check: procedure, vague statements, site furniture.
_EMPTY = re.compile(
    r"\b(?:remains?\s+(?:a\s+)?(?:matter\s+of\s+debate|to\s+be\s+seen|unclear)|"
    r"time\s+will\s+tell|it\s+(?:is|was)\s+not\s+(?:yet\s+)?clear|"
    r"(?:meeting|session|sitting|hearing)\s+(?:was|were)\s+"
    r"(?:attended|chaired|adjourned|held)|"
    r"chaired\s+by|was\s+adjourned|"
    r"read\s+more|click\s+here|subscribe|sign\s+up|share\s+this|"
    r"all\s+rights\s+reserved|for\s+more\s+information)\b",
    re.IGNORECASE,
)
# Words that must be there for _EMPTY to match: most sentences skip it.
_EMPTY_WORDS = word_set(
    "remain remains time clear meeting session sitting hearing chaired adjourned "
    "read click subscribe sign share reserved information"
)
# What each kind of checkable detail adds.
SIGNALS = (
    (_NUMBER_WORDS, 0.4),
    (_DATE_WORDS, 0.2),
    (_COMPARISON_WORDS, 0.15),
    (_CAUSE_WORDS, 0.15),
)


def checkworthiness(words: str, future: bool | None = None) -> float:
    """How check-worthy ``words`` (one sentence or clause) are, 0 to 1;
    ``future``: whether they speak of the future, when the caller knows."""
    text = words.strip()
    if not text or text.rstrip("”\"’' )").endswith("?"):
        return 0.1 if text else 0.0
    found = _WORD.findall(text)
    lower = {w.lower() for w in found}
    if _DIGIT.search(text):
        lower.add("one")  # a figure is a number
    score = 0.1 + sum(weight for words_of, weight in SIGNALS if lower & words_of)
    score += _actor(found, lower)
    if is_future(text) if future is None else future:
        score += 0.15
    if len(text.split()) < 5:
        score -= 0.2
    if lower & _EMPTY_WORDS and _EMPTY.search(text):
        score -= 0.4
    return round(min(max(score, 0.0), 1.0), 2)


def _actor(found: list[str], lower: set[str]) -> float:
    """A named person or body doing something counts most; a name or a deed
    alone, less. A name is a capitalised word after the first (a weekday or
    a month is a date, not a name) or a body's common noun."""
    named = bool(lower & _BODY_WORDS) or any(
        w[0].isupper() and w.lower() not in _DATE_WORDS for w in found[1:]
    )
    acting = bool(lower & _ACTION_WORDS)
    return 0.4 if named and acting else 0.1 if named or acting else 0.0
