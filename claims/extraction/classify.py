"""What kind of claim the words make, and whether the narrator hedges them.

Precedence: promise, then prediction, then opinion, then fact. The narrator and
hedged claims are facts or predictions only: news prose rarely promises, and its
evaluative words ("a new dimension") describe rather than opine.
"""

import re

from .lexicon import (
    GENERIC_ORGANIZATIONS,
    MONTHS,
    PREDICTION_CUES,
    PROMISE_CUES,
    WEEKDAYS,
    word_set,
)

# "we will be" is a state, not an undertaking ("we will be under a notice").
_FIRST_PERSON_COMMITMENT = re.compile(
    r"\b(?:(?:we|i)\s+(?:will(?!\s+be\b)|shall(?!\s+be\b)|won['’]t|will\s+not|"
    r"(?:are|am)\s+(?:not\s+)?going\s+to|can\s+promise|can\s+assure|"
    r"are\s+committed\s+to|am\s+committed\s+to|promise|pledge|vow|guarantee|"
    r"intend\s+to|are\s+determined\s+to|am\s+determined\s+to|will\s+continue)|"
    r"we['’]ll(?!\s+be\b)|i['’]ll(?!\s+be\b)|"
    r"(?:our|my)\s+(?:government|administration|ministry|party|company|team|"
    r"department|office|city|council|firm|province|state)\s+(?:will|shall|is\s+going\s+to))\b",
    re.IGNORECASE,
)
# In reported speech the speaker's own side: "she would ask", "his government will".
_OWN_SIDE_COMMITMENT = re.compile(
    r"^(?:that\s+)?(?:he|she)\s+(?:would|will)(?!\s+be\b)|"
    r"\b(?:his|her|their|its)\s+(?:government|administration|ministry|party|company|"
    r"team|department|office|city|council|firm)\s+(?:will|would|shall)\b",
    re.IGNORECASE,
)
# "is set to", "are expected to": present tense only ("was due to open" is past).
_FUTURE = re.compile(
    r"\b(?:will|won['’]t|shall|would|going\s+to|"
    r"(?:is|are|am|be|remains?|seems?|looks?|['’]s|['’]re)\s+(?:also\s+|now\s+|still\s+)?"
    r"(?:set|expected|likely|unlikely|poised|due|on\s+track|scheduled|slated|tipped|"
    r"projected|forecast)\s+to|"
    r"(?:is|are)\s+to\s+be|(?:plans|aims|intends)\s+to|"
    r"(?:we|they|i)\s+(?:plan|aim|intend)\s+to|expects?|"
    r"could|might)\b|['’]ll\b",
    re.IGNORECASE,
)
_MAY = re.compile(r"\bmay\b")  # lower case only: "May" is a month
# A firm future ("will", "would", "is to be", "shall") and what makes one
# tentative (a forecast, a condition, a chance).
_FIRM_FUTURE = re.compile(
    r"\b(?:will|won['’]t|shall|would|is\s+to\s+be|are\s+to\s+be)\b|['’]ll\b",
    re.IGNORECASE,
)
_TENTATIVE = re.compile(
    r"\b(?:could|might|may|likely|unlikely|probably|possibly|perhaps|expect|"
    r"expects|expected|forecast|forecasts|projected|estimate[sd]?|hope|hopes|"
    r"if|unless|should|cost|costs|"
    r"go\s+up|go\s+down|soon)\b",
)
_STATE = re.compile(
    r"\b(?:will|would|'ll)\s+(?:prove|remain|continue|become|be\s+(?:a|an|the|"
    r"able|difficult|hard|easy|good|bad|great|better|worse))\b",
    re.IGNORECASE,
)
_PLACE_LINKS = word_set("from to at in of for on near across between")
# Capitalised words that may open a subject without naming another party.
_SUBJECT_OPENERS = word_set(
    "the a an this that these those our its their his her we i it they"
)
_STRONG_OPINION = re.compile(
    r"\b(?:historic|milestone|landmark|lifeline|breakthrough|game[\s-]?changer|"
    r"turning\s+point|right\s+track|wrong\s+track|new\s+(?:phase|era|chapter|dimension|heights?)|first\s+step|"
    r"step\s+forward|right\s+direction|unrealistic|realistic|unacceptable|unfair|"
    r"should(?:n['’]t)?|must(?:n['’]t)?|ought|deserves?|importance|crucial|vital|"
    r"essential|keen|eager|productive|fruitful|disastrous|disaster|shameful|"
    r"irresponsible|reckless|misguided|ridiculous|absurd|appalling|proud|pleased|"
    r"delighted|disappointed|disappointing|concerned|worried|believe|i\s+think|we\s+think|"
    r"hope|hopeful|confident|optimistic|pessimistic|remarkable|impressive|"
    r"outstanding|unprecedented|tremendous|wonderful|amazing|beautiful|"
    r"deplorable|regrettable|welcome[sd]?|commend|praise[sd]?|brotherly|"
    r"ironclad|all-weather|unwavering|excellent|terrible|awful|hopeless|"
    r"valuable|beneficial|effective|ineffective|inefficient|failure|"
    r"mistake|betrayal|scandal|waste|wasteful|wise|unwise|best|worst|greatest|"
    r"ambitious|too\s+(?:small|little|late|big|high|low|much|many|few|expensive|slow|"
    r"fast|early|costly|risky|weak)|(?:the|our|its|their)\s+most\s+[a-z]+)\b",
    re.IGNORECASE,
)
_WEAK_OPINION = re.compile(
    r"\b(?:great|good|bad|poor|better|worse|strong|weak|important|significant|"
    r"very|extremely|deeply|truly|clearly|obviously|really|huge|enormous)\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"\d")

_HEDGE = re.compile(
    r"\b(?:reportedly|allegedly|purportedly|supposedly|apparently|"
    r"(?:is|are|was|were)\s+(?:said|believed|thought|understood|reported|rumou?red|"
    r"alleged|set|expected|likely|poised|tipped)\s+to|"
    r"it\s+is\s+(?:understood|learnt|learned|believed|thought|reported)|"
    r"(?:it\s+)?has\s+been\s+learnt|sources\s+(?:said|say|told)|"
    r"according\s+to\s+(?:sources|reports|media\s+reports|unnamed\s+officials|insiders|"
    r"people\s+(?:familiar|close|briefed|with\s+knowledge))|"
    r"people\s+familiar\s+with|on\s+(?:the\s+)?condition\s+of\s+anonymity|"
    r"(?:requested|asked\s+for|sought)\s+anonymity|declined\s+to\s+be\s+(?:named|identified)|"
    r"asked\s+not\s+to\s+be\s+(?:named|identified))\b",
    re.IGNORECASE,
)


def find_hedge(text: str, lo: int, hi: int) -> tuple[int, int] | None:
    """The words with which the narrator distances itself from a claim."""
    match = _HEDGE.search(text, lo, hi)
    return match.span() if match else None


def _undertaking(words: str, speaker: str) -> bool:
    """A firm future of what the speaker's side does, not a forecast: no
    tentative word, no figure moving on its own ("bills will go up"), no
    state ("will prove to be"), and no other named party as the subject
    ("Starlink will launch")."""
    firm = _FIRM_FUTURE.search(words)
    if not firm or _TENTATIVE.search(words) or _STATE.search(words):
        return False
    # "Starlink will launch": a named party's future, unless the name is the
    # speaker's own ("Nordlys Rail will recruit").
    own = set(speaker.lower().split()) | _SUBJECT_OPENERS
    subject = words[: firm.start()].replace("’s", "").replace("'s", "").split()
    if any(w.lower() not in own for w in _parties(subject)):
        return False
    # "the service would launch": another organisation's doing ("its
    # service", "our company" are the speaker's own).
    return not any(
        word.lower() in GENERIC_ORGANIZATIONS and before.lower() in ("the", "a", "that")
        for before, word in zip(["", *subject], subject, strict=False)
    )


def _parties(subject: list[str]) -> list[str]:
    """The capitalised words of a subject that may name a party: not those
    after a preposition ("the pipeline from Rohri to Sukkur", "the centre at
    Thornbury Hospital"), a unit or currency before a figure ("Rs 400", "300
    MHz"), or a day or month."""
    parties = []
    placed = False
    for k, word in enumerate(subject):
        bare = word.strip(',.;:()"“”‘’').lower()
        if not word[:1].isupper():
            placed = bare in _PLACE_LINKS
            continue
        figure = any(c.isdigit() for c in " ".join(subject[max(0, k - 1) : k + 2]))
        if not (placed or figure or bare in MONTHS or bare in WEEKDAYS):
            parties.append(word)
    return parties


def _opinion_score(words: str) -> float:
    return len(_STRONG_OPINION.findall(words)) + 0.5 * len(_WEAK_OPINION.findall(words))


def classify(
    words: str,
    attribution: str,
    cue: str = "",
    has_deadline=False,
    in_charge: str = "",
) -> str:
    """fact, prediction, promise or opinion for the claimed ``words``;
    ``in_charge``: the name of a speaker that holds an office or is an
    organisation, so that what it says will be done, firmly, is its
    undertaking."""
    future = bool(_FUTURE.search(words) or _MAY.search(words))
    if attribution in ("narrator", "hedged"):
        # "unveiled a plan to plant trees by 2028" reports a plan: a fact.
        return "prediction" if future else "fact"
    future = future or has_deadline
    if cue in PROMISE_CUES or _FIRST_PERSON_COMMITMENT.search(words):
        return "promise"
    if attribution == "indirect" and _OWN_SIDE_COMMITMENT.search(words):
        return "promise"
    if in_charge and cue not in PREDICTION_CUES and _undertaking(words, in_charge):
        # "The bridge will reopen in September," said the council's transport
        # chief: an office-holder's firm future is the office's undertaking.
        return "promise"
    if future or cue in PREDICTION_CUES:
        return "prediction"
    score = _opinion_score(words)
    if score >= 1 or (score >= 0.5 and not _NUMBER.search(words)):
        return "opinion"
    return "fact"


def is_future(words: str) -> bool:
    return bool(_FUTURE.search(words) or _MAY.search(words))
